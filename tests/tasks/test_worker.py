"""The scaled set-up for real: Redis, `celery worker` and `celery beat` subprocesses, and the
PostgreSQL test database. Business time is passed to the sweep task (`now`), except in the
beat test, which runs on the real clock."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select, text

from engine.accounts import users
from engine.cases import casework
from engine.core.clock import FakeClock
from engine.db.models import AuditEvent, Notice, Timer
from engine.environment import EngineEnvironment
from tasks import names
from tests.mail_catcher import MailCatcher
from tests.tasks.support import WAIT_SECONDS, wait_for

pytestmark = pytest.mark.postgres


def _start_cases(env, count: int, data: dict | None = None, spread_minutes: int = 0) -> list[int]:
    """`count` frist_test cases (a 3-day timer on a 2-day task), committed."""
    with env.unit_of_work() as ctx:
        officer = users.add_user(ctx, "kari", ["saksbehandler"], email="kari@kommune.example")
        officer.notice_email = "immediate"
    ids = []
    for _ in range(count):
        with env.unit_of_work() as ctx:
            officer = users.get_user(ctx, "kari")
            ids.append(casework.start_case(ctx, dict(data or {}), officer,
                                           process_key="frist_test").id)
        env.clock.advance(minutes=spread_minutes)
    return ids


def _notices_per_case(env) -> dict[int, list[str]]:
    with env.unit_of_work() as ctx:
        found: dict[int, list[str]] = {}
        for case_id, kind in ctx.session.execute(
                select(Notice.case_id, Notice.kind).where(Notice.raised_at.is_not(None))
                .order_by(Notice.case_id, Notice.kind)):
            found.setdefault(case_id, []).append(kind)
        return found


def _count(env, query) -> int:
    with env.unit_of_work() as ctx:
        return ctx.session.scalar(query)


def _waiting_timers(env) -> int:
    return _count(env, select(func.count(Timer.id)).where(Timer.status == "waiting"))


def _fired_events(env) -> dict[int, int]:
    with env.unit_of_work() as ctx:
        return dict(ctx.session.execute(
            select(AuditEvent.case_id, func.count(AuditEvent.id))
            .where(AuditEvent.kind == "timer_fired").group_by(AuditEvent.case_id)).all())


EXPECTED = ["task_overdue", "task_unclaimed", "test_reminder"]


def test_a_due_timer_is_fired_by_the_worker(scaled_env, workers, celery_client, clock):
    [case_id] = _start_cases(scaled_env, 1)
    worker = workers.worker("w1")
    too_early = celery_client.send_task(names.SWEEP,
                                        kwargs={"now": (clock() + timedelta(days=1)).isoformat()})
    assert too_early.get(timeout=WAIT_SECONDS)["fired"] == []
    result = celery_client.send_task(names.SWEEP,
                                     kwargs={"now": (clock() + timedelta(days=3)).isoformat()})
    report = result.get(timeout=WAIT_SECONDS)
    assert [f.split(": ")[1] for f in report["fired"]] == ["Tre dager"]
    assert sorted(n.split(": ")[1] for n in report["notices"]) == [
        "task_overdue -> saksbehandler", "task_unclaimed -> saksbehandler",
        "test_reminder -> saksbehandler"]
    assert _notices_per_case(scaled_env) == {case_id: EXPECTED}
    assert _waiting_timers(scaled_env) == 0 and _fired_events(scaled_env) == {case_id: 1}
    assert "samflyt.sweep" in workers.log(worker)


def _lock_waiters(env) -> int:
    with env.db_engine.connect() as conn:
        return conn.scalar(text("SELECT count(*) FROM pg_stat_activity WHERE datname = "
                                "current_database() AND wait_event_type = 'Lock'"))


def test_two_workers_sweeping_at_once_raise_each_notice_once(scaled_env, workers,
                                                             celery_client, clock):
    case_ids = _start_cases(scaled_env, 30)
    workers.worker("a", queue="a")
    workers.worker("b", queue="b")
    now = (clock() + timedelta(days=3)).isoformat()
    # Both sweeps block on the timers table until both are waiting, then start together.
    with scaled_env.db_engine.connect() as gate:
        transaction = gate.begin()
        gate.execute(text("LOCK TABLE timers IN ACCESS EXCLUSIVE MODE"))
        first = celery_client.send_task(names.SWEEP, kwargs={"now": now}, queue="a")
        second = celery_client.send_task(names.SWEEP, kwargs={"now": now}, queue="b")
        wait_for(lambda: _lock_waiters(scaled_env) >= 2, "both sweeps to wait at the gate")
        transaction.commit()
    reports = [first.get(timeout=WAIT_SECONDS), second.get(timeout=WAIT_SECONDS)]
    assert sum(len(r["fired"]) for r in reports) == 30
    assert sum(len(r["notices"]) for r in reports) == 90
    assert _notices_per_case(scaled_env) == dict.fromkeys(case_ids, EXPECTED)
    assert _fired_events(scaled_env) == dict.fromkeys(case_ids, 1)
    assert _waiting_timers(scaled_env) == 0


def _kill_at_the_gate(env, workers, celery_client, now: str, gate_sql: str, params: dict
                      ) -> None:
    """Start a sweep on a worker that takes four instances to a transaction, hold `gate_sql`
    so that the sweep waits at it, kill the worker there, open the gate, and wait until
    PostgreSQL has ended the dead worker's session."""
    victim = workers.worker("victim", SAMFLYT_SWEEP_CHUNK="4")
    with env.db_engine.connect() as gate:
        transaction = gate.begin()
        gate.execute(text(gate_sql), params)
        celery_client.send_task(names.SWEEP, kwargs={"now": now})
        wait_for(lambda: _lock_waiters(env) >= 1, "the sweep to reach the gate")
        workers.kill(victim)
        with env.db_engine.connect() as probe:
            orphan = probe.scalar(text("SELECT pid FROM pg_stat_activity WHERE datname = "
                                       "current_database() AND wait_event_type = 'Lock'"))
        transaction.rollback()
    wait_for(lambda: _count(env, text(f"SELECT count(*) FROM pg_stat_activity "
                                      f"WHERE pid = {orphan}")) == 0,
             "PostgreSQL to end the killed worker's session")


