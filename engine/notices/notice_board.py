"""Escalation notices: what is open for a user, per case, acknowledging one, and the lifecycle.

A notice moves pending -> raised -> acknowledged -> resolved:
- **pending**: a deadline the engine knows ahead (a task not completed in time, see
  engine/deadlines.py). Nobody sees it; the sweep raises it when its `due_at` passes. (A task
  not claimed in time has no pending notice: its deadline is on the task row, and the sweep
  raises its notice when it passes.)
- **raised**: shown in-app (notices page, count in the header) and e-mailed (engine/notify.py).
  Notices from a diagram event (`notice` property) are raised at once.
- **acknowledged**: someone it is addressed to has seen it. It stays open for the work.
- **resolved**: the work is done (`resolution` says how), by itself: the watched task was
  completed, cancelled or claimed, a task named in `noticeResolvedBy` was completed, or the
  process that raised it completed. A pending notice resolved before it was due was never
  raised (`raised_at` is empty) and is not shown anywhere.
"""
from __future__ import annotations

from sqlalchemy import ColumnElement, and_, bindparam, exists, func, or_, select, true, update
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.orm.util import identity_key

from engine.cases import audit
from engine.core.errors import NotFound, PermissionDenied
from engine.core.messages import N_, Message
from engine.db import fastpath
from engine.db.models import Case, HumanTask, Notice, User

PENDING, RAISED, ACKNOWLEDGED, RESOLVED = "pending", "raised", "acknowledged", "resolved"
STATUSES = (PENDING, RAISED, ACKNOWLEDGED, RESOLVED)
#: Not resolved yet: the work is still to be done.
OPEN_STATUSES = (PENDING, RAISED, ACKNOWLEDGED)

# Notice kinds. The engine raises the last five itself; the others are named by the shipped
# diagrams (a `notice` property), and a diagram may name a kind of its own.
INTERIM_REPLY_WARNING = "interim_reply_warning"
INTERIM_REPLY_ESCALATION = "interim_reply_escalation"
REVIEW_DUE = "review_due"
REVIEW_OVERDUE_REMINDER = "review_overdue_reminder"
REVIEW_OVERDUE = "review_overdue"
APPEAL_REMINDER = "appeal_reminder"
CHILD_TURNING_18 = "child_turning_18"
CHILD_COORDINATOR_ENDED = "child_coordinator_ended"
COORDINATOR_VACANCY = "coordinator_vacancy"
TASK_UNCLAIMED = "task_unclaimed"
TASK_OVERDUE = "task_overdue"
PROCESS_ERROR = "process_error"
CONSENT_EXPIRING = "consent_expiring"
CONSENT_EXPIRED = "consent_expired"
ACCESS_OVERRIDE = "access_override"

#: Notice kinds in words (bokmål; the web UI shows them in the reader's language): the only
#: text about a notice that ever leaves the system (e-mail subject and body). A kind a
#: diagram invents that is not listed here goes out as the generic text, never as its key: a
#: key typed in a diagram could say anything.
KIND_LABELS = {
    INTERIM_REPLY_WARNING: N_("Foreløpig svar må sendes snart"),
    INTERIM_REPLY_ESCALATION: N_("Verken vedtak eller foreløpig svar etter én måned"),
    REVIEW_DUE: N_("Evaluering av planen nærmer seg"),
    REVIEW_OVERDUE_REMINDER: N_("Påminnelse: evaluering av planen er ikke gjort"),
    REVIEW_OVERDUE: N_("Evaluering av planen er på overtid"),
    APPEAL_REMINDER: N_("Påminnelse: klagesaken venter på avgjørelse"),
    CHILD_TURNING_18: N_("Barnekoordinator: barnet fyller snart 18 år"),
    CHILD_COORDINATOR_ENDED: N_("Barnekoordinator-oppdraget er avsluttet"),
    COORDINATOR_VACANCY: N_("Saken mangler koordinator"),
    TASK_UNCLAIMED: N_("En oppgave er ikke tatt"),
    TASK_OVERDUE: N_("En oppgave er på overtid"),
    PROCESS_ERROR: N_("En sak står fast: prosessdiagrammet må rettes"),
    CONSENT_EXPIRING: N_("Et samtykke i en plan utløper snart"),
    CONSENT_EXPIRED: N_("Et samtykke i en plan er utløpt"),
    ACCESS_OVERRIDE: N_("Nødtilgang er brukt i en sak"),
}
GENERIC_LABEL = N_("En sak trenger oppfølging")


def label(kind: str | None) -> Message:
    """The notice kind in words (bokmål, with its key for a translation), safe to send
    outside the system."""
    return Message(KIND_LABELS.get(kind or "", GENERIC_LABEL))


def for_case(ctx, case_id: int, include_pending: bool = False) -> list[Notice]:
    """The case's notices in the order they were raised (never-raised ones only on request)."""
    query = select(Notice).where(Notice.case_id == case_id)
    if not include_pending:
        query = query.where(Notice.raised_at.is_not(None))
    return list(ctx.session.scalars(query.order_by(Notice.raised_at.asc().nulls_last(),
                                                   Notice.due_at, Notice.id)))


def _addressed_to(user: User):
    return or_(Notice.username == user.username, Notice.role.in_(user.role_keys))


def _open_for(user: User, query, readable: ColumnElement[bool] | None):
    return (query.outerjoin(HumanTask, Notice.human_task_id == HumanTask.id)
            .where(Notice.status == RAISED, _addressed_to(user), _still_applies(),
                   true() if readable is None else readable))


