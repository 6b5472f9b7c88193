"""The life of a letter: drafted from the case, previewed, approved (by a leader when it
carries a decision), then immutable: its PDF is stored with its SHA-256, and a correction
is a new letter that refers to the old one. Every read of a letter is a read of the case
and is logged.
"""
from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy import select

from engine.access import rules
from engine.accounts.roles import CASE_OFFICER, LEADER, holds_any
from engine.cases import audit
from engine.core.errors import ConflictError, InvalidInput, NotFound, PermissionDenied
from engine.core.messages import N_
from engine.db.models import Case, Letter, LetterRecipient, Person, ProcessVersion, User
from engine.letters import documents, recipients, render, templates
from engine.letters.kinds import KINDS, LANGUAGES, LetterKind

DRAFT = "draft"
APPROVED = "approved"


def draft(ctx, case: Case, version: ProcessVersion, kind_key: str, template: str,
          facts: dict, free_text: dict, language: str | None, actor: str,
          task_id: int | None = None) -> Letter:
    """The case's draft letter of this kind, new or brought up to date (a decision sent
    back by the leader is drafted again), with its recipients from the person's relations."""
    kind = KINDS[kind_key]
    person = ctx.session.get(Person, case.person_id) if case.person_id else None
    language = language or (person.written_language if person else None) or ctx.settings.malform
    if language not in LANGUAGES or not templates.has_template(version, template, language):
        raise InvalidInput(N_("Brevmalen finnes ikke på målformen «%(language)s»"),
                           {"brev_malform": N_("Velg bokmål eller nynorsk")}, language=language)
    letter = ctx.session.scalar(select(Letter).where(
        Letter.case_id == case.id, Letter.kind == kind_key, Letter.status == DRAFT,
        Letter.corrects_id.is_(None)))
    if letter is None:
        letter = Letter(case_id=case.id, person_id=case.person_id, kind=kind_key,
                        created_at=ctx.now(), created_by=actor, status=DRAFT)
        ctx.session.add(letter)
    letter.template, letter.version_id, letter.language = template, version.id, language
    letter.facts, letter.free_text, letter.task_id = facts, free_text_of(kind, free_text), task_id
    set_recipients(ctx, letter, kind)
    ctx.session.flush()
    audit.record(ctx, case, actor, "letter_drafted", letter=letter.id, kind=kind_key)
    return letter


def preview_html(ctx, letter: Letter, on: date | None = None) -> str:
    """The letter as its first recipient reads it (a draft is marked as one)."""
    return documents.copy_html(ctx, letter, None, on)


def approve(ctx, letter_id: int, user: User, expected_version: int | None = None) -> Letter:
    """Approve the letter: nothing of it changes after. Its PDFs are rendered once, stored
    and hashed: here, or by a background worker when there are workers
    (engine/letters/documents.py). A letter that carries a decision is approved by a
    leader."""
    letter = _get(ctx, letter_id)
    require_letters(ctx, letter.case_id, user)
    kind = KINDS[letter.kind]
    _require_draft(letter, expected_version)
    needed = LEADER if kind.carries_decision else CASE_OFFICER
    if not holds_any(user.role_keys, {needed, LEADER}):
        raise PermissionDenied(N_("Et brev med vedtak godkjennes av en leder")
                               if kind.carries_decision else
                               N_("Du kan ikke godkjenne brev"))
    if not letter.recipients:
        raise ConflictError(N_("Brevet har ingen mottaker: registrer foreldre med "
                               "foreldreansvar eller verge på personen"))
    version = ctx.session.get(ProcessVersion, letter.version_id)
    for language in {documents.language_of(letter, copy) for copy in letter.recipients}:
        if not templates.has_template(version, letter.template, language):
            raise ConflictError(N_("Brevmalen finnes ikke på målformen «%(language)s»"),
                                language=language)
    letter.status, letter.approved_at, letter.approved_by = APPROVED, ctx.now(), user.username
    ctx.session.flush()
    audit.record(ctx, ctx.session.get(Case, letter.case_id), user.username, "letter_approved",
                 letter=letter.id, kind=letter.kind)
    if not ctx.settings.background_workers:
        documents.render_letter(ctx, letter.id, user.username)
    return letter


