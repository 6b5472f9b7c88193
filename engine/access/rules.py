"""Who may read a case and its tasks, and why: access follows the need (helsepersonelloven
§ 21 a). Levels:

- ``"full"``: the case with the person's data (the application, the plan, form values);
- ``"limited"``: the case's course (tasks, who holds them, deadlines, notices), no personal
  data: the supervisors (who hand tasks over) and the administrator;
- ``None``: nothing; the case and its tasks answer 403 (and the refusal is logged).

A user reads a case in full (the basis, `why`, goes into the read log) when they

- have a case-working role in its responsible unit (`unit`);
- hold or held a task in it, or may take one of its open tasks for a role that is not a
  case-working role (a coordinator's task nobody holds) (`task`);
- are its coordinator, or coordinate the plan it opened or joined (`coordinator`);
- are in the coordinating unit and the case waits for it (an open task of its role: the
  appointment) or carries an escalation not yet resolved (`coordinating_unit`);
- lead the responsible unit, or a unit whose member holds, held or coordinates it (`leader`);
- were granted emergency access to it that has not expired (`override`,
  engine/access/overrides.py).

A plan's participants read the plan within their consent, never the case
(engine/plans/plan_page.py). A task is seen exactly as its case is seen, so the task page,
the task API, the case page and the inbox give one answer; `visible_cases` and
`visible_tasks` are the same rules in SQL, for search and the inbox.

Handing over a task a colleague holds is for supervisors (`SUPERVISOR_ROLES`); a worker of
the task's role may hand over a task nobody holds or one they hold themselves.
"""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import ColumnElement, and_, bindparam, exists, or_, select, true
from sqlalchemy.orm import aliased

from engine.accounts.roles import (
    CASEWORK_ROLES,
    COORDINATING_UNIT,
    OVERVIEW_ROLES,
    SUPERVISOR_ROLES,
    holds_any,
)
from engine.accounts.roles import LEADER as LEADER_ROLE
from engine.core.errors import NotFound, PermissionDenied
from engine.core.messages import N_
from engine.db.models import (
    AccessOverride,
    Case,
    HumanTask,
    Notice,
    Person,
    Plan,
    PlanCoordinator,
    UnitMember,
    User,
)
from engine.notices import notice_board
from engine.organisation import units

FULL = "full"
LIMITED = "limited"
#: The bases of full access, as the read log names them.
UNIT, TASK, COORDINATOR, COORDINATING, LEADER, OVERRIDE = (
    "unit", "task", "coordinator", "coordinating_unit", "leader", "override")
#: A notice that carries an escalation until it is resolved.
ESCALATION = "escalation"
OPEN_NOTICE = (notice_board.RAISED, notice_board.ACKNOWLEDGED)


@dataclass(frozen=True)
class Access:
    level: str | None
    #: Why (for full access): one of the bases above.
    why: str | None = None


#: A user's relations to a case, the facts the rules read (`relations_of`).
SAME_UNIT, HOLDS_TASK, COORDINATES, WAITS_FOR_UNIT, LEADS, OVERRIDDEN = (
    "same_unit", "task", "coordinates", "waits_for_coordinating_unit", "leads_unit",
    "override")
RELATIONS = (SAME_UNIT, HOLDS_TASK, COORDINATES, WAITS_FOR_UNIT, LEADS, OVERRIDDEN)


@dataclass(frozen=True)
class Rule:
    """Full access on `basis` for a user who holds one of `roles` (None: any role) and
    stands in `relation` to the case."""
    basis: str
    roles: frozenset[str] | None
    relation: str


#: The rules, in the order they are tried (the first that holds names the basis). The
#: access matrix test generates its expectations from this table.
RULES: tuple[Rule, ...] = (
    Rule(UNIT, CASEWORK_ROLES, SAME_UNIT),
    Rule(TASK, None, HOLDS_TASK),
    Rule(COORDINATOR, None, COORDINATES),
    Rule(COORDINATING, frozenset({COORDINATING_UNIT}), WAITS_FOR_UNIT),
    Rule(LEADER, frozenset({LEADER_ROLE}), LEADS),
    Rule(OVERRIDE, None, OVERRIDDEN),
)
#: Who sees every case's course without the person's data when no rule gives full access.
LIMITED_ROLES = SUPERVISOR_ROLES | OVERVIEW_ROLES


