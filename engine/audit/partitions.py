"""The month partitions of `audit_events` on PostgreSQL.

A partition holds one calendar month in UTC: `audit_events_2026_12` takes the events with
2026-12-01T00:00Z <= at < 2027-01-01T00:00Z. Partitions are made ahead of time (the migration
makes the months of the existing rows and MONTHS_AHEAD more; the daily maintenance keeps
MONTHS_AHEAD months ahead), so an event is written straight into its month.

The DEFAULT partition `audit_events_default` takes any event no month partition covers (a
clock far off, or maintenance that has not run for months): it is never refused. When
`ensure_partitions` creates a month for which the DEFAULT partition already holds rows, it
moves those rows into the new month in the same transaction (the DEFAULT partition is detached,
the rows copied unchanged, ids included, then removed from it, and it is attached again); the
event itself is never changed. Rows in DEFAULT for months that are never created (far in the
future) stay there.

Each partition gets the TRUNCATE trigger of the parent: PostgreSQL clones row triggers (the
refusal of UPDATE and DELETE) onto partitions, but not statement triggers, and a TRUNCATE of
a partition by its own name fires only that partition's triggers.
"""
from __future__ import annotations

import dataclasses
import re
from datetime import UTC, date, datetime

from sqlalchemy import text
from sqlalchemy.engine import Connection

PARENT = "audit_events"
DEFAULT_PARTITION = "audit_events_default"
#: The statement trigger that refuses TRUNCATE (migration 0010), on the parent and each partition.
TRUNCATE_TRIGGER = "audit_events_no_truncate"
#: The row trigger that refuses UPDATE and DELETE (migration 0001; cloned onto partitions).
ROW_TRIGGER = "audit_events_append_only"
#: Months made ahead of the current one.
MONTHS_AHEAD = 3
#: How long the daily maintenance waits for the lock on the parent table.
MAINTENANCE_LOCK_TIMEOUT = "5s"
#: The indexes of the partitioned table (name: columns): the case's history in order, the
#: person's read log over a period, the audit view by user over a period, the audit view of
#: one kind (emergency access, case reads) over a period. The primary key is (id, at).
INDEXES = {"ix_audit_case": ("case_id", "id"), "ix_audit_person": ("person_id", "at"),
           "ix_audit_actor": ("actor", "at"), "ix_audit_kind": ("kind", "at")}
#: The advisory lock that makes two makers of partitions take turns.
_LOCK = 0x5A_A0D1_7000
_NAME = re.compile(r"^audit_events_(\d{4})_(\d{2})$")


@dataclasses.dataclass(frozen=True)
class Partition:
    name: str
    month: date | None      # the first day of its month; None: the DEFAULT partition
    rows: int | None = None


def month_of(day: date) -> date:
    return date(day.year, day.month, 1)


def add_months(month: date, months: int) -> date:
    index = month.year * 12 + month.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def partition_name(month: date) -> str:
    return f"{PARENT}_{month.year:04d}_{month.month:02d}"


def month_of_name(name: str) -> date | None:
    """The month of a month partition's name; None for any other name."""
    match = _NAME.match(name)
    return date(int(match[1]), int(match[2]), 1) if match else None


def is_partition_name(name: str) -> bool:
    return name == DEFAULT_PARTITION or month_of_name(name) is not None


def bounds(month: date) -> tuple[datetime, datetime]:
    """The month's range of `at`: [first instant, first instant of the next month), UTC."""
    start = datetime(month.year, month.month, 1, tzinfo=UTC)
    end_month = add_months(month, 1)
    return start, datetime(end_month.year, end_month.month, 1, tzinfo=UTC)


def connection_of(ctx_or_connection) -> Connection:
    """The Connection of an engine context's session, or the Connection given."""
    session = getattr(ctx_or_connection, "session", None)
    return session.connection() if session is not None else ctx_or_connection


def is_partitioned(ctx_or_connection) -> bool:
    """Whether `audit_events` is a partitioned table (PostgreSQL after migration 0017)."""
    connection = connection_of(ctx_or_connection)
    if connection.dialect.name != "postgresql":
        return False
    return connection.scalar(text(
        "SELECT relkind FROM pg_class WHERE oid = to_regclass(:name)"), {"name": PARENT}) == "p"


def partitions(ctx_or_connection, count_rows: bool = False) -> list[Partition]:
    """The partitions, months in order and DEFAULT last (`count_rows`: with their exact row
    counts, which reads every partition)."""
    connection = connection_of(ctx_or_connection)
    names = connection.scalars(text(
        "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
        "WHERE i.inhparent = to_regclass(:parent)"), {"parent": PARENT}).all()
    found = sorted((Partition(name, month_of_name(name)) for name in names),
                   key=lambda p: (p.month is None, p.month or date.min, p.name))
    if not count_rows:
        return found
    return [dataclasses.replace(p, rows=connection.scalar(
        text(f'SELECT count(*) FROM "{p.name}"'))) for p in found]  # noqa: S608 - catalogue names


