"""The person's read log (engine/readlog): every read of their information, every refused
read and every emergency access in a period, newest first, with who, what and why in plain
words; asking for it is itself a logged read."""
from __future__ import annotations

from datetime import date, timedelta

import pytest

from engine.access import overrides, refusals, rules
from engine.accounts import users
from engine.cases import casework, intake
from engine.core.errors import InvalidInput, PermissionDenied
from engine.organisation import units as organisation
from engine.persons import identity, registry
from engine.readlog import report
from tests.letter_cases import APPLICATION

BORN = date(1970, 3, 1)


@pytest.fixture
def people(ctx):
    organisation.add_unit(ctx, "hjemmetjenesten", "Hjemmetjenesten", "hjemmetjeneste")
    return {"anne": users.add_user(ctx, "anne", ["saksbehandler"], display_name="Anne Ås"),
            "bjorn": users.add_user(ctx, "bjorn", ["saksbehandler"], display_name="Bjørn Bø",
                                    units=["hjemmetjenesten"])}


def _case(ctx, officer, serial=500):
    number = identity.synthetic(BORN, serial)
    registry.register(ctx, registry.PersonDetails(name="Kari Nordmann", national_id=number,
                                                  birth_date=BORN), "anne")
    return intake.register_application(ctx, dict(APPLICATION), officer, "ip_sak",
                                       ("ip_sak",),
                                       person=intake.PersonChoice(national_id=number)).case


def test_reads_refusals_and_emergency_access_are_listed_with_who_what_and_why(
        ctx, clock, people):
    case = _case(ctx, people["anne"])
    clock.advance(hours=1)
    casework.get_case(ctx, case.id, people["anne"], purpose="case page")
    clock.advance(hours=1)
    with pytest.raises(PermissionDenied) as refused:
        rules.require_case(ctx, case.id, people["bjorn"])
    assert refusals.record_refusal(ctx, "bjorn", refused.value, "/cases/x")
    clock.advance(hours=1)
    overrides.grant(ctx, case.id, people["bjorn"], "Legevakten ber om planen i natt")
    casework.get_case(ctx, case.id, people["bjorn"], purpose="case page")
    clock.advance(hours=1)

    found = report.person_report(ctx, case.person_id, people["anne"])
    rows = [(r.username, r.what, r.why, r.reason, r.refused) for r in found.rows]
    assert rows[:4] == [
        ("bjorn", "Saken", "Nødtilgang", None, False),
        ("bjorn", "Nødtilgang til saken", "Nødtilgang", "Legevakten ber om planen i natt",
         False),
        ("bjorn", "Forsøk på å lese saken (avvist)", None, None, True),
        ("anne", "Saken", "Saksbehandler i enheten som har ansvar for saken", None, False)]
    assert [r.at for r in found.rows] == sorted((r.at for r in found.rows), reverse=True)
    assert found.rows[0].name == "Bjørn Bø" and found.rows[0].case_number == case.case_number
    # asking for the report is a read too: the next report lists it
    again = report.person_report(ctx, case.person_id, people["anne"])
    assert again.rows[0].what == "Personopplysninger" and again.rows[0].username == "anne"
    assert len(again.rows) == len(found.rows) + 1


def test_the_period_bounds_the_report_and_is_checked(ctx, clock, people):
    case = _case(ctx, people["anne"], serial=510)
    casework.get_case(ctx, case.id, people["anne"], purpose="case page")
    clock.advance(days=400)
    recent = report.person_report(ctx, case.person_id, people["anne"])
    assert all(r.at.date() > ctx.today() - timedelta(days=366) for r in recent.rows)
    assert not any(r.what == "Saken" for r in recent.rows)
    older = report.person_report(ctx, case.person_id, people["anne"],
                                 ctx.today() - timedelta(days=500), ctx.today())
    assert any(r.what == "Saken" for r in older.rows)
    with pytest.raises(InvalidInput):
        report.person_report(ctx, case.person_id, people["anne"], ctx.today(),
                             ctx.today() - timedelta(days=1))
    with pytest.raises(InvalidInput):
        report.person_report(ctx, case.person_id, people["anne"],
                             ctx.today() - timedelta(days=4 * 365), ctx.today())


def test_only_a_reader_of_the_person_gets_their_read_log(ctx, people):
    case = _case(ctx, people["anne"], serial=520)
    with pytest.raises(PermissionDenied):
        report.person_report(ctx, case.person_id, people["bjorn"])
