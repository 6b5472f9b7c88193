"""The individual plan: owned by the person, at most one not ended per person, with the
content (a)–(i) of domain.md as rows (engine/plans owns the operations)."""
from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from engine.db.models.base import Base

#: The statuses of a plan that is not over: one such plan per person.
OPEN_PLAN = "status <> 'avsluttet'"


class Plan(Base):
    """One person's plan. `utkast` from the grant until the first approval, then `aktiv`
    (never a day without a coordinator), `avsluttet` when it ends."""
    __tablename__ = "plans"
    __table_args__ = (Index("uq_plans_one_open_per_person", "person_id", unique=True,
                            postgresql_where=text(OPEN_PLAN), sqlite_where=text(OPEN_PLAN)),
                      Index("ix_plans_review", "status", "next_review"))
    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("persons.id"))
    #: utkast | aktiv | avsluttet
    status: Mapped[str] = mapped_column(String(20), default="utkast")
    #: The case whose grant opened the plan (no foreign key: cases refer to plans).
    opened_by_case_id: Mapped[int | None] = mapped_column(Integer)
    #: (a) the main goal; sub-goals are PlanGoal rows.
    main_goal: Mapped[str | None] = mapped_column(Text)
    #: (a) the person's resources, and needs.
    resources: Mapped[str | None] = mapped_column(Text)
    needs: Mapped[str | None] = mapped_column(Text)
    #: (d) what the person, the services and the relatives contribute:
    #: {"personen": ..., "tjenestene": ..., "parorende": ...}.
    contributions: Mapped[dict[str, Any]] = mapped_column(default=dict)
    #: (c) who is responsible for coordination and progress, besides the coordinator.
    coordination: Mapped[str | None] = mapped_column(Text)
    #: (i) cooperation with other agencies.
    cooperation: Mapped[str | None] = mapped_column(Text)
    #: (g) the plan period and the next review.
    period_from: Mapped[date | None] = mapped_column(Date)
    period_to: Mapped[date | None] = mapped_column(Date)
    next_review: Mapped[date | None] = mapped_column(Date)
    #: The number of the newest approved version (0: none yet).
    approved_version: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime]
    created_by: Mapped[str] = mapped_column(String(80))
    ended_at: Mapped[datetime | None]
    end_reason: Mapped[str | None] = mapped_column(String(200))
    lock_version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": lock_version}