def decide(roles: set[str] | frozenset[str], relations: set[str]) -> Access:
    """The rules applied to a user's roles and their relations to a case."""
    for rule in RULES:
        if rule.relation in relations and (rule.roles is None or roles & rule.roles):
            return Access(FULL, rule.basis)
    return Access(LIMITED) if roles & LIMITED_ROLES else Access(None)


_KNOWN = "samflyt_case_access"

#: What the rules after the unit rule ask about one case, in one statement built once (its
#: compiled form is cached): holds, held or may take a task (`takeable`: the user's roles that
#: are not case-working); coordinates the case's plan; the case waits for the coordinating
#: unit or carries an open escalation; a member of a unit the user leads (`led`) holds or
#: held a task or coordinates it; emergency access not expired.
_LED_MEMBERS = select(UnitMember.username).where(
    UnitMember.unit_id.in_(bindparam("led", expanding=True)))
_FACTS = select(
    exists().where(HumanTask.case_id == bindparam("case_id"), or_(
        HumanTask.assignee == bindparam("username"),
        HumanTask.completed_by == bindparam("username"),
        and_(HumanTask.status == "open", HumanTask.assignee.is_(None),
             HumanTask.candidate_role.in_(bindparam("takeable", expanding=True))))
    ).label("task"),
    exists().where(PlanCoordinator.plan_id == bindparam("plan_id"),
                   PlanCoordinator.username == bindparam("username"),
                   PlanCoordinator.to_on.is_(None)).label("plan"),
    exists().where(HumanTask.case_id == bindparam("case_id"), HumanTask.status == "open",
                   HumanTask.candidate_role == COORDINATING_UNIT).label("waiting"),
    exists().where(Notice.case_id == bindparam("case_id"), Notice.severity == ESCALATION,
                   Notice.status.in_(OPEN_NOTICE)).label("escalated"),
    exists().where(HumanTask.case_id == bindparam("case_id"),
                   or_(HumanTask.assignee.in_(_LED_MEMBERS),
                       HumanTask.completed_by.in_(_LED_MEMBERS))).label("led_task"),
    exists().where(UnitMember.unit_id.in_(bindparam("led", expanding=True)),
                   UnitMember.username == bindparam("coordinator")).label("led_coordinator"),
    exists().where(AccessOverride.username == bindparam("username"),
                   AccessOverride.case_id == bindparam("case_id"),
                   AccessOverride.expires_at > bindparam("now")).label("override"),
)
#: Aliases of the SQL rules, made once (an alias made per call costs more than the query).
_TASK, _HELD, _WAITING_TASK = (aliased(HumanTask, name=n) for n in ("acc_task", "acc_held",
                                                                      "acc_waiting"))
_NOTICE, _MEMBER = aliased(Notice, name="acc_notice"), aliased(UnitMember, name="acc_member")
_PLAN, _ANY_CASE, _LINKED = (aliased(Plan, name="acc_plan"), aliased(Case, name="acc_any"),
                             aliased(Case, name="acc_linked"))


def case_basis(ctx, case: Case, user: User) -> Access:
    """The level at which `user` may see `case`, and why (see the module's docstring). Full
    access found is kept for the rest of the unit of work (the page asks, then logs why)."""
    known = ctx.session.info.setdefault(_KNOWN, {})
    found = known.get((case.id, user.username))
    if found is None:
        found = _basis(ctx, case, user)
        if found.level == FULL:
            known[(case.id, user.username)] = found
    return found


def _basis(ctx, case: Case, user: User) -> Access:
    roles = user.role_keys
    if RULES[0].roles is not None and roles & RULES[0].roles and (
            case.responsible_unit_id in units.unit_ids(user)):
        return Access(FULL, UNIT)  # the common case: no statement beyond the user's units
    return decide(roles, relations_of(ctx, case, user))


