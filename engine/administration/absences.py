"""An officer's absence with a stand-in: registered, listed, ended early; and handing the
absent officer's tasks over.

From the first day to the last (both included) the open tasks assigned to the absent user go
to the stand-in: at once when the absence is registered on or after its first day, else by
`hand_over_due`, which the scheduler's sweep runs every round (engine/scheduling/scheduler.py,
the embedded sweeper and Celery beat alike). A task the stand-in has no role for goes back to
its role's queue. Tasks that would be assigned to the absent user meanwhile go to the stand-in
when they are made or assigned (engine/accounts/stand_ins.py, read by engine/workflow/task_rows
and engine/worklist/humantasks). Each task handed over is an audit event `task_reassigned`,
reason "absence".

Rules: both users exist, the stand-in is active and another user, the first day is not after
the last, the last is not past; the stand-in holds a role of every open task of the absent
user, or at least one work role in common with them; a user's absences do not overlap, and a
stand-in is not absent, nor an absent user a stand-in, in the period."""
from __future__ import annotations

import dataclasses
from datetime import date

from sqlalchemy import select

from engine.accounts import users
from engine.accounts.roles import ABSENCE_ROLES, NON_WORK_ROLES
from engine.administration.guard import require
from engine.cases import audit
from engine.core.errors import InvalidInput, NotFound
from engine.core.messages import N_, Message
from engine.db.models import Absence, Case, HumanTask, User
from engine.deadlines import task_deadlines

#: The audit event of a task handed over, and its reason.
REASSIGNED = "task_reassigned"
REASON = "absence"


@dataclasses.dataclass(frozen=True)
class AbsenceRow:
    id: int
    username: str
    name: str
    stand_in: str
    stand_in_name: str
    starts_on: date
    ends_on: date
    created_by: str
    state: str                      # coming | current | past | ended


def _state(absence: Absence, today: date) -> str:
    if absence.ended_at is not None:
        return "ended"
    if absence.ends_on < today:
        return "past"
    return "current" if absence.starts_on <= today else "coming"


def list_absences(ctx, actor: User, include_past: bool = False) -> list[AbsenceRow]:
    """Coming and current absences by first day (`include_past`: ended and past ones too)."""
    require(actor, ABSENCE_ROLES)
    today = ctx.today()
    query = select(Absence).order_by(Absence.starts_on, Absence.id)
    if not include_past:
        query = query.where(Absence.ended_at.is_(None), Absence.ends_on >= today)
    found = list(ctx.session.scalars(query))
    names = dict(ctx.session.execute(select(User.username, User.display_name).where(
        User.username.in_({a.username for a in found} | {a.stand_in for a in found}))).all())
    return [AbsenceRow(a.id, a.username, names.get(a.username, a.username), a.stand_in,
                       names.get(a.stand_in, a.stand_in), a.starts_on, a.ends_on,
                       a.created_by, _state(a, today)) for a in found]


def candidates(ctx, actor: User) -> list[User]:
    """Active users with a work role: who may be absent or stand in."""
    require(actor, ABSENCE_ROLES)
    return [user for user in ctx.session.scalars(select(User).where(User.active.is_(True))
                                                 .order_by(User.display_name))
            if not user.role_keys <= NON_WORK_ROLES]


def _overlapping(ctx, column, username: str, starts_on: date, ends_on: date):
    return ctx.session.scalar(select(Absence).where(
        column == username, Absence.ended_at.is_(None), Absence.starts_on <= ends_on,
        Absence.ends_on >= starts_on).limit(1))


def _open_task_roles(ctx, username: str) -> set[str]:
    return set(ctx.session.scalars(select(HumanTask.candidate_role).where(
        HumanTask.status == "open", HumanTask.assignee == username)))


