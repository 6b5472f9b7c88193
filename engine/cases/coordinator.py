"""Appointing a case's coordinator: only an active, trained coordinator; the open tasks the
previous one held go to the new one. The candidates to choose from, most suitable first."""
from __future__ import annotations

import dataclasses
import logging

from sqlalchemy import func, select

from engine.accounts.roles import COORDINATOR_ROLES
from engine.cases import audit
from engine.core.errors import InvalidInput
from engine.core.messages import N_, Message
from engine.db.models import Case, HumanTask, Unit, User
from engine.plans import steps as plan_steps

log = logging.getLogger(__name__)


@dataclasses.dataclass(frozen=True)
class Candidate:
    """A user who may be chosen as a case's coordinator, with what the choice weighs."""
    username: str
    display_name: str
    #: Has had the coordinating unit's training (the training register); only a trained
    #: coordinator can be appointed (`appoint_coordinator`).
    trained: bool
    #: The names of the units they belong to, their home unit first.
    units: tuple[str, ...]
    #: The open cases they coordinate now.
    caseload: int
    #: The case's current coordinator.
    current: bool = False


def candidates(ctx, case: Case | None = None) -> list[Candidate]:
    """The active users with a coordinator role, most suitable first: trained before
    untrained, then the lowest caseload, then by name. `case`: its current coordinator is
    marked."""
    users = [u for u in ctx.session.scalars(select(User).where(User.active))
             if u.role_keys & COORDINATOR_ROLES]
    if not users:
        return []
    names = [u.username for u in users]
    load = dict(ctx.session.execute(
        select(Case.coordinator, func.count(Case.id))
        .where(Case.coordinator.in_(names), Case.status == "open")
        .group_by(Case.coordinator)).all())
    unit_ids = {i for u in users for i in (u.unit_ids or ())}
    unit_names = dict(ctx.session.execute(
        select(Unit.id, Unit.name).where(Unit.id.in_(unit_ids))).all()) if unit_ids else {}
    current = case.coordinator if case is not None else None
    found = [Candidate(username=u.username, display_name=u.display_name or u.username,
                       trained=bool(u.trained_coordinator),
                       units=tuple(unit_names[i] for i in (u.unit_ids or ()) if i in unit_names),
                       caseload=int(load.get(u.username, 0)), current=u.username == current)
             for u in users]
    return sorted(found, key=lambda c: (not c.trained, c.caseload,
                                        c.display_name.casefold(), c.username))


def appoint_coordinator(ctx, case: Case, username: str | None, actor: str, field: str) -> None:
    """Make `username` the case's coordinator; only trained coordinators may be appointed."""
    user = ctx.session.scalar(select(User).where(User.username == username, User.active))
    if user is None or not user.role_keys & COORDINATOR_ROLES:
        raise InvalidInput(N_("Ugyldig koordinator"), {field: Message(
            N_("«%(username)s» er ikke en koordinator"), username=username)})
    if not user.trained_coordinator:
        raise InvalidInput(N_("Koordinatoren mangler opplæring"), {field: Message(
            N_("«%(username)s» har ikke gjennomført koordinatoropplæringen"), username=username)})
    username = user.username  # the same name, now known to be an appointable user's
    previous = case.coordinator
    case.coordinator = username
    audit.record(ctx, case, actor, "coordinator_appointed", coordinator=username,
                 previous=previous)
    log.info("coordinator appointed case=%s coordinator=%s previous=%s user=%s",
             case.case_number, username, previous, actor)
    plan_steps.coordinator_appointed(ctx, case, username, actor)
    if previous and previous != username:
        hand_over_open_tasks(ctx, case, previous, username, actor)


def hand_over_open_tasks(ctx, case: Case, previous: str, successor: str, actor: str) -> None:
    """Open tasks of the case held by `previous` move to `successor`."""
    for task in ctx.session.scalars(select(HumanTask).where(
            HumanTask.case_id == case.id, HumanTask.status == "open",
            HumanTask.assignee == previous)):
        task.assignee, task.claim_due_at = successor, None
        audit.record(ctx, case, actor, "task_assigned", task=task.id, name=task.name,
                     assignee=successor, previous=previous)
