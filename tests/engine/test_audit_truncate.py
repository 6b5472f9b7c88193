"""The append-only audit trail refuses TRUNCATE on PostgreSQL (row triggers do not see it)."""
import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from tests.db_support import empty_case_tables


@pytest.mark.postgres
def test_audit_events_cannot_be_truncated(postgres_env):
    with postgres_env.db_engine.connect() as conn, pytest.raises(DBAPIError,
                                                                 match="append-only"):
        conn.execute(text("TRUNCATE audit_events CASCADE"))


@pytest.mark.postgres
def test_the_test_cleanup_still_empties_the_trail_and_leaves_the_guard_on(postgres_env):
    with postgres_env.db_engine.begin() as conn:
        conn.execute(text("INSERT INTO audit_events (at, actor, kind, details) "
                          "VALUES (now(), 'test', 'test', '{}')"))
    empty_case_tables(postgres_env.db_engine)
    with postgres_env.db_engine.connect() as conn:
        assert conn.scalar(text("SELECT count(*) FROM audit_events")) == 0
        enabled = conn.scalars(text("SELECT tgenabled FROM pg_trigger "
                                    "WHERE tgname = 'audit_events_no_truncate'")).all()
    assert len(enabled) > 1 and set(enabled) == {"O"}  # on the parent and every partition
