"""Human tasks: the inbox queries (rows only, no workflow is deserialised), claim,
unclaim, assign, drafts, and completion with form validation and optimistic concurrency."""
from __future__ import annotations

import dataclasses
import logging
from datetime import datetime
from typing import cast
from uuid import UUID

from SpiffWorkflow.task import TaskState
from sqlalchemy import bindparam, func, or_, select

from engine.access import rules
from engine.accounts import stand_ins
from engine.accounts.roles import SUPERVISOR_ROLES, role_label
from engine.cases import audit
from engine.cases.coordinator import appoint_coordinator
from engine.core.context import GoesOn, NewTask
from engine.core.errors import ConflictError, InvalidInput, NotFound, PermissionDenied
from engine.core.messages import N_, Message
from engine.db import fastpath
from engine.db.models import Case, HumanTask, ProcessInstance, ProcessVersion, User
from engine.deadlines import task_deadlines
from engine.definitions import store
from engine.letters import steps as letter_steps
from engine.plans import steps as plan_steps
from engine.workflow import conflicts, loading, step
from engine.worklist.forms import check_completion, check_draft

log = logging.getLogger(__name__)

VIEWS = ("mine", "roles", "unassigned", "overdue", "completed")


@dataclasses.dataclass
class InboxFilter:
    process_key: str | None = None
    name: str | None = None
    case_number: str | None = None
    due_from: datetime | None = None
    due_to: datetime | None = None
    priority: int | None = None
    sort: str = "due"  # due | priority | created
    limit: int = 100
    offset: int = 0


def _view_query(ctx, user: User, view: str):
    roles = user.role_keys
    query = select(HumanTask).where(rules.visible_tasks(ctx, user))
    if view == "mine":
        return query.where(HumanTask.status == "open", HumanTask.assignee == user.username)
    if view == "roles":
        return query.where(HumanTask.status == "open", HumanTask.candidate_role.in_(roles))
    if view == "unassigned":
        return query.where(HumanTask.status == "open", HumanTask.candidate_role.in_(roles),
                           HumanTask.assignee.is_(None))
    if view == "overdue":
        return query.where(HumanTask.status == "open", HumanTask.due_at < ctx.now(),
                           or_(HumanTask.assignee == user.username,
                               HumanTask.candidate_role.in_(roles)
                               & HumanTask.assignee.is_(None)))
    if view == "completed":
        return query.where(HumanTask.completed_by == user.username)
    raise InvalidInput(N_("Ukjent visning «%(view)s»"), {"view": Message(
        N_("Velg en av %(choices)s"), choices=VIEWS)}, view=view)


def _filtered(query, filters: InboxFilter):
    if filters.process_key:
        query = query.where(HumanTask.process_key == filters.process_key)
    if filters.name:
        query = query.where(HumanTask.name == filters.name)
    if filters.case_number:
        query = query.where(HumanTask.case_number == filters.case_number)
    if filters.due_from:
        query = query.where(HumanTask.due_at >= filters.due_from)
    if filters.due_to:
        query = query.where(HumanTask.due_at <= filters.due_to)
    if filters.priority:
        query = query.where(HumanTask.priority == filters.priority)
    return query


def inbox(ctx, user: User, view: str = "mine", filters: InboxFilter | None = None
          ) -> list[HumanTask]:
    filters = filters or InboxFilter()
    query = _filtered(_view_query(ctx, user, view), filters)
    if view == "completed":
        order = [HumanTask.completed_at.desc(), HumanTask.id.desc()]
    elif filters.sort == "priority":
        order = [HumanTask.priority, HumanTask.due_at.asc().nulls_last(), HumanTask.id]
    elif filters.sort == "created":
        order = [HumanTask.created_at.desc(), HumanTask.id.desc()]
    else:
        order = [HumanTask.due_at.asc().nulls_last(), HumanTask.priority, HumanTask.id]
    query = query.order_by(*order).limit(min(filters.limit, 500)).offset(filters.offset)
    return list(ctx.session.scalars(query))


def inbox_total(ctx, user: User, view: str, filters: InboxFilter | None = None) -> int:
    """How many tasks the view holds with these filters (for paging)."""
    query = _filtered(_view_query(ctx, user, view), filters or InboxFilter())
    return ctx.session.scalar(query.with_only_columns(func.count(HumanTask.id)).order_by(None))


