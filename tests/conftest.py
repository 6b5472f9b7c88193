"""Shared fixtures: real databases (SQLite and PostgreSQL), a fake clock, factories.

Every test that takes `ctx` runs on both databases inside a transaction that is rolled
back at the end. Tests of races take `committed_env`, which commits for real and cleans
up afterwards. With CI=true a missing PostgreSQL fails the run instead of skipping.
"""
from __future__ import annotations

import os
import shutil
import smtplib
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import create_engine, text

from engine.accounts import users
from engine.core.clock import FakeClock
from engine.core.context import EngineContext
from engine.core.settings import Settings
from engine.definitions import store
from engine.environment import EngineEnvironment
from tests.db_support import empty_case_tables

OSLO = ZoneInfo("Europe/Oslo")
FIXTURES = Path(__file__).parent / "fixtures"
#: The benchmark process and its form; the benchmark scripts in bench/ deploy the same files.
BENCH_DIR = FIXTURES / "bench"
POSTGRES_ADMIN_URL = os.environ.get("SAMFLYT_TEST_POSTGRES_ADMIN_URL",
                                    "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
#: One database per test run, so that runs side by side never drop each other's database.
POSTGRES_TEST_DB = f"samflyt_test_{os.getpid()}"
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
#: The tests register persons with synthetic national numbers (tests/factories: persons),
#: as the demo does; the setting is off by default.
os.environ["SAMFLYT_ALLOW_SYNTHETIC_IDS"] = "on"


def pytest_collection_modifyitems(config, items):
    """The tests marked slow first, in their order: in a parallel run (pytest-xdist) they
    start at once, while the short ones fill the other workers, instead of ending the run."""
    items.sort(key=lambda item: item.get_closest_marker("slow") is None)


def oslo(*args) -> datetime:
    return datetime(*args, tzinfo=OSLO)


@pytest.fixture(autouse=True)
def _no_real_smtp(monkeypatch):
    """No test may talk to a real mail server."""
    def refuse(*args, **kwargs):
        raise AssertionError("a test tried to open a real SMTP connection")
    monkeypatch.setattr(smtplib, "SMTP", refuse)
    monkeypatch.setattr(smtplib, "SMTP_SSL", refuse)


def _deploy_shipped(env: EngineEnvironment) -> None:
    env.upgrade_schema()
    files = store.read_directory(env.settings.processes_dir)
    files.update(store.read_directory(BENCH_DIR))
    files.update(store.read_directory(FIXTURES / "engine"))
    with env.unit_of_work() as ctx:
        store.deploy_files(ctx, files, "tests")


def _postgres_url() -> str:
    admin = create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f"DROP DATABASE IF EXISTS {POSTGRES_TEST_DB} WITH (FORCE)"))
            conn.execute(text(f"CREATE DATABASE {POSTGRES_TEST_DB}"))
    except Exception as error:  # noqa: BLE001 - any connection failure means: no server
        message = f"PostgreSQL is not reachable at {POSTGRES_ADMIN_URL}: {error}"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    finally:
        admin.dispose()
    return POSTGRES_ADMIN_URL.rsplit("/", 1)[0] + "/" + POSTGRES_TEST_DB


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory) -> Path:
    """A migrated SQLite database with the shipped processes deployed, copied per use."""
    path = tmp_path_factory.mktemp("db") / "template.sqlite3"
    env = EngineEnvironment(Settings.from_env(database_url=f"sqlite:///{path}"))
    _deploy_shipped(env)
    env.dispose()
    return path


@pytest.fixture(scope="session")
def postgres_env():
    env = EngineEnvironment(Settings.from_env(database_url=_postgres_url()))
    _deploy_shipped(env)
    yield env
    env.dispose()
    admin = create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f"DROP DATABASE IF EXISTS {POSTGRES_TEST_DB} WITH (FORCE)"))
    admin.dispose()


@pytest.fixture(scope="session")
def sqlite_env(sqlite_template, tmp_path_factory):
    path = tmp_path_factory.mktemp("db") / "shared.sqlite3"
    shutil.copy(sqlite_template, path)
    env = EngineEnvironment(Settings.from_env(database_url=f"sqlite:///{path}"))
    yield env
    env.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_env(request) -> EngineEnvironment:
    """The session's environment for each database."""
    return request.getfixturevalue(f"{request.param}_env")


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(oslo(2026, 1, 5, 9, 0))  # a Monday morning


@pytest.fixture
def ctx(db_env, clock):
    """An engine context in a transaction that is rolled back after the test."""
    connection = db_env.db_engine.connect()
    transaction = connection.begin()
    session = db_env.session_factory(bind=connection, join_transaction_mode="create_savepoint")
    yield EngineContext(session=session, clock=clock, settings=db_env.settings,
                        specs=db_env.specs)
    session.close()
    transaction.rollback()
    connection.close()


@pytest.fixture
def committed_env(db_env, clock, tmp_path):
    """An environment whose units of work really commit (for races between sessions)."""
    if db_env.db_engine.dialect.name == "sqlite":
        path = tmp_path / "committed.sqlite3"
        shutil.copy(db_env.db_engine.url.database, path)
        env = EngineEnvironment(Settings.from_env(database_url=f"sqlite:///{path}"), clock=clock)
        env.specs = db_env.specs
        yield env
        env.dispose()
        return
    env = EngineEnvironment(db_env.settings, clock=clock, db_engine=db_env.db_engine)
    env.specs = db_env.specs
    yield env
    empty_case_tables(db_env.db_engine)



@pytest.fixture
def postgres_committed_env(postgres_env, clock):
    """PostgreSQL only: units of work that really commit; the case tables emptied after."""
    env = EngineEnvironment(postgres_env.settings, clock=clock, db_engine=postgres_env.db_engine)
    env.specs = postgres_env.specs
    yield env
    empty_case_tables(postgres_env.db_engine)


@pytest.fixture
def make_user(ctx):
    """Factory: make_user("kari", "saksbehandler", trained=False)."""
    def make(username: str, *roles: str, trained: bool = False):
        return users.add_user(ctx, username, roles, display_name=username.capitalize(),
                              trained_coordinator=trained)
    return make
