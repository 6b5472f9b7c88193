"""Support for the access matrix (test_access_matrix.py): the relations a user can have to
a case, a world per (role, relation) built with engine operations, the recorders that tell
whether a request asked the access module, and the expectations generated from the rules
(engine/access/rules.py)."""
from __future__ import annotations

import dataclasses
import functools
from datetime import date

from sqlalchemy import func, select
from web_support import PASSWORD, Browser

from engine.access import overrides, rules
from engine.access.refusals import REFUSED_READ
from engine.accounts import credentials, users
from engine.accounts.roles import CASE_OFFICER, COORDINATING_UNIT
from engine.accounts.users import get_user
from engine.cases import casework
from engine.core.errors import PermissionDenied
from engine.db.models import (
    AccessOverride,
    AuditEvent,
    Case,
    Consent,
    HumanTask,
    Letter,
    Notice,
    Person,
    Plan,
    PlanMeeting,
    PlanParticipant,
)
from engine.definitions import store
from engine.letters import drafting
from engine.organisation import units as organisation
from engine.persons import registry
from engine.plans import coordinators, lifecycle, participants
from engine.worklist import humantasks

#: The matrix's relations of a user to a case.
NONE, SAME_UNIT, TASK_HOLDER, COORDINATOR = "none", "same_unit", "task_holder", "coordinator"
WITH_SCOPE, WITHOUT_SCOPE = "participant_with_scope", "participant_without_scope"
OVERRIDE, WAITS, LEADS = "override", "waits_for_coordinating_unit", "leads_unit"
RELATIONS = (NONE, SAME_UNIT, TASK_HOLDER, COORDINATOR, WITH_SCOPE, WITHOUT_SCOPE, OVERRIDE,
             WAITS, LEADS)
#: The matrix relation -> the relations of the rules (rules.RELATIONS) it stands for. A
#: plan's participants stand in no relation to the case: they read the plan within their
#: consent, never the case.
RULE_RELATIONS = {
    NONE: set(), SAME_UNIT: {rules.SAME_UNIT}, TASK_HOLDER: {rules.HOLDS_TASK},
    COORDINATOR: {rules.COORDINATES}, WITH_SCOPE: set(), WITHOUT_SCOPE: set(),
    OVERRIDE: {rules.OVERRIDDEN}, WAITS: {rules.WAITS_FOR_UNIT}, LEADS: {rules.LEADS},
}
assert set().union(*RULE_RELATIONS.values()) == set(rules.RELATIONS)  # every rule is reached

#: The case's responsible unit (the default unit, where saksbehandler1 registers) and the
#: other unit every matrix user joins unless the relation says otherwise.
CASE_UNIT = "forvaltningskontoret"
OTHER_UNIT = "matrise"
REGISTRAR = "saksbehandler1"
SUPERVISOR = "leder1"
PLAN_COORDINATOR = "koordinator2"

#: The public functions of the access module a request must reach (and the participant's
#: view of the plan), recorded per request.
ACCESS_FUNCTIONS = ("case_basis", "case_access", "task_access", "require_case",
                    "require_task", "reads_plan", "visible_cases", "visible_tasks",
                    "visible_persons", "visible_notices")


@functools.cache
def _password_hash() -> str:
    return credentials.hash_password(PASSWORD)


@dataclasses.dataclass
class World:
    """One case (a stafett case at its first task) with a person, a plan with two versions,
    a draft letter, and a user of `role` standing in `relation` to it."""
    role: str
    relation: str
    username: str
    case_id: int
    case_number: str
    task_id: int
    person_id: int
    person_name: str
    plan_id: int
    letter_id: int
    copy_id: int
    #: A participant who is no Samflyt user (NAV) with a consent, for the removal and the
    #: withdrawal; the other unit's id, for moving the case.
    nav_participant_id: int
    nav_consent_id: int
    other_unit_id: int
    #: A raised notice about the case, addressed to the user's role.
    notice_id: int
    #: The relations of the rules this world realises (an operation may refuse to make one:
    #: then it does not hold).
    rule_relations: set[str]

    @property
    def roles(self) -> frozenset[str]:
        return frozenset({self.role})

    @property
    def expected(self) -> rules.Access:
        """What the rules say: the whole expectation of the matrix comes from here."""
        return rules.decide(self.roles, self.rule_relations)

    @property
    def level(self) -> str | None:
        return self.expected.level

    @property
    def reads_plan(self) -> bool:
        """The whole plan: a reader of a linked case in full (the coordinator reads the
        case in full by the rules too)."""
        return self.level == rules.FULL

    @property
    def plan_sections(self) -> bool:
        """Some of the plan, as a participant within their consent."""
        return self.relation == WITH_SCOPE


