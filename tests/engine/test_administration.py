"""Administration (engine/administration): the user list, roles, the training register,
deactivation, units, everyone's API tokens and absences with a stand-in, each change audited
with who made it; an absent officer's tasks go to the stand-in for the period (the clock
moved, no sleeping)."""
from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from engine.accounts import api_tokens, users
from engine.administration import absences, people, token_admin, unit_admin
from engine.cases import audit, casework
from engine.core.errors import InvalidInput, PermissionDenied
from engine.db.models import AuditEvent, HumanTask
from engine.scheduling import scheduler
from engine.worklist import humantasks

BENCH = "bench_two_user_tasks"


@pytest.fixture
def staff(ctx):
    return {name: users.add_user(ctx, name, roles, display_name=name.capitalize(),
                                 trained_coordinator=trained)
            for name, roles, trained in (
                ("admin", ["admin"], False), ("kim", ["koordinerende_enhet"], False),
                ("lise", ["leder"], False), ("anne", ["saksbehandler"], False),
                ("bjorn", ["saksbehandler"], False), ("kari", ["koordinator"], True))}


def _events(ctx, kind):
    return [(e.actor, e.details) for e in ctx.session.scalars(
        select(AuditEvent).where(AuditEvent.kind == kind).order_by(AuditEvent.id))]


# --- users, roles, training, deactivation -----------------------------------------------------

def test_the_user_list_filters_and_only_admin_and_the_coordinating_unit_see_it(ctx, staff):
    rows = people.list_users(ctx, staff["admin"], people.UserFilter(role="saksbehandler"))
    assert [r.username for r in rows] == ["anne", "bjorn"]
    assert rows[0].units == ("Forvaltningskontoret",) and rows[0].active
    assert [r.username for r in people.list_users(ctx, staff["kim"], people.UserFilter(
        text="KAR", trained_only=True))] == ["kari"]
    with pytest.raises(PermissionDenied):
        people.list_users(ctx, staff["anne"])


def test_roles_are_changed_checked_and_audited(ctx, staff):
    people.set_roles(ctx, staff["admin"], "anne", ["saksbehandler", "leder"])
    assert users.get_user(ctx, "anne").roles == ["saksbehandler", "leder"]
    assert _events(ctx, "user_roles_changed") == [("admin", {
        "username": "anne", "roles": ["saksbehandler", "leder"], "previous": ["saksbehandler"]})]
    with pytest.raises(InvalidInput) as unknown:
        people.set_roles(ctx, staff["admin"], "anne", ["sjef"])
    assert set(unknown.value.errors) == {"roles"}
    with pytest.raises(InvalidInput):
        people.set_roles(ctx, staff["admin"], "anne", [])
    with pytest.raises(PermissionDenied):
        people.set_roles(ctx, staff["kim"], "anne", ["leder"])


def test_the_last_admin_keeps_the_role_and_stays_active(ctx, staff):
    with pytest.raises(InvalidInput, match="Rollene"):
        people.set_roles(ctx, staff["admin"], "admin", ["leder"])
    with pytest.raises(InvalidInput) as itself:
        people.set_active(ctx, staff["admin"], "admin", False)
    assert set(itself.value.errors) == {"active"}
    people.set_roles(ctx, staff["admin"], "lise", ["leder", "admin"])
    people.set_roles(ctx, staff["admin"], "admin", ["leder"])  # another admin now exists
    with pytest.raises(InvalidInput, match="deaktiveres"):
        people.set_active(ctx, staff["lise"], "lise", False)


def test_a_user_who_gains_a_work_role_joins_the_default_unit(ctx, staff):
    other = users.add_user(ctx, "drift", ["admin"])
    assert other.unit_ids == []
    people.set_roles(ctx, staff["admin"], "drift", ["admin", "saksbehandler"])
    assert len(users.get_user(ctx, "drift").unit_ids) == 1


def test_the_training_register_is_kept_by_the_coordinating_unit(ctx, staff, clock):
    people.set_trained(ctx, staff["kim"], "anne", True)
    [row] = [r for r in people.list_users(ctx, staff["kim"]) if r.username == "anne"]
    assert row.trained and row.trained_since == clock()
    people.set_trained(ctx, staff["kim"], "anne", True)  # no change, no event
    people.set_trained(ctx, staff["kim"], "anne", False)
    assert _events(ctx, people.TRAINING_EVENT) == [
        ("kim", {"username": "anne", "trained": True}),
        ("kim", {"username": "anne", "trained": False})]
    with pytest.raises(PermissionDenied):
        people.set_trained(ctx, staff["admin"], "anne", True)


