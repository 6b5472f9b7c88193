"""The audit trail's storage on PostgreSQL: partitioned by month (migration 0017), append-only
on every partition, old months archived to a file and dropped, the person's reads by period."""
from __future__ import annotations

import dataclasses
import gzip
import hashlib
import json
import os
from datetime import UTC, date, datetime, timedelta

import pytest
from alembic import command
from sqlalchemy import create_engine, text
from sqlalchemy.exc import DBAPIError

from engine.audit import partitions, read_log, retention
from engine.cases import audit
from engine.core.context import EngineContext
from engine.db.schema import alembic_config
from tests.conftest import POSTGRES_ADMIN_URL

pytestmark = pytest.mark.postgres


@pytest.fixture
def pg_ctx(postgres_env, clock):
    """An engine context on PostgreSQL in a transaction rolled back after the test (the
    partitions a test makes go with it)."""
    connection = postgres_env.db_engine.connect()
    transaction = connection.begin()
    session = postgres_env.session_factory(bind=connection,
                                           join_transaction_mode="create_savepoint")
    yield EngineContext(session=session, clock=clock, settings=postgres_env.settings,
                        specs=postgres_env.specs)
    session.close()
    transaction.rollback()
    connection.close()


def _insert(ctx, at: datetime, person_id: int = 7, kind: str = "case_read",
            actor: str = "kari") -> int:
    return ctx.session.execute(text(
        "INSERT INTO audit_events (at, actor, kind, details, person_id) "
        "VALUES (:at, :actor, :kind, '{}', :person) RETURNING id"),
        {"at": at, "actor": actor, "kind": kind, "person": person_id}).scalar_one()


def _partition_of(ctx, event_id: int) -> str:
    return ctx.session.execute(text(
        "SELECT tableoid::regclass::text FROM audit_events WHERE id = :id"),
        {"id": event_id}).scalar_one()


def _refused(ctx, statement: str) -> None:
    savepoint = ctx.session.begin_nested()
    with pytest.raises(DBAPIError, match="append-only"):
        ctx.session.execute(text(statement))
    savepoint.rollback()


def test_after_the_migrations_the_trail_is_partitioned_by_month_with_a_default(pg_ctx):
    assert partitions.is_partitioned(pg_ctx)
    found = partitions.partitions(pg_ctx)
    assert found[-1].name == partitions.DEFAULT_PARTITION and found[-1].month is None
    this_month = partitions.month_of(datetime.now(UTC).date())
    months = {p.month for p in found}
    assert {this_month, partitions.add_months(this_month, partitions.MONTHS_AHEAD)} <= months
    key = pg_ctx.session.execute(text(
        "SELECT pg_get_constraintdef(oid) FROM pg_constraint "
        "WHERE conname = 'audit_events_pkey'")).scalar_one()
    assert key == "PRIMARY KEY (id, at)"


def test_an_event_lands_in_its_month_and_one_far_ahead_in_default(pg_ctx, clock):
    partitions.ensure_partitions(pg_ctx, date(2026, 1, 1), start=date(2025, 12, 1))
    audit.record(pg_ctx, None, "kari", "case_read", person_id=7)  # the clock: 5 January 2026
    pg_ctx.session.flush()
    [recorded] = pg_ctx.session.execute(text(
        "SELECT id FROM audit_events WHERE person_id = 7")).scalars().all()
    assert _partition_of(pg_ctx, recorded) == "audit_events_2026_01"
    december = _insert(pg_ctx, datetime(2025, 12, 31, 23, 59, tzinfo=UTC))
    assert _partition_of(pg_ctx, december) == "audit_events_2025_12"
    far = _insert(pg_ctx, datetime(2099, 6, 1, tzinfo=UTC))
    assert _partition_of(pg_ctx, far) == partitions.DEFAULT_PARTITION


def test_a_new_month_takes_over_its_rows_waiting_in_default_unchanged(pg_ctx):
    waiting = _insert(pg_ctx, datetime(2098, 3, 14, 12, tzinfo=UTC), person_id=11)
    staying = _insert(pg_ctx, datetime(2098, 9, 1, tzinfo=UTC), person_id=11)
    made = partitions.ensure_partitions(pg_ctx, date(2098, 3, 1), start=date(2098, 3, 1))
    assert made == ["audit_events_2098_03"]
    assert _partition_of(pg_ctx, waiting) == "audit_events_2098_03"
    assert _partition_of(pg_ctx, staying) == partitions.DEFAULT_PARTITION
    assert pg_ctx.session.execute(text(
        "SELECT at, person_id FROM audit_events WHERE id = :id"), {"id": waiting}).one() \
        == (datetime(2098, 3, 14, 12, tzinfo=UTC), 11)
    assert partitions.ensure_partitions(pg_ctx, date(2098, 3, 1), start=date(2098, 3, 1)) == []
    # DEFAULT is attached again, still append-only
    _refused(pg_ctx, f"DELETE FROM audit_events WHERE id = {staying}")


