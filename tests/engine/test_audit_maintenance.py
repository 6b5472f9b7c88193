"""The audit trail's daily maintenance (partitions made ahead, from the scheduler, Celery and
the embedded background round), the archive on SQLite, and `samflyt audit`."""
from __future__ import annotations

import gzip
import json
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from celery.schedules import crontab
from click.testing import CliRunner
from sqlalchemy import text

from engine.audit import partitions, retention
from engine.cases import audit
from engine.core.context import EngineContext
from engine.core.settings import Settings
from engine.scheduling import scheduler
from tasks import jobs, names
from tasks.celery_app import beat_schedule, make_app
from webui.background import BackgroundWork
from webui.cli import main

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.postgres
def test_the_daily_maintenance_makes_the_months_ahead_once(postgres_committed_env):
    env = postgres_committed_env
    now = datetime(2031, 2, 10, 3, 15, tzinfo=UTC)
    made = scheduler.audit_partitions(env, now)
    try:
        assert made[-1] == "audit_events_2031_05"  # three months ahead
        assert "audit_events_2031_02" in made
        assert scheduler.audit_partitions(env, now) == []
    finally:
        with env.db_engine.begin() as conn:
            for name in made:
                conn.execute(text(f"DROP TABLE {name}"))


@pytest.mark.postgres
def test_a_locked_table_makes_the_maintenance_give_up_until_the_next_run(
        postgres_committed_env, monkeypatch):
    env = postgres_committed_env
    monkeypatch.setattr(partitions, "MAINTENANCE_LOCK_TIMEOUT", "50ms")
    now = datetime(2032, 7, 1, tzinfo=UTC)
    reader = env.db_engine.connect()
    reading = reader.begin()
    reader.execute(text("SELECT count(*) FROM audit_events"))  # a long read holds its lock
    try:
        assert scheduler.audit_partitions(env, now) == []
    finally:
        reading.rollback()
        reader.close()
    made = scheduler.audit_partitions(env, now)
    with env.db_engine.begin() as conn:
        for name in made:
            conn.execute(text(f"DROP TABLE {name}"))
    assert "audit_events_2032_10" in made


def test_the_embedded_round_asks_for_the_partitions_once_a_day(committed_env, monkeypatch):
    asked = []
    monkeypatch.setattr(scheduler, "audit_partitions",
                        lambda env, now: asked.append(now) or [])
    work = BackgroundWork(committed_env, sender=None)
    morning = datetime(2026, 1, 5, 8, tzinfo=UTC)
    work.run_once(morning)
    work.run_once(morning.replace(hour=12))
    work.run_once(datetime(2026, 1, 6, 8, tzinfo=UTC))
    assert asked == [morning, datetime(2026, 1, 6, 8, tzinfo=UTC)]


def test_celery_makes_the_partitions_daily_with_time_limits():
    app = make_app(Settings(broker_url="redis://127.0.0.1:6379/0"))
    task = app.tasks[names.AUDIT_PARTITIONS]
    assert task.run is jobs.audit_partitions.run
    assert task.soft_time_limit and task.time_limit > task.soft_time_limit
    entry = beat_schedule(Settings())["audit-partitions"]
    assert entry["task"] == names.AUDIT_PARTITIONS
    assert entry["schedule"] == crontab(hour=3, minute=15)


def test_on_sqlite_the_archive_writes_the_months_and_removes_nothing(sqlite_env, clock,
                                                                      tmp_path):
    with sqlite_env.session_factory() as session:
        ctx = EngineContext(session=session, clock=clock, settings=sqlite_env.settings,
                            specs=sqlite_env.specs)
        assert not partitions.is_partitioned(ctx)
        for day in (date(2010, 3, 4), date(2010, 3, 20), date(2010, 5, 1)):
            ctx.clock = lambda day=day: datetime(day.year, day.month, day.day, tzinfo=UTC)
            audit.record(ctx, None, "kari", "case_read", person_id=5, purpose="case page")
        ctx.clock = clock
        session.flush()
        result = retention.archive(ctx, date(2010, 6, 1), tmp_path)
        assert [(m.month, m.rows, m.removed) for m in result.months] == [
            (date(2010, 3, 1), 2, False), (date(2010, 5, 1), 1, False)]
        with gzip.open(result.months[0].file, "rt") as lines:
            first = json.loads(next(lines))
        assert first["at"] == "2010-03-04T00:00:00+00:00" and first["kind"] == "case_read"
        assert first["details"] == {"purpose": "case page"}
        assert session.execute(text("SELECT count(*) FROM audit_events WHERE at < "
                                    "'2011-01-01'")).scalar_one() == 3
        session.rollback()


def test_the_audit_commands(tmp_path, monkeypatch):
    monkeypatch.setenv("SAMFLYT_DATABASE_URL", f"sqlite:///{tmp_path / 'cli.sqlite3'}")
    monkeypatch.setenv("SAMFLYT_PROCESSES_DIR", str(ROOT / "tests" / "fixtures" / "bench"))
    runner = CliRunner()
    assert runner.invoke(main, ["init"]).exit_code == 0
    listed = runner.invoke(main, ["audit", "partitions"])
    assert listed.exit_code == 0 and "not partitioned" in listed.output
    archived = runner.invoke(main, ["audit", "archive", "--before", "2001-01",
                                    "--directory", str(tmp_path / "archive")])
    assert archived.exit_code == 0 and "nothing to archive" in archived.output
    wrong = runner.invoke(main, ["audit", "archive", "--before", "januar"])
    assert wrong.exit_code == 2 and "YYYY-MM" in wrong.output


@pytest.mark.postgres
def test_the_partitions_command_lists_each_with_its_rows(postgres_env, monkeypatch):
    monkeypatch.setenv("SAMFLYT_DATABASE_URL",
                       postgres_env.db_engine.url.render_as_string(hide_password=False))
    listed = CliRunner().invoke(main, ["audit", "partitions"])
    assert listed.exit_code == 0, listed.output
    lines = [line.split("\t") for line in listed.output.splitlines()]
    assert lines[-1][:2] == [partitions.DEFAULT_PARTITION, "DEFAULT"]
    assert all(count.isdigit() for _name, _month, count in lines)