def _unit(ctx, key: str):
    return organisation.find_unit(ctx, key) or organisation.add_unit(ctx, key, key.title(),
                                                                      "annen")


def make_user(env, role: str, relation: str) -> str:
    """The matrix's user of `role` for `relation`: in the case's unit for `same_unit`, in
    another unit otherwise."""
    username = f"m_{role}_{relation}"
    with env.unit_of_work() as ctx:
        _unit(ctx, OTHER_UNIT)
        unit = CASE_UNIT if relation == SAME_UNIT else OTHER_UNIT
        users.add_user(ctx, username, (role,), display_name=username,
                       trained_coordinator=role == "koordinator",
                       password_hash=_password_hash(), units=[unit])
    return username


def build(env, username: str, role: str, relation: str, serial: int) -> World:
    """A new world for the user of (`role`, `relation`); `serial` keeps names apart."""
    person_name = f"Matrise{serial}x{abs(hash((role, relation))) % 10_000} Nordmann"

    with env.unit_of_work() as ctx:
        officer = get_user(ctx, REGISTRAR)
        case = casework.start_case(ctx, {}, officer, process_key="stafett")
        person = registry.register(ctx, registry.PersonDetails(
            name=person_name, birth_date=date(1970, 3, 1)), "test")
        # The stafett process has no application form naming the person; intake would set
        # this from the form (no operation links a bare case to a person).
        case.person_id = person.id
        plan = lifecycle.open_for_case(ctx, case, "test").plan
        # The plan's goal and review date are drafted in a task's form; set them directly.
        plan.main_goal, plan.next_review = "Bo hjemme", date(2027, 1, 4)
        coordinators.appoint(ctx, plan, PLAN_COORDINATOR, "test")
        lifecycle.approve(ctx, plan, "test")
        plan.main_goal = "Bo trygt hjemme"
        lifecycle.approve(ctx, plan, "test")
        letter = drafting.draft(ctx, case, store.latest_version(ctx, "ip_sak"), "vedtak",
                                "vedtak", {"punkter": []}, {}, None, "test")
        nav = participants.add(ctx, plan, "test", name="NAV", role="Veileder")
        consent = participants.give_consent(
            ctx, plan, "test", participant_id=nav.id, scope="hele_planen",
            given_by_name="Matrise Nordmann", given_by_role="personen", given_on=ctx.today())
        # A reminder about the case for the user's role. No operation raises a notice on
        # demand (the deadline sweep does), so it is inserted as the sweep would; a warning,
        # not an escalation, so that it gives the coordinating unit no relation.
        notice = Notice(case_id=case.id, source_key=f"matrix-{serial}-{role}-{relation}",
                        kind="test_reminder", severity="warning", role=role,
                        case_number=case.case_number, status="raised", created_at=ctx.now(),
                        raised_at=ctx.now())
        ctx.session.add(notice)
        ctx.session.flush()
        ids = dict(notice_id=notice.id, case_id=case.id, case_number=case.case_number,
                   person_id=person.id,
                   plan_id=plan.id, letter_id=letter.id, copy_id=letter.recipients[0].id,
                   nav_participant_id=nav.id, nav_consent_id=consent.id,
                   other_unit_id=organisation.get_unit(ctx, OTHER_UNIT).id)

    with env.unit_of_work() as ctx:
        built = _relate(ctx, ids, username, role, relation, serial)
        [task] = humantasks.open_tasks(ctx, ids["case_id"])
        ids["task_id"] = task.id
    return World(role=role, relation=relation, username=username, person_name=person_name,
                 rule_relations=built, **ids)


