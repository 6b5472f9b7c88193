"""Scenario 11: the person's age moves the rules. A 15-year-old with a plan the parents
consented to turns 16: the parents' consents are marked for renewal and the coordinator gets
the task to obtain the young person's own consent (pbrl § 4-3). An expected child granted a
child coordinator is born: the number and birth date are recorded and the 18-year timers
move with the birth date. A consent with an end date is warned ahead and ends on the day."""
from __future__ import annotations

from datetime import date, datetime, timedelta

from scenario_support import (
    OSLO,
    CaseDriver,
    application,
    appoint,
    approve_plan,
    assessment,
    decide,
    decision,
    plan,
)
from sqlalchemy import select

from engine.cases import births, intake, plan_rules
from engine.db.models import Consent, Timer
from engine.persons import identity
from engine.plans import lifecycle, participants

ALLOWED = ("ip_sak",)


def _register(ctx, people, data, number=None):
    return intake.register_application(ctx, data, people.officer, "ip_sak", ALLOWED,
                                       person=intake.PersonChoice(national_id=number)).case


def test_the_16th_birthday_asks_for_the_young_persons_own_consent(ctx, clock, people):
    born = date(2010, 1, 20)  # 16 on 20 January 2026; the clock starts on 5 January
    case = CaseDriver(ctx, clock, _register(ctx, people, application(
        navn="Sofie Lie", fodselsdato=born.isoformat(), soker_rolle="forelder",
        soker_navn="Hanne Lie"), identity.synthetic(born, 700)))
    decide(case, people, decision(), leveringsdato="2026-01-06")
    appoint(case, people, people.coordinator)
    case.complete("Utarbeide plan", people.coordinator, plan(samtykke={
        "samtykke_til_plan": True, "gitt_av": "foreldre", "gitt_av_navn": "Hanne Lie",
        "samtykke_dato": "2026-01-07"}))
    case.complete("Godkjenne plan", people.coordinator,
                  {"godkjent": True, "neste_evaluering": "2026-08-03"})
    the_plan = lifecycle.get(ctx, case.refresh().plan_id)
    given = participants.consents(ctx, the_plan.id)
    assert {c.given_by_role for c in given} == {"forelder"} and len(given) == 3

    assert plan_rules.apply_due(ctx) == []  # 15: nothing yet
    case.advance_to(datetime(2026, 1, 19, 23, 0, tzinfo=OSLO))
    assert plan_rules.apply_due(ctx) == []
    case.advance_to(datetime(2026, 1, 20, 6, 0, tzinfo=OSLO))  # the 16th birthday
    assert plan_rules.apply_due(ctx) == [f"{case.case.case_number}: samtykke_ved_16"]
    assert all(c.renewal_due for c in participants.consents(ctx, the_plan.id))
    assert ("Innhente samtykke fra den unge", "koordinator", "kari.koord") in case.tasks()
    assert plan_rules.apply_due(ctx) == []  # done once

    case.complete("Innhente samtykke fra den unge", people.coordinator,
                  {"samtykker": True, "samtykke_dato": "2026-01-22"})
    own = participants.plan_consent(ctx, the_plan.id)
    assert (own.given_by_role, own.given_on) == ("personen", date(2026, 1, 22))
    assert the_plan.status == "aktiv"


def test_a_no_at_16_ends_the_plan(ctx, clock, people):
    born = date(2010, 1, 20)
    case = CaseDriver(ctx, clock, _register(ctx, people, application(
        navn="Tor Lie", fodselsdato=born.isoformat(), soker_rolle="forelder",
        soker_navn="Hanne Lie"), identity.synthetic(born, 701)))
    decide(case, people, decision(), leveringsdato="2026-01-06")
    appoint(case, people, people.coordinator)
    case.complete("Utarbeide plan", people.coordinator, plan(samtykke={
        "samtykke_til_plan": True, "gitt_av": "foreldre", "samtykke_dato": "2026-01-07"}))
    case.complete("Godkjenne plan", people.coordinator,
                  {"godkjent": True, "neste_evaluering": "2026-08-03"})
    case.advance_to(datetime(2026, 1, 21, 8, 0, tzinfo=OSLO))
    plan_rules.apply_due(ctx)
    case.complete("Innhente samtykke fra den unge", people.coordinator,
                  {"samtykker": False, "samtykke_dato": "2026-01-22"})
    assert lifecycle.get(ctx, case.refresh().plan_id).status == "avsluttet"


