"""What the diagrams do to the plan: the extension property `planOperation` on an element
(docs/processes.md) names one of these operations, which the engine runs when the element
is passed (`open`) or its user task is completed (the others), so that processes write the
plan through engine operations and their forms show the plan as it is (`form_values`).

| value | where | does |
|---|---|---|
| `open` | an event on the way to drafting | opens the person's plan, or joins the one they have |
| `draft` | the drafting task | writes the form to the plan |
| `approve` | the approval task | with `godkjent` true: sets the next review, keeps a version |
| `revise` | a revision task | writes the form and approves: a new version |
| `review` | the periodic review | sets the next review; `resultat` "avslutte" ends the plan |
| `join` | a second request's task | adds the new participant with consent, revises, approves |
| `own_consent` | at 16 | the young person's consent replaces the parents'; a no ends the plan |
"""
from __future__ import annotations

from typing import Any

from engine.core.errors import ConflictError, InvalidInput
from engine.core.messages import N_, Message
from engine.db.models import Case, Plan
from engine.plans import content, coordinators, lifecycle, participants

OPERATIONS = ("open", "draft", "approve", "revise", "review", "join", "own_consent")
#: The operations whose task's form shows the plan as it stands.
EDITING = ("draft", "revise", "join")


def on_passed(ctx, case: Case, operation: str, actor: str) -> None:
    if operation == "open":
        lifecycle.open_for_case(ctx, case, actor)


def on_completion(ctx, case: Case, operation: str, data: dict[str, Any], actor: str) -> None:
    """Apply a completed task's form to the case's plan."""
    if operation not in OPERATIONS or operation == "open":
        return
    plan = _plan(ctx, case)
    if operation == "draft":
        content.apply_form(ctx, plan, data, actor, case)
    elif operation == "approve":
        if data.get("godkjent"):
            if data.get("neste_evaluering"):
                content.apply_form(ctx, plan, {"neste_evaluering": data["neste_evaluering"]},
                                   actor, case)
            lifecycle.approve(ctx, plan, actor, case)
    elif operation == "revise":
        content.apply_form(ctx, plan, data, actor, case)
        lifecycle.approve(ctx, plan, actor, case)
    elif operation == "review":
        if data.get("neste_evaluering"):
            content.apply_form(ctx, plan, {"neste_evaluering": data["neste_evaluering"]},
                               actor, case)
        if data.get("resultat") == "avslutte":
            lifecycle.end(ctx, plan, actor, "avsluttet_ved_evaluering", case)
    elif operation == "join":
        _join(ctx, plan, case, data, actor)
    elif operation == "own_consent":
        if data.get("samtykker") is True:
            participants.plan_consent_from_form(ctx, plan, {
                "samtykke_til_plan": True, "gitt_av": "personen",
                "samtykke_dato": data.get("samtykke_dato"),
                "samtykke_utlop": data.get("samtykke_utlop")}, actor)
        else:
            consent = participants.plan_consent(ctx, plan.id)
            if consent is not None:
                participants.withdraw(ctx, plan, consent.id, actor)
            else:
                lifecycle.end(ctx, plan, actor, "samtykke_ikke_gitt", case)


def form_values(ctx, case: Case, operation: str | None) -> dict[str, Any]:
    """What an editing task's form shows: the plan as it stands (empty for other tasks)."""
    if operation not in EDITING or case.plan_id is None:
        return {}
    return content.form_data(ctx, ctx.session.get(Plan, case.plan_id))


def coordinator_appointed(ctx, case: Case, username: str, actor: str) -> None:
    """The case's coordinator is the plan's (with history) when the case has a plan."""
    if case.plan_id is not None:
        coordinators.appoint(ctx, ctx.session.get(Plan, case.plan_id), username, actor)


def _join(ctx, plan: Plan, case: Case, data: dict[str, Any], actor: str) -> None:
    participant = participants.add(ctx, plan, actor, name=data.get("deltaker_navn", ""),
                                   role=data.get("deltaker_rolle", ""), case=case,
                                   username=data.get("deltaker_bruker") or None)
    scope = data.get("tilgang", "ingen")
    if scope != "ingen":
        giver = participants.plan_consent(ctx, plan.id)
        participants.give_consent(
            ctx, plan, actor, participant_id=participant.id, scope=scope,
            sections_=data.get("deler") or [], given_on=ctx.today(),
            given_by_name=data.get("samtykke_gitt_av") or (
                giver.given_by_name if giver else participants.NOT_GIVEN),
            given_by_role=data.get("samtykke_gitt_av_rolle") or (
                giver.given_by_role if giver else "personen"))
    content.apply_form(ctx, plan, {k: v for k, v in data.items()
                                   if k in ("neste_evaluering", "hovedmal", "tiltak")},
                       actor, case)
    lifecycle.approve(ctx, plan, actor, case)


def _plan(ctx, case: Case) -> Plan:
    if case.plan_id is None:
        raise InvalidInput(N_("Saken har ingen plan"), {"": Message(
            N_("Planen åpnes når individuell plan er innvilget"))})
    plan = ctx.session.get(Plan, case.plan_id)
    if plan.status == "avsluttet":
        raise ConflictError(N_("Planen er avsluttet"))
    return plan