def _relate(ctx, ids: dict, username: str, role: str, relation: str, serial: int
            ) -> set[str]:
    """Make `relation` hold between the user and the case; the rules' relations it made."""
    case = ctx.session.get(Case, ids["case_id"])
    plan = ctx.session.get(Plan, ids["plan_id"])
    supervisor = get_user(ctx, SUPERVISOR)
    [task] = humantasks.open_tasks(ctx, case.id)
    if relation == TASK_HOLDER:
        if task.candidate_role == role:
            humantasks.assign(ctx, task.id, supervisor, username)
        else:
            # No operation hands a task to a user outside its role; the rules' fact is
            # "holds a task of the case", whatever the role, so it is set directly.
            task.assignee = username
            ctx.session.flush()
    elif relation == COORDINATOR:
        coordinators.appoint(ctx, plan, username, "test")  # the plan's current coordinator
    elif relation in (WITH_SCOPE, WITHOUT_SCOPE):
        who = participants.add(ctx, plan, "test", name=username, role="Veileder",
                               username=username)
        if relation == WITH_SCOPE:
            participants.give_consent(ctx, plan, "test", participant_id=who.id,
                                      scope="hele_planen", given_by_name="Matrise Nordmann",
                                      given_by_role="personen", given_on=ctx.today())
    elif relation == OVERRIDE:
        try:
            overrides.grant(ctx, case.id, get_user(ctx, username),
                            "Legevakten trenger opplysningene nå")
        except PermissionDenied:  # the administrator is never granted emergency access
            return set()
    elif relation == WAITS:
        # The stafett's lanes: saksbehandler, leder, koordinerende_enhet: the case then
        # waits for the coordinating unit (an open task of its role).
        for actor in (REGISTRAR, SUPERVISOR):
            [step] = humantasks.open_tasks(ctx, case.id)
            humantasks.complete(ctx, step.id, get_user(ctx, actor), {"notat": "ok"})
        [step] = humantasks.open_tasks(ctx, case.id)
        assert step.candidate_role == COORDINATING_UNIT
    elif relation == LEADS:
        # A colleague in the user's (other) unit holds the case's task.
        colleague = f"{username}_c{serial}"
        users.add_user(ctx, colleague, (CASE_OFFICER,), units=[OTHER_UNIT])
        humantasks.assign(ctx, task.id, supervisor, colleague)
    return set(RULE_RELATIONS[relation])


def fingerprint(env, world: World) -> tuple:
    """What a write may change about the world: its rows' states and the audit events other
    than refused reads."""
    with env.unit_of_work() as ctx:
        session = ctx.session
        case = session.get(Case, world.case_id)
        tasks = tuple(session.execute(select(
            HumanTask.id, HumanTask.status, HumanTask.assignee, HumanTask.draft).where(
            HumanTask.case_id == world.case_id).order_by(HumanTask.id)).tuples())
        letters = tuple(session.execute(select(Letter.id, Letter.status).where(
            Letter.case_id == world.case_id).order_by(Letter.id)).tuples())
        letter = session.get(Letter, world.letter_id)
        copies = tuple((c.id, c.language, c.delivered_on) for c in letter.recipients)
        person = session.get(Person, world.person_id)
        plan = session.get(Plan, world.plan_id)
        counts = tuple(session.scalar(select(func.count()).select_from(model).where(
            model.plan_id == world.plan_id)) for model in (PlanMeeting, PlanParticipant,
                                                           Consent))
        withdrawn = tuple(session.scalars(select(Consent.withdrawn_at).where(
            Consent.plan_id == world.plan_id).order_by(Consent.id)))
        removed = tuple(session.scalars(select(PlanParticipant.removed_at).where(
            PlanParticipant.plan_id == world.plan_id).order_by(PlanParticipant.id)))
        granted = session.scalar(select(func.count()).select_from(AccessOverride).where(
            AccessOverride.case_id == world.case_id))
        events = session.scalar(select(func.count()).select_from(AuditEvent).where(
            AuditEvent.kind != REFUSED_READ,
            (AuditEvent.case_id == world.case_id)
            | (AuditEvent.person_id == world.person_id)))
        return (case.status, case.responsible_unit_id, case.coordinator, dict(case.facts or {}),
                tasks, letters, copies, person.name, person.version, plan.status, counts,
                withdrawn, removed, granted, events)


def refusals(env, world: World) -> int:
    """The refused reads by the world's user of its case or its person."""
    with env.unit_of_work() as ctx:
        return ctx.session.scalar(select(func.count()).select_from(AuditEvent).where(
            AuditEvent.kind == REFUSED_READ, AuditEvent.actor == world.username,
            (AuditEvent.case_id == world.case_id)
            | (AuditEvent.person_id == world.person_id)))


def clients(app, env, world: World):
    """(web, api): a signed-in browser and a client with the user's bearer token."""
    web = Browser(app).login(world.username)
    with env.unit_of_work() as ctx:
        token = credentials.issue_token(ctx, world.username)
    api = app.test_client()
    api.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {token}"
    return web, api