class PlanGoal(Base):
    """(a) a sub-goal."""
    __tablename__ = "plan_goals"
    __table_args__ = (Index("ix_plan_goals_plan", "plan_id", "position"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plans.id"))
    position: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)
    deadline: Mapped[date | None] = mapped_column(Date)


class PlanMeasure(Base):
    """(e)/(f) a measure (tiltak): what, its extent, who is responsible, how, when, status."""
    __tablename__ = "plan_measures"
    __table_args__ = (Index("ix_plan_measures_plan", "plan_id", "position"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plans.id"))
    position: Mapped[int] = mapped_column(Integer)
    what: Mapped[str] = mapped_column(Text)
    extent: Mapped[str | None] = mapped_column(String(300))
    responsible: Mapped[str] = mapped_column(String(200))
    how: Mapped[str | None] = mapped_column(Text)
    starts_on: Mapped[date | None] = mapped_column(Date)
    ends_on: Mapped[date | None] = mapped_column(Date)
    #: planlagt | i_gang | fullfort | avsluttet
    status: Mapped[str] = mapped_column(String(20), default="planlagt")


class PlanParticipant(Base):
    """(b) someone who takes part: a person (`person_id`), a Samflyt user (`username`: may
    read the plan within their consent), or a service (`service`). What they may see is the
    scope of their current consent (`consent_id`); without one, nothing."""
    __tablename__ = "plan_participants"
    __table_args__ = (Index("ix_plan_participants_plan", "plan_id"),
                      Index("ix_plan_participants_user", "username"))
    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plans.id"))
    name: Mapped[str] = mapped_column(String(200))
    #: The role in the plan work, in words ("Mor", "Fastlege", "Kontaktlærer").
    role: Mapped[str] = mapped_column(String(200))
    person_id: Mapped[int | None] = mapped_column(ForeignKey("persons.id"))
    username: Mapped[str | None] = mapped_column(String(80))
    service: Mapped[str | None] = mapped_column(String(200))
    #: The current consent (no foreign key: consents refer to participants).
    consent_id: Mapped[int | None] = mapped_column(Integer)
    added_at: Mapped[datetime]
    added_by: Mapped[str] = mapped_column(String(80))
    #: The case that added them (a second request joining the plan).
    added_by_case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"))
    removed_at: Mapped[datetime | None]


class Consent(Base):
    """(h) consent: who consented, to what, when, until when. `participant_id` None is the
    consent to the plan itself. `renewal_due` marks a parent's consent to be renewed by the
    young person at 16 (pbrl § 4-3)."""
    __tablename__ = "consents"
    __table_args__ = (Index("ix_consents_plan", "plan_id", "participant_id"),
                      Index("ix_consents_expiry", "expires_on"))
    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plans.id"))
    participant_id: Mapped[int | None] = mapped_column(ForeignKey("plan_participants.id"))
    #: planen (the plan itself) | hele_planen | deler | moter
    scope: Mapped[str] = mapped_column(String(20))
    #: For `deler`: the section keys (engine/plans/sections.py) the participant may see.
    sections: Mapped[list[str]] = mapped_column(JSON, default=list)
    given_by_person_id: Mapped[int | None] = mapped_column(ForeignKey("persons.id"))
    given_by_name: Mapped[str] = mapped_column(String(200))
    #: personen | forelder | verge
    given_by_role: Mapped[str] = mapped_column(String(20))
    given_on: Mapped[date] = mapped_column(Date)
    expires_on: Mapped[date | None] = mapped_column(Date)
    withdrawn_at: Mapped[datetime | None]
    withdrawn_by: Mapped[str | None] = mapped_column(String(80))
    renewal_due: Mapped[bool] = mapped_column(default=False)
    recorded_by: Mapped[str] = mapped_column(String(80))
    recorded_at: Mapped[datetime]


class PlanCoordinator(Base):
    """(c) the coordinator over time: one row per period; while the plan is active the
    periods leave no day uncovered."""
    __tablename__ = "plan_coordinators"
    __table_args__ = (Index("ix_plan_coordinators_plan", "plan_id", "from_on"),
                      Index("ix_plan_coordinators_user", "username", "to_on"))
    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plans.id"))
    username: Mapped[str] = mapped_column(String(80))
    from_on: Mapped[date] = mapped_column(Date)
    #: The last day (None: still the coordinator).
    to_on: Mapped[date | None] = mapped_column(Date)
    appointed_by: Mapped[str] = mapped_column(String(80))


class PlanMeeting(Base):
    """A meeting of the ansvarsgruppe: when, who came, the minutes."""
    __tablename__ = "plan_meetings"
    __table_args__ = (Index("ix_plan_meetings_plan", "plan_id", "held_on"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plans.id"))
    held_on: Mapped[date] = mapped_column(Date)
    attendees: Mapped[list[str]] = mapped_column(JSON, default=list)
    minutes: Mapped[str] = mapped_column(Text, default="")
    recorded_by: Mapped[str] = mapped_column(String(80))
    recorded_at: Mapped[datetime]


class PlanActionItem(Base):
    """What a meeting agreed someone does by when. For a Samflyt user it is also a task in
    their inbox (`human_task_id`)."""
    __tablename__ = "plan_action_items"
    __table_args__ = (Index("ix_plan_action_items_meeting", "meeting_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("plan_meetings.id"))
    plan_id: Mapped[int] = mapped_column(ForeignKey("plans.id"))
    what: Mapped[str] = mapped_column(Text)
    responsible_name: Mapped[str] = mapped_column(String(200))
    responsible_username: Mapped[str | None] = mapped_column(String(80))
    due_on: Mapped[date | None] = mapped_column(Date)
    #: The case whose process carries the task (the plan's newest open case), and the task.
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"))
    human_task_id: Mapped[int | None] = mapped_column(ForeignKey("human_tasks.id"))


class PlanVersion(Base):
    """The plan as approved: a snapshot of its content (engine/plans/versions.py), one per
    approval, so two can be compared."""
    __tablename__ = "plan_versions"
    __table_args__ = (UniqueConstraint("plan_id", "number"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plans.id"))
    number: Mapped[int] = mapped_column(Integer)
    approved_at: Mapped[datetime]
    approved_by: Mapped[str] = mapped_column(String(80))
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"))
    snapshot: Mapped[dict[str, Any]] = mapped_column(JSON)
