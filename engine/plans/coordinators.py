"""The plan's coordinator over time. Appointing a new one ends the previous period on the
day the new one starts (the handover day is both's), so an active plan never has a day
without a coordinator; a period ends otherwise only when the plan ends."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from engine.cases import audit
from engine.db.models import Plan, PlanCoordinator


def current(ctx, plan_id: int) -> str | None:
    return ctx.session.scalar(select(PlanCoordinator.username).where(
        PlanCoordinator.plan_id == plan_id, PlanCoordinator.to_on.is_(None)))


def history(ctx, plan_id: int) -> list[PlanCoordinator]:
    return list(ctx.session.scalars(select(PlanCoordinator).where(
        PlanCoordinator.plan_id == plan_id).order_by(PlanCoordinator.from_on,
                                                     PlanCoordinator.id)))


def appoint(ctx, plan: Plan, username: str, actor: str) -> None:
    """`username` coordinates the plan from today (the engine has checked they may:
    engine/cases/coordinator.py)."""
    today = ctx.today()
    open_periods = list(ctx.session.scalars(select(PlanCoordinator).where(
        PlanCoordinator.plan_id == plan.id, PlanCoordinator.to_on.is_(None))))
    if any(period.username == username for period in open_periods):
        return
    for period in open_periods:  # the handover day is both's: never a day without one
        period.to_on = today
    ctx.session.add(PlanCoordinator(plan_id=plan.id, username=username, from_on=today,
                                    appointed_by=actor))
    ctx.session.flush()
    audit.record(ctx, None, actor, "plan_coordinator_appointed", person_id=plan.person_id,
                 plan=plan.id, coordinator=username)


def uncovered_days(periods: list[PlanCoordinator], start, end) -> list:
    """The days from `start` to `end` (inclusive) no period covers (for checks and tests)."""
    days, day = [], start
    while day <= end:
        if not any(p.from_on <= day and (p.to_on is None or day <= p.to_on) for p in periods):
            days.append(day)
        day += timedelta(days=1)
    return days
