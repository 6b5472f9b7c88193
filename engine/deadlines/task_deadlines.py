"""Deadlines the engine watches by itself: task deadlines, and raising the pending notices
when they fall due.

Task deadlines, as users of workflow products expect them (per user task in the diagram,
defaults in settings; see docs/processes.md, "Task deadlines"):
- **not claimed**: a task nobody has claimed `claimWithin` (default SAMFLYT_TASK_CLAIM_WITHIN)
  after it was created notifies its role (`task_unclaimed`, warning).
- **overdue**: a task not completed by its due date notifies its assignee, or its role when
  nobody has it (`task_overdue`, warning; `overdueNoticeRole` escalates to another role), and
  with `reassignOnOverdue` puts it back in the role's shared queue.

Both fall on a working day. "Not claimed" is kept on the task row (`HumanTask.claim_due_at`,
cleared when someone claims the task): no notice exists until it passes, and then the sweep
raises one (`raise_unclaimed`). "Overdue" is written as a *pending* notice when the task is
created (`plan_task_deadlines`), which the sweep raises when due (`raise_pending`) unless the
work was done first. The sweep takes both in the order they fell due (`due_items`); its cost
grows with what is due, never with what waits.

Both are moved to a working day by engine/workdays.py.
"""
from __future__ import annotations

import functools
import logging
from datetime import UTC, datetime

from sqlalchemy import and_, bindparam, func, literal, or_, select, update
from sqlalchemy.orm import aliased
from sqlalchemy.orm.attributes import set_committed_value

from engine.cases import audit
from engine.db import fastpath
from engine.db.database import is_postgres
from engine.db.models import Case, HumanTask, Notice, ProcessInstance
from engine.deadlines.calendar import add_duration
from engine.deadlines.workdays import claim_deadline, end_of_due_date, on_working_day
from engine.notices import notice_board

log = logging.getLogger(__name__)

UNCLAIMED, OVERDUE = notice_board.TASK_UNCLAIMED, notice_board.TASK_OVERDUE
#: Property values that switch a deadline rule off.
OFF_VALUES = {"", "0", "false", "no", "off", "none", "nei"}


# --- planning the task deadlines when a task is created -------------------------------------------

def _flag(value: str | None, default: int) -> bool:
    if value is None:
        return bool(default)
    return value.strip().lower() not in OFF_VALUES


@functools.lru_cache(maxsize=256)
def _is_duration(value: str) -> bool:
    try:
        add_duration(datetime(2000, 1, 1, tzinfo=UTC), value)
    except ValueError:
        return False
    return True


def _claim_within(ctx, props: dict[str, str], element: str) -> str | None:
    value = props.get("claimWithin", ctx.settings.task_claim_within)
    if value is None or value.strip().lower() in OFF_VALUES:
        return None
    if not _is_duration(value):
        log.warning("claimWithin %r on %s is not an ISO 8601 duration: using the default %r",
                    value, element, ctx.settings.task_claim_within)
        value = ctx.settings.task_claim_within
        if not value or value.strip().lower() in OFF_VALUES:
            return None
    return value.strip()


def claim_due_at(ctx, props: dict[str, str], element: str, assignee: str | None,
                 now: datetime) -> datetime | None:
    """When a task made `now` raises "not claimed" if nobody has claimed it by then (kept on
    the task row, `HumanTask.claim_due_at`); None for a task made with an assignee, or without
    the deadline."""
    if assignee is not None:
        return None
    claim = _claim_within(ctx, props, element)
    return claim_deadline(ctx.settings, now, claim) if claim else None


def plan_task_deadlines(ctx, case: Case, instance, root_id, row: dict,
                        props: dict[str, str]) -> list[dict]:
    """The pending "overdue" notice of a task just created with a due date (`row`: its
    human_tasks row; the "not claimed" deadline is the row's own `claim_due_at`). Returns the
    notices' rows."""
    if row["due_at"] is None or not _flag(props.get("overdueNotice"),
                                          ctx.settings.task_overdue_notice):
        return []
    escalate_to = (props.get("overdueNoticeRole") or "").strip() or None
    reassign = _flag(props.get("reassignOnOverdue"), ctx.settings.task_reassign_on_overdue)
    return [fastpath.insert_row(ctx, Notice, dict(
        source_key=f"{root_id}:{row['spiff_task_id']}:{OVERDUE}", kind=OVERDUE,
        severity="escalation" if escalate_to else "warning", role=escalate_to,
        action="reassign" if reassign else None,
        due_at=end_of_due_date(ctx.settings, row["due_at"]), case_id=case.id,
        instance_id=instance.id, human_task_id=row["id"], case_number=case.case_number,
        element_id=row["element_id"], status=notice_board.PENDING, created_at=ctx.now()))]


