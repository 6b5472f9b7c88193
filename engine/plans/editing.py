"""Changing a plan outside its processes (the API, the plan page): participants, consents,
who may do it. Only the plan's coordinator and the case-working roles may
(plan_page.require_change); each operation is audited by the operation it calls."""
from __future__ import annotations

from datetime import date

from engine.db.models import Consent, PlanParticipant, User
from engine.plans import lifecycle, participants, plan_page


def add_participant(ctx, plan_id: int, user: User, *, name: str, role: str,
                    username: str | None = None, person_id: int | None = None,
                    service: str | None = None) -> PlanParticipant:
    plan = lifecycle.get(ctx, plan_id)
    plan_page.require_change(ctx, plan, user)
    return participants.add(ctx, plan, user.username, name=name, role=role,
                            username=username, person_id=person_id, service=service)


def remove_participant(ctx, plan_id: int, participant_id: int, user: User) -> None:
    plan = lifecycle.get(ctx, plan_id)
    plan_page.require_change(ctx, plan, user)
    participants.remove(ctx, plan, participant_id, user.username)


def give_consent(ctx, plan_id: int, user: User, *, participant_id: int | None, scope: str,
                 given_by_name: str, given_by_role: str, given_on: date,
                 expires_on: date | None = None, sections: list[str] | None = None
                 ) -> Consent:
    plan = lifecycle.get(ctx, plan_id)
    plan_page.require_change(ctx, plan, user)
    return participants.give_consent(
        ctx, plan, user.username, participant_id=participant_id, scope=scope,
        given_by_name=given_by_name, given_by_role=given_by_role, given_on=given_on,
        expires_on=expires_on, sections_=sections)


def withdraw_consent(ctx, plan_id: int, consent_id: int, user: User) -> Consent:
    plan = lifecycle.get(ctx, plan_id)
    plan_page.require_change(ctx, plan, user)
    return participants.withdraw(ctx, plan, consent_id, user.username)
