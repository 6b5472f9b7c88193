"""persons and plans: the person a case is about, their relations, and the individual plan
with its content, participants, consents, coordinators, meetings and versions

Existing cases get a person each from their application (`navn`, `fodselsdato`): one person
per name and birth date, since old cases carry no national number. Plans kept in running
cases' task data are carried over by engine/plans/carry_over.py (`samflyt plans carry-over`),
which reads workflow state and so cannot run inside a migration.

On PostgreSQL a trigram index (pg_trgm) serves search by part of a name.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-05 05:30:00
"""
from datetime import UTC, date, datetime

import sqlalchemy as sa
from alembic import op

revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None

OPEN_PLAN = "status <> 'avsluttet'"


def _id():
    return sa.Column('id', sa.Integer(), nullable=False, primary_key=True)


def _at(name, nullable=False):
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        'persons', _id(),
        sa.Column('national_id', sa.String(11), nullable=True, unique=True),
        sa.Column('id_kind', sa.String(10), nullable=True),
        sa.Column('name', sa.String(200), nullable=False),
        sa.Column('name_folded', sa.String(200), nullable=False),
        sa.Column('birth_date', sa.Date(), nullable=True),
        sa.Column('due_date', sa.Date(), nullable=True),
        sa.Column('address', sa.String(300), nullable=True),
        sa.Column('postal_code', sa.String(10), nullable=True),
        sa.Column('postal_place', sa.String(100), nullable=True),
        sa.Column('protection', sa.String(20), nullable=False),
        sa.Column('preferred_channel', sa.String(20), nullable=False),
        _at('created_at'), sa.Column('created_by', sa.String(80), nullable=False),
        _at('updated_at'), sa.Column('version', sa.Integer(), nullable=False))
    op.create_index('ix_persons_name_birth', 'persons', ['name_folded', 'birth_date'])
    op.create_table(
        'person_relations', _id(),
        sa.Column('person_id', sa.Integer(), sa.ForeignKey('persons.id'), nullable=False),
        sa.Column('related_id', sa.Integer(), sa.ForeignKey('persons.id'), nullable=False),
        sa.Column('kind', sa.String(20), nullable=False),
        sa.Column('parental_responsibility', sa.Boolean(), nullable=False),
        sa.Column('fullmakt_scope', sa.JSON(), nullable=True),
        sa.Column('fullmakt_signed_on', sa.Date(), nullable=True),
        sa.Column('fullmakt_document', sa.String(200), nullable=True),
        _at('created_at'), _at('ended_at', nullable=True),
        sa.UniqueConstraint('person_id', 'related_id', 'kind'))
    op.create_index('ix_person_relations_related', 'person_relations', ['related_id'])
    op.create_table(
        'plans', _id(),
        sa.Column('person_id', sa.Integer(), sa.ForeignKey('persons.id'), nullable=False),
        sa.Column('status', sa.String(20), nullable=False),
        sa.Column('opened_by_case_id', sa.Integer(), nullable=True),
        sa.Column('main_goal', sa.Text(), nullable=True),
        sa.Column('resources', sa.Text(), nullable=True),
        sa.Column('needs', sa.Text(), nullable=True),
        sa.Column('contributions', sa.JSON(), nullable=False),
        sa.Column('coordination', sa.Text(), nullable=True),
        sa.Column('cooperation', sa.Text(), nullable=True),
        sa.Column('period_from', sa.Date(), nullable=True),
        sa.Column('period_to', sa.Date(), nullable=True),
        sa.Column('next_review', sa.Date(), nullable=True),
        sa.Column('approved_version', sa.Integer(), nullable=False),
        _at('created_at'), sa.Column('created_by', sa.String(80), nullable=False),
        _at('ended_at', nullable=True), sa.Column('end_reason', sa.String(200), nullable=True),
        sa.Column('lock_version', sa.Integer(), nullable=False))
    op.create_index('uq_plans_one_open_per_person', 'plans', ['person_id'], unique=True,
                    postgresql_where=sa.text(OPEN_PLAN), sqlite_where=sa.text(OPEN_PLAN))
    op.create_index('ix_plans_review', 'plans', ['status', 'next_review'])
    op.create_table(
        'plan_goals', _id(),
        sa.Column('plan_id', sa.Integer(), sa.ForeignKey('plans.id'), nullable=False),
        sa.Column('position', sa.Integer(), nullable=False),
        sa.Column('text', sa.Text(), nullable=False),
        sa.Column('deadline', sa.Date(), nullable=True))
    op.create_index('ix_plan_goals_plan', 'plan_goals', ['plan_id', 'position'])
    op.create_table(
        'plan_measures', _id(),
        sa.Column('plan_id', sa.Integer(), sa.ForeignKey('plans.id'), nullable=False),
        sa.Column('position', sa.Integer(), nullable=False),
        sa.Column('what', sa.Text(), nullable=False),
        sa.Column('extent', sa.String(300), nullable=True),
        sa.Column('responsible', sa.String(200), nullable=False),
        sa.Column('how', sa.Text(), nullable=True),
        sa.Column('starts_on', sa.Date(), nullable=True),
        sa.Column('ends_on', sa.Date(), nullable=True),
        sa.Column('status', sa.String(20), nullable=False))
    op.create_index('ix_plan_measures_plan', 'plan_measures', ['plan_id', 'position'])
    op.create_table(
        'plan_participants', _id(),
        sa.Column('plan_id', sa.Integer(), sa.ForeignKey('plans.id'), nullable=False),
        sa.Column('name', sa.String(200), nullable=False),
        sa.Column('role', sa.String(200), nullable=False),
        sa.Column('person_id', sa.Integer(), sa.ForeignKey('persons.id'), nullable=True),
        sa.Column('username', sa.String(80), nullable=True),
        sa.Column('service', sa.String(200), nullable=True),
        sa.Column('consent_id', sa.Integer(), nullable=True),
        _at('added_at'), sa.Column('added_by', sa.String(80), nullable=False),
        sa.Column('added_by_case_id', sa.Integer(), sa.ForeignKey('cases.id'), nullable=True),
        _at('removed_at', nullable=True))
    op.create_index('ix_plan_participants_plan', 'plan_participants', ['plan_id'])
    op.create_index('ix_plan_participants_user', 'plan_participants', ['username'])
    op.create_table(
        'consents', _id(),
        sa.Column('plan_id', sa.Integer(), sa.ForeignKey('plans.id'), nullable=False),
        sa.Column('participant_id', sa.Integer(), sa.ForeignKey('plan_participants.id'),
                  nullable=True),
        sa.Column('scope', sa.String(20), nullable=False),
        sa.Column('sections', sa.JSON(), nullable=False),
        sa.Column('given_by_person_id', sa.Integer(), sa.ForeignKey('persons.id'),
                  nullable=True),
        sa.Column('given_by_name', sa.String(200), nullable=False),
        sa.Column('given_by_role', sa.String(20), nullable=False),
        sa.Column('given_on', sa.Date(), nullable=False),
        sa.Column('expires_on', sa.Date(), nullable=True),
        _at('withdrawn_at', nullable=True),
        sa.Column('withdrawn_by', sa.String(80), nullable=True),
        sa.Column('renewal_due', sa.Boolean(), nullable=False),
        sa.Column('recorded_by', sa.String(80), nullable=False), _at('recorded_at'))
    op.create_index('ix_consents_plan', 'consents', ['plan_id', 'participant_id'])
    op.create_index('ix_consents_expiry', 'consents', ['expires_on'])
    op.create_table(
        'plan_coordinators', _id(),
        sa.Column('plan_id', sa.Integer(), sa.ForeignKey('plans.id'), nullable=False),
        sa.Column('username', sa.String(80), nullable=False),
        sa.Column('from_on', sa.Date(), nullable=False),
        sa.Column('to_on', sa.Date(), nullable=True),
        sa.Column('appointed_by', sa.String(80), nullable=False))
    op.create_index('ix_plan_coordinators_plan', 'plan_coordinators', ['plan_id', 'from_on'])
    op.create_index('ix_plan_coordinators_user', 'plan_coordinators', ['username', 'to_on'])
    op.create_table(
        'plan_meetings', _id(),
        sa.Column('plan_id', sa.Integer(), sa.ForeignKey('plans.id'), nullable=False),
        sa.Column('held_on', sa.Date(), nullable=False),
        sa.Column('attendees', sa.JSON(), nullable=False),
        sa.Column('minutes', sa.Text(), nullable=False),
        sa.Column('recorded_by', sa.String(80), nullable=False), _at('recorded_at'))
    op.create_index('ix_plan_meetings_plan', 'plan_meetings', ['plan_id', 'held_on'])
    op.create_table(
        'plan_action_items', _id(),
        sa.Column('meeting_id', sa.Integer(), sa.ForeignKey('plan_meetings.id'),
                  nullable=False),
        sa.Column('plan_id', sa.Integer(), sa.ForeignKey('plans.id'), nullable=False),
        sa.Column('what', sa.Text(), nullable=False),
        sa.Column('responsible_name', sa.String(200), nullable=False),
        sa.Column('responsible_username', sa.String(80), nullable=True),
        sa.Column('due_on', sa.Date(), nullable=True),
        sa.Column('case_id', sa.Integer(), sa.ForeignKey('cases.id'), nullable=True),
        sa.Column('human_task_id', sa.Integer(), sa.ForeignKey('human_tasks.id'),
                  nullable=True))
    op.create_index('ix_plan_action_items_meeting', 'plan_action_items', ['meeting_id'])
    op.create_table(
        'plan_versions', _id(),
        sa.Column('plan_id', sa.Integer(), sa.ForeignKey('plans.id'), nullable=False),
        sa.Column('number', sa.Integer(), nullable=False),
        _at('approved_at'), sa.Column('approved_by', sa.String(80), nullable=False),
        sa.Column('case_id', sa.Integer(), sa.ForeignKey('cases.id'), nullable=True),
        sa.Column('snapshot', sa.JSON(), nullable=False),
        sa.UniqueConstraint('plan_id', 'number'))
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.add_column(sa.Column('person_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('received_on', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('services', sa.String(60), nullable=True))
        batch_op.add_column(sa.Column('applicant_person_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('applicant_relation', sa.String(20), nullable=True))
        batch_op.add_column(sa.Column('applicant_without_fullmakt', sa.Boolean(),
                                      nullable=False, server_default=sa.false()))
        batch_op.add_column(sa.Column('plan_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key('fk_cases_person', 'persons', ['person_id'], ['id'])
        batch_op.create_foreign_key('fk_cases_applicant', 'persons', ['applicant_person_id'],
                                    ['id'])
        batch_op.create_foreign_key('fk_cases_plan', 'plans', ['plan_id'], ['id'])
        batch_op.create_index('ix_cases_person_id', ['person_id'])
        batch_op.create_index('ix_cases_plan_id', ['plan_id'])
        batch_op.create_index('ix_cases_received', ['received_on', 'id'])
    op.add_column('audit_events', sa.Column('person_id', sa.Integer(), nullable=True))
    op.create_index('ix_audit_person', 'audit_events', ['person_id', 'id'])
    if op.get_bind().dialect.name == "postgresql":
        op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        op.execute("CREATE INDEX ix_persons_name_trgm ON persons "
                   "USING gin (name_folded gin_trgm_ops)")
    _persons_from_cases()


def _persons_from_cases() -> None:
    """One person per name and birth date of the cases registered so far."""
    bind = op.get_bind()
    cases = sa.table('cases', sa.column('id'), sa.column('data', sa.JSON),
                     sa.column('person_name'), sa.column('person_id'),
                     sa.column('received_on'), sa.column('services'))
    persons = sa.table('persons', *(sa.column(c) for c in (
        'id', 'name', 'name_folded', 'birth_date', 'protection', 'preferred_channel',
        'created_at', 'created_by', 'updated_at', 'version')))
    known: dict[tuple[str, object], int] = {}
    now = datetime.now(UTC)
    for case_id, data, name in bind.execute(sa.select(cases.c.id, cases.c.data,
                                                      cases.c.person_name)).all():
        data = data or {}
        name = (name or data.get("navn") or "Ukjent").strip()[:200]
        born = _date(data.get("fodselsdato"))
        key = (name.casefold(), born)
        if key not in known:
            known[key] = bind.execute(persons.insert().values(
                name=name, name_folded=name.casefold(), birth_date=born, protection="none",
                preferred_channel="digital", created_at=now, created_by="migrering",
                updated_at=now, version=1).returning(persons.c.id)).scalar_one()
        asked = ",".join(key for key, field in (("ip", "onsker_ip"),
                                                ("koordinator", "onsker_koordinator"),
                                                ("barnekoordinator", "onsker_barnekoordinator"))
                         if data.get(field))
        bind.execute(cases.update().where(cases.c.id == case_id).values(
            person_id=known[key], received_on=_date(data.get("mottatt_dato")),
            services=asked or None))


def _date(value):
    try:
        return date.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return None


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP INDEX IF EXISTS ix_persons_name_trgm")
    op.drop_index('ix_audit_person', 'audit_events')
    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.drop_column('person_id')
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.drop_index('ix_cases_received')
        batch_op.drop_index('ix_cases_plan_id')
        batch_op.drop_index('ix_cases_person_id')
        batch_op.drop_constraint('fk_cases_plan', type_='foreignkey')
        batch_op.drop_constraint('fk_cases_applicant', type_='foreignkey')
        batch_op.drop_constraint('fk_cases_person', type_='foreignkey')
        for column in ('plan_id', 'applicant_without_fullmakt', 'applicant_relation',
                       'applicant_person_id', 'services', 'received_on', 'person_id'):
            batch_op.drop_column(column)
    for table in ('plan_versions', 'plan_action_items', 'plan_meetings', 'plan_coordinators',
                  'consents', 'plan_participants', 'plan_measures', 'plan_goals', 'plans',
                  'person_relations', 'persons'):
        op.drop_table(table)
