"""Access follows the need (engine/access/rules.py): the responsible unit, tasks held, the
coordinator, the coordinating unit when the case waits for it, the leaders of the units
involved, and emergency access with a reason, limited in time, logged and reported. The SQL
form the inbox and search use agrees with the check the pages use."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from engine.access import overrides, rules
from engine.accounts import users
from engine.cases import audit, casework
from engine.core.errors import ConflictError, InvalidInput, PermissionDenied
from engine.db.models import Case, HumanTask, Notice
from engine.organisation import responsibility
from engine.organisation import units as organisation
from engine.persons import search
from engine.worklist import humantasks
from tests.letter_cases import APPLICATION


@pytest.fixture
def org(ctx):
    """Two units: forvaltningskontoret (the default) and hjemmetjenesten, with an officer,
    a leader and a coordinator in each, and someone of the coordinating unit."""
    organisation.add_unit(ctx, "hjemmetjenesten", "Hjemmetjenesten", "hjemmetjeneste")
    return {
        "anne": users.add_user(ctx, "anne", ["saksbehandler"]),
        "lise": users.add_user(ctx, "lise", ["leder"]),
        "bjorn": users.add_user(ctx, "bjorn", ["saksbehandler"], units=["hjemmetjenesten"]),
        "hanne": users.add_user(ctx, "hanne", ["leder"], units=["hjemmetjenesten"]),
        "kari": users.add_user(ctx, "kari", ["koordinator"], units=["hjemmetjenesten"],
                               trained_coordinator=True),
        "kim": users.add_user(ctx, "kim", ["koordinerende_enhet"], units=[]),
        "admin": users.add_user(ctx, "admin", ["admin"]),
    }


def _case(ctx, officer) -> Case:
    return casework.start_case(ctx, dict(APPLICATION), officer, "ip_sak")


def _open_task(ctx, case: Case) -> HumanTask:
    return ctx.session.scalar(select(HumanTask).where(HumanTask.case_id == case.id,
                                                      HumanTask.status == "open"))


def _sql_sees(ctx, user, case: Case) -> bool:
    return ctx.session.scalar(select(Case.id).where(
        Case.id == case.id, rules.visible_cases(ctx, user))) is not None


def _agree(ctx, org, case: Case) -> dict[str, str | None]:
    """Every user's level, checked against the SQL form (which must agree on full)."""
    levels = {}
    for name, user in org.items():
        level = rules.case_access(ctx, case, user)
        assert (level == rules.FULL) == _sql_sees(ctx, user, case), name
        levels[name] = level
    return levels


def test_the_responsible_unit_reads_and_another_unit_is_refused(ctx, org):
    case = _case(ctx, org["anne"])
    assert case.responsible_unit_id == organisation.get_unit(ctx, "forvaltningskontoret").id
    levels = _agree(ctx, org, case)
    assert levels["anne"] == levels["lise"] == rules.FULL
    assert levels["bjorn"] is None and levels["kari"] is None
    # supervisors and the administrator see the course only; the coordinating unit too,
    # until the case waits for it
    assert levels["hanne"] == levels["kim"] == levels["admin"] == rules.LIMITED
    with pytest.raises(PermissionDenied) as refused:
        rules.require_case(ctx, case.id, org["bjorn"])
    assert refused.value.refused_case == case.id
    assert rules.case_basis(ctx, case, org["anne"]).why == rules.UNIT


def test_a_task_held_gives_access_and_the_leader_of_its_holder_follows(ctx, org):
    case = _case(ctx, org["anne"])
    task = _open_task(ctx, case)
    humantasks.assign(ctx, task.id, org["lise"], "bjorn")
    levels = _agree(ctx, org, case)
    assert levels["bjorn"] == rules.FULL
    assert rules.case_basis(ctx, case, org["bjorn"]).why == rules.TASK
    # hjemmetjenesten's leader leads a unit whose member holds a task in it
    assert levels["hanne"] == rules.FULL
    assert rules.case_basis(ctx, case, org["hanne"]).why == rules.LEADER
    assert levels["kari"] is None


def test_the_coordinator_reads_the_case_they_coordinate(ctx, org):
    case = _case(ctx, org["anne"])
    case.coordinator = "kari"
    ctx.session.flush()
    assert _agree(ctx, org, case)["kari"] == rules.FULL
    assert rules.case_basis(ctx, case, org["kari"]).why == rules.COORDINATOR