def _next_sweep_does_the_rest(env, workers, celery_client, now: str, case_ids: list[int],
                              done_before: int) -> None:
    workers.worker("next")
    report = celery_client.send_task(names.SWEEP, kwargs={"now": now}).get(timeout=WAIT_SECONDS)
    # exactly what was left, and every task deadline; nothing twice
    assert [f.split(":")[0] for f in report["fired"]] == _case_numbers(env,
                                                                       case_ids[done_before:])
    assert _fired_events(env) == dict.fromkeys(case_ids, 1)
    assert _notices_per_case(env) == dict.fromkeys(case_ids, EXPECTED)
    assert _waiting_timers(env) == 0


def test_a_worker_killed_in_the_middle_of_a_chunk_leaves_nothing_of_it(scaled_env, workers,
                                                                      celery_client, clock):
    case_ids = _start_cases(scaled_env, 10, spread_minutes=1)  # swept in this order
    now = (clock() + timedelta(days=3)).isoformat()
    # the notices table is held: the first chunk has locked its four instances and read their
    # timers, and waits to read their notices' keys when the worker dies
    _kill_at_the_gate(scaled_env, workers, celery_client, now,
                      "LOCK TABLE notices IN ACCESS EXCLUSIVE MODE", {})
    assert _fired_events(scaled_env) == {}
    assert _notices_per_case(scaled_env) == {}
    _next_sweep_does_the_rest(scaled_env, workers, celery_client, now, case_ids, 0)


