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
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import defer

from engine.access import rules
from engine.accounts.roles import CASEWORK_ROLES, holds_any
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
    #: username -> display name, for the coordinators and those who approved versions.
    names: dict[str, str] = dataclasses.field(default_factory=dict)

    def shows(self, section: str) -> bool:
        return section in self.visible

    def name(self, username: str | None) -> str:
        return self.names.get(username or "", username or "")


_ASK = object()


def reading(ctx, plan: Plan, reader: User, coordinator: Any = _ASK) -> frozenset[str]:
    """What of the plan `reader` may see (all of it, some sections, or PermissionDenied).
    `coordinator`: the plan's current coordinator when the caller has read it already."""
    if coordinator is _ASK:
        coordinator = coordinators.current(ctx, plan.id)
    if rules.reads_plan(ctx, plan, reader) or coordinator == reader.username:
        return WHOLE
    seen = participants.visible_sections(ctx, plan, reader.username)
    if not seen:
        error = PermissionDenied(N_("Du har ikke tilgang til denne planen"))
        error.refused_case, error.refused_person = plan.opened_by_case_id, plan.person_id
        raise error
    return frozenset(seen)


def may_change(ctx, plan: Plan, user: User) -> bool:
    """Who may record meetings, participants and consents: the plan's coordinator, and the
    case-working roles who read the whole plan."""
    return _may_change(ctx, plan, user, rules.reads_plan(ctx, plan, user))


def _may_change(ctx, plan: Plan, user: User, reads: bool) -> bool:
    return (holds_any(user.role_keys, CASEWORK_ROLES) and reads) or (
        coordinators.current(ctx, plan.id) == user.username)


def require_change(ctx, plan: Plan, user: User) -> None:
    """Refused: a refused read when the user may not read the whole plan (the access module
    is asked first, always), else refused for the role."""
    reads = rules.reads_plan(ctx, plan, user)
    if not _may_change(ctx, plan, user, reads):
        error = PermissionDenied(N_("Bare koordinatoren og saksbehandlende roller kan endre "
                                    "planen"))
        if not reads:
            error.refused_case, error.refused_person = plan.opened_by_case_id, plan.person_id
        raise error


def plan_page(ctx, plan_id: int, reader: User, purpose: str = "plan page") -> PlanPage:
    """The plan as `reader` may read it, in a bounded number of queries (one per kind of
    row, whatever the plan's size), its read logged for the person."""
    plan = lifecycle.get(ctx, plan_id)

    def rows(model, *order):
        return list(ctx.session.scalars(select(model).where(model.plan_id == plan.id)
                                        .order_by(*order)))
    periods = rows(PlanCoordinator, PlanCoordinator.from_on, PlanCoordinator.id)
    current = next((p.username for p in periods if p.to_on is None), None)
    visible = reading(ctx, plan, reader, current)
    person = ctx.session.get_one(Person, plan.person_id)
    audit.record(ctx, None, reader.username, "plan_read", person_id=plan.person_id,
                 plan=plan.id, purpose=purpose)
    consents = {c.id: c for c in rows(Consent, Consent.id)}
    today = ctx.today()
    listed = list(ctx.session.scalars(
        select(PlanVersion).where(PlanVersion.plan_id == plan.id)
        .options(defer(PlanVersion.snapshot, raiseload=True)).order_by(PlanVersion.number)))

    def consent_of(participant: PlanParticipant) -> Consent | None:
        return consents.get(participant.consent_id) if participant.consent_id else None
    return PlanPage(
        plan=plan, person=person,
        address=protection.shown_address(person, reader, for_others=True),
        marking=protection.marking(person), visible=visible,
        goals=rows(PlanGoal, PlanGoal.position), measures=rows(PlanMeasure, PlanMeasure.position),
        participants=[ParticipantRow(p, consent_of(p), participants.holds(consent_of(p), today))
                      for p in rows(PlanParticipant, PlanParticipant.id)
                      if p.removed_at is None],
        coordinators=periods,
        plan_consents=[c for c in consents.values() if c.participant_id is None],
        meetings=meetings.listing(ctx, plan.id) if sections.MEETINGS in visible else [],
        versions=listed, today=today,
        may_change=may_change(ctx, plan, reader) and plan.status != "avsluttet",
        names=display_names(ctx, {p.username for p in periods}
                            | {v.approved_by for v in listed}))


def display_names(ctx, usernames: set[str]) -> dict[str, str]:
    """username -> display name, in one query (an unknown username stays as it is)."""
    if not usernames:
        return {}
    return dict(ctx.session.execute(select(User.username, User.display_name).where(
        User.username.in_(sorted(usernames)))).tuples().all())


