"""human tasks: the "not claimed" deadline on the task row instead of a pending notice per task

A task's claim deadline was a pending `task_unclaimed` notice written when the task was made,
one row per task in `notices`, each visited by the sweep when due even if the task had long
been claimed. It is now `human_tasks.claim_due_at`; the sweep raises the notice from the task
row when it passes (engine/deadlines.py). Pending notices written before stay and are raised
or resolved as before.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-03 14:40:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('human_tasks', schema=None) as batch_op:
        batch_op.add_column(sa.Column('claim_due_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.create_index('ix_human_tasks_claim', ['status', 'claim_due_at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('human_tasks', schema=None) as batch_op:
        batch_op.drop_index('ix_human_tasks_claim')
        batch_op.drop_column('claim_due_at')
