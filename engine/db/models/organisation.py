"""The municipality's organisation: units, who belongs to them, and emergency access
(engine/organisation and engine/access own the operations)."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from engine.db.models.base import Base


class Unit(Base):
    """A unit of the municipality (forvaltningskontoret, hjemmetjenesten, barnevernet, a NAV
    office, …). A case has one responsible unit; access follows it (engine/access/rules.py).
    """
    __tablename__ = "units"
    id: Mapped[int] = mapped_column(primary_key=True)
    #: A short stable name (`forvaltningskontoret`), used by the CLI and the settings.
    key: Mapped[str] = mapped_column(String(60), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    #: What kind of unit (engine/organisation/kinds.py).
    kind: Mapped[str] = mapped_column(String(40))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime]


class UnitMember(Base):
    """A user belongs to a unit. Their home unit (`home`) is where the cases they register
    go; a leader (role `leder`) leads the units they belong to."""
    __tablename__ = "unit_members"
    __table_args__ = (UniqueConstraint("unit_id", "username"),
                      Index("ix_unit_members_username", "username"))
    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    username: Mapped[str] = mapped_column(String(80))
    home: Mapped[bool] = mapped_column(Boolean, default=False)
    added_at: Mapped[datetime]


class AccessOverride(Base):
    """Emergency access (nødtilgang) to one case: a stated reason, limited in time, logged
    and reported to the coordinating unit and in the person's read log."""
    __tablename__ = "access_overrides"
    __table_args__ = (Index("ix_access_overrides_user_case", "username", "case_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(80))
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"))
    person_id: Mapped[int | None] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(Text)
    granted_at: Mapped[datetime]
    expires_at: Mapped[datetime]


class Absence(Base):
    """An officer's absence with a stand-in: from `starts_on` to `ends_on` (both included)
    the open tasks assigned to `username` go to `stand_in`, and so do tasks that would be
    assigned to them (engine/administration/absences.py, engine/accounts/stand_ins.py).
    Ended early: `ended_at` (and by whom); an ended absence hands nothing over."""
    __tablename__ = "absences"
    __table_args__ = (Index("ix_absences_username", "username", "ends_on"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(80))
    stand_in: Mapped[str] = mapped_column(String(80))
    starts_on: Mapped[date]
    ends_on: Mapped[date]
    created_by: Mapped[str] = mapped_column(String(80))
    created_at: Mapped[datetime]
    ended_at: Mapped[datetime | None]
    ended_by: Mapped[str | None] = mapped_column(String(80))
