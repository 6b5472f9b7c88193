"""Who may see a case and its tasks, as levels:

- ``"full"``: the case with the person's data (the application, the plan, form values);
- ``"limited"``: the case's course (tasks, who holds them, deadlines, notices), no personal
  data;
- ``None``: nothing; the case and its tasks answer 403.

A task is seen exactly as its case is seen, so the task page, the task API, the case page and
the inbox give one answer. The rules (roles as groups from engine/accounts/roles.py):

- the case-working roles (`CASEWORK_ROLES`) read every case in full;
- a coordinator (`COORDINATOR_ROLES`) reads in full the cases they coordinate (the case's
  coordinator, or the current coordinator of the plan the case opened or joined) or work
  on: holds or held a task of, or may take one (an open task of their role nobody holds);
- the overview roles (`OVERVIEW_ROLES`, the administrator) read every case limited;
- everyone else nothing.

Handing over a task a colleague holds is for supervisors (`SUPERVISOR_ROLES`); a worker of
the task's role may hand over a task nobody holds or one they hold themselves.
"""
from __future__ import annotations

from sqlalchemy import ColumnElement, and_, exists, false, or_, select, true
from sqlalchemy.orm import aliased

from engine.accounts.roles import (
    CASEWORK_ROLES,
    COORDINATOR_ROLES,
    OVERVIEW_ROLES,
    SUPERVISOR_ROLES,
    holds_any,
)
from engine.core.errors import NotFound, PermissionDenied
from engine.core.messages import N_
from engine.db.models import Case, HumanTask, PlanCoordinator, User

FULL = "full"
LIMITED = "limited"


def case_access(ctx, case: Case, user: User) -> str | None:
    """The level at which `user` may see `case` (see the module's docstring)."""
    roles = user.role_keys
    if holds_any(roles, CASEWORK_ROLES):
        return FULL
    if holds_any(roles, COORDINATOR_ROLES) and (case.coordinator == user.username
                                                or _coordinates_plan(ctx, case, user)
                                                or _works_on(ctx, case.id, user)):
        return FULL
    if holds_any(roles, OVERVIEW_ROLES):
        return LIMITED
    return None


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


def visible_tasks(user: User) -> ColumnElement[bool]:
    """The inbox's filter: the tasks whose case `user` may see (the rules above, in SQL)."""
    roles = user.role_keys
    if holds_any(roles, CASEWORK_ROLES) or holds_any(roles, OVERVIEW_ROLES):
        return true()
    if not holds_any(roles, COORDINATOR_ROLES):
        return false()
    other = aliased(HumanTask)
    coordinated = select(Case.id).where(Case.coordinator == user.username)
    return or_(HumanTask.case_id.in_(coordinated),
               exists().where(other.case_id == HumanTask.case_id,
                              _relation(other, user)))


def reads_every_case(user: User) -> bool:
    """The case-working roles read every case in full (and may search all persons)."""
    return holds_any(user.role_keys, CASEWORK_ROLES)


def visible_cases(user: User) -> ColumnElement[bool]:
    """The cases `user` may read in full (the rules above, in SQL): what search and the case
    list show, since a hit shows the person's name."""
    roles = user.role_keys
    if holds_any(roles, CASEWORK_ROLES):
        return true()
    if not holds_any(roles, COORDINATOR_ROLES):
        return false()
    return or_(Case.coordinator == user.username,
               Case.plan_id.in_(_plans_coordinated(user)),
               exists().where(HumanTask.case_id == Case.id, _relation(HumanTask, user)))


def _plans_coordinated(user: User):
    return select(PlanCoordinator.plan_id).where(PlanCoordinator.username == user.username,
                                                 PlanCoordinator.to_on.is_(None))


def _coordinates_plan(ctx, case: Case, user: User) -> bool:
    """The user coordinates the plan the case opened or joined."""
    return case.plan_id is not None and ctx.session.scalar(select(PlanCoordinator.id).where(
        PlanCoordinator.plan_id == case.plan_id, PlanCoordinator.username == user.username,
        PlanCoordinator.to_on.is_(None)).limit(1)) is not None


def _refused(error: PermissionDenied, case_id: int, task_id: int | None = None
             ) -> PermissionDenied:
    error.refused_case, error.refused_task = case_id, task_id
    return error


def _works_on(ctx, case_id: int, user: User) -> bool:
    """Holds, held or may take a task of the case."""
    return bool(ctx.session.scalar(select(exists().where(
        HumanTask.case_id == case_id, _relation(HumanTask, user)))))


def _relation(task, user: User) -> ColumnElement[bool]:
    return or_(task.assignee == user.username, task.completed_by == user.username,
               and_(task.status == "open", task.assignee.is_(None),
                    task.candidate_role.in_(sorted(user.role_keys))))
