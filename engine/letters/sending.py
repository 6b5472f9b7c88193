"""Sending an approved letter and recording its delivery, which starts the appeal clock.

Each recipient's copy goes by one channel:
- `protected`: the person has a strengt fortrolig address. No digital mail; the letter is
  printed without an address and goes by the protected route (SAMFLYT_PROTECTED_ROUTE);
- `svarut`: digital mail through KS SvarUt, when the municipality has it
  (SAMFLYT_DIGITAL_CHANNEL=svarut), the officer chose digital where possible and the
  recipient has not asked for paper. Sent later by `dispatch` (a Celery task, or at once
  in the embedded set-up); delivered when SvarUt says so;
- `print`: paper, posted on the day the officer records; delivered on the day entered, or
  by the ordinary-post rule (SAMFLYT_POST_DELIVERY_WORKING_DAYS after posting).

When every copy is delivered, the letter's delivery date is the last copy's (never
shortening anyone's time to appeal) and the case's waiting process gets it.
"""
from __future__ import annotations

from datetime import date

from engine.accounts.roles import CASE_OFFICER, LEADER, holds_any
from engine.cases import audit
from engine.core.errors import ConflictError, InvalidInput, NotFound, PermissionDenied
from engine.core.messages import N_
from engine.db.models import Case, Letter, LetterRecipient, Person, User
from engine.deadlines import legal
from engine.deadlines.workdays import calendar_for
from engine.letters import content, drafting
from engine.persons import protection
from engine.workflow import events

PRINT, SVARUT, PROTECTED = "print", "svarut", "protected"
#: The message a case's process waits for when a letter's delivery is not known at once.
DELIVERED_MESSAGES = {"vedtak": "Vedtaksbrev levert"}
#: What the officer may choose: digital where possible, or paper to everyone.
CHOICES = ("digital_postkasse", "papir")


def send(ctx, letter_id: int, user: User, choice: str, posted_on: date | None,
         delivered_on: date | None, correction_only: bool = False) -> Letter:
    """Send every copy of an approved letter; returns it (its `delivered_on` set when every
    copy's delivery is known now). `correction_only`: from outside a process (the case
    page), where only a correction is sent; a process's own letter goes from its task."""
    letter = ctx.session.get(Letter, letter_id)
    if letter is None:
        raise NotFound(N_("Fant ikke brev %(letter)s"), letter=letter_id)
    drafting.require_letters(ctx, letter.case_id, user)
    if correction_only and letter.corrects_id is None:
        raise ConflictError(N_("Dette brevet sendes fra oppgaven i saken"))
    if not holds_any(user.role_keys, {CASE_OFFICER, LEADER}):
        raise PermissionDenied(N_("Du kan ikke sende brev"))
    if letter.status != "approved":
        raise ConflictError(N_("Bare et godkjent brev kan sendes"))
    if choice not in CHOICES:
        raise InvalidInput(N_("Ukjent kanal"), {"kanal": N_("Velg en kanal")})
    # posted today, unless the delivery is known to be earlier (the task was done after)
    posted_on = posted_on or min(ctx.today(), delivered_on or ctx.today())
    if delivered_on is not None and delivered_on < posted_on:
        raise InvalidInput(N_("Leveringsdatoen kan ikke være før brevet ble postlagt"),
                           {"leveringsdato": N_("Må være samme dag som postdatoen eller "
                                                "senere")})
    for copy in letter.recipients:
        person = ctx.session.get(Person, copy.person_id) if copy.person_id else None
        copy.channel = channel_for(ctx, person, choice)
        if copy.channel == SVARUT:
            copy.status = "queued"
            continue
        copy.status, copy.posted_on = "posted", posted_on
        copy.delivered_on = delivered_on or content.expected_delivery(ctx, posted_on)
        copy.delivery_source = "entered" if delivered_on else "estimated"
    letter.status = "sent"
    case = ctx.session.get(Case, letter.case_id)
    audit.record(ctx, case, user.username, "letter_sent", letter=letter.id,
                 channels=sorted({c.channel for c in letter.recipients if c.channel}))
    _settle(letter)
    ctx.session.flush()
    return letter