def test_a_worker_killed_after_sending_a_chunks_commit_loses_nothing_and_duplicates_nothing(
        scaled_env, workers, celery_client, clock):
    case_ids = _start_cases(scaled_env, 10, spread_minutes=1)
    now = (clock() + timedelta(days=3)).isoformat()
    # the sixth case's row is held: the second chunk (cases 5-8) has sent its writes and its
    # COMMIT, and its audit row for that case (a foreign key to it) waits for the lock when
    # the worker dies. The server has the whole transaction: it commits it once the lock
    # goes, whole; the first chunk was committed before.
    _kill_at_the_gate(scaled_env, workers, celery_client, now,
                      "SELECT id FROM cases WHERE id = :case FOR UPDATE", {"case": case_ids[5]})
    assert _fired_events(scaled_env) == dict.fromkeys(case_ids[:8], 1)
    assert _notices_per_case(scaled_env) == {case_id: ["test_reminder"]
                                             for case_id in case_ids[:8]}
    _next_sweep_does_the_rest(scaled_env, workers, celery_client, now, case_ids, 8)


def _case_numbers(env, case_ids: list[int]) -> list[str]:
    from engine.db.models import Case
    with env.unit_of_work() as ctx:
        numbers = dict(ctx.session.execute(select(Case.id, Case.case_number)
                                           .where(Case.id.in_(case_ids))).all())
    return [numbers[i] for i in case_ids]


def test_beat_and_worker_sweep_on_their_own_on_the_real_clock(scaled_env, workers,
                                                              postgres_env):
    # a case registered four days ago (by the real clock): its 3-day timer is overdue
    real_now = datetime.now(UTC)
    past = EngineEnvironment(postgres_env.settings, clock=FakeClock(real_now - timedelta(days=4)),
                             db_engine=postgres_env.db_engine)
    past.specs = postgres_env.specs
    [case_id] = _start_cases(past, 1)
    assert _waiting_timers(scaled_env) == 1
    workers.worker("w1", SAMFLYT_SWEEP_INTERVAL="1")
    beat = workers.beat(SAMFLYT_SWEEP_INTERVAL="1")
    wait_for(lambda: _waiting_timers(scaled_env) == 0, "beat and the worker to fire the timer")
    assert "test_reminder" in _notices_per_case(scaled_env)[case_id]
    assert "Sending due task sweep (samflyt.sweep)" in workers.log(beat)


def test_the_worker_e_mails_notices_with_nothing_from_the_case(scaled_env, workers,
                                                               celery_client, clock):
    secret = {"navn": "Petter Smart", "fodselsdato": "1980-02-29", "merknad": "Utmattelse"}
    with MailCatcher() as catcher:
        [case_id] = _start_cases(scaled_env, 1, data=secret)
        with scaled_env.unit_of_work() as ctx:
            ola = users.add_user(ctx, "ola", ["saksbehandler"], email="ola@kommune.example")
            ola.notice_email = "digest"
        workers.worker("mailer", SAMFLYT_SMTP_HOST="127.0.0.1", SAMFLYT_SMTP_PORT=str(catcher.port),
                       SAMFLYT_SMTP_FROM="samflyt@kommune.example",
                       SAMFLYT_BASE_URL="https://samflyt.kommune.example")
        now = (clock() + timedelta(days=3)).isoformat()
        celery_client.send_task(names.SWEEP, kwargs={"now": now}).get(timeout=WAIT_SECONDS)
        # the sweep raised three notices and queued the dispatch: kari wants them at once
        wait_for(lambda: len(catcher.texts()) >= 3, "three e-mails")
        digest = celery_client.send_task(names.SEND_DIGESTS, kwargs={"now": now})
        assert digest.get(timeout=WAIT_SECONDS)["sent"] == 1
        texts = catcher.texts()
    assert [rcpt for _, rcpt in catcher.envelopes] == [["kari@kommune.example"]] * 3 + [
        ["ola@kommune.example"]]
    link = f"https://samflyt.kommune.example/cases/{case_id}"
    for subject, body in texts:
        assert link in body
        for value in [*secret.values(), "29.02.1980", "29.2.1980"]:
            assert value.lower() not in (subject + body).lower()
    assert texts[-1][0] == "Samflyt: 3 nye varsler"