def add_absence(ctx, actor: User, username: str, stand_in: str, starts_on: date | None,
                ends_on: date | None) -> Absence:
    """Register `username`'s absence from `starts_on` to `ends_on` with `stand_in`."""
    require(actor, ABSENCE_ROLES)
    username, stand_in = (username or "").strip(), (stand_in or "").strip()
    errors: dict[str, Message] = {}
    absent = users.find_user(ctx, username) if username else None
    standing = users.find_user(ctx, stand_in) if stand_in else None
    if absent is None:
        errors["username"] = Message(N_("Velg hvem som er fraværende"))
    if standing is None or not standing.active:
        errors["stand_in"] = Message(N_("Velg en aktiv stedfortreder"))
    elif stand_in == username:
        errors["stand_in"] = Message(N_("Stedfortrederen må være en annen enn den fraværende"))
    if starts_on is None:
        errors.setdefault("starts_on", Message(N_("Oppgi første fraværsdag")))
    if ends_on is None:
        errors.setdefault("ends_on", Message(N_("Oppgi siste fraværsdag")))
    elif starts_on is not None and ends_on < starts_on:
        errors["ends_on"] = Message(N_("Siste dag kan ikke være før første dag"))
    elif ends_on < ctx.today():
        errors["ends_on"] = Message(N_("Perioden er allerede over"))
    if absent is not None and standing is not None and "stand_in" not in errors:
        shared = (absent.role_keys & standing.role_keys) - NON_WORK_ROLES
        task_roles = _open_task_roles(ctx, username)
        if not shared and not (task_roles and task_roles <= standing.role_keys):
            errors["stand_in"] = Message(N_("«%(username)s» har ingen arbeidsrolle felles med "
                                            "den fraværende"), username=stand_in)
    if not errors and starts_on is not None and ends_on is not None:
        if _overlapping(ctx, Absence.username, username, starts_on, ends_on) is not None:
            errors["starts_on"] = Message(N_("«%(username)s» har allerede fravær i perioden"),
                                          username=username)
        elif _overlapping(ctx, Absence.stand_in, username, starts_on, ends_on) is not None:
            errors["username"] = Message(N_("«%(username)s» er stedfortreder for en annen i "
                                            "perioden"), username=username)
        elif _overlapping(ctx, Absence.username, stand_in, starts_on, ends_on) is not None:
            errors["stand_in"] = Message(N_("«%(username)s» er selv fraværende i perioden"),
                                         username=stand_in)
    if errors or starts_on is None or ends_on is None:
        raise InvalidInput(N_("Fraværet kan ikke registreres"), errors)
    absence = Absence(username=username, stand_in=stand_in, starts_on=starts_on,
                      ends_on=ends_on, created_by=actor.username, created_at=ctx.now())
    ctx.session.add(absence)
    ctx.session.flush()
    audit.record(ctx, None, actor.username, "absence_added", absence=absence.id,
                 username=username, stand_in=stand_in, starts_on=starts_on.isoformat(),
                 ends_on=ends_on.isoformat())
    if starts_on <= ctx.today():
        hand_over(ctx, absence, actor.username)
    return absence


def end_absence(ctx, actor: User, absence_id: int) -> Absence:
    """End an absence now (the officer is back, or it was registered by mistake). Tasks
    already handed over stay with the stand-in."""
    require(actor, ABSENCE_ROLES)
    absence = ctx.session.get(Absence, absence_id)
    if absence is None:
        raise NotFound(N_("Fant ikke fraværet"))
    if absence.ended_at is None:
        absence.ended_at, absence.ended_by = ctx.now(), actor.username
        ctx.session.flush()
        audit.record(ctx, None, actor.username, "absence_ended", absence=absence.id,
                     username=absence.username, stand_in=absence.stand_in)
    return absence


def hand_over(ctx, absence: Absence, actor: str = "system") -> int:
    """Hand the absent user's open tasks to the stand-in (a task the stand-in has no role
    for goes back to its role's queue). Returns how many tasks moved."""
    stand_in = users.find_user(ctx, absence.stand_in)
    tasks = list(ctx.session.scalars(select(HumanTask).where(
        HumanTask.status == "open", HumanTask.assignee == absence.username)
        .order_by(HumanTask.id)))
    for task in tasks:
        to = (stand_in.username if stand_in is not None and stand_in.active
              and task.candidate_role in stand_in.role_keys else None)
        task.assignee, task.claim_due_at = to, None
        ctx.session.flush()
        audit.record(ctx, ctx.session.get(Case, task.case_id), actor, REASSIGNED,
                     task=task.id, name=task.name, assignee=to, previous=absence.username,
                     reason=REASON, absence=absence.id)
        if to is None:
            task_deadlines.rearm_unclaimed(ctx, task)
    return len(tasks)


def hand_over_due(ctx) -> int:
    """The sweep's round: the open tasks of every user absent today go to their stand-in.
    Returns how many tasks moved."""
    today = ctx.today()
    due = ctx.session.scalars(select(Absence).where(
        Absence.ended_at.is_(None), Absence.starts_on <= today, Absence.ends_on >= today,
        Absence.username.in_(select(HumanTask.assignee).where(
            HumanTask.status == "open"))))
    return sum(hand_over(ctx, absence) for absence in list(due))