def test_deactivation_revokes_tokens_and_is_audited(ctx, staff):
    row, _token = api_tokens.issue(ctx, "anne", "robot")
    people.set_active(ctx, staff["admin"], "anne", False)
    ctx.session.refresh(row)
    assert not users.get_user(ctx, "anne").active and row.revoked_at is not None
    people.set_active(ctx, staff["admin"], "anne", True)
    assert [kind for kind in ("user_deactivated", "user_activated")
            if _events(ctx, kind) == [("admin", {"username": "anne"})]] == [
        "user_deactivated", "user_activated"]


# --- units and tokens -------------------------------------------------------------------------

def test_units_and_members_are_managed_and_audited(ctx, staff):
    with pytest.raises(InvalidInput) as bad:
        unit_admin.add_unit(ctx, staff["kim"], "X", "", "nope")
    assert set(bad.value.errors) == {"key", "name", "kind"}
    unit_admin.add_unit(ctx, staff["kim"], "hjemmetjenesten", "Hjemmetjenesten",
                        "hjemmetjeneste")
    unit_admin.add_member(ctx, staff["admin"], "hjemmetjenesten", "anne")
    unit_admin.add_member(ctx, staff["admin"], "hjemmetjenesten", "anne", home=True)
    [unit] = [u for u in unit_admin.list_units(ctx, staff["kim"])
              if u.key == "hjemmetjenesten"]
    assert [(m.username, m.home) for m in unit.members] == [("anne", True)]
    with pytest.raises(InvalidInput) as nobody:
        unit_admin.add_member(ctx, staff["kim"], "hjemmetjenesten", "ingen")
    assert set(nobody.value.errors) == {"username"}
    unit_admin.remove_member(ctx, staff["kim"], "hjemmetjenesten", "anne")
    assert [kind for kind in ("unit_added", "unit_member_added", "unit_home_set",
                              "unit_member_removed") if _events(ctx, kind)] == [
        "unit_added", "unit_member_added", "unit_home_set", "unit_member_removed"]
    with pytest.raises(PermissionDenied):
        unit_admin.list_units(ctx, staff["anne"])


def test_the_admin_lists_and_revokes_anyones_token(ctx, staff, clock):
    row, token = api_tokens.issue(ctx, "anne", "robot")
    api_tokens.issue(ctx, "bjorn", "annen")
    listed = token_admin.list_tokens(ctx, staff["admin"])
    assert [(t.username, t.name, t.state) for t in listed] == [
        ("bjorn", "annen", "active"), ("anne", "robot", "active")]
    assert token not in repr(listed) and not hasattr(listed[0], "token_hash")
    token_admin.revoke(ctx, staff["admin"], row.id)
    token_admin.revoke(ctx, staff["admin"], row.id)  # already: nothing more recorded
    assert [t.state for t in token_admin.list_tokens(ctx, staff["admin"], "anne")] == ["revoked"]
    assert _events(ctx, "api_token_revoked") == [
        ("admin", {"token": row.id, "username": "anne", "name": "robot"})]
    with pytest.raises(PermissionDenied):
        token_admin.list_tokens(ctx, staff["kim"])


# --- absences ---------------------------------------------------------------------------------

def test_an_absence_is_checked(ctx, staff):
    today = ctx.today()
    kim = staff["kim"]
    with pytest.raises(InvalidInput) as bad:
        absences.add_absence(ctx, kim, "anne", "anne", today + timedelta(days=3), today)
    assert set(bad.value.errors) == {"stand_in", "ends_on"}
    with pytest.raises(InvalidInput) as no_role:
        absences.add_absence(ctx, kim, "anne", "kari", today, today)
    assert set(no_role.value.errors) == {"stand_in"}
    with pytest.raises(InvalidInput) as past:
        absences.add_absence(ctx, kim, "anne", "bjorn", today - timedelta(days=9),
                             today - timedelta(days=2))
    assert set(past.value.errors) == {"ends_on"}
    absences.add_absence(ctx, kim, "anne", "bjorn", today, today + timedelta(days=5))
    with pytest.raises(InvalidInput) as overlap:
        absences.add_absence(ctx, kim, "anne", "bjorn", today + timedelta(days=5),
                             today + timedelta(days=8))
    assert set(overlap.value.errors) == {"starts_on"}
    with pytest.raises(InvalidInput) as stand_in_away:
        absences.add_absence(ctx, kim, "bjorn", "anne", today + timedelta(days=1),
                             today + timedelta(days=2))
    assert set(stand_in_away.value.errors) == {"username"}
    with pytest.raises(PermissionDenied):
        absences.add_absence(ctx, staff["anne"], "bjorn", "anne", today, today)
    assert [(a.username, a.stand_in, a.state) for a in absences.list_absences(
        ctx, staff["lise"])] == [("anne", "bjorn", "current")]


