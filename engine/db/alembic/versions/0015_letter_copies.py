"""letter copies: each copy of a letter has its own written language (the recipient's
choice) and its own PDF, addressed to it, with its SHA-256

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-05 16:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('letter_recipients') as batch:
        batch.add_column(sa.Column('language', sa.String(2), nullable=True))
        batch.add_column(sa.Column('pdf', sa.LargeBinary(), nullable=True))
        batch.add_column(sa.Column('content_hash', sa.String(64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('letter_recipients') as batch:
        batch.drop_column('content_hash')
        batch.drop_column('pdf')
        batch.drop_column('language')
