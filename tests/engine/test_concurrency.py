"""Races between real, separately committing sessions."""
import threading
import time

import pytest
from sqlalchemy import func, select, text

from engine.accounts import users
from engine.cases import audit, casework
from engine.db.models import (
    AuditEvent,
    Case,
    CaseNumberCounter,
    HumanTask,
    Notice,
    Timer,
)
from engine.workflow import loading, step
from engine.worklist import humantasks

BARRIER_TIMEOUT = 30


def _run_together(*jobs):
    """Run the jobs in threads; return each one's result or exception."""
    results = [None] * len(jobs)

    def run(index, job):
        try:
            results[index] = job()
        except Exception as error:  # noqa: BLE001 - the test inspects it
            results[index] = error

    threads = [threading.Thread(target=run, args=(i, job)) for i, job in enumerate(jobs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(BARRIER_TIMEOUT)
    return results


def _wait_until_a_session_waits_for_a_lock(env) -> None:
    deadline = time.monotonic() + BARRIER_TIMEOUT
    with env.db_engine.connect() as connection:
        while time.monotonic() < deadline:
            waiting = connection.execute(text(
                "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
                "AND datname = current_database()")).scalar()
            connection.rollback()  # a new snapshot of the activity each time
            if waiting:
                return
    raise AssertionError("the other officer never waited for the task's rows")


def test_two_officers_completing_the_same_task_one_wins(committed_env, monkeypatch):
    env = committed_env
    with env.unit_of_work() as ctx:
        kari = users.add_user(ctx, "kari", ["saksbehandler"])
        users.add_user(ctx, "ola", ["saksbehandler"])
        case = casework.start_case(ctx, {}, kari, process_key="bench_two_user_tasks")
        [task] = humantasks.open_tasks(ctx, case.id)
        task_id, version, case_id = task.id, task.version, case.id

    if env.db_engine.dialect.name == "postgresql":
        # The first officer to read the task holds its rows until the commit: it goes on only
        # once the other officer is waiting for them, so the two really overlap; the other
        # then reads the completed task and loses. (SQLite serialises writers from the start
        # of the transaction, so there the second simply finds the task completed.)
        original, first = loading.load, threading.Lock()

        def load_then_wait_for_the_other(ctx, instance, **options):
            loaded = original(ctx, instance, **options)
            if first.acquire(blocking=False):
                _wait_until_a_session_waits_for_a_lock(env)
            return loaded

        monkeypatch.setattr(loading, "load", load_then_wait_for_the_other)

    def complete_as(username, value):
        def job():
            with env.unit_of_work() as ctx:
                user = users.get_user(ctx, username)
                humantasks.complete(ctx, task_id, user, {"x": value}, expected_version=version)
            return "ok"
        return job

    outcomes = _run_together(complete_as("kari", 1), complete_as("ola", 2))
    assert sorted(type(o).__name__ for o in outcomes) == ["ConflictError", "str"]

    with env.unit_of_work() as ctx:
        rows = ctx.session.scalars(select(HumanTask).where(HumanTask.case_id == case_id)
                                   .order_by(HumanTask.id)).all()
        assert [(r.name, r.status) for r in rows] == [("Oppgave A", "completed"),
                                                     ("Oppgave B", "open")]
        winner = "kari" if outcomes[0] == "ok" else "ola"
        assert rows[0].completed_by == winner
        completions = [e for e in audit.case_history(ctx, case_id) if e.kind == "task_completed"]
        assert [e.actor for e in completions] == [winner]


@pytest.mark.postgres
def test_the_last_two_processes_of_a_case_ending_at_once_close_it(postgres_committed_env):
    """PostgreSQL (SQLite has one writer at a time): two officers complete the last tasks of
    the case's two processes at the same moment. Each step reads whether another process
    still runs; the case must be closed by whichever commits second."""
    env = postgres_committed_env
    with env.unit_of_work() as ctx:
        kari = users.add_user(ctx, "kari", ["saksbehandler"])
        users.add_user(ctx, "ola", ["saksbehandler"])
        case = casework.start_case(ctx, {}, kari, process_key="bench_two_user_tasks")
        step.start_instance(ctx, case, "bench_two_user_tasks", {}, "kari")
        case_id = case.id
    for _ in range(2):  # both processes wait at their last task ("Oppgave B")
        with env.unit_of_work() as ctx:
            kari = users.get_user(ctx, "kari")
            task = next(t for t in humantasks.open_tasks(ctx, case_id) if t.name == "Oppgave A")
            humantasks.complete(ctx, task.id, kari, {"x": 1}, expected_version=task.version)
    with env.unit_of_work() as ctx:
        last_tasks = [(t.id, t.version) for t in humantasks.open_tasks(ctx, case_id)]
    assert len(last_tasks) == 2

    first_done, second_waits = threading.Event(), threading.Event()

    def first():  # completes, then holds its transaction open until the other is waiting
        with env.unit_of_work() as ctx:
            kari = users.get_user(ctx, "kari")
            task_id, version = last_tasks[0]
            humantasks.complete(ctx, task_id, kari, {"x": 2}, expected_version=version)
            first_done.set()
            assert second_waits.wait(BARRIER_TIMEOUT)
        return "ok"

    def second():
        assert first_done.wait(BARRIER_TIMEOUT)
        with env.unit_of_work() as ctx:
            ola = users.get_user(ctx, "ola")
            task_id, version = last_tasks[1]
            humantasks.complete(ctx, task_id, ola, {"x": 3}, expected_version=version)
        return "ok"

    def watch():
        assert first_done.wait(BARRIER_TIMEOUT)
        _wait_until_a_session_waits_for_a_lock(env)  # the second step waits for the case
        second_waits.set()

    assert _run_together(first, second, watch)[:2] == ["ok", "ok"]
    with env.unit_of_work() as ctx:
        closed = ctx.session.get(Case, case_id)
        assert (closed.status, closed.closed_at is not None) == ("closed", True)
        kinds = [e.kind for e in audit.case_history(ctx, case_id)]
        assert kinds.count("case_closed") == 1 and kinds[-1] == "case_closed"


def test_two_sweeps_at_once_raise_each_notice_exactly_once(committed_env, clock):
    env = committed_env
    with env.unit_of_work() as ctx:
        kari = users.add_user(ctx, "kari", ["saksbehandler"])
        case_ids = [casework.start_case(ctx, {}, kari, process_key="frist_test").id
                    for _ in range(12)]
    clock.advance(days=3)
    start = threading.Barrier(2, timeout=BARRIER_TIMEOUT)

    def sweeper():
        start.wait()
        return env.sweep()

    first, second = _run_together(sweeper, sweeper)
    assert not isinstance(first, Exception), first
    assert not isinstance(second, Exception), second
    assert len(first.fired) + len(second.fired) == 12
    with env.unit_of_work() as ctx:
        # the diagram's reminder, and the task deadlines (not claimed, overdue) the sweep
        # raises too: each exactly once per case
        raised = ctx.session.execute(
            select(Notice.case_id, Notice.kind, func.count(Notice.id))
            .where(Notice.raised_at.is_not(None)).group_by(Notice.case_id, Notice.kind)).all()
        assert {(case_id, kind) for case_id, kind, _ in raised} == {
            (case_id, kind) for case_id in case_ids
            for kind in ("test_reminder", "task_unclaimed", "task_overdue")}
        assert {count for _, _, count in raised} == {1}
        fired = ctx.session.scalar(select(func.count(AuditEvent.id))
                                   .where(AuditEvent.kind == "timer_fired"))
        assert fired == 12
        waiting = select(func.count(Timer.id)).where(Timer.status == "waiting")
        assert ctx.session.scalar(waiting) == 0
    assert env.sweep().fired == []


def test_officers_starting_the_years_first_cases_at_once_all_get_a_number(committed_env):
    """No counter for the year yet: each start creates or takes it in one statement, so none
    of them fails (an INSERT after a missed UPDATE would for all but one)."""
    env = committed_env
    with env.unit_of_work() as ctx:
        users.add_user(ctx, "kari", ["saksbehandler"])
        ctx.session.execute(CaseNumberCounter.__table__.delete())
    start = threading.Barrier(4, timeout=BARRIER_TIMEOUT)

    def officer():
        start.wait()
        with env.unit_of_work() as ctx:
            return casework.start_case(ctx, {}, "kari", process_key="frist_test").case_number

    numbers = _run_together(*[officer] * 4)
    assert not [n for n in numbers if isinstance(n, Exception)], numbers
    assert sorted(int(n.rsplit("-", 1)[1]) for n in numbers) == [1, 2, 3, 4]
