"""A plan's life: opened when IP is granted, one per person whichever law asks; approved
(a version each time); ended.

`open_for_case` is the one way a plan comes to be: for a person with a plan not ended it
opens none and the case joins that plan (a partial unique index, migration 0013, refuses a
second one even in a race).
"""
from __future__ import annotations

import dataclasses
import logging

from sqlalchemy import select

from engine.cases import audit
from engine.core.errors import ConflictError, InvalidInput, NotFound
from engine.core.messages import N_, Message
from engine.db.models import Case, Plan, PlanCoordinator
from engine.persons import registry
from engine.plans import coordinators, sections, versions

log = logging.getLogger(__name__)


def open_plan_of(ctx, person_id: int) -> Plan | None:
    """The person's plan that is not ended, if any."""
    return ctx.session.scalar(select(Plan).where(Plan.person_id == person_id,
                                                 Plan.status.in_(sections.OPEN_STATUSES)))


def get(ctx, plan_id: int) -> Plan:
    plan = ctx.session.get(Plan, plan_id)
    if plan is None:
        raise NotFound(N_("Fant ikke plan %(plan)s"), plan=plan_id)
    return plan


@dataclasses.dataclass
class Opened:
    plan: Plan
    joined: bool  # True: the person's existing plan, which the case joined


def open_for_case(ctx, case: Case, actor: str) -> Opened:
    """IP is granted on `case`: the person's plan. A person with a plan not ended gets no
    second one; the case joins it."""
    if case.person_id is None:  # a case registered before persons were (or a bare test run)
        case.person_id = registry.person_for_application(ctx, case.data or {}, actor).id
    existing = open_plan_of(ctx, case.person_id)
    if existing is not None:
        case.plan_id = existing.id
        if case.coordinator is None:
            case.coordinator = coordinators.current(ctx, existing.id)
        audit.record(ctx, case, actor, "plan_joined", plan=existing.id)
        return Opened(existing, joined=True)
    plan = Plan(person_id=case.person_id, status="utkast", opened_by_case_id=case.id,
                contributions={}, approved_version=0, created_at=ctx.now(),
                created_by=actor)
    ctx.session.add(plan)
    ctx.session.flush()
    case.plan_id = plan.id
    if case.coordinator:
        coordinators.appoint(ctx, plan, case.coordinator, actor)
    audit.record(ctx, case, actor, "plan_opened", plan=plan.id)
    log.info("plan opened plan=%s case=%s user=%s", plan.id, case.case_number, actor)
    return Opened(plan, joined=False)


def approve(ctx, plan: Plan, actor: str, case: Case | None = None) -> int:
    """The plan as it stands is approved: a new version (its number is returned). An active
    plan is never without a coordinator, so approval needs one, and a next review date."""
    if plan.status == "avsluttet":
        raise ConflictError(N_("Planen er avsluttet"))
    errors: dict[str, Message] = {}
    if coordinators.current(ctx, plan.id) is None:
        errors["koordinator"] = Message(N_("Planen må ha en koordinator før den godkjennes"))
    if plan.next_review is None:
        errors["neste_evaluering"] = Message(N_("Planen må ha en dato for evaluering"))
    if not plan.main_goal:
        errors["hovedmal"] = Message(N_("Planen må ha et hovedmål"))
    if errors:
        raise InvalidInput(N_("Planen kan ikke godkjennes ennå"), errors)
    number = versions.keep(ctx, plan, actor, case)
    plan.status, plan.approved_version = "aktiv", number
    ctx.session.flush()
    audit.record(ctx, case, actor, "plan_approved", person_id=plan.person_id, plan=plan.id,
                 version=number)
    return number


def end(ctx, plan: Plan, actor: str, reason: str, case: Case | None = None) -> None:
    """The plan ends (closed at a review, or the consent to it withdrawn): the coordinator's
    period and every participant's access end with it."""
    if plan.status == "avsluttet":
        return
    today = ctx.today()
    for period in ctx.session.scalars(select(PlanCoordinator).where(
            PlanCoordinator.plan_id == plan.id, PlanCoordinator.to_on.is_(None))):
        period.to_on = today
    plan.status, plan.ended_at, plan.end_reason = "avsluttet", ctx.now(), reason[:200]
    ctx.session.flush()
    audit.record(ctx, case, actor, "plan_ended", person_id=plan.person_id, plan=plan.id,
                 reason=reason[:200])
