"""The case's letters as the case page and the API list them: each with its kind, status,
language, approval and content hash, and each copy with its channel, status and dates."""
from __future__ import annotations

import dataclasses
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from engine.accounts.roles import CASE_OFFICER, LEADER, holds_any
from engine.db.models import Letter, User
from engine.letters import documents, drafting
from engine.letters.kinds import KINDS


@dataclasses.dataclass(frozen=True)
class Copy:
    name: str
    relation: str
    channel: str | None
    status: str
    posted_on: date | None
    delivered_on: date | None
    #: estimated (the ordinary-post rule) | entered | channel
    delivery_source: str | None
    read_on: date | None
    #: How a protected copy went (SAMFLYT_PROTECTED_ROUTE), else None.
    route_note: str | None = None
    id: int | None = None
    #: nb | nn: the copy's written language.
    language: str = "nb"
    #: The copy's document's SHA-256 once rendered.
    content_hash: str | None = None


@dataclasses.dataclass(frozen=True)
class LetterRow:
    id: int
    kind: str
    title: str              # a msgid
    status: str
    language: str
    created_at: datetime
    approved_at: datetime | None
    approved_by: str | None
    content_hash: str | None
    delivered_on: date | None
    corrects_id: int | None
    copies: list[Copy]
    #: What the reader may do with it here: correct it (approved or later), approve it (a
    #: correction's draft: no task drafts it), send it (an approved correction).
    may_correct: bool = False
    may_approve: bool = False
    may_send: bool = False
    #: A draft's copies' languages may be chosen.
    may_edit: bool = False


def case_letters(ctx, case_id: int, user: User | None = None) -> list[LetterRow]:
    """The case's letters, newest first (the caller has checked that the reader may see
    the case in full); with `user`, what they may do with each."""
    letters = ctx.session.scalars(select(Letter).where(Letter.case_id == case_id)
                                  .options(selectinload(Letter.recipients))
                                  .order_by(Letter.id.desc()))
    return [LetterRow(
        id=letter.id, kind=letter.kind, title=KINDS[letter.kind].title, status=letter.status,
        language=letter.language, created_at=letter.created_at,
        approved_at=letter.approved_at, approved_by=letter.approved_by,
        content_hash=letter.content_hash, delivered_on=letter.delivered_on,
        corrects_id=letter.corrects_id,
        copies=[Copy(c.name, c.relation, c.channel, c.status, c.posted_on, c.delivered_on,
                     c.delivery_source, c.read_on,
                     ctx.settings.protected_route if c.channel == "protected" else None,
                     c.id, documents.language_of(letter, c), c.content_hash)
                for c in letter.recipients],
        **(_actions(letter, user) if user is not None else {}))
        for letter in letters]


def _actions(letter: Letter, user: User) -> dict[str, bool]:
    roles = user.role_keys
    works = holds_any(roles, {CASE_OFFICER, LEADER})
    approver = LEADER if KINDS[letter.kind].carries_decision else CASE_OFFICER
    return {"may_correct": works and letter.status != "draft",
            "may_approve": letter.status == "draft" and letter.corrects_id is not None
            and holds_any(roles, {approver, LEADER}),
            "may_send": works and letter.status == "approved" and letter.corrects_id is not None,
            "may_edit": works and letter.status == "draft"}


def readable_case_letters(ctx, case_id: int, user: User) -> list[LetterRow]:
    """The case's letters for `user`, who must read the case in full; the read is logged."""
    drafting.require_full_case(ctx, case_id, user, "letters")
    return case_letters(ctx, case_id, user)


def as_json(row: LetterRow) -> dict:
    """A row as the API answers it (dates ISO; no address, no content)."""
    def iso(value):
        return value.isoformat() if value is not None else None
    return {"id": row.id, "kind": row.kind, "status": row.status, "language": row.language,
            "created_at": iso(row.created_at), "approved_at": iso(row.approved_at),
            "approved_by": row.approved_by, "sha256": row.content_hash,
            "delivered_on": iso(row.delivered_on), "corrects": row.corrects_id,
            "recipients": [{"id": c.id, "name": c.name, "relation": c.relation,
                            "language": c.language, "sha256": c.content_hash,
                            "channel": c.channel,
                            "status": c.status, "posted_on": iso(c.posted_on),
                            "delivered_on": iso(c.delivered_on),
                            "delivery_source": c.delivery_source, "read_on": iso(c.read_on)}
                           for c in row.copies]}
