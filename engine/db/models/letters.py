"""Letters of a case and their recipients (engine/letters owns the operations)."""
from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    Date,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from engine.db.models.base import Base


class Letter(Base):
    """A letter of a case: a decision (vedtak), an interim reply, an appeal's notices.

    A draft is rendered from its template (a file of the case's process version) and the
    case's facts each time it is shown. After approval nothing of the letter's content
    changes (a correction is a new letter, `corrects_id`); its PDFs are rendered once
    (engine/letters/documents.py): one per copy, and the letter's own, the one archived,
    is its first copy's.
    `delivered_on` (the last recipient's delivery) is what starts an appeal clock.
    """
    __tablename__ = "letters"
    __table_args__ = (Index("ix_letters_case", "case_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"))
    person_id: Mapped[int | None] = mapped_column(ForeignKey("persons.id"))
    #: vedtak | forelopig_svar | klage_oversendt | klage_utfall (engine/letters/kinds.py)
    kind: Mapped[str] = mapped_column(String(40))
    #: The template's base name in the process version's files, and that version.
    template: Mapped[str] = mapped_column(String(100))
    version_id: Mapped[int] = mapped_column(ForeignKey("process_versions.id"))
    #: nb | nn
    language: Mapped[str] = mapped_column(String(2))
    #: draft | approved | sent | delivered | cancelled
    status: Mapped[str] = mapped_column(String(20), default="draft")
    #: The structured content (the decision per item, dates, legal rules) as drafted.
    facts: Mapped[dict[str, Any]] = mapped_column(default=dict)
    #: The parts the officer writes (keys of the kind's free-text fields).
    free_text: Mapped[dict[str, Any]] = mapped_column(default=dict)
    #: The task that drafted it (its form's values are the letter's facts).
    task_id: Mapped[int | None] = mapped_column(ForeignKey("human_tasks.id"))
    corrects_id: Mapped[int | None] = mapped_column(ForeignKey("letters.id"))
    created_at: Mapped[datetime]
    created_by: Mapped[str] = mapped_column(String(80))
    approved_at: Mapped[datetime | None]
    approved_by: Mapped[str | None] = mapped_column(String(80))
    #: Set when rendered after approval: the archived PDF (the first copy's), its SHA-256.
    pdf: Mapped[bytes | None] = mapped_column(LargeBinary, deferred=True)
    content_hash: Mapped[str | None] = mapped_column(String(64))
    delivered_on: Mapped[date | None] = mapped_column(Date)
    version: Mapped[int] = mapped_column(Integer, default=1)

    recipients: Mapped[list[LetterRecipient]] = relationship(
        back_populates="letter", order_by="LetterRecipient.id", cascade="all, delete-orphan")

    __mapper_args__ = {"version_id_col": version}


class LetterRecipient(Base):
    """One copy of a letter: to the person, a parent, a guardian or a pårørende with fullmakt.

    `shipment_id` is the letter's idempotent id at the channel (a retry sends nothing twice).
    The address is not stored here: it is read from the person when the copy is printed or
    sent, and a strengt fortrolig address is never printed on anything but the protected route.
    """
    __tablename__ = "letter_recipients"
    __table_args__ = (UniqueConstraint("shipment_id"),
                      Index("ix_letter_recipients_letter", "letter_id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    letter_id: Mapped[int] = mapped_column(ForeignKey("letters.id"))
    person_id: Mapped[int | None] = mapped_column(ForeignKey("persons.id"))
    name: Mapped[str] = mapped_column(String(200))
    #: selv | forelder | verge | parorende (why they receive it)
    relation: Mapped[str] = mapped_column(String(20))
    #: nb | nn: this copy's written language; None: the letter's.
    language: Mapped[str | None] = mapped_column(String(2))
    #: print | svarut | protected (engine/letters/sending.py)
    channel: Mapped[str | None] = mapped_column(String(20))
    #: pending | queued | posted | sent | delivered | failed
    status: Mapped[str] = mapped_column(String(20), default="pending")
    shipment_id: Mapped[str] = mapped_column(String(36))
    #: The channel's id of the shipment (SvarUt's forsendelse id).
    external_id: Mapped[str | None] = mapped_column(String(100))
    posted_on: Mapped[date | None] = mapped_column(Date)
    delivered_on: Mapped[date | None] = mapped_column(Date)
    read_on: Mapped[date | None] = mapped_column(Date)
    #: estimated (the ordinary-post rule) | entered | channel (the channel's own status)
    delivery_source: Mapped[str | None] = mapped_column(String(20))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    #: Set when rendered after approval: this copy's PDF, addressed to it, and its SHA-256.
    pdf: Mapped[bytes | None] = mapped_column(LargeBinary, deferred=True)
    content_hash: Mapped[str | None] = mapped_column(String(64))
    letter: Mapped[Letter] = relationship(back_populates="recipients")