def channel_for(ctx, person: Person | None, choice: str) -> str:
    if person is not None and not protection.may_send_digitally(person):
        return PROTECTED
    if (choice == "digital_postkasse" and ctx.settings.digital_channel == SVARUT
            and person is not None and person.national_id
            and person.preferred_channel != "paper"):
        return SVARUT
    return PRINT


def record_delivery(ctx, recipient_id: int, delivered_on: date, source: str, actor: str,
                    read_on: date | None = None) -> Letter:
    """A copy was delivered (the channel's status, or a date the officer learned); when it
    is the last, the letter is delivered and the case's process that waits is told."""
    copy = ctx.session.get(LetterRecipient, recipient_id)
    if copy is None:
        raise NotFound(N_("Fant ikke mottakeren"))
    letter = copy.letter
    if letter.status not in ("sent", "delivered"):
        raise ConflictError(N_("Brevet er ikke sendt"))
    copy.delivered_on, copy.delivery_source, copy.status = delivered_on, source, "delivered"
    copy.read_on = read_on or copy.read_on
    was_delivered = letter.delivered_on is not None
    case = ctx.session.get(Case, letter.case_id)
    audit.record(ctx, case, actor, "letter_delivered", letter=letter.id, recipient=copy.id,
                 delivered_on=delivered_on.isoformat(), source=source)
    if _settle(letter) and not was_delivered:
        ctx.session.flush()
        message = DELIVERED_MESSAGES.get(letter.kind)
        if message:
            events.deliver_message(ctx, letter.case_id, message,
                                   letter.delivered_on.isoformat(), actor)
    ctx.session.flush()
    return letter


def enter_delivery(ctx, letter_id: int, recipient_id: int, user: User,
                   delivered_on: date) -> Letter:
    """The officer learned when a paper copy was delivered (instead of the ordinary-post
    estimate): the copy, the letter and, for the case's decision letter, the appeal
    deadlines counted from it are set to it (each item's own rule, engine/deadlines/legal)."""
    letter = ctx.session.get(Letter, letter_id)
    if letter is None:
        raise NotFound(N_("Fant ikke brev %(letter)s"), letter=letter_id)
    drafting.require_letters(ctx, letter.case_id, user)
    if not holds_any(user.role_keys, {CASE_OFFICER, LEADER}):
        raise PermissionDenied(N_("Du kan ikke registrere levering"))
    copy = ctx.session.get(LetterRecipient, recipient_id)
    if copy is None or copy.letter_id != letter_id:
        raise NotFound(N_("Fant ikke mottakeren"))
    if copy.channel == SVARUT or copy.posted_on is None:
        raise ConflictError(N_("Leveringen av digital post kommer fra kanalen"))
    if delivered_on < copy.posted_on or delivered_on > ctx.today():
        raise InvalidInput(N_("Leveringsdatoen må være mellom postdatoen og i dag"),
                           {"leveringsdato": N_("Leveringsdatoen må være mellom postdatoen "
                                                "og i dag")})
    copy.delivered_on, copy.delivery_source, copy.status = delivered_on, "entered", "delivered"
    letter = copy.letter
    case = ctx.session.get(Case, letter.case_id)
    _settle(letter)
    facts = dict(case.facts or {})
    if letter.kind == "vedtak" and letter.delivered_on and facts.get("klageregler"):
        closed = calendar_for(ctx.settings)
        facts["leveringsdato"] = letter.delivered_on.isoformat()
        facts["klagefrister"] = {item: legal.legal_date(letter.delivered_on,
                                                        rule["klagefrist_regel"], closed)
                                 for item, rule in facts["klageregler"].items()}
        facts["klagefrist"] = max(facts["klagefrister"].values())
        case.facts = facts
    audit.record(ctx, case, user.username, "letter_delivered", letter=letter.id,
                 recipient=copy.id, delivered_on=delivered_on.isoformat(), source="entered")
    ctx.session.flush()
    return letter


def _settle(letter: Letter) -> bool:
    """Set the letter's delivery date when every copy has one; whether it is delivered."""
    dates = [copy.delivered_on for copy in letter.recipients]
    if not dates or any(day is None for day in dates):
        return False
    letter.delivered_on = max(d for d in dates if d is not None)
    letter.status = "delivered" if all(c.status == "delivered" or c.channel != SVARUT
                                       for c in letter.recipients) else letter.status
    return True