def test_an_absent_officers_tasks_go_to_the_stand_in_for_the_period(ctx, staff, clock):
    anne = staff["anne"]
    case = casework.start_case(ctx, {}, anne, process_key=BENCH)
    [task] = humantasks.open_tasks(ctx, case.id)
    humantasks.claim(ctx, task.id, anne)
    monday = ctx.today()
    absence = absences.add_absence(ctx, staff["kim"], "anne", "bjorn",
                                   monday + timedelta(days=2), monday + timedelta(days=4))
    assert absences.hand_over_due(ctx) == 0 and task.assignee == "anne"  # not yet

    clock.advance(days=2)  # Wednesday: the first day
    assert absences.hand_over_due(ctx) == 1
    assert task.assignee == "bjorn"
    [(actor, details)] = [(e.actor, e.details) for e in audit.case_history(
        ctx, case.id, {absences.REASSIGNED})]
    assert actor == "system" and details == {
        "task": task.id, "name": task.name, "assignee": "bjorn", "previous": "anne",
        "reason": "absence", "absence": absence.id}
    assert absences.hand_over_due(ctx) == 0  # nothing left of hers

    # during the period a task assigned to her goes to the stand-in
    second = casework.start_case(ctx, {}, anne, process_key=BENCH)
    [other] = humantasks.open_tasks(ctx, second.id)
    humantasks.assign(ctx, other.id, staff["lise"], "anne")
    assert other.assignee == "bjorn"

    clock.advance(days=3)  # Saturday: the period is over, she gets tasks again
    third = casework.start_case(ctx, {}, anne, process_key=BENCH)
    [last] = humantasks.open_tasks(ctx, third.id)
    humantasks.assign(ctx, last.id, staff["lise"], "anne")
    assert last.assignee == "anne"


def test_a_task_the_stand_in_has_no_role_for_goes_back_to_the_queue(ctx, staff):
    users.add_user(ctx, "both", ["saksbehandler", "koordinator"])
    case = casework.start_case(ctx, {}, staff["anne"], process_key=BENCH)
    [task] = humantasks.open_tasks(ctx, case.id)
    humantasks.assign(ctx, task.id, staff["lise"], "both")
    absences.add_absence(ctx, staff["kim"], "both", "kari", ctx.today(), ctx.today())
    assert task.assignee is None  # handed over at once: the absence started today


def test_an_ended_absence_hands_nothing_over(ctx, staff, clock):
    anne = staff["anne"]
    case = casework.start_case(ctx, {}, anne, process_key=BENCH)
    [task] = humantasks.open_tasks(ctx, case.id)
    humantasks.claim(ctx, task.id, anne)
    absence = absences.add_absence(ctx, staff["kim"], "anne", "bjorn",
                                   ctx.today() + timedelta(days=1), ctx.today() + timedelta(days=3))
    absences.end_absence(ctx, staff["lise"], absence.id)
    clock.advance(days=1)
    assert absences.hand_over_due(ctx) == 0 and task.assignee == "anne"
    assert _events(ctx, "absence_ended")[0][0] == "lise"
    assert absences.list_absences(ctx, staff["kim"]) == []
    assert [a.state for a in absences.list_absences(ctx, staff["kim"], include_past=True)] == [
        "ended"]


def test_a_task_made_for_an_absent_officer_goes_to_the_stand_in(ctx, staff):
    absences.add_absence(ctx, staff["kim"], "anne", "bjorn", ctx.today(), ctx.today())
    case = casework.start_case(ctx, {"lane_owners": {"saksbehandler": "anne"}}, staff["anne"],
                               process_key=BENCH)
    [task] = humantasks.open_tasks(ctx, case.id)
    assert task.assignee == "bjorn"
    [event] = audit.case_history(ctx, case.id, {absences.REASSIGNED})
    assert event.details["previous"] == "anne" and event.details["reason"] == "absence"


def test_the_scheduler_sweep_hands_tasks_over(committed_env, clock):
    with committed_env.unit_of_work() as ctx:
        kim = users.add_user(ctx, "kim", ["koordinerende_enhet"])
        anne = users.add_user(ctx, "anne", ["saksbehandler"])
        users.add_user(ctx, "bjorn", ["saksbehandler"])
        case = casework.start_case(ctx, {}, anne, process_key=BENCH)
        [task] = humantasks.open_tasks(ctx, case.id)
        humantasks.claim(ctx, task.id, anne)
        absences.add_absence(ctx, kim, "anne", "bjorn", ctx.today() + timedelta(days=1),
                             date(2026, 12, 31))
        task_id = task.id
    assert scheduler.sweep(committed_env).handed_over == 0
    clock.advance(days=1)
    report = scheduler.sweep(committed_env)
    assert report.handed_over == 1 and "handed over 1 task(s)" in " ".join(report.lines())
    with committed_env.unit_of_work() as ctx:
        assert ctx.session.get(HumanTask, task_id).assignee == "bjorn"
