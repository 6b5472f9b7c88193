"""The inbox page as one read: the rows of a view (from the human-task table only, never a
workflow), the count per view, the total for paging, the filter choices and who tasks can
be handed to. Also bulk claim and bulk reassign, one savepoint per task."""
from __future__ import annotations

import dataclasses
from datetime import date, datetime

from sqlalchemy import func, select

from engine.access import refusals, rules
from engine.accounts.roles import (
    NON_WORK_ROLES,
    SUPERVISOR_ROLES,
    role_for_lane,
)
from engine.core.errors import EngineError, InvalidInput, NotFound, PermissionDenied
from engine.core.messages import N_
from engine.db.models import Case, HumanTask, ProcessVersion, User
from engine.worklist import humantasks
from engine.worklist.humantasks import VIEWS, InboxFilter
from engine.worklist.pagefields import days_left, urgency

PER_PAGE_MAX = 200
#: The views' names (msgids), in the order the tabs show them.
VIEW_NAMES = {"mine": N_("Mine"), "roles": N_("Mine roller"), "unassigned": N_("Ikke tildelt"),
              "overdue": N_("Forfalt"), "completed": N_("Fullført av meg")}
#: A task's priority (1 most urgent, 5 least; task_rows.priority_of) in words (msgids).
PRIORITY_NAMES = {1: N_("Svært høy"), 2: N_("Høy"), 3: N_("Normal"), 4: N_("Lav"),
                  5: N_("Svært lav")}


@dataclasses.dataclass
class Row:
    task: HumanTask
    urgency: str | None       # overdue | soon | None
    days_left: int | None
    #: The case's person (None for a reader who sees cases without personal data), what it
    #: asks for (service keys) and when it was received.
    person_name: str | None = None
    services: tuple[str, ...] = ()
    received_on: date | None = None


@dataclasses.dataclass
class Worklist:
    view: str
    rows: list[Row]
    counts: dict[str, int]
    total: int
    page: int
    per_page: int
    processes: list[tuple[str, str]]     # (process key, name)
    task_names: list[str]
    assignees: list[tuple[str, str, list[str]]]   # (username, display name, roles)

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


def landing_view(counts: dict[str, int]) -> str:
    """The view an officer lands on: their own tasks, or, when they hold none, the tasks
    waiting for their roles (where new work arrives unclaimed)."""
    return "roles" if not counts["mine"] and counts["roles"] else "mine"


def worklist(ctx, user: User, view: str | None = "mine", filters: InboxFilter | None = None,
             page: int = 1, per_page: int = 50, soon_days: int = 3,
             with_choices: bool = True) -> Worklist:
    """One page of `view` (None: `landing_view`)."""
    counts = humantasks.inbox_counts(ctx, user)
    view = view or landing_view(counts)
    if view not in VIEWS:
        raise InvalidInput(N_("Ukjent visning"), {"view": N_("Velg en av fanene i innboksen")})
    per_page = max(1, min(per_page, PER_PAGE_MAX))
    page = max(1, page)
    filters = dataclasses.replace(filters or InboxFilter(), limit=per_page,
                                  offset=(page - 1) * per_page)
    tasks = humantasks.inbox(ctx, user, view, filters)
    total = humantasks.inbox_total(ctx, user, view, filters)
    now, tz = ctx.now(), ctx.settings.timezone
    about = _cases_of(ctx, user, {t.case_id for t in tasks})
    rows = [Row(t, urgency(t.due_at, now, soon_days) if t.status == "open" else None,
                days_left(t.due_at, now, tz), *about.get(t.case_id, (None, (), None)))
            for t in tasks]
    return Worklist(view=view, rows=rows, counts=counts, total=total,
                    page=page, per_page=per_page,
                    processes=process_choices(ctx) if with_choices else [],
                    task_names=task_name_choices(ctx, user) if with_choices else [],
                    assignees=assignable_users(ctx, user) if with_choices else [])


def _cases_of(ctx, user: User, case_ids: set[int]) -> dict[int, tuple]:
    """The page's cases' person, services and received date, in one query; the person's name
    only for a reader who may see personal data (not the administrator's limited view)."""
    if not case_ids:
        return {}
    named = rules.visible_cases(ctx, user)  # the name only where the case is read in full
    return {case_id: (name if readable else None,
                      tuple(services.split(",")) if services else (), received)
            for case_id, name, services, received, readable in ctx.session.execute(
                select(Case.id, Case.person_name, Case.services, Case.received_on,
                       named.label("readable"))
                .where(Case.id.in_(sorted(case_ids))))}