def correct(ctx, letter_id: int, user: User) -> Letter:
    """A new draft that corrects an approved letter (the old one stays as it was)."""
    old = _get(ctx, letter_id)
    require_letters(ctx, old.case_id, user)
    if old.status == DRAFT:
        raise ConflictError(N_("Et utkast rettes ved å endre det, ikke med et rettebrev"))
    if not holds_any(user.role_keys, {CASE_OFFICER, LEADER}):
        raise PermissionDenied(N_("Du kan ikke rette brev"))
    facts = {**(old.facts or {}), "retter": {"id": old.id, "dato": old.approved_at.date()
                                             .isoformat() if old.approved_at else None}}
    letter = Letter(case_id=old.case_id, person_id=old.person_id, kind=old.kind,
                    template=old.template, version_id=old.version_id, language=old.language,
                    facts=facts, free_text=dict(old.free_text or {}), corrects_id=old.id,
                    created_at=ctx.now(), created_by=user.username, status=DRAFT)
    ctx.session.add(letter)
    set_recipients(ctx, letter, KINDS[old.kind])
    chosen = {copy.person_id: copy.language for copy in old.recipients}
    for copy in letter.recipients:  # to each in the language their copy was in
        copy.language = chosen.get(copy.person_id, copy.language)
    ctx.session.flush()
    audit.record(ctx, ctx.session.get(Case, old.case_id), user.username, "letter_corrected",
                 letter=letter.id, corrects=old.id)
    return letter


def edit(ctx, letter_id: int, user: User, free_text: dict,
         expected_version: int | None = None) -> Letter:
    """Change a draft's own text (only a draft; an approved letter is corrected instead)."""
    letter = _get(ctx, letter_id)
    _require_draft(letter, expected_version)
    if not holds_any(user.role_keys, {CASE_OFFICER, LEADER}):
        raise PermissionDenied(N_("Du kan ikke endre brev"))
    letter.free_text = {**(letter.free_text or {}), **free_text_of(KINDS[letter.kind], free_text)}
    ctx.session.flush()
    return letter


def add_recipient(ctx, letter_id: int, user: User, recipient_id: int) -> LetterRecipient:
    """Add one of the person's relations as a recipient; refused for a pårørende without a
    fullmakt that covers the letter (engine/letters/recipients.py)."""
    letter = _get(ctx, letter_id)
    require_letters(ctx, letter.case_id, user)
    _require_draft(letter, None)
    if not holds_any(user.role_keys, {CASE_OFFICER, LEADER}):
        raise PermissionDenied(N_("Du kan ikke endre brev"))
    person = ctx.session.get(Person, letter.person_id)
    candidate = recipients.check_recipient(ctx, person, recipient_id, KINDS[letter.kind])
    for existing in letter.recipients:
        if existing.person_id == candidate.person.id:
            return existing
    copy = _recipient(candidate)
    letter.recipients.append(copy)
    ctx.session.flush()
    return copy


def set_copy_language(ctx, letter_id: int, copy_id: int, user: User,
                      language: str) -> LetterRecipient:
    """Choose the written language of one copy of a draft (a parent who writes nynorsk gets
    the letter in nynorsk, whatever the letter's own language)."""
    letter = _get(ctx, letter_id)
    require_letters(ctx, letter.case_id, user)
    _require_draft(letter, None)
    if not holds_any(user.role_keys, {CASE_OFFICER, LEADER}):
        raise PermissionDenied(N_("Du kan ikke endre brev"))
    copy = next((c for c in letter.recipients if c.id == copy_id), None)
    if copy is None:
        raise NotFound(N_("Fant ikke mottakeren"))
    version = ctx.session.get(ProcessVersion, letter.version_id)
    if language not in LANGUAGES or not templates.has_template(version, letter.template,
                                                                language):
        raise InvalidInput(N_("Brevmalen finnes ikke på målformen «%(language)s»"),
                           {"malform": N_("Velg bokmål eller nynorsk")}, language=language)
    copy.language = None if language == letter.language else language
    ctx.session.flush()
    return copy


def require_full_case(ctx, case_id: int, user: User, purpose: str) -> Case:
    """The case, if `user` may read it in full (letters hold the person's data); the read is
    logged."""
    case, level = rules.require_case(ctx, case_id, user)
    if level != rules.FULL:  # the course only: refused, and the refusal logged like any
        error = PermissionDenied(N_("Du har ikke tilgang til brevene i denne saken"))
        error.refused_case = case.id
        raise error
    audit.record(ctx, case, user.username, "case_read", purpose=purpose,
                 why=rules.case_basis(ctx, case, user).why)
    return case