def inbox_counts(ctx, user: User) -> dict[str, int]:
    counts = {}
    for view in VIEWS:
        query = _view_query(ctx, user, view).with_only_columns(func.count(HumanTask.id))
        counts[view] = ctx.session.scalar(query.order_by(None))
    return counts


_OPEN_OF_CASE = (select(HumanTask)
                 .where(HumanTask.case_id == bindparam("case_id"), HumanTask.status == "open")
                 .order_by(HumanTask.created_at, HumanTask.id))
#: The task with everything a completion needs, in one read (a workflow step: through the
#: persistence interface). On PostgreSQL the task's and the instance's rows stay locked until
#: the commit (SQLite's writer lock covers the transaction), so a second officer waits and
#: then reads the completed task: a clear conflict, and the step's writes can go with the
#: COMMIT.
_TASK_FOR_COMPLETION = fastpath.Query.rows(
    HumanTask, ProcessInstance, Case, ProcessVersion,
    shape=lambda query: query
    .select_from(HumanTask)
    .join(ProcessInstance, ProcessInstance.id == HumanTask.instance_id)
    .join(Case, Case.id == ProcessInstance.case_id)
    .join(ProcessVersion, ProcessVersion.id == ProcessInstance.process_version_id)
    .where(HumanTask.id == bindparam("task_id"))
    .with_for_update(of=[HumanTask.__table__, ProcessInstance.__table__]))


def open_tasks(ctx, case_id: int) -> list[HumanTask]:
    return list(ctx.session.scalars(_OPEN_OF_CASE, {"case_id": case_id}))


def get_task(ctx, task_id: int) -> HumanTask:
    task = ctx.session.get(HumanTask, task_id)
    if task is None:
        raise NotFound(N_("Fant ikke oppgave %(task)s"), task=task_id)
    return task


def can_work_on(user: User, task: HumanTask) -> bool:
    return task.candidate_role in user.role_keys and task.assignee in (None, user.username)


def why_not(user: User, task: HumanTask) -> Message | None:
    """Why `user` cannot work on `task`, in words; None when they can."""
    if task.status != "open":
        return Message(N_("Oppgaven er fullført") if task.status == "completed"
                       else N_("Oppgaven er avbrutt"))
    if task.candidate_role not in user.role_keys:
        return Message(N_("Oppgaven venter på rollen «%(role)s»"),
                       role=role_label(task.candidate_role))
    if task.assignee not in (None, user.username):
        return Message(N_("Oppgaven er tatt av %(user)s"), user=task.assignee)
    return None


def held_by_colleague(ctx, task_id: int, actor: User, assignee: str | None = None
                      ) -> HumanTask | None:
    """The task, when giving it to `assignee` (the actor when None) would take it from a
    colleague who holds it (neither the actor nor the assignee): the web UI asks the actor
    to confirm that first. None otherwise. A task of a case the actor may not read is
    refused as elsewhere."""
    task = get_task(ctx, task_id)
    rules.require_task(ctx, task, actor)
    if task.status == "open" and task.assignee not in (None, actor.username,
                                                        assignee or actor.username):
        return task
    return None


def _check_version(task: HumanTask, expected_version: int | None) -> None:
    if task.status != "open":
        raise ConflictError(N_("Oppgaven «%(name)s» er allerede fullført")
                            if task.status == "completed"
                            else N_("Oppgaven «%(name)s» er allerede avbrutt"), name=task.name)
    if expected_version is not None and expected_version != task.version:
        raise ConflictError(N_("Oppgaven «%(name)s» er endret siden du åpnet den"), name=task.name)


def _flush(ctx) -> None:
    with conflicts.lost_race_is_conflict(N_("Oppgaven ble endret av noen andre samtidig")):
        ctx.session.flush()


@conflicts.conflict_safe
def claim(ctx, task_id: int, user: User, expected_version: int | None = None) -> HumanTask:
    task = get_task(ctx, task_id)
    rules.require_task(ctx, task, user)  # a task of a case the user may not read is not theirs
    _check_version(task, expected_version)
    if task.candidate_role not in user.role_keys:
        raise PermissionDenied(cast(Message, why_not(user, task)))  # the check above is a reason
    if task.assignee == user.username:
        return task
    if task.assignee is not None:
        raise ConflictError(N_("Oppgaven er allerede tatt av %(user)s"), user=task.assignee)
    task.assignee, task.claim_due_at = user.username, None
    audit.record(ctx, _case(ctx, task), user.username, "task_claimed", task=task.id, name=task.name)
    _flush(ctx)
    return task