_TASKS = HumanTask.__table__


def set_claim_due(ctx, task: HumanTask, due: datetime | None) -> None:
    """The claim deadline is the engine's bookkeeping, not a change an officer made: setting
    it leaves the task's version alone (a form open on the task stays valid). An edit of its
    own (a task put back in the queue), through the session."""
    ctx.session.execute(update(_TASKS).where(_TASKS.c.id == task.id).values(claim_due_at=due))
    set_committed_value(task, "claim_due_at", due)


def _watched_unclaimed(ctx, task: HumanTask) -> bool:
    """Whether a "not claimed" notice of the task is still open (pending ones written before
    migration 0008 included)."""
    return ctx.session.scalar(select(Notice.id).where(
        Notice.human_task_id == task.id, Notice.kind == UNCLAIMED,
        Notice.status.in_(notice_board.OPEN_STATUSES)).limit(1)) is not None


def rearm_unclaimed(ctx, task: HumanTask) -> datetime | None:
    """A task put back in its role's queue is "not claimed" again. Unless an open notice of
    that kind still watches it, its claim deadline runs again from now, by the claimWithin of
    the task's element. Returns the new deadline, or None."""
    if _watched_unclaimed(ctx, task):
        return None
    due = claim_due_at(ctx, _task_properties(ctx, task), task.element_id, None, ctx.now())
    if due is not None:
        set_claim_due(ctx, task, due)
    return due


def _due_claims(ctx, now: datetime, limit: int | None = None) -> list[tuple[datetime, int]]:
    """(claim deadline, id) of the open, unclaimed tasks whose claim deadline has passed,
    oldest first (ix_human_tasks_claim)."""
    return [tuple(row) for row in ctx.session.execute(
        select(HumanTask.claim_due_at, HumanTask.id)
        .where(HumanTask.status == "open", HumanTask.claim_due_at <= now,
               HumanTask.assignee.is_(None))
        .order_by(HumanTask.claim_due_at, HumanTask.id)
        .limit(limit or ctx.settings.notice_batch))]


def due_claim_task_ids(ctx, now: datetime, limit: int | None = None) -> list[int]:
    """Open, unclaimed tasks whose claim deadline has passed, oldest first."""
    return [task_id for _at, task_id in _due_claims(ctx, now, limit)]


_UNCLAIMED_OF_TASK = and_(Notice.human_task_id == HumanTask.id, Notice.kind == UNCLAIMED)
#: Tasks whose claim deadline passed, with their case, whether a "not claimed" notice of the
#: task is still open, and how many it has had (PostgreSQL: the task rows locked; rows
#: another sweeper holds are left out).
_UNCLAIMED_TASKS = fastpath.Query.rows(
    HumanTask, Case,
    columns=(
        select(Notice.id).where(_UNCLAIMED_OF_TASK, Notice.status.in_(notice_board.OPEN_STATUSES))
        .limit(1).correlate(HumanTask).scalar_subquery().is_not(None),
        select(func.count(Notice.id)).where(_UNCLAIMED_OF_TASK)
        .correlate(HumanTask).scalar_subquery()),
    shape=lambda query: query
    .select_from(HumanTask).join(Case, Case.id == HumanTask.case_id)
    .where(HumanTask.id.in_(bindparam("ids", expanding=True)))
    .with_for_update(skip_locked=True, of=HumanTask.__table__),
    in_lists=True)


def raise_unclaimed(ctx, task_id: int, now: datetime) -> Notice | None:
    """Raise the "not claimed" notice of one task whose claim deadline passed, to its role.

    Returns the notice; None when there was nothing to raise: another sweeper holds or has
    handled the task, or it was claimed or finished meanwhile. Flushes only."""
    return raise_items(ctx, [("task", task_id)], now)[0]


def _raise_unclaimed_row(ctx, row: tuple, now: datetime) -> Notice | None:
    task, case, watched, earlier = row
    if task.claim_due_at is None or task.claim_due_at > now:
        return None
    due = task.claim_due_at
    # raised once; claiming and putting back arms it again
    fastpath.update(ctx, task, versioned=False, claim_due_at=None)
    if task.status != "open" or task.assignee is not None or watched:
        return None
    notice = fastpath.insert(ctx, Notice(
        source_key=f"task:{task.id}:{UNCLAIMED}:{earlier + 1}", kind=UNCLAIMED,
        severity="warning", role=task.candidate_role, case_id=task.case_id,
        instance_id=task.instance_id, human_task_id=task.id, case_number=task.case_number,
        element_id=task.element_id, status=notice_board.RAISED, created_at=now, raised_at=now,
        due_at=due))
    audit.record(ctx, case, "system", "notice_raised", kind=UNCLAIMED, role=notice.role,
                 severity=notice.severity, task=task.id)
    log.info("notice raised kind=%s case=%s task=%s role=%s", UNCLAIMED, task.case_number,
             task.id, notice.role)
    return notice


