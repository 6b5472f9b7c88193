"""Meetings of the ansvarsgruppe: when, who came, the minutes, and the action items (who does
what by when). An action item for a Samflyt user also becomes a task in their inbox
(engine/cases/action_items.py starts it)."""
from __future__ import annotations

import dataclasses
from datetime import date

from sqlalchemy import select

from engine.cases import audit
from engine.core.errors import ConflictError, InvalidInput
from engine.core.messages import N_, Message
from engine.db.models import Plan, PlanActionItem, PlanMeeting, User

_TEXT = 200


@dataclasses.dataclass(frozen=True)
class ActionItem:
    what: str
    responsible_name: str
    responsible_username: str | None = None
    due_on: date | None = None


def record(ctx, plan: Plan, actor: str, held_on: date, attendees: list[str], minutes: str,
           items: list[ActionItem]) -> tuple[PlanMeeting, list[PlanActionItem]]:
    """The meeting and its action items (their tasks are the caller's to start)."""
    if plan.status == "avsluttet":
        raise ConflictError(N_("Planen er avsluttet"))
    errors: dict[str, Message] = {}
    if held_on > ctx.today():
        errors["held_on"] = Message(N_("Møtet kan ikke være holdt fram i tid"))
    people = [a.strip() for a in attendees if isinstance(a, str) and a.strip()]
    if not people or any(len(a) > _TEXT for a in people):
        errors["attendees"] = Message(N_("Oppgi hvem som var til stede"))
    if not isinstance(minutes, str) or len(minutes) > 20000:
        errors["minutes"] = Message(N_("Referatet er en tekst på høyst %(n)d tegn"), n=20000)
    for index, item in enumerate(items):
        if not item.what.strip():
            errors[f"action_items/{index}/what"] = Message(N_("Beskriv hva som skal gjøres"))
        if not item.responsible_name.strip() or len(item.responsible_name) > _TEXT:
            errors[f"action_items/{index}/responsible_name"] = Message(N_("Oppgi hvem"))
        if item.responsible_username is not None and ctx.session.scalar(select(User.id).where(
                User.username == item.responsible_username, User.active)) is None:
            errors[f"action_items/{index}/responsible_username"] = Message(
                N_("Fant ikke brukeren «%(username)s»"), username=item.responsible_username)
    if errors:
        raise InvalidInput(N_("Møtet kan ikke registreres"), errors)
    meeting = PlanMeeting(plan_id=plan.id, held_on=held_on, attendees=people,
                          minutes=minutes.strip(), recorded_by=actor, recorded_at=ctx.now())
    ctx.session.add(meeting)
    ctx.session.flush()
    rows = [PlanActionItem(meeting_id=meeting.id, plan_id=plan.id, what=item.what.strip(),
                           responsible_name=item.responsible_name.strip(),
                           responsible_username=item.responsible_username,
                           due_on=item.due_on) for item in items]
    ctx.session.add_all(rows)
    ctx.session.flush()
    audit.record(ctx, None, actor, "plan_meeting_recorded", person_id=plan.person_id,
                 plan=plan.id, meeting=meeting.id, action_items=len(rows))
    return meeting, rows


def listing(ctx, plan_id: int) -> list[tuple[PlanMeeting, list[PlanActionItem]]]:
    """The plan's meetings, newest first, each with its action items (two queries)."""
    meetings = list(ctx.session.scalars(select(PlanMeeting).where(
        PlanMeeting.plan_id == plan_id).order_by(PlanMeeting.held_on.desc(),
                                                 PlanMeeting.id.desc())))
    items: dict[int, list[PlanActionItem]] = {m.id: [] for m in meetings}
    for item in ctx.session.scalars(select(PlanActionItem).where(
            PlanActionItem.plan_id == plan_id).order_by(PlanActionItem.id)):
        items.setdefault(item.meeting_id, []).append(item)
    return [(meeting, items[meeting.id]) for meeting in meetings]
