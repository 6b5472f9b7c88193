"""Appointing a case's coordinator: only an active, trained coordinator; the open tasks the
previous one held go to the new one."""
from __future__ import annotations

import logging

from sqlalchemy import select

from engine.accounts.roles import COORDINATOR_ROLES
from engine.cases import audit
from engine.core.errors import InvalidInput
from engine.core.messages import N_, Message
from engine.db.models import Case, HumanTask, User
from engine.plans import steps as plan_steps

log = logging.getLogger(__name__)


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