def process_choices(ctx) -> list[tuple[str, str]]:
    latest = (select(ProcessVersion.process_key, func.max(ProcessVersion.version).label("v"))
              .group_by(ProcessVersion.process_key).subquery())
    rows = ctx.session.execute(select(ProcessVersion.process_key, ProcessVersion.name).join(
        latest, (ProcessVersion.process_key == latest.c.process_key)
        & (ProcessVersion.version == latest.c.v)).order_by(ProcessVersion.name))
    return [(key, name) for key, name in rows]


def task_name_choices(ctx, user: User) -> list[str]:
    """Names of the user tasks in the newest deployed processes whose lanes are the user's
    roles (from the parsed specs, cached in memory: no scan of the task table)."""
    names: set[str] = set()
    latest = (select(ProcessVersion.process_key, func.max(ProcessVersion.version).label("v"))
              .group_by(ProcessVersion.process_key).subquery())
    versions = ctx.session.scalars(select(ProcessVersion).join(
        latest, (ProcessVersion.process_key == latest.c.process_key)
        & (ProcessVersion.version == latest.c.v)))
    roles = user.role_keys
    for version in versions:
        for spec in ctx.specs.get(version).all_task_specs():
            if getattr(spec, "manual", False) and spec.bpmn_name:
                lane = getattr(spec, "lane", None)
                if lane is None or (role_for_lane(lane) or lane) in roles:
                    names.add(spec.bpmn_name)
    return sorted(names)


def assignable_users(ctx, user: User) -> list[tuple[str, str, list[str]]]:
    """Active users who share a work role with `user` (everyone with a work role for a
    supervisor): the people a task can be handed to."""
    roles = user.role_keys
    everyone = bool(roles & SUPERVISOR_ROLES)
    found = []
    for other in ctx.session.scalars(select(User).where(User.active).order_by(User.username)):
        shared = set(other.roles) - NON_WORK_ROLES
        if shared and (everyone or shared & roles):
            found.append((other.username, other.display_name, sorted(other.roles)))
    return found


@dataclasses.dataclass
class BulkResult:
    done: list[int] = dataclasses.field(default_factory=list)
    #: task id -> why it failed: the field's own message when there is one (which user
    #: lacks which role), else the error's.
    failed: dict[int, str] = dataclasses.field(default_factory=dict)
    #: task id -> (task name, case number) of each failed task that exists, to name it.
    names: dict[int, tuple[str, str]] = dataclasses.field(default_factory=dict)


def _bulk(ctx, task_ids, operation, actor: User) -> BulkResult:
    result = BulkResult()
    for task_id in dict.fromkeys(task_ids):
        savepoint = ctx.session.begin_nested()
        try:
            operation(task_id)
            savepoint.commit()
            result.done.append(task_id)
        except EngineError as error:
            savepoint.rollback()
            details = getattr(error, "errors", None) or {}
            result.failed[task_id] = next(iter(details.values()), None) or error.message
            if isinstance(error, PermissionDenied):  # a refused read is logged, as elsewhere,
                refusals.record_refusal(ctx, actor.username, error, "inbox bulk")
                continue  # and the task is not named to someone who may not read it
            task = ctx.session.get(HumanTask, task_id)
            if task is not None:
                result.names[task_id] = (task.name, task.case_number)
    return result


def bulk_claim(ctx, task_ids: list[int], user: User) -> BulkResult:
    """Claim each task; one that fails (taken, wrong role) leaves the others claimed."""
    return _bulk(ctx, task_ids, lambda task_id: humantasks.claim(ctx, task_id, user), user)


def bulk_assign(ctx, task_ids: list[int], actor: User, assignee: str) -> BulkResult:
    if not assignee:
        raise InvalidInput(N_("Velg hvem oppgavene skal til"),
                           {"assignee": N_("Velg en bruker")})
    return _bulk(ctx, task_ids, lambda task_id: humantasks.assign(ctx, task_id, actor, assignee),
                 actor)


def held_by_colleagues(ctx, task_ids: list[int], actor: User, assignee: str
                       ) -> list[HumanTask]:
    """Of the tasks to give to `assignee`, those a colleague holds (to confirm first); a task
    that is gone or that the actor may not read is left to the operation to report."""
    held = []
    for task_id in dict.fromkeys(task_ids):
        try:
            task = humantasks.held_by_colleague(ctx, task_id, actor, assignee)
        except (NotFound, PermissionDenied):
            continue
        if task is not None:
            held.append(task)
    return held


def due_range(due_from: datetime | None, due_to: datetime | None) -> None:
    if due_from and due_to and due_from > due_to:
        raise InvalidInput(N_("Ugyldig periode"), {"due_to": N_("Til-dato er før fra-dato")})

