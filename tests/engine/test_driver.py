"""The persistence interface (engine/db/fastpath) keeps the transaction's promises on both
databases, with the fast path on (statements on the driver's cursor; on PostgreSQL the writes
are queued and BEGIN/COMMIT are sent by the engine) and off (SAMFLYT_FAST_PATH=off: the ORM
session), whichever the environment's settings say."""
import logging
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import DatabaseError, IntegrityError

from engine.accounts import users
from engine.cases import audit, casework
from engine.core.errors import ConflictError
from engine.core.settings import Settings
from engine.db import database, fastpath
from engine.db.models import AuditEvent, Case, User
from engine.environment import EngineEnvironment, quiet_spiff_logging
from engine.worklist import humantasks


def _case(ctx, number):
    return fastpath.insert(ctx, Case(case_number=number, process_key="ip_sak", status="open",
                                     data={"navn": "Kari"}, facts={}, created_at=ctx.now(),
                                     created_by="test"))


def _count(env, model):
    with env.unit_of_work() as ctx:
        return ctx.session.scalar(select(func.count(model.id)))


def test_writes_are_read_back_in_the_transaction_and_kept_by_the_commit(committed_env):
    env = committed_env
    events = _count(env, AuditEvent)
    with env.unit_of_work() as ctx:
        case = _case(ctx, "IP-2026-90001")
        audit.record(ctx, case, "test", "case_started")
        # read through the ORM in the same transaction: the queued rows are there
        assert ctx.session.get(Case, case.id).data == {"navn": "Kari"}
        assert [e.kind for e in audit.case_history(ctx, case.id)] == ["case_started"]
        if env.db_engine.dialect.name == "postgresql":  # (SQLite: one writer at a time)
            assert _count(env, AuditEvent) == events  # not visible to others before commit
    with env.unit_of_work() as ctx:
        stored = ctx.session.get(Case, case.id)
        assert (stored.case_number, stored.data, stored.created_at) == (
            "IP-2026-90001", {"navn": "Kari"}, case.created_at)
    assert _count(env, AuditEvent) == events + 1


def test_a_rolled_back_transaction_leaves_nothing(committed_env):
    before = _count(committed_env, Case), _count(committed_env, AuditEvent)
    with pytest.raises(RuntimeError, match="the request fails"):  # noqa: PT012, SIM117 - the unit of work as a whole is what raises
        with committed_env.unit_of_work() as ctx:
            case = _case(ctx, "IP-2026-90002")
            audit.record(ctx, case, "test", "case_started")
            raise RuntimeError("the request fails")
    assert (_count(committed_env, Case), _count(committed_env, AuditEvent)) == before


def test_a_guarded_write_that_touches_no_row_is_a_conflict_and_nothing_is_kept(committed_env):
    env = committed_env
    with env.unit_of_work() as ctx:
        officer = users.add_user(ctx, "kari", ["saksbehandler"])
        case = casework.start_case(ctx, {}, officer, process_key="bench_two_user_tasks")
        [task] = humantasks.open_tasks(ctx, case.id)
    with env.unit_of_work() as other:  # someone else changes the task meanwhile
        fastpath.update(other, humantasks.get_task(other, task.id), priority=1)
    events = _count(env, AuditEvent)
    with pytest.raises(ConflictError):  # noqa: PT012, SIM117 - the unit of work as a whole is what raises
        with env.unit_of_work() as ctx:
            audit.record(ctx, case, "test", "case_read")
            fastpath.update(ctx, task, priority=5)  # the version it saw is gone
            fastpath.check_guards(ctx)
    assert _count(env, AuditEvent) == events
    with env.unit_of_work() as ctx:
        assert humantasks.get_task(ctx, task.id).priority == 1


HOSTILE_TEXT = "100% ren; '); DROP TABLE cases; -- \\ \"sitat\" %(navn)s %s æøå \u2028 🙂"


def test_values_of_every_kind_travel_unchanged(committed_env):
    """Values are bound into the statements (on PostgreSQL as quoted literals of one
    multi-statement message): quotes, percent signs, placeholders, backslashes, SQL and
    non-ASCII text, None, nested JSON and times come back exactly as written."""
    env = committed_env
    data = {"navn": HOSTILE_TEXT, "liste": [1, 2.5, None, True, {"å": "b'c"}], "tom": None}
    with env.unit_of_work() as ctx:
        case = fastpath.insert(ctx, Case(case_number="IP-2026-90005", process_key="ip_sak",
                                         status="open", person_name=HOSTILE_TEXT, data=data,
                                         facts={}, coordinator=None, created_at=ctx.now(),
                                         created_by="test"))
        audit.record(ctx, case, HOSTILE_TEXT, "case_started", tekst=HOSTILE_TEXT)
        fastpath.update(ctx, case, person_name=HOSTILE_TEXT + "!")
        created_at = case.created_at
    with env.unit_of_work() as ctx:
        ctx.session.expire_all()
        stored = ctx.session.get(Case, case.id)
        assert (stored.person_name, stored.data, stored.coordinator, stored.created_at) == (
            HOSTILE_TEXT + "!", data, None, created_at)
        [event] = audit.case_history(ctx, case.id)
        assert (event.actor, event.details["tekst"]) == (HOSTILE_TEXT, HOSTILE_TEXT)
        assert ctx.session.scalar(select(func.count(Case.id))) >= 1  # the table is there


