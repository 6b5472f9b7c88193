"""Task deadlines (not claimed, not completed in time), the working-day calendar, and the
notice lifecycle: pending -> raised -> acknowledged -> resolved by itself."""
from __future__ import annotations

import dataclasses
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from engine.cases import audit, casework
from engine.core.errors import NotFound
from engine.core.settings import Settings
from engine.db.models import Notice
from engine.deadlines import task_deadlines
from engine.deadlines.workdays import WorkingCalendar, end_of_due_date, on_working_day
from engine.definitions import store
from engine.notices import notice_board
from engine.scheduling.scheduler import sweep_in
from engine.worklist import humantasks

OSLO = ZoneInfo("Europe/Oslo")
FIXTURES = Path(__file__).parent.parent / "fixtures" / "deadlines"


def oslo(*args) -> datetime:
    return datetime(*args, tzinfo=OSLO)


# --- the calendar ---------------------------------------------------------------------------------

def test_a_deadline_on_easter_monday_moves_to_tuesday():
    settings = Settings()
    assert on_working_day(settings, oslo(2026, 4, 6, 9, 0)) == oslo(2026, 4, 7, 9, 0)
    # a due date without a time of day runs to the end of the (moved) day
    assert end_of_due_date(settings, oslo(2026, 4, 6)) == oslo(2026, 4, 8)
    # Maundy Thursday to Easter Monday are all closed
    assert on_working_day(settings, oslo(2026, 4, 2, 12, 30)) == oslo(2026, 4, 7, 12, 30)
    # a working day stays; a time of day is kept to the minute
    assert on_working_day(settings, oslo(2026, 4, 8, 15, 45)) == oslo(2026, 4, 8, 15, 45)
    assert end_of_due_date(settings, oslo(2026, 4, 8, 15, 45)) == oslo(2026, 4, 8, 15, 45)


def test_weekends_and_17_may_move_too():
    settings = Settings()
    assert on_working_day(settings, oslo(2026, 1, 10, 9)) == oslo(2026, 1, 12, 9)  # Saturday
    assert on_working_day(settings, oslo(2027, 5, 17, 9)) == oslo(2027, 5, 18, 9)  # Monday 17 May


def test_the_calendar_is_configurable():
    christmas_eve = oslo(2026, 12, 24, 9)  # a Thursday, not a public holiday
    assert on_working_day(Settings(), christmas_eve) == christmas_eve
    closed = Settings(closed_days="12-24,12-31, 2026-06-19")
    assert on_working_day(closed, christmas_eve) == oslo(2026, 12, 28, 9)
    assert on_working_day(closed, oslo(2026, 6, 19, 9)) == oslo(2026, 6, 22, 9)
    assert (on_working_day(Settings(working_day_deadlines=0), oslo(2026, 4, 6, 9))
            == oslo(2026, 4, 6, 9))
    assert end_of_due_date(Settings(working_day_deadlines=0), oslo(2026, 4, 6)) == oslo(2026, 4, 7)
    # another country's holidays (the holidays library): 6 June is Sweden's national day
    assert (on_working_day(Settings(holiday_country="SE"), oslo(2025, 6, 6, 9))
            == oslo(2025, 6, 9, 9))
    assert on_working_day(Settings(), oslo(2025, 6, 6, 9)) == oslo(2025, 6, 6, 9)


def test_working_calendar_membership():
    calendar = WorkingCalendar("NO", "12-24")
    assert date(2026, 4, 6) in calendar and date(2026, 12, 24) in calendar
    assert date(2026, 4, 7) not in calendar and "2026-04-06" not in calendar


# --- task deadlines -------------------------------------------------------------------------------

@pytest.fixture
def frist(ctx, make_user, clock):
    """The test process oppgavefrist_test deployed; a Monday two weeks before Easter."""
    store.deploy_files(ctx, store.read_directory(FIXTURES), "tests")
    clock.set(oslo(2026, 3, 23, 9, 0))
    return dataclasses.make_dataclass("People", ["officer", "other", "leader", "unit"])(
        make_user("kari", "saksbehandler"), make_user("ola", "saksbehandler"),
        make_user("lise", "leder"), make_user("kim", "koordinerende_enhet"))


def _start(ctx, people, due: str):
    case = casework.start_case(ctx, {"frist": due}, people.officer, process_key="oppgavefrist_test")
    ctx.session.flush()
    return case


def _shown(ctx, case):
    return [(n.kind, n.status, n.role, n.username, n.severity)
            for n in notice_board.for_case(ctx, case.id)]


def _task(ctx, case, name):
    [task] = [t for t in humantasks.open_tasks(ctx, case.id) if t.name == name]
    return task