def open_for_user(ctx, user: User, readable: ColumnElement[bool] | None = None
                  ) -> list[Notice]:
    """Raised notices addressed to the user or to one of the user's roles, newest first
    (not those whose task was done since: the next sweep resolves them). What a user is
    shown is narrowed by `readable`, the access rules' `visible_notices` (every page and
    answer passes it); None: every notice addressed to them (the engine's own checks)."""
    return list(ctx.session.scalars(_open_for(user, select(Notice), readable)
                                    .order_by(Notice.raised_at.desc(), Notice.id.desc())))


def count_open_for_user(ctx, user: User, readable: ColumnElement[bool] | None = None) -> int:
    """How many notices `open_for_user` lists (for the count in the header)."""
    return ctx.session.scalar(_open_for(user, select(func.count(Notice.id)), readable))


def acknowledge(ctx, notice_id: int, user: User, readable: ColumnElement[bool] | None = None
                ) -> Notice:
    """Acknowledge a notice addressed to the user that `readable` lets them see."""
    notice = ctx.session.get(Notice, notice_id)
    if notice is None or notice.status == PENDING:
        raise NotFound(N_("Fant ikke varsel %(notice)s"), notice=notice_id)
    if (notice.username != user.username and notice.role not in user.role_keys) or (
            readable is not None and not ctx.session.scalar(
                select(exists().where(Notice.id == notice.id, readable)))):
        raise PermissionDenied(N_("Varselet er ikke til deg"))
    if notice.status == RAISED:
        notice.status, notice.acknowledged_at, notice.acknowledged_by = (
            ACKNOWLEDGED, ctx.now(), user.username)
        audit.record(ctx, ctx.session.get(Case, notice.case_id), user.username,
                     "notice_acknowledged", notice=notice.id, kind=notice.kind)
    return notice


def resolve(ctx, notice: Notice, resolution: str) -> bool:
    """Resolve an open notice because its work is done; False if it was resolved already."""
    if notice.status not in OPEN_STATUSES:
        return False
    was_shown = notice.status != PENDING
    notice.status, notice.resolved_at, notice.resolution = RESOLVED, ctx.now(), resolution
    if was_shown:
        audit.record(ctx, ctx.session.get(Case, notice.case_id), "system", "notice_resolved",
                     notice=notice.id, kind=notice.kind, resolution=resolution)
    return True


# --- resolving by itself when the work is done ---------------------------------------------------
#
# Two moments, so that completing a task costs no extra statement:
# - when a process completes, its open notices resolve at once (`resolve_for_completed_process`,
#   from the step (engine/workflow/step.py), once per process instance);
# - a notice watching a task (claimed, completed or cancelled) or naming a task in
#   `noticeResolvedBy` resolves in the next sweep (engine.deadlines.resolve_stale). Until then
#   the in-app lists already leave it out (`_still_applies`), and no e-mail is sent for it.

_NOTICES = Notice.__table__
_RESOLVE_PROCESS = fastpath.Query(
    update(_NOTICES).where(_NOTICES.c.instance_id == bindparam("of_instance"),
                           _NOTICES.c.status.in_(OPEN_STATUSES))
    .values(status=RESOLVED, resolved_at=bindparam("at"), resolution="process_completed")
    .returning(_NOTICES.c.id, _NOTICES.c.kind, _NOTICES.c.raised_at))


def resolve_for_completed_process(ctx, case: Case, instance_id: int | None) -> int:
    """Resolve the open notices of a process that completed in this step.

    Called before the step's new rows are flushed, so a notice raised by this very step (an
    end event's) is not among them: it stays until someone acknowledges it.
    """
    if instance_id is None:
        return 0
    now = ctx.now()
    # a Core statement built once (the ORM's bulk UPDATE costs a millisecond more); the few
    # notices this session has loaded are brought up to date by hand below
    rows = fastpath.run(ctx, _RESOLVE_PROCESS, of_instance=instance_id, at=now)
    for notice_id, kind, raised_at in rows:
        loaded = ctx.session.identity_map.get(identity_key(Notice, notice_id))
        if loaded is not None:
            for name, value in (("status", RESOLVED), ("resolved_at", now),
                                ("resolution", "process_completed")):
                set_committed_value(loaded, name, value)
        if raised_at is not None:
            audit.record(ctx, case, "system", "notice_resolved", notice=notice_id, kind=kind,
                         resolution="process_completed")
    return len(rows)


def _still_applies():
    """SQL: the notice watches no task, or its task still needs what the notice asks for."""
    return or_(Notice.human_task_id.is_(None),
               and_(HumanTask.status == "open",
                    or_(Notice.kind != TASK_UNCLAIMED, HumanTask.assignee.is_(None))))


def task_resolution(notice: Notice, task: HumanTask) -> str | None:
    """Why a notice watching `task` is done with, or None while it still applies."""
    if task.status == "completed":
        return "task_completed"
    if task.status != "open":
        return "task_cancelled"
    if notice.kind == TASK_UNCLAIMED and task.assignee is not None:
        return "task_claimed"
    return None


def still_applies(ctx, notice: Notice) -> bool:
    """Whether a raised notice still asks for something (its task, if any, is not done)."""
    if notice.status != RAISED:
        return False
    if notice.human_task_id is None:
        return True
    task = ctx.session.get(HumanTask, notice.human_task_id)
    return task is not None and task_resolution(notice, task) is None
