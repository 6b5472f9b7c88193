"""A case whose decision letter is approved and sent by digital mail, committed, for the
tests of the outbox (engine) and of the Celery worker that sends and polls (tasks)."""
from __future__ import annotations

import dataclasses
from datetime import date

from sqlalchemy import select

from engine.accounts import users
from engine.cases import intake
from engine.db.models import Letter, LetterRecipient
from engine.persons import identity, registry
from engine.worklist import humantasks

APPLICATION = dict(soker_rolle="personen", onsker_ip=True, onsker_koordinator=True,
                   onsker_barnekoordinator=False, navn="Kari Nordmann", fodselsdato="1970-03-01",
                   mottatt_dato="2026-01-05", tjenester=["hjemmesykepleie", "fysioterapi"],
                   forventet_varighet_maneder=36, nav_basert=False)
ASSESSMENT = dict(kartlegging_dato="2026-01-05", funn="Behov for samordnede tjenester",
                  konklusjon_ip="innvilge", konklusjon_koordinator="innvilge",
                  konklusjon_barnekoordinator=None, vurdering="Vilkårene er oppfylt")
DECISION = dict(vedtak_ip="innvilget", vedtak_koordinator="innvilget",
                vedtak_barnekoordinator=None, hjemmel="pbrl_2_5",
                begrunnelse="Langvarige og koordinerte tjenester",
                ansvarlig_tjenesteomrade="Hjemmetjenesten", oppstartsdato="2026-02-01",
                forste_evaluering="2026-08-03")


def svarut_settings(settings, stub):
    return dataclasses.replace(
        settings, digital_channel="svarut", svarut_url=stub.url,
        svarut_account_id=stub.account_id, svarut_integration_id=stub.integration_id,
        svarut_integration_password=stub.integration_password,
        svarut_access_token=stub.access_token)


def sent_digitally(env, serial: int = 100) -> tuple[int, int]:
    """(case id, the copy's LetterRecipient id): a decision letter queued for SvarUt."""
    steps = [("Kartlegging og vurdering", "siri", ASSESSMENT),
             ("Utforme vedtak", "siri", DECISION),
             ("Signere vedtak", "lars", {"vedtak_godkjent": True}),
             ("Sende vedtaksbrev", "siri", {"kanal": "digital_postkasse"})]
    born = date(1970, 3, 1)
    number = identity.synthetic(born, serial)
    with env.unit_of_work() as ctx:
        if users.find_user(ctx, "siri") is None:
            users.add_user(ctx, "siri", ["saksbehandler"])
            users.add_user(ctx, "lars", ["leder"])
        registry.register(ctx, registry.PersonDetails(
            name="Kari Nordmann", national_id=number, birth_date=born, address="Storgata 1",
            postal_code="0150", postal_place="Oslo"), "siri")
        case = intake.register_application(ctx, dict(APPLICATION), users.get_user(ctx, "siri"),
                                           "ip_sak", ("ip_sak",),
                                           person=intake.PersonChoice(national_id=number)).case
        case_id = case.id
    for name, who, data in steps:
        with env.unit_of_work() as ctx:
            [task] = [t for t in humantasks.open_tasks(ctx, case_id) if t.name == name]
            humantasks.complete(ctx, task.id, users.get_user(ctx, who), data)
    with env.unit_of_work() as ctx:
        [copy_id] = ctx.session.scalars(select(LetterRecipient.id).join(Letter).where(
            Letter.case_id == case_id))
        return case_id, copy_id