def test_diagram_notice_due_time_and_pending_task_deadlines(ctx, frist, clock):
    case = _start(ctx, frist, due="2026-03-27")  # a Friday
    assert _shown(ctx, case) == [("test_followup", "raised", "koordinerende_enhet", None,
                                  "warning")]
    [followup] = notice_board.for_case(ctx, case.id)
    assert followup.due_at == oslo(2026, 3, 28)  # noticeDueExpression: the end of that Friday
    pending = [(n.kind, n.due_at) for n in notice_board.for_case(ctx, case.id, include_pending=True)
               if n.status == "pending"]
    # the due date (frist) runs to the end of Friday
    assert pending == [("task_overdue", oslo(2026, 3, 28))]
    # claimWithin P1D: kept on the task itself, no notice row until it passes
    assert _task(ctx, case, "Behandle").claim_due_at == oslo(2026, 3, 24, 9)


def test_a_task_nobody_claims_notifies_its_role_and_a_claim_resolves_it(ctx, frist, clock):
    case = _start(ctx, frist, due="2026-04-30")
    clock.set(oslo(2026, 3, 24, 8, 59))
    assert sweep_in(ctx).notices == []
    clock.set(oslo(2026, 3, 24, 9, 0))
    assert sweep_in(ctx).notices == [f"{case.case_number}: task_unclaimed -> saksbehandler"]
    unclaimed = ("task_unclaimed", "raised", "saksbehandler", None, "warning")
    assert unclaimed in _shown(ctx, case)
    assert [n.kind for n in notice_board.open_for_user(ctx, frist.other)] == ["task_unclaimed"]
    assert notice_board.count_open_for_user(ctx, frist.other) == 1
    assert notice_board.count_open_for_user(ctx, frist.leader) == 0

    humantasks.claim(ctx, _task(ctx, case, "Behandle").id, frist.officer)
    assert sweep_in(ctx).resolved == 1  # a claim does not step the workflow: the sweep sees it
    [notice] = [n for n in notice_board.for_case(ctx, case.id) if n.kind == "task_unclaimed"]
    assert (notice.status, notice.resolution, notice.resolved_at) == ("resolved", "task_claimed",
                                                                      clock())
    assert notice_board.open_for_user(ctx, frist.other) == []
    resolved = [e.details for e in audit.case_history(ctx, case.id, {"notice_resolved"})]
    assert resolved == [{"notice": notice.id, "kind": "task_unclaimed",
                         "resolution": "task_claimed"}]


def test_a_task_claimed_in_time_never_shows_its_notice(ctx, frist, clock):
    case = _start(ctx, frist, due="2026-04-30")
    task = _task(ctx, case, "Behandle")
    humantasks.claim(ctx, task.id, frist.officer)
    assert task.claim_due_at is None  # nothing left for the sweep to look at
    clock.set(oslo(2026, 3, 25, 9))
    assert sweep_in(ctx).notices == []
    assert [n.kind for n in notice_board.for_case(ctx, case.id, include_pending=True)
            if n.kind == "task_unclaimed"] == []
    assert [n.kind for n in notice_board.for_case(ctx, case.id)] == ["test_followup"]


def test_a_claim_deadline_on_maundy_thursday_moves_past_easter(ctx, frist, clock):
    clock.set(oslo(2026, 4, 1, 10, 0))  # Wednesday before Easter; P1D lands on a holiday
    case = _start(ctx, frist, due="2026-04-30")
    assert _task(ctx, case, "Behandle").claim_due_at == oslo(2026, 4, 7, 10, 0)
    clock.set(oslo(2026, 4, 6, 23, 0))
    assert sweep_in(ctx).notices == []
    clock.set(oslo(2026, 4, 7, 10, 0))
    assert sweep_in(ctx).notices == [f"{case.case_number}: task_unclaimed -> saksbehandler"]


