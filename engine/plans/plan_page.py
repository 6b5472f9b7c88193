"""The plan as a document: one read that gathers it under the headings (a)–(i) of
domain.md for the plan page, its print and its PDF, and the plan lists.

Who reads how much: the case-working roles and the plan's coordinator read the whole plan;
a participant who is a Samflyt user reads the sections their consent covers today
(participants.visible_sections; the meetings only with `moter`); anyone else is refused.
A protected address is never in the plan (it may reach participants). Every read is
written to the audit log for the person.
"""
from __future__ import annotations

import dataclasses
from datetime import date

from sqlalchemy import select

from engine.access import rules
from engine.cases import audit
from engine.core.errors import PermissionDenied
from engine.core.messages import N_
from engine.db.models import (
    Consent,
    Person,
    Plan,
    PlanActionItem,
    PlanCoordinator,
    PlanGoal,
    PlanMeasure,
    PlanMeeting,
    PlanParticipant,
    PlanVersion,
    User,
)
from engine.persons import protection
from engine.plans import coordinators, lifecycle, meetings, participants, sections, versions

WHOLE = frozenset(sections.SECTIONS) | {sections.MEETINGS}


@dataclasses.dataclass
class ParticipantRow:
    participant: PlanParticipant
    consent: Consent | None
    holds: bool


@dataclasses.dataclass
class PlanPage:
    plan: Plan
    person: Person
    address: protection.ShownAddress
    marking: str | None
    #: The section keys (and `moter`) the reader may see.
    visible: frozenset[str]
    goals: list[PlanGoal]
    measures: list[PlanMeasure]
    participants: list[ParticipantRow]
    coordinators: list[PlanCoordinator]
    plan_consents: list[Consent]
    meetings: list[tuple[PlanMeeting, list[PlanActionItem]]]
    versions: list[PlanVersion]
    today: date
    #: The reader may record meetings (the coordinator, the case-working roles).
    may_change: bool = False

    def shows(self, section: str) -> bool:
        return section in self.visible


def reading(ctx, plan: Plan, reader: User) -> frozenset[str]:
    """What of the plan `reader` may see (all of it, some sections, or PermissionDenied)."""
    if rules.reads_every_case(reader) or coordinators.current(ctx, plan.id) == reader.username:
        return WHOLE
    seen = participants.visible_sections(ctx, plan, reader.username)
    if not seen:
        error = PermissionDenied(N_("Du har ikke tilgang til denne planen"))
        error.refused_case, error.refused_person = plan.opened_by_case_id, plan.person_id
        raise error
    return frozenset(seen)


def may_change(ctx, plan: Plan, user: User) -> bool:
    """Who may record meetings, participants and consents: the case-working roles and the
    plan's coordinator."""
    return rules.reads_every_case(user) or coordinators.current(ctx, plan.id) == user.username


def require_change(ctx, plan: Plan, user: User) -> None:
    if not may_change(ctx, plan, user):
        error = PermissionDenied(N_("Bare koordinatoren og saksbehandlende roller kan endre "
                                    "planen"))
        error.refused_case, error.refused_person = plan.opened_by_case_id, plan.person_id
        raise error


def plan_page(ctx, plan_id: int, reader: User, purpose: str = "plan page") -> PlanPage:
    plan = lifecycle.get(ctx, plan_id)
    visible = reading(ctx, plan, reader)
    person = ctx.session.get_one(Person, plan.person_id)
    audit.record(ctx, None, reader.username, "plan_read", person_id=plan.person_id,
                 plan=plan.id, purpose=purpose)

    def rows(model, *order):
        return list(ctx.session.scalars(select(model).where(model.plan_id == plan.id)
                                        .order_by(*order)))
    consents = {c.id: c for c in rows(Consent, Consent.id)}
    today = ctx.today()
    return PlanPage(
        plan=plan, person=person,
        address=protection.shown_address(person, reader, for_others=True),
        marking=protection.marking(person), visible=visible,
        goals=rows(PlanGoal, PlanGoal.position), measures=rows(PlanMeasure, PlanMeasure.position),
        participants=[ParticipantRow(p, consents.get(p.consent_id) if p.consent_id else None,
                                     participants.holds(consents.get(p.consent_id)
                                                        if p.consent_id else None, today))
                      for p in rows(PlanParticipant, PlanParticipant.id)
                      if p.removed_at is None],
        coordinators=rows(PlanCoordinator, PlanCoordinator.from_on, PlanCoordinator.id),
        plan_consents=[c for c in consents.values() if c.participant_id is None],
        meetings=meetings.listing(ctx, plan.id) if sections.MEETINGS in visible else [],
        versions=versions.listing(ctx, plan.id), today=today,
        may_change=may_change(ctx, plan, reader) and plan.status != "avsluttet")


@dataclasses.dataclass
class Comparison:
    plan: Plan
    older: PlanVersion
    newer: PlanVersion
    #: section key -> {"for": ..., "etter": ...}, only the sections that differ and that the
    #: reader may see.
    changes: dict[str, dict]


def compare_versions(ctx, plan_id: int, older: int, newer: int, reader: User) -> Comparison:
    plan = lifecycle.get(ctx, plan_id)
    visible = reading(ctx, plan, reader)
    first, second = versions.get(ctx, plan.id, older), versions.get(ctx, plan.id, newer)
    audit.record(ctx, None, reader.username, "plan_read", person_id=plan.person_id,
                 plan=plan.id, purpose=f"compare {older}-{newer}")
    changes = {key: change for key, change in versions.compare(first.snapshot,
                                                                second.snapshot).items()
               if key in visible}
    return Comparison(plan, first, second, changes)


@dataclasses.dataclass
class PlanListRow:
    plan: Plan
    person: Person
    coordinator: str | None
    overdue: bool


def coordinated_by(ctx, user: User) -> list[PlanListRow]:
    """The plans `user` coordinates now, the next review first."""
    return _listing(ctx, select(Plan, Person, PlanCoordinator.username)
                    .join(Person, Person.id == Plan.person_id)
                    .join(PlanCoordinator, PlanCoordinator.plan_id == Plan.id)
                    .where(PlanCoordinator.username == user.username,
                           PlanCoordinator.to_on.is_(None),
                           Plan.status.in_(sections.OPEN_STATUSES)))


def overview(ctx, reader: User, only_overdue: bool = False, offset: int = 0,
             limit: int = 100) -> list[PlanListRow]:
    """Every plan not ended with its coordinator and next review, overdue reviews first
    (the coordinating unit's and the leaders' overview)."""
    if not rules.reads_every_case(reader):
        raise PermissionDenied(N_("Bare saksbehandlende roller ser alle planer"))
    query = (select(Plan, Person, PlanCoordinator.username)
             .join(Person, Person.id == Plan.person_id)
             .outerjoin(PlanCoordinator, (PlanCoordinator.plan_id == Plan.id)
                        & PlanCoordinator.to_on.is_(None))
             .where(Plan.status.in_(sections.OPEN_STATUSES)))
    if only_overdue:
        query = query.where(Plan.next_review < ctx.today())
    return _listing(ctx, query.offset(offset).limit(limit))


def _listing(ctx, query) -> list[PlanListRow]:
    today = ctx.today()
    return [PlanListRow(plan, person, coordinator,
                         plan.next_review is not None and plan.next_review < today)
             for plan, person, coordinator in ctx.session.execute(
                 query.order_by(Plan.next_review.asc().nulls_last(), Plan.id)).tuples()]
