"""cases: the idempotency key a start was sent with, unique per user

A retried or resubmitted start with the same key returns the first case instead of
making a second one.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-05 01:30:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.add_column(sa.Column('idempotency_key', sa.String(length=100), nullable=True))
        batch_op.create_unique_constraint('uq_cases_idempotency_key',
                                          ['created_by', 'idempotency_key'])


def downgrade() -> None:
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.drop_constraint('uq_cases_idempotency_key', type_='unique')
        batch_op.drop_column('idempotency_key')