def test_update_delete_and_truncate_are_refused_on_the_parent_and_each_partition(pg_ctx):
    partitions.ensure_partitions(pg_ctx, date(2026, 1, 1), start=date(2026, 1, 1))
    event = _insert(pg_ctx, datetime(2026, 1, 5, tzinfo=UTC))
    far = _insert(pg_ctx, datetime(2099, 1, 1, tzinfo=UTC))
    for table in ("audit_events", "audit_events_2026_01"):
        _refused(pg_ctx, f"UPDATE {table} SET actor = 'mallory' WHERE id = {event}")
        _refused(pg_ctx, f"DELETE FROM {table} WHERE id = {event}")
        _refused(pg_ctx, f"TRUNCATE {table} CASCADE")
    _refused(pg_ctx, f"DELETE FROM {partitions.DEFAULT_PARTITION} WHERE id = {far}")
    _refused(pg_ctx, f"TRUNCATE {partitions.DEFAULT_PARTITION}")
    triggers = pg_ctx.session.execute(text(
        "SELECT count(*) FROM pg_inherits i WHERE i.inhparent = 'audit_events'::regclass "
        "AND NOT EXISTS (SELECT 1 FROM pg_trigger t WHERE t.tgrelid = i.inhrelid "
        "AND t.tgname = 'audit_events_no_truncate')")).scalar_one()
    assert triggers == 0  # every partition refuses TRUNCATE by its own name


def test_archive_writes_whole_old_months_with_a_manifest_and_drops_only_those(pg_ctx,
                                                                               tmp_path):
    ctx = dataclasses.replace(pg_ctx, settings=dataclasses.replace(
        pg_ctx.settings, audit_retention_months=12))   # the clock: January 2026
    partitions.ensure_partitions(ctx, date(2020, 3, 1), start=date(2020, 1, 1))
    partitions.ensure_partitions(ctx, date(2025, 6, 1), start=date(2025, 6, 1))
    january = [_insert(ctx, datetime(2020, 1, day, 8, tzinfo=UTC), person_id=day)
               for day in (3, 9, 30)]
    _insert(ctx, datetime(2020, 2, 2, tzinfo=UTC))
    march = _insert(ctx, datetime(2020, 3, 2, tzinfo=UTC))
    recent = _insert(ctx, datetime(2025, 6, 1, tzinfo=UTC))  # within the 12 months

    result = retention.archive(ctx, date(2020, 3, 1), tmp_path)
    assert [m.month for m in result.months] == [date(2020, 1, 1), date(2020, 2, 1)]
    first = result.months[0]
    manifest = json.loads(first.manifest.read_text())
    assert manifest["rows"] == 3 == first.rows
    assert manifest["sha256"] == hashlib.sha256(first.file.read_bytes()).hexdigest()
    assert (manifest["first_id"], manifest["last_id"]) == (january[0], january[-1])
    with gzip.open(first.file, "rt") as lines:
        events = [json.loads(line) for line in lines]
    assert [e["id"] for e in events] == january
    assert events[0]["at"] == "2020-01-03T08:00:00+00:00" and events[0]["person_id"] == 3
    names = {p.name for p in partitions.partitions(ctx)}
    assert "audit_events_2020_01" not in names and "audit_events_2020_02" not in names
    assert _partition_of(ctx, march) == "audit_events_2020_03"

    # asked for far more: the months within the retention stay
    later = retention.archive(ctx, date(2099, 1, 1), tmp_path)
    assert later.kept_from == date(2025, 2, 1)
    assert [m.month for m in later.months] == [date(2020, 3, 1)]
    assert _partition_of(ctx, recent) == "audit_events_2025_06"
    assert ctx.session.execute(text("SELECT count(*) FROM audit_events WHERE at < "
                                    "'2021-01-01'")).scalar_one() == 0


