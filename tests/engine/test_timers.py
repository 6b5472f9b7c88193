"""Timers as rows, the sweep, and notices raised from the diagram."""
from datetime import timedelta

from sqlalchemy import select

from engine.cases import audit, casework
from engine.db.models import Timer
from engine.notices import notice_board
from engine.scheduling.sweep import sweep_once
from engine.worklist import humantasks


def _start(ctx, user):
    case = casework.start_case(ctx, {}, user, process_key="frist_test")
    [task] = humantasks.open_tasks(ctx, case.id)
    return case, task


def test_task_due_date_and_priority_come_from_the_diagram(ctx, make_user, clock):
    officer = make_user("kari", "saksbehandler")
    _, task = _start(ctx, officer)
    assert task.due_at == clock() + timedelta(days=2)
    assert task.priority == 2


def test_timer_row_holds_the_next_fire_time(ctx, make_user, clock):
    officer = make_user("kari", "saksbehandler")
    case, _ = _start(ctx, officer)
    [timer] = ctx.session.scalars(select(Timer).where(Timer.case_id == case.id))
    assert timer.status == "waiting"
    assert timer.fire_at == clock() + timedelta(days=3)
    assert timer.name == "Tre dager"


def test_sweep_fires_only_what_is_due_and_raises_the_notice_once(ctx, make_user, clock):
    officer = make_user("kari", "saksbehandler")
    case, _ = _start(ctx, officer)
    clock.advance(days=2, hours=23)
    assert sweep_once(ctx).fired == []
    clock.advance(hours=1)
    result = sweep_once(ctx)
    assert result.fired == [f"{case.case_number}: Tre dager"]
    assert result.notices == [f"{case.case_number}: test_reminder -> saksbehandler"]
    assert sweep_once(ctx).fired == []
    [notice] = notice_board.for_case(ctx, case.id)
    assert (notice.kind, notice.role, notice.severity) == ("test_reminder", "saksbehandler",
                                                           "warning")
    assert notice_board.open_for_user(ctx, officer) == [notice]
    kinds = [e.kind for e in audit.case_history(ctx, case.id)]
    assert kinds.index("timer_fired") < kinds.index("notice_raised")
    # the task itself is still open: the boundary timer does not interrupt it
    assert [t.name for t in humantasks.open_tasks(ctx, case.id)] == ["Behandle"]


def test_completing_the_task_cancels_its_timer(ctx, make_user, clock):
    officer = make_user("kari", "saksbehandler")
    case, task = _start(ctx, officer)
    humantasks.complete(ctx, task.id, officer, {"x": 1})
    [timer] = ctx.session.scalars(select(Timer).where(Timer.case_id == case.id))
    assert timer.status == "cancelled"
    clock.advance(days=10)
    assert sweep_once(ctx).fired == []
    assert notice_board.for_case(ctx, case.id) == []  # nothing was raised
    assert case.status == "closed"


def test_acknowledge_notice(ctx, make_user, clock):
    officer = make_user("kari", "saksbehandler")
    _case, _ = _start(ctx, officer)
    clock.advance(days=3)
    sweep_once(ctx)
    [notice] = notice_board.open_for_user(ctx, officer)
    notice_board.acknowledge(ctx, notice.id, officer)
    assert notice_board.open_for_user(ctx, officer) == []
    assert notice.acknowledged_by == "kari"
