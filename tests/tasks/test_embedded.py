"""The same background work without Celery: engine/scheduler.py's units of work, and the
in-process round `samflyt serve` runs (webui/background.py), on SQLite and PostgreSQL."""
from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from engine.accounts import users
from engine.cases import casework
from engine.db.models import HumanTask, Notice, NoticeDelivery, Timer
from engine.notices import mailing, notice_board
from engine.scheduling import scheduler
from webui.background import BackgroundWork

OSLO = ZoneInfo("Europe/Oslo")


def _setup(env, count: int = 2) -> list[int]:
    with env.unit_of_work() as ctx:
        users.add_user(ctx, "kari", ["saksbehandler"], email="kari@kommune.example")
        ola = users.add_user(ctx, "ola", ["saksbehandler"], email="ola@kommune.example")
        ola.notice_email = "digest"
    ids = []
    with env.unit_of_work() as ctx:
        kari = users.get_user(ctx, "kari")
        for _ in range(count):
            ids.append(casework.start_case(ctx, {}, kari, process_key="frist_test").id)
    return ids


def test_the_sweep_commits_each_item_and_a_second_run_finds_nothing(committed_env, clock):
    case_ids = _setup(committed_env)
    report = scheduler.sweep(committed_env, clock() + timedelta(days=3))
    assert len(report.fired) == 2 and len(report.notices) == 6 and report.skipped == 0
    again = scheduler.sweep(committed_env, clock() + timedelta(days=3))
    assert (again.fired, again.notices) == ([], [])
    with committed_env.unit_of_work() as ctx:
        for case_id in case_ids:
            assert sorted(n.kind for n in notice_board.for_case(ctx, case_id)) == [
                "task_overdue", "task_unclaimed", "test_reminder"]
        waiting = select(func.count(Timer.id)).where(Timer.status == "waiting")
        assert ctx.session.scalar(waiting) == 0


def test_one_item_by_id(committed_env, clock):
    [case_id] = _setup(committed_env, 1)
    with committed_env.unit_of_work() as ctx:
        [timer] = ctx.session.scalars(select(Timer).where(Timer.case_id == case_id))
        pending = ctx.session.scalars(select(Notice.id).where(Notice.status == "pending")).all()
        [task_id] = ctx.session.scalars(select(HumanTask.id).where(HumanTask.case_id == case_id))
    later = clock() + timedelta(days=3)
    assert scheduler.fire_instance(committed_env, timer.instance_id, clock()).fired == []
    assert len(scheduler.fire_instance(committed_env, timer.instance_id, later).fired) == 1
    assert scheduler.fire_instance(committed_env, timer.instance_id, later).skipped == 1
    raised = [scheduler.raise_notice(committed_env, notice_id, later).notices
              for notice_id in pending]
    raised.append(scheduler.raise_unclaimed(committed_env, task_id, later).notices)
    assert sorted(n[0].split(": ")[1] for n in raised) == ["task_overdue -> saksbehandler",
                                                          "task_unclaimed -> saksbehandler"]
    assert scheduler.raise_unclaimed(committed_env, task_id, later).notices == []  # once
    sender = mailing.MemorySender()
    assert scheduler.dispatch(committed_env, sender, later).sent == 3
    with committed_env.unit_of_work() as ctx:
        [digest_id, *_] = ctx.session.scalars(select(NoticeDelivery.id).where(
            NoticeDelivery.mode == "digest"))
    assert scheduler.deliver(committed_env, sender, digest_id).skipped == 1  # digests wait


def test_the_in_process_round_sweeps_sends_and_digests_once_a_day(committed_env, clock):
    _setup(committed_env)
    sender = mailing.MemorySender()
    work = BackgroundWork(committed_env, sender)
    clock.advance(days=3)  # Thursday 8 January, 09:00
    report = work.run_once()
    assert len(report.fired) == 2 and report.sent == 6 + 1  # kari: 6 at once; ola: a digest
    assert [m.to for m in sender.messages].count("ola@kommune.example") == 1
    assert sender.messages[-1].subject == "Samflyt: 6 nye varsler"
    clock.advance(hours=1)
    assert work.run_once().sent == 0
    # the next day before the digest hour: nothing; after it: the next digest (nothing new)
    clock.set(clock().astimezone(OSLO).replace(hour=6) + timedelta(days=1))
    assert not work.digest_due(clock())
    clock.advance(hours=1)
    assert work.digest_due(clock())
    work.run_once()
    assert not work.digest_due(clock())


def test_without_a_mail_server_the_round_only_sweeps(committed_env, clock):
    _setup(committed_env, 1)
    work = BackgroundWork(committed_env)  # SAMFLYT_SMTP_HOST is not set
    assert work.sender is None
    clock.advance(days=3)
    report = work.run_once()
    assert len(report.notices) == 3 and report.sent == 0
    with committed_env.unit_of_work() as ctx:
        assert ctx.session.scalar(select(func.count(NoticeDelivery.id))) == 0