def test_person_reads_are_that_persons_reads_in_the_period_newest_first(pg_ctx):
    partitions.ensure_partitions(pg_ctx, date(2026, 1, 1), start=date(2025, 10, 1))
    start, end = datetime(2025, 11, 1, tzinfo=UTC), datetime(2026, 1, 1, tzinfo=UTC)
    wanted = [_insert(pg_ctx, datetime(2025, 11, 2, tzinfo=UTC), kind="case_read"),
              _insert(pg_ctx, datetime(2025, 12, 24, tzinfo=UTC), kind="read_refused"),
              _insert(pg_ctx, datetime(2025, 11, 1, tzinfo=UTC), kind="plan_read")]
    _insert(pg_ctx, datetime(2025, 10, 31, 23, 59, tzinfo=UTC))         # before the period
    _insert(pg_ctx, end)                                                # its end is excluded
    _insert(pg_ctx, datetime(2025, 12, 1, tzinfo=UTC), kind="task_completed")  # not a read
    _insert(pg_ctx, datetime(2025, 12, 1, tzinfo=UTC), person_id=8)     # someone else
    events = read_log.person_reads(pg_ctx, 7, start, end)
    assert [e.id for e in events] == [wanted[1], wanted[0], wanted[2]]
    assert read_log.person_reads(pg_ctx, 7, start, end, limit=1)[0].id == wanted[1]


def test_person_reads_prunes_the_months_outside_the_period(pg_ctx):
    partitions.ensure_partitions(pg_ctx, date(2025, 12, 1), start=date(2025, 1, 1))
    plan = "\n".join(pg_ctx.session.execute(text(
        "EXPLAIN SELECT * FROM audit_events WHERE person_id = 7 AND at >= '2025-11-01Z' "
        "AND at < '2026-01-01Z' ORDER BY at DESC LIMIT 10")).scalars())
    assert "audit_events_2025_11" in plan and "audit_events_2025_12" in plan
    assert "audit_events_2025_10" not in plan


# --- the migration on a database of its own ---------------------------------------------------

def _migrate(engine, revision: str, down: bool = False) -> None:
    config = alembic_config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        (command.downgrade if down else command.upgrade)(config, revision)


@pytest.fixture
def migration_db():
    name = f"samflyt_test_audit_migration_{os.getpid()}"
    admin = create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        conn.execute(text(f"CREATE DATABASE {name}"))
    engine = create_engine(POSTGRES_ADMIN_URL.rsplit("/", 1)[0] + "/" + name)
    yield engine
    engine.dispose()
    with admin.connect() as conn:
        conn.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
    admin.dispose()


def _events(engine) -> list[tuple]:
    with engine.connect() as conn:
        return conn.execute(text("SELECT id, at, actor, kind, person_id FROM audit_events "
                                 "ORDER BY id")).all()


def test_the_migration_keeps_every_event_up_down_and_up_again(migration_db):
    _migrate(migration_db, "0016")
    now = datetime.now(UTC)
    with migration_db.begin() as conn:
        for at in (datetime(2019, 5, 1, tzinfo=UTC), now - timedelta(days=40), now):
            conn.execute(text("INSERT INTO audit_events (at, actor, kind, details, person_id) "
                              "VALUES (:at, 'kari', 'case_read', '{}', 3)"), {"at": at})
    before = _events(migration_db)
    _migrate(migration_db, "head")
    assert _events(migration_db) == before
    with migration_db.begin() as conn:
        assert conn.scalar(text("SELECT relkind FROM pg_class WHERE relname = "
                                "'audit_events'")) == "p"
        assert conn.scalar(text("SELECT tableoid::regclass::text FROM audit_events "
                                "WHERE id = :id"), {"id": before[0][0]}) == "audit_events_2019_05"
        new_id = conn.scalar(text("INSERT INTO audit_events (at, actor, kind, details) "
                                  "VALUES (now(), 'kari', 'x', '{}') RETURNING id"))
    assert new_id == before[-1][0] + 1  # the same sequence goes on
    after_up = _events(migration_db)
    _migrate(migration_db, "0016", down=True)
    assert _events(migration_db) == after_up
    with migration_db.begin() as conn:
        assert conn.scalar(text("SELECT relkind FROM pg_class WHERE relname = "
                                "'audit_events'")) == "r"
        assert conn.scalar(text("SELECT count(*) FROM pg_class WHERE relname LIKE "
                                "'audit_events_20%'")) == 0
        assert {r[0] for r in conn.execute(text(
            "SELECT tgname FROM pg_trigger WHERE tgrelid = 'audit_events'::regclass "
            "AND NOT tgisinternal"))} \
            == {"audit_events_append_only", "audit_events_no_truncate"}
        with pytest.raises(DBAPIError, match="append-only"), conn.begin_nested():
            conn.execute(text("DELETE FROM audit_events"))
    _migrate(migration_db, "head")
    assert _events(migration_db) == after_up