def require_letters(ctx, case_id: int, user: User) -> None:
    """Working on a case's letters needs the case in full (a letter holds the person's
    data); asked before the role, so that a refused read is logged as one."""
    _case, level = rules.require_case(ctx, case_id, user)
    if level != rules.FULL:
        raise PermissionDenied(N_("Du har ikke tilgang til brevene i denne saken"))


def readable(ctx, letter_id: int, user: User, purpose: str) -> Letter:
    """The letter if `user` may read its case in full; the read is logged."""
    letter = ctx.session.get(Letter, letter_id)
    if letter is None:
        raise NotFound(N_("Fant ikke brev %(letter)s"), letter=letter_id)
    require_full_case(ctx, letter.case_id, user, purpose)
    return letter


def pdf_of(ctx, letter_id: int, user: User) -> tuple[Letter, bytes]:
    """The letter's PDF: as approved (rendered now if no one has yet), or a draft rendered
    now and marked as a draft."""
    letter = readable(ctx, letter_id, user, f"letter {letter_id}")
    if letter.status == DRAFT:
        return letter, render.to_pdf(preview_html(ctx, letter))
    documents.ensure_rendered(ctx, letter)
    return letter, letter.pdf or b""


def copy_pdf_of(ctx, letter_id: int, copy_id: int, user: User
                ) -> tuple[Letter, LetterRecipient, bytes]:
    """One copy's PDF, addressed to its recipient in its language (a draft: rendered now)."""
    letter = readable(ctx, letter_id, user, f"letter {letter_id} copy {copy_id}")
    copy = next((c for c in letter.recipients if c.id == copy_id), None)
    if copy is None:
        raise NotFound(N_("Fant ikke mottakeren"))
    if letter.status == DRAFT:
        return letter, copy, render.to_pdf(documents.copy_html(ctx, letter, copy))
    documents.ensure_rendered(ctx, letter)
    return letter, copy, copy.pdf or b""


def _get(ctx, letter_id: int) -> Letter:
    letter = ctx.session.get(Letter, letter_id)
    if letter is None:
        raise NotFound(N_("Fant ikke brev %(letter)s"), letter=letter_id)
    return letter


def _require_draft(letter: Letter, expected_version: int | None) -> None:
    if letter.status != DRAFT:
        raise ConflictError(N_("Brevet er godkjent og kan ikke endres; lag et rettebrev"))
    if expected_version is not None and expected_version != letter.version:
        raise ConflictError(N_("Brevet ble endret av noen andre samtidig"))


def free_text_of(kind: LetterKind, values: dict) -> dict:
    return {field: values[field] for field in kind.free_text
            if isinstance(values.get(field), str) and values[field].strip()}


def set_recipients(ctx, letter: Letter, kind: LetterKind) -> None:
    person = ctx.session.get(Person, letter.person_id) if letter.person_id else None
    if person is None:  # a case registered without the person register: the named applicant
        case = ctx.session.get(Case, letter.case_id)
        letter.recipients[:] = [LetterRecipient(
            person_id=None, name=case.person_name or "", relation="selv", status="pending",
            shipment_id=str(uuid.uuid4()), attempts=0)]
        return
    found = recipients.default_recipients(ctx, person, kind, ctx.today())
    chosen = {copy.person_id: copy.language for copy in letter.recipients}
    copies = [_recipient(candidate) for candidate in found]
    for copy in copies:  # a draft drafted again keeps the languages chosen for its copies
        copy.language = chosen.get(copy.person_id, copy.language)
    case = ctx.session.get(Case, letter.case_id)
    applicant = (case.data or {}).get("soker_navn")
    if not copies and case.applicant_relation in ("forelder", "verge") and applicant:
        # a child whose parents are not registered yet: the parent or guardian who applied
        copies = [LetterRecipient(person_id=None, name=applicant,
                                  relation=case.applicant_relation, status="pending",
                                  shipment_id=str(uuid.uuid4()), attempts=0)]
    letter.recipients[:] = copies


def _recipient(candidate: recipients.Candidate) -> LetterRecipient:
    """A copy for `candidate`: the person's own in the letter's language (chosen for them),
    another's in their own written language when one is registered."""
    own = candidate.relation == "selv"
    return LetterRecipient(person_id=candidate.person.id, name=candidate.person.name,
                           relation=candidate.relation, status="pending",
                           language=None if own else candidate.person.written_language,
                           shipment_id=str(uuid.uuid4()), attempts=0)