def relations_of(ctx, case: Case, user: User) -> set[str]:
    """The user's relations to `case` (RELATIONS), in one prepared statement."""
    roles = user.role_keys
    mine = units.unit_ids(user)
    led = sorted(mine) if LEADER_ROLE in roles else []
    facts = ctx.session.execute(_FACTS, {
        "case_id": case.id, "username": user.username, "plan_id": case.plan_id or 0,
        "takeable": sorted(roles - CASEWORK_ROLES), "led": led,
        "coordinator": case.coordinator or "", "now": ctx.now()}).one()
    same_unit = case.responsible_unit_id in mine
    found = {
        SAME_UNIT: same_unit,
        HOLDS_TASK: facts.task,
        COORDINATES: case.coordinator == user.username or facts.plan,
        WAITS_FOR_UNIT: facts.waiting or facts.escalated,
        LEADS: bool(led) and (same_unit or facts.led_task or facts.led_coordinator),
        OVERRIDDEN: facts.override,
    }
    return {relation for relation, holds in found.items() if holds}


def case_access(ctx, case: Case, user: User) -> str | None:
    """The level at which `user` may see `case`."""
    return case_basis(ctx, case, user).level


def task_access(ctx, task: HumanTask, user: User) -> str | None:
    """A task is seen as its case is seen."""
    case = ctx.session.get(Case, task.case_id)
    return case_access(ctx, case, user) if case is not None else None


def require_case(ctx, case_id: int, user: User) -> tuple[Case, str]:
    """The case and the user's level; NotFound or PermissionDenied otherwise."""
    case = ctx.session.get(Case, case_id)
    if case is None:
        raise NotFound(N_("Fant ikke sak %(case)s"), case=case_id)
    level = case_access(ctx, case, user)
    if level is None:
        raise _refused(PermissionDenied(N_("Du har ikke tilgang til denne saken")),
                       case.id)
    return case, level


def require_task(ctx, task: HumanTask, user: User) -> str:
    """The user's level for `task`; PermissionDenied when they may not see it."""
    level = task_access(ctx, task, user)
    if level is None:
        raise _refused(PermissionDenied(N_("Du har ikke tilgang til denne oppgaven")),
                       task.case_id, task.id)
    return level


def may_assign(user: User, task: HumanTask) -> bool:
    """Whether `user` may hand `task` to someone: supervisors always; a worker of the task's
    role only a task nobody holds or they hold themselves, never a colleague's."""
    if task.status != "open":
        return False
    if holds_any(user.role_keys, SUPERVISOR_ROLES):
        return True
    return task.candidate_role in user.role_keys and task.assignee in (None, user.username)


def sees_every_course(user: User) -> bool:
    """Supervisors and the administrator see every case's course (limited, no personal
    data): the inbox shows them every task."""
    return holds_any(user.role_keys, LIMITED_ROLES)


def visible_tasks(ctx, user: User) -> ColumnElement[bool]:
    """The inbox's filter: the tasks whose case `user` may see (the rules above, in SQL)."""
    if sees_every_course(user):
        return true()
    return exists().where(Case.id == HumanTask.case_id, visible_cases(ctx, user))


def visible_cases(ctx, user: User) -> ColumnElement[bool]:
    """The cases `user` may read in full (the rules above, in SQL): what search, the case
    list and the person's page show, since a hit shows the person's name."""
    roles = user.role_keys
    mine = sorted(units.unit_ids(user))
    task = _TASK
    clauses: list[ColumnElement[bool]] = [
        Case.coordinator == user.username,
        Case.plan_id.in_(_plans_coordinated(user)),
        exists().where(task.case_id == Case.id, _relation(task, user)),
        Case.id.in_(select(AccessOverride.case_id).where(
            AccessOverride.username == user.username, AccessOverride.expires_at > ctx.now())),
    ]
    if holds_any(roles, CASEWORK_ROLES) and mine:
        clauses.append(Case.responsible_unit_id.in_(mine))
    if COORDINATING_UNIT in roles:
        clauses.append(_waiting_clause(Case.id))
    if LEADER_ROLE in roles and mine:  # a leader leads the units they belong to
        member = _MEMBER
        led_members = select(member.username).where(member.unit_id.in_(mine))
        held = _HELD
        clauses += [Case.coordinator.in_(led_members),
                    exists().where(held.case_id == Case.id,
                                   or_(held.assignee.in_(led_members),
                                       held.completed_by.in_(led_members)))]
    return or_(*clauses)


