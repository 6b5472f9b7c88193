"""audit events: partitioned by month on PostgreSQL; indexes for reads over a period

PostgreSQL: `audit_events` becomes a table PARTITION BY RANGE (at) with one partition per
month (engine/audit/partitions.py) and a DEFAULT partition; the primary key is (id, at) (a
partitioned table's unique keys must hold the partition key). The existing rows are copied
over unchanged, ids included, and the id sequence goes on. The append-only triggers are made
on the new parent (the row trigger is cloned onto every partition; the TRUNCATE trigger is
made on each partition too).

Both databases: the person's index is (person_id, at) instead of (person_id, id), for the
person's read log over a period, and (actor, at) and (kind, at) are added for the coordinating
unit's audit view. SQLite's table is otherwise unchanged.

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-05 18:00:00
"""
from collections.abc import Mapping
from datetime import UTC, date, datetime

from alembic import op
from sqlalchemy import text

revision = '0017'
down_revision = '0016'
branch_labels = None
depends_on = None

COLUMNS = "id, case_id, at, actor, kind, details, person_id"
OLD = "audit_events_before_0017"
NEW_INDEXES = {"ix_audit_person": ("person_id", "at"), "ix_audit_actor": ("actor", "at"),
               "ix_audit_kind": ("kind", "at")}
#: The partitioned table's indexes (as engine/audit/partitions.py INDEXES was at 0017: this
#: migration keeps its own copy of what it needs, so later changes there do not change it).
INDEXES = {"ix_audit_case": ("case_id", "id"), **NEW_INDEXES}
#: Months made after the current one.
MONTHS_AHEAD = 3


def _add_months(month: date, months: int) -> date:
    index = month.year * 12 + month.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def _make_partitions(first: date, last: date) -> None:
    """DEFAULT and one partition per month from `first` through `last` (first days), each
    with the TRUNCATE guard (the row trigger is cloned from the parent)."""
    tables = ["audit_events_default"]
    op.execute("CREATE TABLE audit_events_default PARTITION OF audit_events DEFAULT")
    month = first
    while month <= last:
        end = _add_months(month, 1)
        name = f"audit_events_{month.year:04d}_{month.month:02d}"
        start_at = datetime(month.year, month.month, 1, tzinfo=UTC).isoformat()
        end_at = datetime(end.year, end.month, 1, tzinfo=UTC).isoformat()
        op.execute(f"CREATE TABLE {name} PARTITION OF audit_events "
                   f"FOR VALUES FROM ('{start_at}') TO ('{end_at}')")
        tables.append(name)
        month = end
    for table in tables:
        op.execute(f"""CREATE TRIGGER audit_events_no_truncate BEFORE TRUNCATE ON {table}
                       FOR EACH STATEMENT EXECUTE FUNCTION audit_events_append_only()""")


def _column_defs(primary_key: str) -> str:
    return f"""
        id integer NOT NULL DEFAULT nextval('audit_events_id_seq'::regclass),
        case_id integer CONSTRAINT audit_events_case_id_fkey REFERENCES cases (id),
        at timestamp with time zone NOT NULL,
        actor varchar(80) NOT NULL,
        kind varchar(40) NOT NULL,
        details json NOT NULL,
        person_id integer,
        CONSTRAINT audit_events_pkey PRIMARY KEY ({primary_key})"""


def _append_only(table: str) -> None:
    op.execute(f"""CREATE TRIGGER audit_events_append_only BEFORE UPDATE OR DELETE ON {table}
                   FOR EACH ROW EXECUTE FUNCTION audit_events_append_only()""")
    op.execute(f"""CREATE TRIGGER audit_events_no_truncate BEFORE TRUNCATE ON {table}
                   FOR EACH STATEMENT EXECUTE FUNCTION audit_events_append_only()""")


def _set_aside_old_table() -> None:
    """Rename the current table out of the way; its index and key names are free again."""
    op.execute("ALTER SEQUENCE audit_events_id_seq OWNED BY NONE")
    op.execute(f"ALTER TABLE audit_events RENAME TO {OLD}")
    op.execute("DROP INDEX ix_audit_case, ix_audit_person")
    for index in ("ix_audit_actor", "ix_audit_kind"):
        op.execute(f"DROP INDEX IF EXISTS {index}")
    op.execute(f"ALTER TABLE {OLD} DROP CONSTRAINT audit_events_pkey")
    op.execute(f"ALTER TABLE {OLD} DROP CONSTRAINT audit_events_case_id_fkey")


def _move_rows_and_finish(indexes: Mapping[str, tuple[str, ...]]) -> None:
    op.execute(f"INSERT INTO audit_events ({COLUMNS}) SELECT {COLUMNS} FROM {OLD} "  # noqa: S608
               "ORDER BY id")
    op.execute(f"DROP TABLE {OLD}")
    op.execute("ALTER SEQUENCE audit_events_id_seq OWNED BY audit_events.id")
    for name, columns in indexes.items():
        op.execute(f"CREATE INDEX {name} ON audit_events ({', '.join(columns)})")


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        with op.batch_alter_table('audit_events') as batch:
            batch.drop_index('ix_audit_person')
            for name, columns in NEW_INDEXES.items():
                batch.create_index(name, list(columns))
        return
    _set_aside_old_table()
    op.execute(f"CREATE TABLE audit_events ({_column_defs('id, at')}) PARTITION BY RANGE (at)")
    _append_only("audit_events")
    today = datetime.now(UTC).date()
    oldest = bind.scalar(text(f"SELECT min(at) FROM {OLD}"))  # noqa: S608
    first = min(oldest.astimezone(UTC).date(), today) if oldest else today
    # the months of the existing rows (a row whose month is missing would go to DEFAULT),
    # this month and the next few
    _make_partitions(first.replace(day=1), _add_months(today.replace(day=1), MONTHS_AHEAD))
    _move_rows_and_finish(INDEXES)


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        with op.batch_alter_table('audit_events') as batch:
            for name in NEW_INDEXES:
                batch.drop_index(name)
            batch.create_index('ix_audit_person', ['person_id', 'id'])
        return
    _set_aside_old_table()
    op.execute(f"CREATE TABLE audit_events ({_column_defs('id')})")
    _append_only("audit_events")
    _move_rows_and_finish({"ix_audit_case": ("case_id", "id"),
                           "ix_audit_person": ("person_id", "id")})
