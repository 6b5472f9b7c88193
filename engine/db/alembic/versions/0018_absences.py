"""absences: an officer's absence with a stand-in who receives their tasks for the period

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-05 20:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0018'
down_revision = '0017'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'absences',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('username', sa.String(80), nullable=False),
        sa.Column('stand_in', sa.String(80), nullable=False),
        sa.Column('starts_on', sa.Date(), nullable=False),
        sa.Column('ends_on', sa.Date(), nullable=False),
        sa.Column('created_by', sa.String(80), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('ended_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('ended_by', sa.String(80), nullable=True))
    op.create_index('ix_absences_username', 'absences', ['username', 'ends_on'])


def downgrade() -> None:
    op.drop_index('ix_absences_username', table_name='absences')
    op.drop_table('absences')
