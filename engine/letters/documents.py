"""A letter's documents: one PDF per copy, addressed to its recipient and in the copy's
written language, rendered once after approval and never again (each stored with its
SHA-256). The letter's own PDF, the one archived, is its first copy's.

Who renders: in the embedded set-up the approval itself; with background workers
(SAMFLYT_BROKER_URL) a worker (`samflyt.render_letter`, queued by the letters round), or
whoever needs a PDF first (a download, the digital channel). The letter's row is locked
while it is rendered, so two of them never render one letter twice.
"""
from __future__ import annotations

import hashlib
from datetime import date
from zoneinfo import ZoneInfo

from sqlalchemy import select

from engine.cases import audit
from engine.core.errors import NotFound
from engine.core.messages import N_
from engine.db.models import Case, Letter, LetterRecipient, Person, ProcessVersion
from engine.letters import content, render, templates
from engine.persons import protection

#: Statuses of a letter whose content is final (its documents are rendered or due).
FINAL = ("approved", "sent", "delivered")


def language_of(letter: Letter, copy: LetterRecipient | None) -> str:
    return (copy.language if copy is not None and copy.language else None) or letter.language


def copy_html(ctx, letter: Letter, copy: LetterRecipient | None,
              on: date | None = None) -> str:
    """The letter as `copy`'s recipient reads it (None: the first copy); a draft is marked
    as one and dated today, an approved letter the day it was approved."""
    if copy is None and letter.recipients:
        copy = letter.recipients[0]
    case = ctx.session.get(Case, letter.case_id)
    person = ctx.session.get(Person, letter.person_id) if letter.person_id else None
    if on is None:
        on = (letter.approved_at.astimezone(ZoneInfo(ctx.settings.timezone)).date()
              if letter.approved_at else ctx.today())
    language = language_of(letter, copy)
    values = content.context(ctx, letter, case, person, copy, _address(ctx, copy), on,
                             language)
    return templates.render_html(ctx.session.get(ProcessVersion, letter.version_id),
                                 letter.template, language, values)


def render_letter(ctx, letter_id: int, actor: str = "system") -> bool:
    """Render an approved letter's documents if they are not yet; True when this call did.
    Locks the letter's row: a second caller waits, then finds them rendered."""
    letter = ctx.session.get(Letter, letter_id, with_for_update=True,
                             populate_existing=True)
    if letter is None:
        raise NotFound(N_("Fant ikke brev %(letter)s"), letter=letter_id)
    if letter.status not in FINAL or letter.content_hash is not None:
        return False
    for copy in letter.recipients:
        if copy.content_hash is None:
            copy.pdf = render.to_pdf(copy_html(ctx, letter, copy))
            copy.content_hash = hashlib.sha256(copy.pdf).hexdigest()
    first = letter.recipients[0]
    letter.pdf, letter.content_hash = first.pdf, first.content_hash
    ctx.session.flush()
    audit.record(ctx, ctx.session.get(Case, letter.case_id), actor, "letter_rendered",
                 letter=letter.id, sha256=letter.content_hash,
                 copies={str(copy.id): copy.content_hash for copy in letter.recipients})
    return True


def ensure_rendered(ctx, letter: Letter) -> Letter:
    """`letter` with its documents, rendering them now if no one has yet."""
    if letter.status in FINAL and letter.content_hash is None:
        render_letter(ctx, letter.id)
    return letter


def pending(ctx, limit: int = 200) -> list[int]:
    """Ids of approved letters whose documents are not rendered yet, oldest first."""
    return list(ctx.session.scalars(
        select(Letter.id).where(Letter.status.in_(FINAL), Letter.content_hash.is_(None))
        .order_by(Letter.id).limit(limit)))


def _address(ctx, recipient: LetterRecipient | None) -> tuple[str, ...]:
    """The address printed on the copy: never a protected one (the letter names the other
    recipients, and a strengt fortrolig person's goes by the protected route without it)."""
    if recipient is None or recipient.person_id is None:
        return ()
    person = ctx.session.get(Person, recipient.person_id)
    return protection.shown_address(person, None, for_others=True).lines