def test_a_refused_write_is_sqlalchemys_integrity_error(committed_env):
    before = _count(committed_env, Case)
    with pytest.raises(IntegrityError):  # noqa: PT012, SIM117 - the unit of work as a whole is what raises
        with committed_env.unit_of_work() as ctx:
            _case(ctx, "IP-2026-90004")
            _case(ctx, "IP-2026-90004")  # case numbers are unique
    assert _count(committed_env, Case) == before


def test_new_rows_get_distinct_ids_in_the_order_they_were_made(committed_env):
    with committed_env.unit_of_work() as ctx:
        ids = [_case(ctx, f"IP-2026-9010{n}").id for n in range(5)]
    assert ids == sorted(set(ids))


def test_a_process_whose_first_read_goes_through_the_fast_path(tmp_path):
    """A new worker's first read may be a step's, through the driver, before any ORM query
    has configured the mappers."""
    url = f"sqlite:///{tmp_path / 'fresh.sqlite3'}"
    script = (
        "from engine.environment import EngineEnvironment\n"
        "from engine.core.settings import Settings\n"
        f"env = EngineEnvironment(Settings(database_url={url!r}))\n"
        "env.upgrade_schema()\n"
        "from sqlalchemy import text\n"
        "with env.db_engine.begin() as connection:\n"
        "    connection.execute(text(\"INSERT INTO users (username, display_name, active, \"\n"
        "        \"trained_coordinator, created_at, roles) VALUES ('kari', 'Kari', 1, 0, \"\n"
        "        \"'2026-01-05 08:00:00.000000', '[\\\"leder\\\"]')\"))\n"
        "from engine.db import fastpath\n"
        "from engine.db.models import User\n"
        "from sqlalchemy import bindparam\n"
        "query = fastpath.Query.rows(User, shape=lambda q: q.where(\n"
        "    User.username == bindparam('name')))\n"
        "with env.unit_of_work() as ctx:\n"
        "    [(user,)] = fastpath.run(ctx, query, name='kari')\n"
        "    print(user.display_name, sorted(user.role_keys), user.created_at.tzinfo)\n")
    run = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                         cwd=Path(__file__).resolve().parents[2], timeout=120)
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == "Kari ['leder'] UTC"


def test_an_sqlite_file_gets_a_checkpointer_of_its_own(tmp_path):
    """SQLite's log is copied into the database by a thread of the environment's own; a
    commit pays for it only past a far larger log."""
    env = EngineEnvironment(Settings(database_url=f"sqlite:///{tmp_path / 'c.sqlite3'}"))
    try:
        assert env.checkpointer is not None and env.checkpointer._thread.is_alive()
        with env.db_engine.connect() as connection:
            pages = connection.exec_driver_sql("PRAGMA wal_autocheckpoint").scalar()
        assert pages == database.WAL_AUTOCHECKPOINT_PAGES > 1000
    finally:
        env.dispose()
    assert not env.checkpointer._thread.is_alive()


def test_no_checkpointer_for_a_server_or_memory(postgres_env):
    assert database.start_wal_checkpointer(postgres_env.db_engine) is None
    memory = database.make_db_engine("sqlite://")
    assert database.start_wal_checkpointer(memory) is None
    memory.dispose()


def test_spiffworkflows_loggers_are_quiet_unless_the_application_chose(monkeypatch):
    """SpiffWorkflow lists every task in each workflow log record while its workflow logger
    has no level of its own."""
    workflow_logger = logging.getLogger("spiff.workflow")
    monkeypatch.setattr(workflow_logger, "level", logging.NOTSET)
    monkeypatch.setattr(logging.getLogger("spiff.task"), "level", logging.DEBUG)
    quiet_spiff_logging()
    assert workflow_logger.level == logging.WARNING
    assert logging.getLogger("spiff.task").level == logging.DEBUG  # chosen: left alone


def test_a_first_statement_that_fails_is_sqlalchemys_error_and_the_next_transaction_works(
        committed_env):
    """On PostgreSQL the transaction's BEGIN travels with the first statement SQLAlchemy runs
    (one round trip); when that statement fails, the error is SQLAlchemy's own, nothing is
    left half-sent, and the connection serves the next transaction."""
    env = committed_env
    with pytest.raises(DatabaseError, match=r"no.such.table"), env.unit_of_work() as ctx:
        ctx.session.execute(text("SELECT * FROM no_such_table"))
    for _ in range(2):  # the pool hands back the same connection
        with env.unit_of_work() as ctx:
            assert ctx.session.execute(text("SELECT 41 + 1")).scalar() == 42
            users.add_user(ctx, "kari", ["saksbehandler"])
        assert _count(env, User) == 1
        with env.unit_of_work() as ctx:
            ctx.session.delete(users.get_user(ctx, "kari"))