def test_a_task_due_on_easter_monday_is_overdue_after_tuesday(ctx, frist, clock):
    case = _start(ctx, frist, due="2026-04-06")
    task = _task(ctx, case, "Behandle")
    humantasks.claim(ctx, task.id, frist.officer)
    clock.set(oslo(2026, 4, 7, 23, 59))
    assert sweep_in(ctx).notices == []
    assert task.assignee == "kari"
    clock.set(oslo(2026, 4, 8, 0, 0))
    assert sweep_in(ctx).notices == [f"{case.case_number}: task_overdue -> kari"]
    [overdue] = [n for n in notice_board.for_case(ctx, case.id) if n.kind == "task_overdue"]
    # to the assignee, escalated to the leader (overdueNoticeRole), due at the end of Tuesday
    assert (overdue.username, overdue.role, overdue.severity, overdue.due_at) == (
        "kari", "leder", "escalation", oslo(2026, 4, 8))
    assert [n.kind for n in notice_board.open_for_user(ctx, frist.leader)] == ["task_overdue"]
    assert [n.kind for n in notice_board.open_for_user(ctx, frist.officer)] == ["task_overdue"]
    # reassignOnOverdue: the task is back in the role's queue, and the audit says why
    assert task.assignee is None
    [unclaimed] = list(audit.case_history(ctx, case.id, {"task_unclaimed"}))
    assert (unclaimed.actor, unclaimed.details["previous"], unclaimed.details["reason"]) == (
        "system", "kari", "overdue")

    notice_board.acknowledge(ctx, overdue.id, frist.leader)
    assert overdue.status == "acknowledged"
    assert notice_board.open_for_user(ctx, frist.leader) == []  # acknowledged: off the list
    humantasks.complete(ctx, task.id, frist.other, {"merknad": "ok"})
    # completing a task writes nothing to the notices; the next sweep resolves them (this
    # one, and the follow-up notice that names "behandle" in noticeResolvedBy)
    assert sweep_in(ctx).resolved == 2
    assert (overdue.status, overdue.resolution) == ("resolved", "task_completed")


def test_the_lists_leave_out_a_notice_whose_task_is_done_before_the_sweep_says_so(ctx, frist,
                                                                                  clock):
    case = _start(ctx, frist, due="2026-04-30")
    clock.set(oslo(2026, 3, 24, 9, 0))
    sweep_in(ctx)
    assert notice_board.count_open_for_user(ctx, frist.other) == 1
    humantasks.claim(ctx, _task(ctx, case, "Behandle").id, frist.officer)
    assert notice_board.count_open_for_user(ctx, frist.other) == 0
    assert notice_board.open_for_user(ctx, frist.other) == []
    [unclaimed] = [n for n in notice_board.for_case(ctx, case.id) if n.kind == "task_unclaimed"]
    assert unclaimed.status == "raised"  # until the sweep
    assert sweep_in(ctx).resolved == 1 and unclaimed.resolution == "task_claimed"


def test_completing_the_named_task_resolves_a_notice_and_the_end_keeps_its_own(ctx, frist, clock):
    case = _start(ctx, frist, due="2026-04-30")
    humantasks.complete(ctx, _task(ctx, case, "Behandle").id, frist.officer, {})
    # Kontrollere switches both task deadlines off (claimWithin none, overdueNotice false)
    kontroll = _task(ctx, case, "Kontrollere")
    assert kontroll.due_at is not None
    watching = ctx.session.scalars(select(Notice).where(Notice.human_task_id == kontroll.id)).all()
    assert watching == []
    # noticeResolvedBy="behandle": the sweep resolves the follow-up notice
    assert [n.kind for n in notice_board.open_for_user(ctx, frist.unit)] == ["test_followup"]
    assert sweep_in(ctx).resolved == 1
    by_kind = {n.kind: n for n in notice_board.for_case(ctx, case.id, include_pending=True)}
    assert (by_kind["test_followup"].status, by_kind["test_followup"].resolution) == (
        "resolved", "element_completed")
    # Behandle was completed before its deadlines: the claim deadline passes without a notice
    clock.set(oslo(2026, 3, 24, 9, 0))
    assert sweep_in(ctx).notices == []
    assert "task_unclaimed" not in by_kind
    assert by_kind["task_overdue"].status == "pending"

    humantasks.complete(ctx, kontroll.id, frist.officer, {})
    assert case.status == "closed"
    by_kind = {n.kind: n for n in notice_board.for_case(ctx, case.id, include_pending=True)}
    # the process completed: what was still open resolves at once
    assert (by_kind["task_overdue"].status, by_kind["task_overdue"].resolution) == (
        "resolved", "process_completed")
    # the end event's own notice is raised by the step that completes the process: it stays
    assert (by_kind["test_done"].status, by_kind["test_done"].severity) == ("raised", "info")
    assert [n.kind for n in notice_board.open_for_user(ctx, frist.officer)] == ["test_done"]