def _task_properties(ctx, task: HumanTask) -> dict[str, str]:
    """The properties of the task's element in the version its instance runs."""
    instance = ctx.session.get(ProcessInstance, task.instance_id)
    parsed = ctx.specs.get(instance.version)
    for spec in (parsed.spec, *parsed.subprocess_specs.values()):
        if spec.name != task.process_key:
            continue
        for task_spec in spec.task_specs.values():
            if task_spec.bpmn_id == task.element_id:
                return getattr(task_spec, "extensions", {}).get("properties", {})
    return {}


def resolve_on(value: str | None) -> str | None:
    """`noticeResolvedBy` stored as ",a,b," so that one element id is matched exactly."""
    elements = [e.strip() for e in (value or "").split(",") if e.strip()]
    return f",{','.join(elements)}," if elements else None


def notice_due_at(ctx, props: dict[str, str], evaluate) -> datetime:
    """The due time of a notice raised by a diagram event: `noticeDueExpression` (a date or
    time from the data) or `noticeDueIn` (a duration from now), else now; on a working day."""
    from engine.workflow.specs import to_utc
    now = ctx.now()
    if props.get("noticeDueExpression"):
        value = evaluate(props["noticeDueExpression"])
        if value:
            return end_of_due_date(ctx.settings, to_utc(value))
    if props.get("noticeDueIn"):
        try:
            return claim_deadline(ctx.settings, now, props["noticeDueIn"])
        except ValueError:
            log.warning("noticeDueIn %r is not an ISO 8601 duration: due now", props["noticeDueIn"])
    return on_working_day(ctx.settings, now)


# --- raising what is due -------------------------------------------------------------------------

def _due_notices(ctx, now: datetime, limit: int | None = None) -> list[tuple[datetime, int]]:
    """(due at, id) of the pending notices due at `now`, oldest first (ix_notices_due)."""
    return [tuple(row) for row in ctx.session.execute(
        select(Notice.due_at, Notice.id).where(Notice.status == notice_board.PENDING,
                                               Notice.due_at <= now)
        .order_by(Notice.due_at, Notice.id).limit(limit or ctx.settings.notice_batch))]


def due_notice_ids(ctx, now: datetime, limit: int | None = None) -> list[int]:
    """Pending notices due at `now`, oldest first."""
    return [notice_id for _at, notice_id in _due_notices(ctx, now, limit)]


#: Pending notices with the task each watches (if any) and the case (PostgreSQL: the notice
#: rows locked; rows another sweeper holds are left out).
_PENDING_NOTICES = fastpath.Query.rows(
    Notice, HumanTask, Case,
    shape=lambda query: query
    .select_from(Notice).outerjoin(HumanTask, HumanTask.id == Notice.human_task_id)
    .join(Case, Case.id == Notice.case_id)
    .where(Notice.id.in_(bindparam("ids", expanding=True)))
    .with_for_update(skip_locked=True, of=Notice.__table__),
    in_lists=True)


def raise_pending(ctx, notice_id: int, now: datetime) -> Notice | None:
    """Raise one due pending notice (or resolve it, when its work was done first).

    Returns the raised notice; None when there was nothing to raise: another sweeper holds or
    has handled it, or the task was claimed or finished. Flushes only; the caller commits.
    """
    return raise_items(ctx, [("notice", notice_id)], now)[0]


def _raise_pending_row(ctx, row: tuple, now: datetime) -> Notice | None:
    notice, task, case = row
    if notice.status != notice_board.PENDING or notice.due_at > now:
        return None
    if task is not None:
        done = notice_board.task_resolution(notice, task)
        if done:
            notice_board.resolve(ctx, notice, done)
            ctx.session.flush()
            return None
        _address(ctx, case, notice, task)
    # (the notice's row written with the step's other rows; a task handed back by
    # `reassignOnOverdue` is flushed by the ORM)
    fastpath.update(ctx, notice, status=notice_board.RAISED, raised_at=now, role=notice.role,
                username=notice.username)
    audit.record(ctx, case, "system", "notice_raised", kind=notice.kind, role=notice.role,
                 user=notice.username, severity=notice.severity,
                 task=task.id if task is not None else None)
    ctx.session.flush()
    log.info("notice raised kind=%s case=%s task=%s role=%s user=%s", notice.kind,
             notice.case_number, task.id if task is not None else None, notice.role,
             notice.username)
    return notice