def may_unclaim(user: User, task: HumanTask) -> bool:
    """Who may put a task back in its role's queue: whoever holds it, or a supervisor."""
    return task.assignee == user.username or bool(user.role_keys & SUPERVISOR_ROLES)


@conflicts.conflict_safe
def unclaim(ctx, task_id: int, user: User, expected_version: int | None = None) -> HumanTask:
    task = get_task(ctx, task_id)
    rules.require_task(ctx, task, user)
    _check_version(task, expected_version)
    if not may_unclaim(user, task):
        raise PermissionDenied(N_("Bare den som har tatt oppgaven kan legge den tilbake"))
    if task.assignee is None:
        return task
    previous, task.assignee = task.assignee, None
    audit.record(ctx, _case(ctx, task), user.username, "task_unclaimed", task=task.id,
                 name=task.name, previous=previous)
    _flush(ctx)
    task_deadlines.rearm_unclaimed(ctx, task)  # back in the queue: "not claimed" watches it again
    return task


@conflicts.conflict_safe
def assign(ctx, task_id: int, actor: User, assignee: str,
           expected_version: int | None = None) -> HumanTask:
    task = get_task(ctx, task_id)
    rules.require_task(ctx, task, actor)
    _check_version(task, expected_version)
    if not rules.may_assign(actor, task):
        if task.assignee is not None and task.candidate_role in actor.role_keys:
            raise PermissionDenied(N_("Oppgaven er tatt av %(user)s; bare en leder kan gi "
                                      "den til en annen"), user=task.assignee)
        raise PermissionDenied(N_("Du kan ikke tildele oppgaver for rollen «%(role)s»"),
                               role=role_label(task.candidate_role))
    target = ctx.session.scalar(select(User).where(User.username == assignee, User.active))
    if target is None:
        raise InvalidInput(N_("Ukjent bruker"), {"assignee": Message(
            N_("Fant ikke brukeren «%(username)s»"), username=assignee)})
    if task.candidate_role not in target.role_keys:
        raise InvalidInput(N_("Brukeren har ikke rollen"), {"assignee": Message(
            N_("«%(username)s» har ikke rollen «%(role)s»"), username=assignee,
            role=role_label(task.candidate_role))})
    # an officer absent today: the task goes to their stand-in (when they hold the role)
    handed, absent = stand_ins.assignee_for(ctx, assignee, task.candidate_role)
    instead_of = absent if handed is not None else None
    assignee = handed or assignee
    previous, task.assignee, task.claim_due_at = task.assignee, assignee, None
    audit.record(ctx, _case(ctx, task), actor.username, "task_assigned", task=task.id,
                 name=task.name, assignee=assignee, previous=previous, instead_of=instead_of,
                 reason="absence" if instead_of else None)
    _flush(ctx)
    return task


@conflicts.conflict_safe
def save_draft(ctx, task_id: int, user: User, data: dict,
               expected_version: int | None = None) -> HumanTask:
    task = get_task(ctx, task_id)
    rules.require_task(ctx, task, user)
    _check_version(task, expected_version)
    if not can_work_on(user, task):
        raise PermissionDenied(cast(Message, why_not(user, task)))  # the check above is a reason
    form = (store.form_text(ctx, ctx.session.get(ProcessInstance, task.instance_id).version,
                            task.form) if task.form else None)
    check_draft(form, data)
    task.draft = dict(data)
    _flush(ctx)
    return task


