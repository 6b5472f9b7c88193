"""A version of the plan per approval: a snapshot of its content, under the headings of
`sections`, that later changes never touch; two versions compare heading by heading."""
from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from engine.core.errors import NotFound
from engine.core.messages import N_
from engine.db.models import (
    Case,
    Consent,
    Plan,
    PlanCoordinator,
    PlanGoal,
    PlanMeasure,
    PlanParticipant,
    PlanVersion,
)


def snapshot(ctx, plan: Plan) -> dict[str, Any]:
    """The plan's content now, as plain data under the section keys."""
    def rows(model, *order):
        return list(ctx.session.scalars(select(model).where(model.plan_id == plan.id)
                                        .order_by(*order)))
    participants = [p for p in rows(PlanParticipant, PlanParticipant.id)
                    if p.removed_at is None]
    consents = {c.id: c for c in rows(Consent, Consent.id)}
    return {
        "mal": {"hovedmal": plan.main_goal, "ressurser": plan.resources, "behov": plan.needs,
                "delmal": [{"tekst": g.text, "frist": _iso(g.deadline)}
                           for g in rows(PlanGoal, PlanGoal.position)]},
        "deltakere": [{"navn": p.name, "rolle": p.role,
                       "samtykke": _consent(consents.get(p.consent_id))}
                      for p in participants],
        "koordinering": {"koordinatorer": [
            {"brukernavn": c.username, "fra": _iso(c.from_on), "til": _iso(c.to_on)}
            for c in rows(PlanCoordinator, PlanCoordinator.from_on, PlanCoordinator.id)],
            "ansvar": plan.coordination},
        "bidrag": dict(plan.contributions or {}),
        "tiltak": [{"hva": m.what, "omfang": m.extent, "ansvarlig": m.responsible,
                    "fra": _iso(m.starts_on), "til": _iso(m.ends_on), "status": m.status}
                   for m in rows(PlanMeasure, PlanMeasure.position)],
        "gjennomforing": [{"tiltak": m.what, "hvordan": m.how}
                          for m in rows(PlanMeasure, PlanMeasure.position) if m.how],
        "periode": {"fra": _iso(plan.period_from), "til": _iso(plan.period_to),
                    "neste_evaluering": _iso(plan.next_review)},
        "samtykke": [_consent(c) for c in consents.values() if c.participant_id is None
                     and c.withdrawn_at is None],
        "samarbeid": plan.cooperation,
    }


def keep(ctx, plan: Plan, actor: str, case: Case | None) -> int:
    """Store the plan as it is now as its next version; returns the number."""
    number = (ctx.session.scalar(select(func.max(PlanVersion.number))
                                 .where(PlanVersion.plan_id == plan.id)) or 0) + 1
    ctx.session.add(PlanVersion(plan_id=plan.id, number=number, approved_at=ctx.now(),
                                approved_by=actor, case_id=case.id if case else None,
                                snapshot=snapshot(ctx, plan)))
    ctx.session.flush()
    return number


def listing(ctx, plan_id: int) -> list[PlanVersion]:
    return list(ctx.session.scalars(select(PlanVersion).where(PlanVersion.plan_id == plan_id)
                                    .order_by(PlanVersion.number)))


def get(ctx, plan_id: int, number: int) -> PlanVersion:
    version = ctx.session.scalar(select(PlanVersion).where(PlanVersion.plan_id == plan_id,
                                                           PlanVersion.number == number))
    if version is None:
        raise NotFound(N_("Planen har ingen versjon %(number)s"), number=number)
    return version


def compare(older: dict[str, Any], newer: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The sections that differ between two snapshots: {section: {"for": ..., "etter": ...}}."""
    return {key: {"for": older.get(key), "etter": newer.get(key)}
            for key in dict.fromkeys([*older, *newer])
            if older.get(key) != newer.get(key)}


def _consent(consent: Consent | None) -> dict[str, Any] | None:
    if consent is None:
        return None
    return {"omfang": consent.scope, "deler": list(consent.sections or []),
            "gitt_av": consent.given_by_name, "gitt_av_rolle": consent.given_by_role,
            "dato": _iso(consent.given_on), "utlop": _iso(consent.expires_on),
            "trukket": consent.withdrawn_at is not None}


def _iso(value) -> str | None:
    return value.isoformat() if value else None
