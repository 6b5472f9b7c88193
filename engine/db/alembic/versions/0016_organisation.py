"""organisation: units, their members, a case's responsible unit, emergency access

Existing data keeps working as before: one unit, «Forvaltningskontoret» (the default unit,
SAMFLYT_DEFAULT_UNIT), which every existing user with a work role joins as their home unit
and which becomes every existing case's responsible unit.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-05 17:00:00
"""
import json
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None

DEFAULT_UNIT = ("forvaltningskontoret", "Forvaltningskontoret", "forvaltningskontor")
#: Roles that do casework (engine/accounts/roles.py at the time of this migration).
WORK_ROLES = ("saksbehandler", "leder", "koordinerende_enhet", "koordinator")


def _at(name):
    return sa.Column(name, sa.DateTime(timezone=True), nullable=False)


def upgrade() -> None:
    units = op.create_table(
        'units',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('key', sa.String(60), nullable=False, unique=True),
        sa.Column('name', sa.String(200), nullable=False),
        sa.Column('kind', sa.String(40), nullable=False),
        sa.Column('active', sa.Boolean(), nullable=False),
        _at('created_at'))
    members = op.create_table(
        'unit_members',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('unit_id', sa.Integer(), sa.ForeignKey('units.id'), nullable=False),
        sa.Column('username', sa.String(80), nullable=False),
        sa.Column('home', sa.Boolean(), nullable=False),
        _at('added_at'),
        sa.UniqueConstraint('unit_id', 'username'))
    op.create_index('ix_unit_members_username', 'unit_members', ['username'])
    op.create_table(
        'access_overrides',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('username', sa.String(80), nullable=False),
        sa.Column('case_id', sa.Integer(), sa.ForeignKey('cases.id'), nullable=False),
        sa.Column('person_id', sa.Integer(), nullable=True),
        sa.Column('reason', sa.Text(), nullable=False),
        _at('granted_at'), _at('expires_at'))
    op.create_index('ix_access_overrides_user_case', 'access_overrides',
                    ['username', 'case_id'])
    with op.batch_alter_table('users') as batch:
        batch.add_column(sa.Column('unit_ids', sa.JSON(), nullable=False,
                                   server_default='[]'))
    with op.batch_alter_table('cases') as batch:
        batch.add_column(sa.Column('responsible_unit_id', sa.Integer(), nullable=True))
        batch.create_foreign_key('fk_cases_responsible_unit', 'units',
                                 ['responsible_unit_id'], ['id'])
        batch.create_index('ix_cases_responsible_unit_id', ['responsible_unit_id'])

    bind = op.get_bind()
    now = datetime.now(UTC)
    key, name, kind = DEFAULT_UNIT
    op.bulk_insert(units, [{"key": key, "name": name, "kind": kind, "active": True,
                            "created_at": now}])
    unit_id = bind.execute(sa.text("SELECT id FROM units WHERE key = :key"),
                           {"key": key}).scalar_one()
    users = bind.execute(sa.text("SELECT username, roles FROM users")).all()
    rows = []
    for username, roles in users:
        if isinstance(roles, str):
            roles = json.loads(roles)
        if set(roles or ()) & set(WORK_ROLES):
            rows.append({"unit_id": unit_id, "username": username, "home": True,
                         "added_at": now})
    if rows:
        op.bulk_insert(members, rows)
        copy = sa.text("UPDATE users SET unit_ids = :ids WHERE username = :name").bindparams(
            sa.bindparam("ids", type_=sa.JSON))
        bind.execute(copy, [{"ids": [unit_id], "name": row["username"]} for row in rows])
    bind.execute(sa.text("UPDATE cases SET responsible_unit_id = :unit"), {"unit": unit_id})


def downgrade() -> None:
    with op.batch_alter_table('cases') as batch:
        batch.drop_index('ix_cases_responsible_unit_id')
        batch.drop_constraint('fk_cases_responsible_unit', type_='foreignkey')
        batch.drop_column('responsible_unit_id')
    with op.batch_alter_table('users') as batch:
        batch.drop_column('unit_ids')
    op.drop_index('ix_access_overrides_user_case', 'access_overrides')
    op.drop_table('access_overrides')
    op.drop_index('ix_unit_members_username', 'unit_members')
    op.drop_table('unit_members')
    op.drop_table('units')