def test_the_coordinating_unit_reads_while_the_case_waits_for_it_or_is_escalated(ctx, org):
    case = _case(ctx, org["anne"])
    task = _open_task(ctx, case)
    task.candidate_role = "koordinerende_enhet"  # the appointment waits for it
    ctx.session.flush()
    assert _agree(ctx, org, case)["kim"] == rules.FULL
    task.candidate_role = "saksbehandler"
    ctx.session.flush()
    ctx.session.info.clear()
    assert _agree(ctx, org, case)["kim"] == rules.LIMITED
    ctx.session.add(Notice(case_id=case.id, source_key=f"test:{case.id}", kind="task_overdue",
                           severity="escalation", role="leder", case_number=case.case_number,
                           status="raised", created_at=ctx.now(), raised_at=ctx.now()))
    ctx.session.flush()
    assert _agree(ctx, org, case)["kim"] == rules.FULL


def test_emergency_access_has_a_reason_a_time_limit_a_log_and_a_notice(ctx, clock, org):
    case = _case(ctx, org["anne"])
    with pytest.raises(InvalidInput):
        overrides.grant(ctx, case.id, org["bjorn"], "akutt")
    with pytest.raises(PermissionDenied):
        overrides.grant(ctx, case.id, org["admin"], "Trenger å se saken i en krisesituasjon")
    with pytest.raises(ConflictError):
        overrides.grant(ctx, case.id, org["anne"], "Trenger å se saken i en krisesituasjon")
    granted = overrides.grant(ctx, case.id, org["bjorn"],
                              "Brukeren er innlagt, legevakten ber om planen")
    assert _agree(ctx, org, case)["bjorn"] == rules.FULL
    assert rules.case_basis(ctx, case, org["bjorn"]).why == rules.OVERRIDE
    [event] = audit.case_history(ctx, case.id, {"access_override"})
    assert event.actor == "bjorn" and event.person_id == case.person_id
    assert event.details["reason"] == "Brukeren er innlagt, legevakten ber om planen"
    [notice] = ctx.session.scalars(select(Notice).where(Notice.kind == "access_override"))
    assert notice.role == "koordinerende_enhet" and notice.case_id == case.id
    assert "legevakten" not in repr(notice.__dict__)
    casework.get_case(ctx, case.id, org["bjorn"], purpose="case page")
    [read] = [e for e in audit.case_history(ctx, case.id, {"case_read"}) if e.actor == "bjorn"]
    assert read.details["why"] == rules.OVERRIDE
    # it ends after SAMFLYT_OVERRIDE_HOURS
    clock.advance(hours=ctx.settings.override_hours, seconds=1)
    ctx.session.info.clear()
    assert rules.case_access(ctx, case, org["bjorn"]) is None
    assert not _sql_sees(ctx, org["bjorn"], case)
    assert granted.expires_at < ctx.now()


def test_the_responsible_unit_changes_only_with_a_reason_and_access_follows(ctx, org):
    case = _case(ctx, org["anne"])
    home = organisation.get_unit(ctx, "hjemmetjenesten")
    with pytest.raises(PermissionDenied):
        responsibility.change(ctx, case.id, home.id, "Flytter", org["anne"])
    with pytest.raises(InvalidInput):
        responsibility.change(ctx, case.id, home.id, " ", org["lise"])
    responsibility.change(ctx, case.id, home.id, "Tjenestene gis av hjemmetjenesten",
                          org["lise"])
    ctx.session.info.clear()
    levels = _agree(ctx, org, case)
    assert levels["bjorn"] == rules.FULL and levels["anne"] is None
    [moved] = audit.case_history(ctx, case.id, {"responsible_unit_changed"})
    assert moved.details["reason"] == "Tjenestene gis av hjemmetjenesten"
    assert moved.details["to_unit"] == home.id


def test_search_and_the_inbox_show_only_what_the_reader_may_read(ctx, org):
    case = _case(ctx, org["anne"])
    found = search.search_cases(ctx, org["anne"], search.CaseQuery(text=case.case_number))
    assert case.id in [hit.case_id for hit in found.hits]
    other = search.search_cases(ctx, org["bjorn"], search.CaseQuery(text=case.case_number))
    assert case.id not in [hit.case_id for hit in other.hits]
    inbox = humantasks.inbox(ctx, org["bjorn"], "roles")
    assert all(row.case_id != case.id for row in inbox)
    assert any(row.case_id == case.id
               for row in humantasks.inbox(ctx, org["anne"], "roles"))
