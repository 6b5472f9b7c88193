"""The migrations build exactly the models' schema, and the audit trail is append-only."""
import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from engine.audit import partitions
from engine.cases import audit, casework
from engine.db.models import Base
from engine.db.models.persons import POSTGRESQL_ONLY_INDEXES


def test_migrations_match_the_models(db_env):
    with db_env.db_engine.connect() as connection:
        on_postgresql = connection.dialect.name == "postgresql"

        def compared(obj, name, type_, reflected, compare_to):
            if type_ == "table" and partitions.is_partition_name(name):
                return False  # the audit trail's month partitions (engine/audit/partitions.py)
            return on_postgresql or type_ != "index" or name not in POSTGRESQL_ONLY_INDEXES

        context = MigrationContext.configure(connection, opts={"include_object": compared})
        assert compare_metadata(context, Base.metadata) == []


def test_audit_events_cannot_be_changed_or_deleted(ctx, make_user):
    officer = make_user("kari", "saksbehandler")
    case = casework.start_case(ctx, {}, officer, process_key="bench_two_user_tasks")
    ctx.session.flush()
    [first, *_] = audit.case_history(ctx, case.id)
    for statement in (f"UPDATE audit_events SET actor = 'mallory' WHERE id = {first.id}",
                      f"DELETE FROM audit_events WHERE id = {first.id}"):
        savepoint = ctx.session.begin_nested()
        with pytest.raises(DBAPIError, match="append-only"):
            ctx.session.execute(text(statement))
        savepoint.rollback()
