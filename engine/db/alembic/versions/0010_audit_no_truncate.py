"""audit events: TRUNCATE is refused too (PostgreSQL), not only UPDATE and DELETE

Row triggers do not fire on TRUNCATE, so the append-only trail could still be emptied with
one statement. A statement-level BEFORE TRUNCATE trigger raises, like the row trigger of
0001. (SQLite has no TRUNCATE.)

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-04 23:55:00
"""
from alembic import op

revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("""
            CREATE TRIGGER audit_events_no_truncate BEFORE TRUNCATE ON audit_events
            FOR EACH STATEMENT EXECUTE FUNCTION audit_events_append_only()""")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS audit_events_no_truncate ON audit_events")