def test_the_settings_defaults_apply_and_completing_the_process_resolves_all(ctx, make_user, clock):
    """frist_test: the settings' defaults apply (claim within 2 days, overdue at the due date)."""
    officer = make_user("kari", "saksbehandler")
    case = casework.start_case(ctx, {}, officer, process_key="frist_test")
    pending = sorted((n.kind, n.due_at) for n in notice_board.for_case(ctx, case.id,
                                                                       include_pending=True))
    # created Monday 09:00: claim by Wednesday 09:00; dueIn P2D: overdue Wednesday 09:00
    assert pending == [("task_overdue", clock() + timedelta(days=2))]
    assert humantasks.open_tasks(ctx, case.id)[0].claim_due_at == clock() + timedelta(days=2)
    clock.advance(days=3)
    result = sweep_in(ctx)
    assert sorted(result.notices) == sorted([
        f"{case.case_number}: test_reminder -> saksbehandler",
        f"{case.case_number}: task_unclaimed -> saksbehandler",
        f"{case.case_number}: task_overdue -> saksbehandler"])
    assert [n.kind for n in notice_board.for_case(ctx, case.id)] == [
        "task_overdue", "task_unclaimed", "test_reminder"]  # in order of their due times
    [task] = humantasks.open_tasks(ctx, case.id)
    humantasks.complete(ctx, task.id, officer, {"x": 1})
    statuses = {n.kind: (n.status, n.resolution) for n in notice_board.for_case(ctx, case.id)}
    assert statuses == dict.fromkeys(("task_unclaimed", "task_overdue", "test_reminder"),
                                     ("resolved", "process_completed"))
    resolved = [e.details["kind"] for e in audit.case_history(ctx, case.id, {"notice_resolved"})]
    assert sorted(resolved) == ["task_overdue", "task_unclaimed", "test_reminder"]


def test_settings_switch_task_deadlines_off(ctx, make_user, clock):
    ctx = dataclasses.replace(ctx, settings=dataclasses.replace(
        ctx.settings, task_claim_within="", task_overdue_notice=0))
    officer = make_user("kari", "saksbehandler")
    case = casework.start_case(ctx, {}, officer, process_key="frist_test")
    assert notice_board.for_case(ctx, case.id, include_pending=True) == []
    assert humantasks.open_tasks(ctx, case.id)[0].claim_due_at is None


def test_two_sweeps_raise_a_pending_notice_once(ctx, frist, clock):
    case = _start(ctx, frist, due="2026-04-26")
    clock.set(oslo(2026, 4, 28, 9, 0))
    [notice_id] = task_deadlines.due_notice_ids(ctx, clock())  # the overdue notice
    assert task_deadlines.raise_pending(ctx, notice_id, clock()) is not None
    assert task_deadlines.raise_pending(ctx, notice_id, clock()) is None
    [task_id] = task_deadlines.due_claim_task_ids(ctx, clock())  # the claim deadline
    assert task_deadlines.raise_unclaimed(ctx, task_id, clock()) is not None
    assert task_deadlines.raise_unclaimed(ctx, task_id, clock()) is None
    assert sweep_in(ctx).notices == []
    kinds = [n.kind for n in notice_board.for_case(ctx, case.id)]
    assert (kinds.count("task_overdue"), kinds.count("task_unclaimed")) == (1, 1)


def test_a_pending_notice_cannot_be_acknowledged(ctx, frist):
    case = _start(ctx, frist, due="2026-04-30")
    [pending, *_] = [n for n in notice_board.for_case(ctx, case.id, include_pending=True)
                     if n.status == "pending"]
    with pytest.raises(NotFound, match="Fant ikke varsel"):
        notice_board.acknowledge(ctx, pending.id, frist.officer)


def test_a_task_put_back_in_the_queue_is_watched_by_not_claimed_again(ctx, make_user, clock):
    """frist_test (claim within 2 days): claimed at once, so nothing is raised; put back three
    days later, its "not claimed" deadline is two working days after that."""
    officer = make_user("kari", "saksbehandler")
    case = casework.start_case(ctx, {}, officer, process_key="frist_test")
    [task] = humantasks.open_tasks(ctx, case.id)
    humantasks.claim(ctx, task.id, officer)
    assert task.claim_due_at is None
    clock.advance(days=3)  # Thursday
    sweep_in(ctx)
    assert [n for n in notice_board.for_case(ctx, case.id, include_pending=True)
            if n.kind == "task_unclaimed"] == []
    version = task.version
    humantasks.unclaim(ctx, task.id, officer)
    assert task.claim_due_at == clock() + timedelta(days=4)  # Thursday -> Monday
    assert task.version == version + 1  # the put-back; the deadline itself changes no version
    humantasks.claim(ctx, task.id, officer)
    humantasks.unclaim(ctx, task.id, officer)  # put back again: the deadline runs from now
    assert task.claim_due_at == clock() + timedelta(days=4)
    clock.advance(days=4, minutes=1)
    result = sweep_in(ctx)
    assert f"{case.case_number}: task_unclaimed -> saksbehandler" in result.notices
    assert sweep_in(ctx).notices == [] and task.claim_due_at is None  # raised once