def _address(ctx, case: Case, notice: Notice, task: HumanTask) -> None:
    """Whom a task-deadline notice goes to, decided when it is raised (the task may have
    changed hands since it was created)."""
    if notice.kind == UNCLAIMED:
        notice.role = task.candidate_role
        return
    escalate_to = notice.role
    if task.assignee is not None:
        notice.username = task.assignee
        if notice.action == "reassign":
            previous, task.assignee = task.assignee, None
            audit.record(ctx, case, "system", "task_unclaimed", task=task.id, name=task.name,
                         previous=previous, reason="overdue")
            notice.role = escalate_to or task.candidate_role
        else:
            notice.role = escalate_to
    else:
        notice.role = escalate_to or task.candidate_role


def due_items(ctx, now: datetime) -> list[tuple[str, int]]:
    """What falls due at `now`, in the order it fell due: ("notice", id) for a pending notice,
    ("task", id) for a task's claim deadline."""
    due = ([(at, "notice", i) for at, i in _due_notices(ctx, now)]
           + [(at, "task", i) for at, i in _due_claims(ctx, now)])
    return [(kind, item_id) for _at, kind, item_id in sorted(due)]


def raise_item(ctx, kind: str, item_id: int, now: datetime) -> Notice | None:
    """Raise one item of `due_items` (see raise_pending and raise_unclaimed)."""
    return raise_items(ctx, [(kind, item_id)], now)[0]


#: item kind -> (the rows' query, how a row is raised)
_KINDS = {"task": (_UNCLAIMED_TASKS, _raise_unclaimed_row),
          "notice": (_PENDING_NOTICES, _raise_pending_row)}


def raise_items(ctx, items: list[tuple[str, int]], now: datetime) -> list[Notice | None]:
    """Raise several items of `due_items` inside the caller's transaction, in their order
    (a Notice, or None where there was nothing to raise); each kind's rows are read in one
    statement."""
    found = {}
    for kind, (query, _raise_row) in _KINDS.items():
        ids = [item_id for item_kind, item_id in items if item_kind == kind]
        if ids:
            for row in fastpath.run(ctx, query, ids=ids):
                found[kind, row[0].id] = row  # (the task or the notice)
    return [_KINDS[kind][1](ctx, found[kind, item_id], now) if (kind, item_id) in found
            else None for kind, item_id in items]


def raise_due(ctx, now: datetime) -> list[Notice]:
    """Raise every pending notice and every claim deadline due at `now`, inside the caller's
    transaction."""
    raised = []
    for kind, item_id in due_items(ctx, now):
        notice = raise_item(ctx, kind, item_id, now)
        if notice is not None:
            raised.append(notice)
    return raised


def resolve_stale(ctx, limit: int | None = None) -> int:
    """Resolve raised or acknowledged notices whose work was done since: the task they watch
    was claimed (`task_unclaimed`), completed or cancelled, or a task named in their
    `noticeResolvedBy` was completed after they were raised. Returns how many.

    Completing a task writes nothing to the notices (it stays as cheap as before); the
    in-app lists leave such notices out at once, and this makes it so in the table."""
    limit = limit or ctx.settings.notice_batch
    shown = Notice.status.in_((notice_board.RAISED, notice_board.ACKNOWLEDGED))
    by_task = (select(Notice, HumanTask).join(HumanTask, Notice.human_task_id == HumanTask.id)
               .where(shown, or_(HumanTask.status != "open",
                                 and_(Notice.kind == UNCLAIMED, HumanTask.assignee.is_not(None))))
               .order_by(Notice.id).limit(limit))
    named = aliased(HumanTask)
    by_element = (select(Notice, named).join(named, and_(
                      named.instance_id == Notice.instance_id, named.status == "completed",
                      named.completed_at >= Notice.raised_at,
                      Notice.resolve_on.like(literal("%,") + named.element_id + literal(",%"))))
                  .where(shown, Notice.resolve_on.is_not(None))
                  .order_by(Notice.id).limit(limit))
    if is_postgres(ctx.session):
        by_task = by_task.with_for_update(skip_locked=True, of=Notice)
        by_element = by_element.with_for_update(skip_locked=True, of=Notice)
    count = 0
    for notice, task in ctx.session.execute(by_task).all():
        resolution = notice_board.task_resolution(notice, task)
        if resolution and notice_board.resolve(ctx, notice, resolution):
            count += 1
    for notice, _task in ctx.session.execute(by_element).all():
        if notice_board.resolve(ctx, notice, "element_completed"):
            count += 1
    ctx.session.flush()
    return count


def describe(notice: Notice) -> str:
    return f"{notice.case_number}: {notice.kind} -> {notice.username or notice.role}"
