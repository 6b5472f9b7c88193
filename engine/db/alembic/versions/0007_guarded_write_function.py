"""PostgreSQL: a function that makes a guarded write fail inside the server

A guarded write (an UPDATE that must touch exactly one row: the optimistic version check) is
sent as `WITH changed AS (UPDATE ... RETURNING 1) SELECT samflyt_expect_one_row(...)`, so a
lost race aborts the transaction in the server, and the step's writes and its COMMIT can
travel in one round trip (engine/db/fastpath/driver.py). SQLite checks the row count at
once instead.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-03 13:45:00
"""
from alembic import op

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("""
            CREATE OR REPLACE FUNCTION samflyt_expect_one_row(touched bigint, message text)
            RETURNS integer LANGUAGE plpgsql AS $$
            BEGIN
                IF touched <> 1 THEN
                    RAISE EXCEPTION USING ERRCODE = 'SF409', MESSAGE = message;
                END IF;
                RETURN 1;
            END $$""")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION IF EXISTS samflyt_expect_one_row(bigint, text)")
