"""The coordinating unit's view of the reads (engine/readlog/audit_view.py): filtered by user,
person, period and emergency access; unusual reading is someone opening many persons' cases
without a task or a role in them."""
from __future__ import annotations

from datetime import date, timedelta

import pytest

from engine.access import overrides
from engine.accounts import users
from engine.cases import casework, intake
from engine.core.errors import PermissionDenied
from engine.organisation import units as organisation
from engine.persons import identity, registry
from engine.readlog import audit_view
from engine.worklist import humantasks
from tests.letter_cases import APPLICATION


@pytest.fixture
def people(ctx):
    organisation.add_unit(ctx, "hjemmetjenesten", "Hjemmetjenesten", "hjemmetjeneste")
    return {"anne": users.add_user(ctx, "anne", ["saksbehandler"]),
            "bjorn": users.add_user(ctx, "bjorn", ["saksbehandler"], units=["hjemmetjenesten"]),
            "kim": users.add_user(ctx, "kim", ["koordinerende_enhet"], units=[])}


def _cases(ctx, officer, count):
    found = []
    for serial in range(count):
        born = date(1960, 1, 1) + timedelta(days=serial)
        number = identity.synthetic(born, 700 + serial)
        registry.register(ctx, registry.PersonDetails(name=f"Person {serial}",
                                                      national_id=number, birth_date=born),
                          "anne")
        found.append(intake.register_application(
            ctx, dict(APPLICATION), officer, "ip_sak", ("ip_sak",),
            person=intake.PersonChoice(national_id=number)).case)
    return found


def test_the_coordinating_unit_filters_reads_and_finds_unusual_reading(ctx, people):
    cases = _cases(ctx, people["anne"], 3)
    for case in cases:  # anne opens three persons' cases by her unit's access
        casework.get_case(ctx, case.id, people["anne"], purpose="case page")
    task = humantasks.open_tasks(ctx, cases[0].id)[0]
    humantasks.assign(ctx, task.id, people["anne"], "bjorn")
    casework.get_case(ctx, cases[0].id, people["bjorn"], purpose="case page")  # his task
    overrides.grant(ctx, cases[1].id, people["bjorn"], "Legevakten ber om planen i natt")
    today = ctx.today()

    with pytest.raises(PermissionDenied):
        audit_view.reads(ctx, people["anne"], audit_view.AuditQuery(today, today))
    rows, more = audit_view.reads(ctx, people["kim"], audit_view.AuditQuery(
        today, today, username="bjorn"))
    assert not more and {r.read.username for r in rows} == {"bjorn"}
    overridden, _ = audit_view.reads(ctx, people["kim"], audit_view.AuditQuery(
        today, today, overrides_only=True))
    assert [(r.read.username, r.read.reason, r.person_id) for r in overridden] == [
        ("bjorn", "Legevakten ber om planen i natt", cases[1].person_id)]
    of_person, _ = audit_view.reads(ctx, people["kim"], audit_view.AuditQuery(
        today, today, person_id=cases[2].person_id))
    assert {r.person_id for r in of_person} == {cases[2].person_id}
    assert of_person[0].person_name == "Person 2"

    unusual = audit_view.unusual(ctx, people["kim"], today, today, threshold=3)
    assert [(u.username, u.persons) for u in unusual] == [("anne", 3)]
    assert audit_view.unusual(ctx, people["kim"], today, today, threshold=4) == []