@conflicts.conflict_safe
def complete(ctx, task_id: int, user: User, data: dict,
             expected_version: int | None = None, go_on: bool = False) -> HumanTask:
    """Submit the task's form. Refused, with nothing changed, when the data is invalid
    (an error per field), the task was completed already, or it changed since
    `expected_version`. `go_on`: the officer goes on with the case, so the first task the
    step creates that they can work on is made theirs as it is created (see `go_on`)."""
    found = fastpath.run(ctx, _TASK_FOR_COMPLETION, task_id=task_id)
    if not found:
        raise NotFound(N_("Fant ikke oppgave %(task)s"), task=task_id)
    [(task, instance, case, version)] = found
    fastpath.attach(task, instance=instance)
    fastpath.attach(instance, case=case, version=version)
    rules.require_task(ctx, task, user)
    _check_version(task, expected_version)
    if not can_work_on(user, task):
        raise PermissionDenied(cast(Message, why_not(user, task)))  # the check above is a reason
    check_completion(store.form_text(ctx, instance.version, task.form) if task.form else None,
                     data)
    loaded = loading.load(ctx, instance, rows_locked=True)
    spiff_task = loaded.workflow.get_task_from_id(UUID(task.spiff_task_id))
    if spiff_task is None or spiff_task.state != TaskState.READY:
        raise ConflictError(N_("Oppgaven «%(name)s» venter ikke lenger på svar"), name=task.name)
    props = loading.properties(spiff_task.task_spec)
    if props.get("appointsCoordinator"):
        field = props["appointsCoordinator"]
        appoint_coordinator(ctx, loaded.case, data.get(field), user.username, field)
    if props.get("planOperation"):
        plan_steps.on_completion(ctx, loaded.case, props["planOperation"], data,
                                 user.username)
    if props.get("letterOperation"):
        data = dict(data)  # the operation adds what the process needs (klageregler, ...)
        letter_steps.on_completion(ctx, loaded.case, version, task, props, data, user,
                                   dict(spiff_task.data))
    spiff_task.data.update(data)
    going = GoesOn(user.username, frozenset(user.role_keys), task.case_id) if go_on else None
    with ctx.going_on(going):
        with step.step_errors():
            spiff_task.run()
        loaded.passed.append(spiff_task)
        loaded.completed_by_user.append(spiff_task)
        fastpath.update(ctx, task, status="completed", completed_by=user.username,
                        completed_at=ctx.now(), assignee=task.assignee or user.username,
                        draft=None)
        audit.record(ctx, loaded.case, user.username, "task_completed", task=task.id,
                     name=task.name, element=task.element_id, data=data)
        step.run_and_persist(ctx, loaded, user.username)
    log.info("task completed case=%s task=%s element=%s name=%r user=%s", case.case_number,
             task.id, task.element_id, task.name, user.username)
    return task


def next_for(ctx, user: User, case_id: int):
    """The first task the operations on `ctx` created in the case that `user` can work on
    (a `NewTask`), or None: where an officer goes on after completing a task."""
    return next((task for task in ctx.new_tasks
                 if task.case_id == case_id and can_work_on(user, task)), None)


def go_on(ctx, user: User, case_id: int) -> NewTask | None:
    """Where an officer goes on after completing a task: the first task the step created in
    the case that `user` can work on (`next_for`), claimed for them when nobody has it yet
    (a step run with `go_on=True` created it claimed, so nothing is written here); None when
    the case's next step is someone else's (then `waiting_for` says whose)."""
    following = next_for(ctx, user, case_id)
    if following is None or following.assignee == user.username:
        return following
    task = claim(ctx, following.id, user, expected_version=following.version)
    return dataclasses.replace(following, assignee=task.assignee, version=task.version)


def waiting_for(ctx, case_id: int, tasks: list[HumanTask] | None = None) -> Message:
    """Whom the case waits for now, in words: each open task's holder (their name and role),
    or its role when nobody has taken it, with the task's name. Never a role key. `tasks`:
    the case's open tasks when the caller has read them already (`open_tasks`)."""
    tasks = open_tasks(ctx, case_id) if tasks is None else tasks
    if not tasks:
        return Message(N_("Saken venter ikke på noen oppgave nå."))
    assignees = {t.assignee for t in tasks if t.assignee}
    names = dict(ctx.session.execute(select(User.username, User.display_name).where(
        User.username.in_(assignees))).all()) if assignees else {}
    parts = [Message(N_("%(user)s, %(role)s («%(task)s»)"),
                     user=names.get(t.assignee) or t.assignee,
                     role=role_label(t.candidate_role), task=t.name)
             if t.assignee else
             Message(N_("%(role)s («%(task)s»)"), role=role_label(t.candidate_role),
                     task=t.name)
             for t in tasks]
    return Message(N_("Saken venter nå på: %(waits)s"), waits=parts)


def _case(ctx, task: HumanTask) -> Case:
    return ctx.session.get(Case, task.case_id)
