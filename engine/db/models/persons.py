"""The person a case is about, and their relations (engine/persons owns the operations)."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Boolean, Date, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from engine.db.models.base import Base

#: Indexes only PostgreSQL has (the schema test leaves them out on SQLite).
POSTGRESQL_ONLY_INDEXES = frozenset({"ix_persons_name_trgm"})


class Person(Base):
    """A person: has many cases over the years and at most one active plan.

    An expected child has no national number and no birth date yet, only `due_date`; when
    the child is born both are recorded (engine/persons/registry.py `record_birth`).
    """
    __tablename__ = "persons"
    __table_args__ = (Index("ix_persons_name_birth", "name_folded", "birth_date"),
                      # search by part of a name (pg_trgm); SQLite scans at demo scale
                      Index("ix_persons_name_trgm", "name_folded", postgresql_using="gin",
                            postgresql_ops={"name_folded": "gin_trgm_ops"}
                            ).ddl_if(dialect="postgresql"))
    id: Mapped[int] = mapped_column(primary_key=True)
    #: Fødselsnummer or D-nummer, 11 digits (None for an expected child).
    national_id: Mapped[str | None] = mapped_column(String(11), unique=True)
    #: fnr | dnr | synthetic (a test number, accepted only where the setting allows it)
    id_kind: Mapped[str | None] = mapped_column(String(10))
    name: Mapped[str] = mapped_column(String(200))
    #: `name` case-folded, for search (a trigram index on PostgreSQL, migration 0013).
    name_folded: Mapped[str] = mapped_column(String(200))
    birth_date: Mapped[date | None] = mapped_column(Date)
    #: The expected date of birth of a child not born yet.
    due_date: Mapped[date | None] = mapped_column(Date)
    address: Mapped[str | None] = mapped_column(String(300))
    postal_code: Mapped[str | None] = mapped_column(String(10))
    postal_place: Mapped[str | None] = mapped_column(String(100))
    #: none | fortrolig (code 7) | strengt_fortrolig (code 6): who may see the address
    #: (engine/persons/protection.py).
    protection: Mapped[str] = mapped_column(String(20), default="none")
    #: digital | paper
    preferred_channel: Mapped[str] = mapped_column(String(20), default="digital")
    #: nb | nn: the written language of the person's letters (None: the municipality's).
    written_language: Mapped[str | None] = mapped_column(String(2))
    created_at: Mapped[datetime]
    created_by: Mapped[str] = mapped_column(String(80))
    updated_at: Mapped[datetime]
    #: Bumped on every change: an edit posts the version it saw.
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}


class PersonRelation(Base):
    """`related_id` is `person_id`'s parent, guardian or pårørende.

    A fullmakt (a pårørende's written power of attorney) says what it covers
    (`fullmakt_scope`, keys of engine/persons/catalogue.py FULLMAKT_SCOPES), when it was
    signed and where the signed document is.
    """
    __tablename__ = "person_relations"
    __table_args__ = (UniqueConstraint("person_id", "related_id", "kind"),
                      Index("ix_person_relations_related", "related_id"))
    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("persons.id"))
    related_id: Mapped[int] = mapped_column(ForeignKey("persons.id"))
    #: forelder | verge | parorende
    kind: Mapped[str] = mapped_column(String(20))
    parental_responsibility: Mapped[bool] = mapped_column(Boolean, default=False)
    fullmakt_scope: Mapped[list[str] | None] = mapped_column(JSON)
    fullmakt_signed_on: Mapped[date | None] = mapped_column(Date)
    fullmakt_document: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime]
    ended_at: Mapped[datetime | None]
