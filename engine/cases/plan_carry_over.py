"""Plans written before plans were their own entity (issue 14) lived in the task data of the
cases that drafted them. This carries each over once: for a case with no plan whose audit
trail has a completed drafting task (`Utarbeide plan`, `Revidere plan`), the person's plan is
opened (or joined), every drafting and revision form is written to it in the order it was
submitted, and each approval (`Godkjenne plan` with `godkjent`, and each revision) becomes a
version as it stood then, approved by whoever approved it.

`samflyt init` runs it after the schema migrations (migration 0013 gives every case its
person); it is idempotent: a case that has a plan is left alone.
"""
from __future__ import annotations

import dataclasses
import logging

from sqlalchemy import exists, select

from engine.cases import audit
from engine.core.clock import FakeClock
from engine.db.models import AuditEvent, Case, PlanVersion
from engine.plans import content, coordinators, lifecycle

log = logging.getLogger(__name__)

#: The elements of the shipped diagrams whose forms wrote the plan, and what they did.
DRAFTING = {"task_utarbeide_plan": "draft", "task_revidere_plan": "revise"}
APPROVING = {"task_godkjenne_plan": "approve"}


def carry_over(ctx) -> list[str]:
    """Carry over every plan still kept in task data; one line per plan."""
    elements = sorted(DRAFTING | APPROVING)
    cases = ctx.session.scalars(select(Case).where(
        Case.plan_id.is_(None),
        exists().where(AuditEvent.case_id == Case.id, AuditEvent.kind == "task_completed",
                       AuditEvent.details["element"].as_string().in_(elements)))
        .order_by(Case.id)).all()
    lines = []
    for case in cases:
        lines.append(_carry(ctx, case))
    return lines


def _carry(ctx, case: Case) -> str:
    events = ctx.session.scalars(select(AuditEvent).where(
        audit.of_case(case), AuditEvent.kind == "task_completed")
        .order_by(AuditEvent.id)).all()
    plan = None
    for event in events:
        details = event.details or {}
        element = str(details.get("element") or "")
        operation = DRAFTING.get(element) or APPROVING.get(element)
        if operation is None:
            continue
        at = dataclasses.replace(ctx, clock=FakeClock(event.at))  # as it stood then
        data = details.get("data") or {}
        if plan is None:
            plan = lifecycle.open_for_case(at, case, event.actor).plan
            if case.coordinator and coordinators.current(at, plan.id) is None:
                coordinators.appoint(at, plan, case.coordinator, "migrering")
        if operation in ("draft", "revise"):
            content.apply_form(at, plan, data, event.actor, case)
        if operation == "revise" or (operation == "approve" and data.get("godkjent")):
            if data.get("neste_evaluering"):
                content.apply_form(at, plan, {"neste_evaluering": data["neste_evaluering"]},
                                   event.actor, case)
            lifecycle.approve(at, plan, event.actor, case)
    versions = ctx.session.scalars(select(PlanVersion.number).where(
        PlanVersion.plan_id == plan.id)).all() if plan is not None else []
    audit.record(ctx, case, "migrering", "plan_carried_over",
                 plan=plan.id if plan else None, versions=len(versions))
    log.info("plan carried over case=%s plan=%s versions=%d", case.case_number,
             plan.id if plan else None, len(versions))
    return f"{case.case_number}: plan {plan.id if plan else '-'} ({len(versions)} versions)"
