"""letters: the letters of a case (decision, interim reply, an appeal's notices) and their
recipients, each copy with its channel, shipment id and dates; the person's written language

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-05 12:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None


def _at(name, nullable=False):
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.add_column('persons', sa.Column('written_language', sa.String(2), nullable=True))
    op.create_table(
        'letters',
        sa.Column('id', sa.Integer(), nullable=False, primary_key=True),
        sa.Column('case_id', sa.Integer(), sa.ForeignKey('cases.id'), nullable=False),
        sa.Column('person_id', sa.Integer(), sa.ForeignKey('persons.id'), nullable=True),
        sa.Column('kind', sa.String(40), nullable=False),
        sa.Column('template', sa.String(100), nullable=False),
        sa.Column('version_id', sa.Integer(), sa.ForeignKey('process_versions.id'),
                  nullable=False),
        sa.Column('language', sa.String(2), nullable=False),
        sa.Column('status', sa.String(20), nullable=False),
        sa.Column('facts', sa.JSON(), nullable=False),
        sa.Column('free_text', sa.JSON(), nullable=False),
        sa.Column('task_id', sa.Integer(), sa.ForeignKey('human_tasks.id'), nullable=True),
        sa.Column('corrects_id', sa.Integer(), sa.ForeignKey('letters.id'), nullable=True),
        _at('created_at'), sa.Column('created_by', sa.String(80), nullable=False),
        _at('approved_at', nullable=True),
        sa.Column('approved_by', sa.String(80), nullable=True),
        sa.Column('pdf', sa.LargeBinary(), nullable=True),
        sa.Column('content_hash', sa.String(64), nullable=True),
        sa.Column('delivered_on', sa.Date(), nullable=True),
        sa.Column('version', sa.Integer(), nullable=False))
    op.create_index('ix_letters_case', 'letters', ['case_id', 'id'])
    op.create_table(
        'letter_recipients',
        sa.Column('id', sa.Integer(), nullable=False, primary_key=True),
        sa.Column('letter_id', sa.Integer(), sa.ForeignKey('letters.id'), nullable=False),
        sa.Column('person_id', sa.Integer(), sa.ForeignKey('persons.id'), nullable=True),
        sa.Column('name', sa.String(200), nullable=False),
        sa.Column('relation', sa.String(20), nullable=False),
        sa.Column('channel', sa.String(20), nullable=True),
        sa.Column('status', sa.String(20), nullable=False),
        sa.Column('shipment_id', sa.String(36), nullable=False),
        sa.Column('external_id', sa.String(100), nullable=True),
        sa.Column('posted_on', sa.Date(), nullable=True),
        sa.Column('delivered_on', sa.Date(), nullable=True),
        sa.Column('read_on', sa.Date(), nullable=True),
        sa.Column('delivery_source', sa.String(20), nullable=True),
        sa.Column('attempts', sa.Integer(), nullable=False),
        sa.Column('last_error', sa.Text(), nullable=True),
        sa.UniqueConstraint('shipment_id'))
    op.create_index('ix_letter_recipients_letter', 'letter_recipients', ['letter_id'])


def downgrade() -> None:
    op.drop_table('letter_recipients')
    op.drop_table('letters')
    op.drop_column('persons', 'written_language')
