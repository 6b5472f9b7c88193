"""SAMFLYT_FAST_PATH switches how the workflow step and the sweep persist: on, through the
database driver (engine/db/fastpath/driver.py); off, through the ORM session alone, with the
same rows. (`scripts/test.sh` also runs tests/engine and tests/processes with it off.)"""
import dataclasses
import shutil

import pytest
from sqlalchemy import select

from engine.accounts import users
from engine.cases import audit, casework
from engine.core.settings import Settings
from engine.db.fastpath import driver
from engine.db.models import HumanTask, Notice, ProcessInstance, Timer
from engine.environment import EngineEnvironment
from engine.worklist import humantasks
from tests.db_support import empty_case_tables

#: Every way the fast path reaches the database or makes ORM objects without the ORM.
DRIVER_ENTRY_POINTS = ("fetch_together", "write", "insert", "adopt", "check_guards")


def test_the_setting_reads_on_and_off():
    assert Settings.from_env({}).fast_path is True
    for word in ("off", "OFF", "0", "false", "no"):
        assert Settings.from_env({"SAMFLYT_FAST_PATH": word}).fast_path is False
    for word in ("on", "1", "true", "Yes"):
        assert Settings.from_env({"SAMFLYT_FAST_PATH": word}).fast_path is True
    with pytest.raises(ValueError, match="SAMFLYT_FAST_PATH"):
        Settings.from_env({"SAMFLYT_FAST_PATH": "kanskje"})


@pytest.fixture(params=[True, False], ids=["fast_path_on", "fast_path_off"])
def switched_env(request, db_env, clock, tmp_path):
    """An environment of its own (engine included: the fast path's hooks are the engine's)
    that commits, with the fast path on or off."""
    settings = dataclasses.replace(db_env.settings, fast_path=request.param)
    if db_env.db_engine.dialect.name == "sqlite":
        path = tmp_path / "switched.sqlite3"
        shutil.copy(db_env.db_engine.url.database, path)
        settings = dataclasses.replace(settings, database_url=f"sqlite:///{path}")
    env = EngineEnvironment(settings, clock=clock)
    env.specs = db_env.specs
    yield env
    if env.db_engine.dialect.name == "postgresql":
        empty_case_tables(env.db_engine)
    env.dispose()


@pytest.fixture
def driver_calls(monkeypatch):
    """How often each entry point of the driver was called."""
    calls = dict.fromkeys(DRIVER_ENTRY_POINTS, 0)
    for name in DRIVER_ENTRY_POINTS:
        original = getattr(driver, name)

        def counted(*args, _name=name, _original=original, **kwargs):
            calls[_name] += 1
            return _original(*args, **kwargs)
        monkeypatch.setattr(driver, name, counted)
    return calls


def _a_case_through_its_steps(env, clock):
    """Start two cases, complete a task, fire a timer (which raises a diagram notice);
    returns what the rows say."""
    with env.unit_of_work() as ctx:
        kari = users.add_user(ctx, "kari", ["saksbehandler"])
        completed = casework.start_case(ctx, {}, kari, process_key="bench_two_user_tasks").id
        casework.start_case(ctx, {}, kari, process_key="frist_test")  # waits for its timer
    with env.unit_of_work() as ctx:
        [task] = humantasks.open_tasks(ctx, completed)
        humantasks.complete(ctx, task.id, users.get_user(ctx, "kari"), {"x": 1},
                            expected_version=task.version)
    clock.advance(days=3)
    report = env.sweep()
    with env.unit_of_work() as ctx:
        return {
            "fired": len(report.fired),
            "tasks": sorted((t.case_id == completed, t.name, t.status, t.version)
                            for t in ctx.session.scalars(select(HumanTask))),
            "timers": [t.status for t in ctx.session.scalars(select(Timer))],
            "notices": sorted(n.kind for n in ctx.session.scalars(select(Notice))),
            "instances": sorted((i.status, i.lock_version)
                                for i in ctx.session.scalars(select(ProcessInstance))),
            "audit": [e.kind for e in audit.case_history(ctx, completed)],
        }


def test_the_same_steps_write_the_same_rows_and_only_the_fast_path_calls_the_driver(
        switched_env, clock, driver_calls):
    rows = _a_case_through_its_steps(switched_env, clock)
    assert rows["fired"] == 1 and rows["timers"] == ["fired"]
    assert rows["tasks"] == [(False, "Behandle", "open", 1),
                             (True, "Oppgave A", "completed", 2),
                             (True, "Oppgave B", "open", 1)]
    assert rows["instances"] == [("running", 2), ("running", 2)]  # inserted, one step each
    assert "test_reminder" in rows["notices"]
    assert rows["audit"][:4] == ["case_started", "process_started", "task_created",
                                 "task_completed"]
    if switched_env.settings.fast_path:
        assert driver_calls["write"] > 0 and driver_calls["adopt"] > 0
    else:
        assert driver_calls == dict.fromkeys(DRIVER_ENTRY_POINTS, 0)


def test_with_the_fast_path_off_postgresql_runs_its_own_transactions(postgres_env):
    """Off, the engine gets none of the fast path's hooks: the driver's connection is not
    in autocommit mode, and SQLAlchemy sends BEGIN and COMMIT itself."""
    for fast_path in (True, False):
        env = EngineEnvironment(dataclasses.replace(postgres_env.settings, fast_path=fast_path))
        try:
            with env.db_engine.connect() as connection:
                assert connection.connection.driver_connection.autocommit is fast_path
        finally:
            env.dispose()