def test_an_expected_child_is_born_and_the_18_year_timers_move(ctx, clock, people):
    due = "2026-03-01"
    case = CaseDriver(ctx, clock, _register(ctx, people, application(
        navn="Barn av Eva Hansen", fodselsdato=due, barn_forventet=True, onsker_ip=False,
        onsker_koordinator=False, onsker_barnekoordinator=True, soker_rolle="forelder",
        soker_navn="Eva Hansen", tjenester=["spesialisthelsetjeneste", "helsestasjon"])))
    person_id = case.case.person_id
    grant = decision(vedtak_ip=None, vedtak_koordinator=None,
                     vedtak_barnekoordinator="innvilget", hjemmel="pbrl_2_5_c")
    del grant["forste_evaluering"]
    decide(case, people, grant, leveringsdato="2026-01-13",
           kartlegging=assessment(konklusjon_ip=None, konklusjon_koordinator=None,
                                  konklusjon_barnekoordinator="innvilge"))
    appoint(case, people, people.coordinator)
    assert case.processes("running") == [("barnekoordinator_oppfolging", "running")]

    def waiting():
        return sorted((t.name, t.fire_at.astimezone(OSLO).date()) for t in ctx.session.scalars(
            select(Timer).where(Timer.case_id == case.case.id, Timer.status == "waiting")))
    assert waiting() == [("Seks måneder før 18 år", date(2043, 9, 1))]

    born = date(2026, 2, 18)  # two weeks early
    clock.set(datetime(2026, 2, 19, 9, 0, tzinfo=OSLO))
    person = births.record_birth(ctx, person_id, identity.synthetic(born, 702), "siri")
    assert (person.birth_date, person.due_date, person.id_kind) == (born, None, "synthetic")
    assert waiting() == [("Seks måneder før 18 år", date(2043, 8, 18))]
    assert case.refresh().data["fodselsdato"] == "2026-02-18"
    assert any(e.kind == "timers_moved_by_birth" for e in case.history())


def test_a_consent_with_an_end_date_is_warned_and_ends_on_the_day(ctx, clock, people):
    case = CaseDriver(ctx, clock, _register(ctx, people, application(),
                                            identity.synthetic(date(1970, 3, 1), 17)))
    decide(case, people, decision(), leveringsdato="2026-01-13")
    appoint(case, people, people.coordinator)
    approve_plan(case, people.coordinator, neste_evaluering="2026-08-03")
    the_plan = lifecycle.get(ctx, case.refresh().plan_id)
    nav = participants.add(ctx, the_plan, "kari.koord", name="NAV", role="Veileder",
                           username="ola.koord")
    ends = ctx.today() + timedelta(days=40)
    consent = participants.give_consent(
        ctx, the_plan, "kari.koord", participant_id=nav.id, scope="hele_planen",
        given_by_name="Kari Nordmann", given_by_role="personen", given_on=ctx.today(),
        expires_on=ends)
    assert plan_rules.apply_due(ctx) == []  # 40 days ahead: not yet
    clock.advance(days=11)  # 29 days ahead: within the 30 days' warning
    assert plan_rules.apply_due(ctx) == [f"{case.case.case_number}: consent_expiring"]
    assert plan_rules.apply_due(ctx) == []
    assert participants.visible_sections(ctx, the_plan, "ola.koord") is not None
    clock.advance(days=29)  # the end date
    assert plan_rules.apply_due(ctx) == [f"{case.case.case_number}: consent_expired"]
    assert participants.visible_sections(ctx, the_plan, "ola.koord") is None
    assert ("consent_expired", "warning", "koordinerende_enhet", "kari.koord") \
        in case.notices()
    assert ctx.session.get(Consent, consent.id).withdrawn_at is None