def ensure_partitions(ctx_or_connection, through: date, start: date | None = None) -> list[str]:
    """Make the month partitions up to `through`'s month, and the DEFAULT partition, where
    they are missing; the names of those made. Months from `start`'s month (default: the
    month after the newest month partition, so that months never have gaps, or `through`'s
    month when there is none). Idempotent; two callers at once take turns (an advisory lock
    held to the end of the transaction). Does nothing unless the table is partitioned."""
    connection = connection_of(ctx_or_connection)
    if not is_partitioned(connection):
        return []
    connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _LOCK})
    existing = partitions(connection)
    months = {p.month for p in existing if p.month is not None}
    made = []
    if not any(p.month is None for p in existing):
        connection.execute(text(f"CREATE TABLE {DEFAULT_PARTITION} PARTITION OF {PARENT} DEFAULT"))
        _guard_truncate(connection, DEFAULT_PARTITION)
        made.append(DEFAULT_PARTITION)
    last = month_of(through)
    month = month_of(start) if start else (add_months(max(months), 1) if months else last)
    while month <= last:
        if month not in months:
            _create_month(connection, month)
            made.append(partition_name(month))
        month = add_months(month, 1)
    return made


def _guard_truncate(connection: Connection, table: str) -> None:
    connection.execute(text(
        f"CREATE TRIGGER {TRUNCATE_TRIGGER} BEFORE TRUNCATE ON {table} "
        f"FOR EACH STATEMENT EXECUTE FUNCTION {ROW_TRIGGER}()"))


def _create_month(connection: Connection, month: date) -> None:
    """One month's partition; rows of that month waiting in DEFAULT are moved into it."""
    name = partition_name(month)
    start, end = bounds(month)
    waiting = connection.scalar(text(
        f"SELECT EXISTS (SELECT 1 FROM {DEFAULT_PARTITION} WHERE at >= :start AND at < :end)"),  # noqa: S608
        {"start": start, "end": end})
    create = text(f"CREATE TABLE {name} PARTITION OF {PARENT} "
                  f"FOR VALUES FROM ('{start.isoformat()}') TO ('{end.isoformat()}')")
    if not waiting:
        connection.execute(create)
        _guard_truncate(connection, name)
        return
    # DEFAULT holds rows of this month: PostgreSQL refuses the new partition while it does.
    # Detached, DEFAULT is a plain table whose cloned row trigger is gone; the rows are
    # copied through the parent into the new month, then removed from DEFAULT (with its
    # own triggers off for this statement's transaction), and DEFAULT is attached again.
    connection.execute(text(f"ALTER TABLE {PARENT} DETACH PARTITION {DEFAULT_PARTITION}"))
    connection.execute(create)
    _guard_truncate(connection, name)
    window = "at >= :start AND at < :end"
    connection.execute(text(
        f"INSERT INTO {PARENT} SELECT * FROM {DEFAULT_PARTITION} WHERE {window}"),  # noqa: S608
        {"start": start, "end": end})
    connection.execute(text(f"ALTER TABLE {DEFAULT_PARTITION} DISABLE TRIGGER USER"))
    connection.execute(text(f"DELETE FROM {DEFAULT_PARTITION} WHERE {window}"),  # noqa: S608
                       {"start": start, "end": end})
    connection.execute(text(f"ALTER TABLE {DEFAULT_PARTITION} ENABLE TRIGGER USER"))
    connection.execute(text(f"ALTER TABLE {PARENT} ATTACH PARTITION {DEFAULT_PARTITION} DEFAULT"))


def drop_month(connection: Connection, month: date) -> None:
    """Detach and drop one month's partition (only `retention.archive` calls this, after the
    month is written to its archive file)."""
    name = partition_name(month)
    connection.execute(text(f"ALTER TABLE {PARENT} DETACH PARTITION {name}"))
    connection.execute(text(f"DROP TABLE {name}"))


def maintain(ctx) -> list[str]:
    """The daily maintenance: the month partitions through MONTHS_AHEAD months after the
    current one (any month missed meanwhile too); the names of those made.

    Making a partition locks the parent table for a moment; a long query holding it makes
    the maintenance give up after MAINTENANCE_LOCK_TIMEOUT (an OperationalError) rather than
    make every new event wait behind it. There are months in hand: the next day's run makes
    them."""
    connection = connection_of(ctx)
    if not is_partitioned(connection):
        return []
    connection.execute(text(f"SET LOCAL lock_timeout = '{MAINTENANCE_LOCK_TIMEOUT}'"))
    return ensure_partitions(connection, add_months(month_of(ctx.today()), MONTHS_AHEAD))