@dataclasses.dataclass
class VersionView:
    plan: Plan
    person: Person
    marking: str | None
    version: PlanVersion
    #: section key -> the version's content under it, only the sections the reader may see,
    #: in the order (a)–(i).
    sections: dict[str, Any]
    names: dict[str, str]


def plan_version_view(ctx, plan_id: int, number: int, reader: User) -> VersionView:
    """One approved version of the plan as `reader` may read it (the same rule as the plan
    page: a participant sees only the sections their consent covers today)."""
    plan = lifecycle.get(ctx, plan_id)
    visible = reading(ctx, plan, reader)
    version = versions.get(ctx, plan.id, number)
    person = ctx.session.get_one(Person, plan.person_id)
    audit.record(ctx, None, reader.username, "plan_read", person_id=plan.person_id,
                 plan=plan.id, purpose=f"version {number}")
    shown = {key: version.snapshot.get(key) for key in sections.SECTIONS if key in visible}
    return VersionView(plan, person, protection.marking(person), version, shown,
                       display_names(ctx, _usernames(shown) | {version.approved_by}))


def _usernames(content: dict[str, Any]) -> set[str]:
    """The coordinators' usernames in a snapshot's content (to show their names)."""
    periods = (content.get("koordinering") or {}).get("koordinatorer") or []
    return {p["brukernavn"] for p in periods if isinstance(p, dict) and p.get("brukernavn")}


@dataclasses.dataclass
class Comparison:
    plan: Plan
    older: PlanVersion
    newer: PlanVersion
    #: section key -> {"for": ..., "etter": ...}, only the sections that differ and that the
    #: reader may see.
    changes: dict[str, dict]
    names: dict[str, str] = dataclasses.field(default_factory=dict)


def compare_versions(ctx, plan_id: int, older: int, newer: int, reader: User) -> Comparison:
    plan = lifecycle.get(ctx, plan_id)
    visible = reading(ctx, plan, reader)
    first, second = versions.get(ctx, plan.id, older), versions.get(ctx, plan.id, newer)
    audit.record(ctx, None, reader.username, "plan_read", person_id=plan.person_id,
                 plan=plan.id, purpose=f"compare {older}-{newer}")
    changes = {key: change for key, change in versions.compare(first.snapshot,
                                                                second.snapshot).items()
               if key in visible}
    named = {first.approved_by, second.approved_by}
    koordinering = changes.get("koordinering") or {}
    for side in ("for", "etter"):
        named |= _usernames({"koordinering": koordinering.get(side)})
    return Comparison(plan, first, second, changes, display_names(ctx, named))


@dataclasses.dataclass
class PlanListRow:
    plan: Plan
    person: Person
    coordinator: str | None
    overdue: bool
    #: The coordinator's display name (None: no coordinator, or not a user any more).
    coordinator_name: str | None = None


def coordinated_by(ctx, user: User) -> list[PlanListRow]:
    """The plans `user` coordinates now, the next review first."""
    return _listing(ctx, select(Plan, Person, PlanCoordinator.username)
                    .join(Person, Person.id == Plan.person_id)
                    .join(PlanCoordinator, PlanCoordinator.plan_id == Plan.id)
                    .add_columns(User.display_name)
                    .outerjoin(User, User.username == PlanCoordinator.username)
                    .where(PlanCoordinator.username == user.username,
                           PlanCoordinator.to_on.is_(None),
                           Plan.status.in_(sections.OPEN_STATUSES),
                           rules.visible_persons(ctx, user)))  # one place decides


def overview(ctx, reader: User, only_overdue: bool = False, offset: int = 0,
             limit: int = 100) -> list[PlanListRow]:
    """Every plan not ended with its coordinator and next review, overdue reviews first
    (the coordinating unit's and the leaders' overview)."""
    if not holds_any(reader.role_keys, CASEWORK_ROLES):
        raise PermissionDenied(N_("Bare saksbehandlende roller ser alle planer"))
    query = (select(Plan, Person, PlanCoordinator.username)
             .join(Person, Person.id == Plan.person_id)
             .outerjoin(PlanCoordinator, (PlanCoordinator.plan_id == Plan.id)
                        & PlanCoordinator.to_on.is_(None))
             .add_columns(User.display_name)
             .outerjoin(User, User.username == PlanCoordinator.username)
             .where(Plan.status.in_(sections.OPEN_STATUSES),
                    rules.visible_persons(ctx, reader)))
    if only_overdue:
        query = query.where(Plan.next_review < ctx.today())
    return _listing(ctx, query.offset(offset).limit(limit))


def _listing(ctx, query) -> list[PlanListRow]:
    today = ctx.today()
    return [PlanListRow(plan, person, coordinator,
                         plan.next_review is not None and plan.next_review < today, name)
             for plan, person, coordinator, name in ctx.session.execute(
                 query.order_by(Plan.next_review.asc().nulls_last(), Plan.id)).tuples()]
