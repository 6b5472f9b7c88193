"""The plan's content: read as one document (`document`), written from the drafting and
revision forms (`apply_form`), and given to those forms as they stand (`form_data`).

The forms' fields (processes/forms/utarbeide_plan.json, revidere_plan.json) map to rows:
hovedmal, ressurser_og_behov, behov, koordineringsansvar, bidrag, samarbeid_andre_etater
and the period to the plan; delmal to goals; tiltak to measures; deltakere to participants
with their consent; samtykke to the consent to the plan itself. A field the form leaves out
is left as it is.
"""
from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import delete, select

from engine.cases import audit
from engine.core.errors import ConflictError
from engine.core.messages import N_
from engine.db.models import Case, Plan, PlanGoal, PlanMeasure
from engine.deadlines.calendar import optional_date
from engine.plans import participants

_TEXTS = {"hovedmal": "main_goal", "ressurser_og_behov": "resources", "behov": "needs",
          "koordineringsansvar": "coordination", "samarbeid_andre_etater": "cooperation"}
_DATES = {"planperiode_fra": "period_from", "planperiode_til": "period_to",
          "neste_evaluering": "next_review"}


def goals(ctx, plan_id: int) -> list[PlanGoal]:
    return list(ctx.session.scalars(select(PlanGoal).where(PlanGoal.plan_id == plan_id)
                                    .order_by(PlanGoal.position)))


def measures(ctx, plan_id: int) -> list[PlanMeasure]:
    return list(ctx.session.scalars(select(PlanMeasure).where(PlanMeasure.plan_id == plan_id)
                                    .order_by(PlanMeasure.position)))


def apply_form(ctx, plan: Plan, data: dict[str, Any], actor: str, case: Case | None = None
               ) -> None:
    """Write a drafting or revision form's fields to the plan."""
    if plan.status == "avsluttet":
        raise ConflictError(N_("Planen er avsluttet"))
    for field, column in _TEXTS.items():
        if field in data:
            setattr(plan, column, (data[field] or "").strip() or None)
    for field, column in _DATES.items():
        if field in data:
            setattr(plan, column, optional_date(data[field]))
    if "bidrag" in data:
        plan.contributions = {k: v for k, v in (data["bidrag"] or {}).items() if v}
    if "delmal" in data:
        ctx.session.execute(delete(PlanGoal).where(PlanGoal.plan_id == plan.id))
        ctx.session.add_all(PlanGoal(plan_id=plan.id, position=i, text=goal["beskrivelse"],
                                     deadline=optional_date(goal.get("frist")))
                            for i, goal in enumerate(data["delmal"] or []))
    if "tiltak" in data:
        ctx.session.execute(delete(PlanMeasure).where(PlanMeasure.plan_id == plan.id))
        ctx.session.add_all(PlanMeasure(
            plan_id=plan.id, position=i, what=item["hva"], extent=item.get("omfang"),
            responsible=item.get("ansvarlig") or "", how=item.get("gjennomforing"),
            starts_on=optional_date(item.get("fra")), ends_on=optional_date(item.get("til")),
            status=item.get("status") or "planlagt")
            for i, item in enumerate(data["tiltak"] or []))
    if isinstance(data.get("samtykke"), dict):  # first: the participants' consents name it
        participants.plan_consent_from_form(ctx, plan, data["samtykke"], actor)
    if "deltakere" in data:
        participants.sync_from_form(ctx, plan, data["deltakere"] or [], actor, case)
    ctx.session.flush()
    audit.record(ctx, case, actor, "plan_changed", person_id=plan.person_id, plan=plan.id,
                 fields=sorted(set(data) & _FORM_FIELDS))


def form_data(ctx, plan: Plan) -> dict[str, Any]:
    """The plan as the drafting form's data (what the form shows before it is edited)."""
    data: dict[str, Any] = {}
    for field, column in _TEXTS.items():
        if getattr(plan, column):
            data[field] = getattr(plan, column)
    for field, column in _DATES.items():
        if getattr(plan, column):
            data[field] = getattr(plan, column).isoformat()
    if plan.contributions:
        data["bidrag"] = dict(plan.contributions)
    data["delmal"] = [_clean({"beskrivelse": g.text, "frist": _iso(g.deadline)})
                      for g in goals(ctx, plan.id)]
    data["tiltak"] = [_clean({"hva": m.what, "omfang": m.extent, "ansvarlig": m.responsible,
                              "gjennomforing": m.how})
                      for m in measures(ctx, plan.id)]
    data["deltakere"] = participants.form_rows(ctx, plan)
    consent = participants.plan_consent(ctx, plan.id)
    if consent is not None:
        data["samtykke"] = _clean({"samtykke_til_plan": True, "gitt_av": consent.given_by_name,
                                   "samtykke_dato": _iso(consent.given_on),
                                   "samtykke_utlop": _iso(consent.expires_on)})
    return data


_FORM_FIELDS = set(_TEXTS) | set(_DATES) | {"bidrag", "delmal", "tiltak", "deltakere",
                                            "samtykke"}



def _iso(value: date | None) -> str | None:
    return value.isoformat() if value else None


def _clean(values: dict) -> dict:
    return {k: v for k, v in values.items() if v not in (None, "")}