def visible_notices(ctx, user: User) -> ColumnElement[bool]:
    """The notices `user` may see of those addressed to them or their roles (in SQL, on
    `Notice`): one addressed to them by name, and one about a case they read in full;
    supervisors and the administrator see every case's course, notices too."""
    if sees_every_course(user):
        return true()
    return or_(Notice.username == user.username,
               exists().where(Case.id == Notice.case_id, visible_cases(ctx, user)))


def visible_persons(ctx, user: User) -> ColumnElement[bool]:
    """The persons `user` may read (in SQL, on `Person`): those with a case the user reads
    in full, or whose plan they coordinate; for the case-working roles also a person with
    no case yet (registered to receive an application: the register's data only)."""
    plan, any_case = _PLAN, _ANY_CASE
    clauses: list[ColumnElement[bool]] = [
        exists().where(Case.person_id == Person.id, visible_cases(ctx, user)),
               exists().where(plan.person_id == Person.id,
                              plan.id.in_(_plans_coordinated(user)))]
    if holds_any(user.role_keys, CASEWORK_ROLES):
        clauses.append(~exists().where(any_case.person_id == Person.id))
    return or_(*clauses)


def reads_plan(ctx, plan: Plan, user: User) -> bool:
    """Whether `user` reads the whole plan: they coordinate it, or read in full a case that
    opened or joined it; a plan no case is linked to (carried over from before Samflyt)
    follows its person (`visible_persons`)."""
    linked = _LINKED
    is_linked = or_(linked.plan_id == plan.id, linked.id == plan.opened_by_case_id)
    return bool(ctx.session.scalar(select(or_(
        exists().where(PlanCoordinator.plan_id == plan.id,
                       PlanCoordinator.username == user.username,
                       PlanCoordinator.to_on.is_(None)),
        exists().where(or_(Case.plan_id == plan.id, Case.id == plan.opened_by_case_id),
                       visible_cases(ctx, user)),
        and_(~exists().where(is_linked),
             exists().where(Person.id == plan.person_id, visible_persons(ctx, user)))))))


def _plans_coordinated(user: User):
    return select(PlanCoordinator.plan_id).where(PlanCoordinator.username == user.username,
                                                 PlanCoordinator.to_on.is_(None))


def _refused(error: PermissionDenied, case_id: int, task_id: int | None = None
             ) -> PermissionDenied:
    error.refused_case, error.refused_task = case_id, task_id
    return error


def _relation(task, user: User) -> ColumnElement[bool]:
    """Holds or held `task`, or may take it: open, nobody holds it, and its role is one of
    the user's that is not a case-working role (those read by the unit rule)."""
    takeable = sorted(user.role_keys - CASEWORK_ROLES)
    clauses = [task.assignee == user.username, task.completed_by == user.username]
    if takeable:
        clauses.append(and_(task.status == "open", task.assignee.is_(None),
                            task.candidate_role.in_(takeable)))
    return or_(*clauses)


def _waiting_clause(case_id) -> ColumnElement[bool]:
    """The case waits for the coordinating unit (an open task of its role) or carries an
    escalation not yet resolved."""
    task, notice = _WAITING_TASK, _NOTICE
    return or_(exists().where(task.case_id == case_id, task.status == "open",
                              task.candidate_role == COORDINATING_UNIT),
               exists().where(notice.case_id == case_id, notice.severity == ESCALATION,
                              notice.status.in_(OPEN_NOTICE)))
