"""Notices by e-mail: who gets one, what it says, and sending it through an injected sender.

**No health information leaves the system.** A subject and a body carry only the kind of
notice in words (engine.notices.KIND_LABELS: fixed text, never a key typed in a diagram), the
case number and a link to the case; nothing from the case's data, not even the person's name
or a date. The tests check every message the scenario suite sends against the cases' data.

Each user chooses (User.notice_email, default SAMFLYT_NOTICE_EMAIL_DEFAULT): one e-mail per
notice (`immediate`), one e-mail a day with all of them (`digest`), or `none`. In-app notices
are always there.

Flow: a raised notice is *dispatched* once (`plan_deliveries`): one `NoticeDelivery` row per
recipient with an e-mail address, queued. Immediate deliveries are sent one by one
(`deliver`); digest deliveries wait for the daily `send_digest`. A notice acknowledged or
resolved before its e-mail went out is not sent. Sending is at least once: a crash between
the mail server's answer and the commit can send one e-mail twice, never lose one.

Functions here flush only; engine/scheduler.py runs them in one transaction per item.
"""
from __future__ import annotations

import dataclasses
import logging
import smtplib
from collections.abc import Callable
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from typing import Protocol

from sqlalchemy import select

from engine.core import messages
from engine.core.errors import InvalidInput
from engine.core.messages import N_
from engine.db.database import is_postgres
from engine.db.models import Notice, NoticeDelivery, User
from engine.notices import notice_board

log = logging.getLogger(__name__)

PREFERENCES = ("immediate", "digest", "none")
#: A delivery that failed this many times is given up (status "failed").
MAX_ATTEMPTS = 5


# --- messages and senders -------------------------------------------------------------------------

@dataclasses.dataclass(frozen=True)
class Message:
    to: str
    subject: str
    body: str


class Sender(Protocol):
    def send(self, message: Message) -> None:
        """Send or raise (smtplib.SMTPException or OSError)."""


class MemorySender:
    """Keeps the messages (tests, and `samflyt serve` without a mail server for a demo)."""

    def __init__(self):
        self.messages: list[Message] = []

    def send(self, message: Message) -> None:
        self.messages.append(message)


class SmtpSender:
    """Sends through an SMTP server. `connect(host, port, timeout)` opens the connection;
    by default `smtplib.SMTP`, looked up when sending (so a test guard on it holds)."""

    def __init__(self, host: str, port: int, from_address: str, username: str = "",
                 password: str = "", starttls: bool = False, timeout: float = 10,
                 connect: Callable | None = None):
        self.host, self.port, self.from_address = host, port, from_address
        self.username, self.password, self.starttls = username, password, starttls
        self.timeout, self.connect = timeout, connect

    def send(self, message: Message) -> None:
        email = EmailMessage()
        email["From"] = self.from_address
        email["To"] = message.to
        email["Subject"] = message.subject
        email["Date"] = formatdate(usegmt=True)  # transport metadata, not business time
        email["Message-ID"] = make_msgid(domain=self.from_address.rpartition("@")[2] or None)
        email["Auto-Submitted"] = "auto-generated"
        email.set_content(message.body)
        connect = self.connect or smtplib.SMTP
        with connect(self.host, self.port, timeout=self.timeout) as smtp:
            if self.starttls:
                smtp.starttls()
            if self.username:
                smtp.login(self.username, self.password)
            smtp.send_message(email)


def sender_from_settings(settings) -> Sender | None:
    """The SMTP sender the settings describe; None without SAMFLYT_SMTP_HOST (no e-mail)."""
    if not settings.smtp_host:
        return None
    return SmtpSender(settings.smtp_host, settings.smtp_port, settings.smtp_from,
                      settings.smtp_username, settings.smtp_password,
                      bool(settings.smtp_starttls), settings.smtp_timeout)


# --- what a message says --------------------------------------------------------------------------

def case_link(settings, case_id: int) -> str:
    return f"{settings.base_url.rstrip('/')}/cases/{case_id}"


_FOOTER = ("Logg inn i Samflyt for å se hva saken gjelder. E-posten inneholder med vilje "
           "ingen opplysninger fra saken.\n"
           "Du får e-post om varsler fordi det er valgt for deg. Valget endres i Samflyt.")


def compose_notice(settings, notice: Notice, to: str) -> Message:
    """One notice: its kind in words, the case number and a link. Nothing else."""
    label = notice_board.label(notice.kind)
    subject = f"Samflyt: {label} ({notice.case_number})"
    body = (f"{label}.\n\n"
            f"Sak: {notice.case_number}\n"
            f"{case_link(settings, notice.case_id)}\n\n"
            f"{_FOOTER}\n")
    return Message(to=to, subject=subject, body=body)


def compose_digest(settings, items: list[Notice], to: str) -> Message:
    """The daily digest: one line per notice (kind in words, case number, link)."""
    count = len(items)
    subject = f"Samflyt: {count} {'nytt varsel' if count == 1 else 'nye varsler'}"
    lines = [f"- {notice_board.label(n.kind)}. Sak {n.case_number}: "
             f"{case_link(settings, n.case_id)}" for n in items]
    body = ("Varsler siden forrige oppsummering:\n\n" + "\n".join(lines) + f"\n\n{_FOOTER}\n")
    return Message(to=to, subject=subject, body=body)


# --- preferences ----------------------------------------------------------------------------------

def email_preference(user: User, settings) -> str:
    preference = user.notice_email or settings.notice_email_default
    return preference if preference in PREFERENCES else "immediate"


def set_email_preference(ctx, user: User, preference: str) -> User:
    if preference not in PREFERENCES:
        raise InvalidInput(N_("Ukjent valg for e-post"), {"notice_email": messages.Message(
            N_("Velg en av %(choices)s"), choices=PREFERENCES)})
    user.notice_email = preference
    ctx.session.flush()
    return user


# --- dispatching ----------------------------------------------------------------------------------

def undispatched_ids(ctx, limit: int | None = None) -> list[int]:
    """Raised notices whose e-mails are not planned yet."""
    return list(ctx.session.scalars(
        select(Notice.id).where(Notice.status == notice_board.RAISED,
                                Notice.dispatched_at.is_(None))
        .order_by(Notice.id).limit(limit or ctx.settings.notice_batch)))


def _recipients(ctx, notice: Notice) -> list[User]:
    """Active users it is addressed to (the user, and everyone with the role) who have an
    e-mail address and have not said no to e-mail."""
    found = {}
    for user in ctx.session.scalars(select(User).where(User.active, User.email.is_not(None))
                                    .order_by(User.id)):
        addressed = user.username == notice.username or (notice.role in user.role_keys)
        if addressed and user.email and email_preference(user, ctx.settings) != "none":
            found[user.username] = user
    return list(found.values())


def plan_deliveries(ctx, notice_id: int) -> list[NoticeDelivery]:
    """Queue one delivery per recipient of a raised notice, once. [] when another dispatcher
    holds or has planned it."""
    query = select(Notice).where(Notice.id == notice_id)
    if is_postgres(ctx.session):
        query = query.with_for_update(skip_locked=True, of=Notice)
    notice = ctx.session.scalar(query)
    if notice is None or notice.dispatched_at is not None or notice.status != notice_board.RAISED:
        return []
    now = ctx.now()
    planned = [NoticeDelivery(notice=notice, username=user.username, created_at=now,
                              mode=email_preference(user, ctx.settings), status="queued",
                              attempts=0)
               for user in _recipients(ctx, notice)]
    ctx.session.add_all(planned)
    notice.dispatched_at = now
    ctx.session.flush()
    return planned


def queued_immediate_ids(ctx, limit: int | None = None) -> list[int]:
    return list(ctx.session.scalars(
        select(NoticeDelivery.id).where(NoticeDelivery.status == "queued",
                                        NoticeDelivery.mode == "immediate")
        .order_by(NoticeDelivery.id).limit(limit or ctx.settings.notice_batch)))


def _still_wanted(ctx, delivery: NoticeDelivery) -> User | None:
    """The recipient, if the notice still applies and they still want e-mail."""
    if not notice_board.still_applies(ctx, delivery.notice):
        return None
    user = ctx.session.scalar(select(User).where(User.username == delivery.username))
    if user is None or not user.active or not user.email:
        return None
    return user if email_preference(user, ctx.settings) != "none" else None


def _record_failure(delivery: NoticeDelivery, error: Exception) -> None:
    delivery.attempts += 1
    delivery.last_error = f"{type(error).__name__}: {error}"[:300]
    if delivery.attempts >= MAX_ATTEMPTS:
        delivery.status = "failed"
    log.warning("e-mail for notice %s to %s failed (attempt %s): %s", delivery.notice_id,
                delivery.username, delivery.attempts, delivery.last_error)


def deliver(ctx, sender: Sender, delivery_id: int) -> str | None:
    """Send one queued immediate delivery. Returns its new status ("sent", "skipped",
    "queued" after a failure, "failed"), or None when another sender has it."""
    query = select(NoticeDelivery).where(NoticeDelivery.id == delivery_id)
    if is_postgres(ctx.session):
        query = query.with_for_update(skip_locked=True, of=NoticeDelivery)
    delivery = ctx.session.scalar(query)
    if delivery is None or delivery.status != "queued" or delivery.mode != "immediate":
        return None  # sent or skipped already, held by another sender, or for the digest
    user = _still_wanted(ctx, delivery)
    if user is None or not user.email:  # (_still_wanted wants an e-mail address too)
        delivery.status = "skipped"
    else:
        try:
            sender.send(compose_notice(ctx.settings, delivery.notice, user.email))
        except (smtplib.SMTPException, OSError) as error:
            _record_failure(delivery, error)
        else:
            delivery.status, delivery.sent_at = "sent", ctx.now()
            delivery.attempts += 1
            log.info("e-mail sent notice=%s user=%s", delivery.notice_id, delivery.username)
    ctx.session.flush()
    return delivery.status


def digest_usernames(ctx) -> list[str]:
    return list(ctx.session.scalars(
        select(NoticeDelivery.username).where(NoticeDelivery.status == "queued",
                                              NoticeDelivery.mode == "digest")
        .distinct().order_by(NoticeDelivery.username)))


def send_digest(ctx, sender: Sender, username: str) -> str | None:
    """Send `username` one e-mail with every queued digest delivery that still applies.
    Returns "sent", "skipped" (nothing left to say), "queued" after a failure, or None."""
    query = (select(NoticeDelivery).where(NoticeDelivery.username == username,
                                          NoticeDelivery.status == "queued",
                                          NoticeDelivery.mode == "digest")
             .order_by(NoticeDelivery.id))
    if is_postgres(ctx.session):
        query = query.with_for_update(skip_locked=True, of=NoticeDelivery)
    deliveries = list(ctx.session.scalars(query))
    if not deliveries:
        return None
    user = ctx.session.scalar(select(User).where(User.username == username))
    wanted = [d for d in deliveries if _still_wanted(ctx, d) is not None]
    for delivery in deliveries:
        if delivery not in wanted:
            delivery.status = "skipped"
    status = "skipped"
    if wanted:
        try:
            sender.send(compose_digest(ctx.settings, [d.notice for d in wanted], user.email))
        except (smtplib.SMTPException, OSError) as error:
            for delivery in wanted:
                _record_failure(delivery, error)
            status = wanted[0].status
        else:
            for delivery in wanted:
                delivery.status, delivery.sent_at = "sent", ctx.now()
                delivery.attempts += 1
            status = "sent"
            log.info("digest e-mail sent user=%s notices=%d", username, len(wanted))
    ctx.session.flush()
    return status


# --- in one transaction (embedded tests, scenarios) -----------------------------------------------

def dispatch(ctx, sender: Sender) -> list[str]:
    """Plan and send every immediate e-mail that is due, inside the caller's transaction.
    Returns the statuses of the deliveries it handled."""
    for notice_id in undispatched_ids(ctx):
        plan_deliveries(ctx, notice_id)
    return [status for delivery_id in queued_immediate_ids(ctx)
            if (status := deliver(ctx, sender, delivery_id))]


def send_digests(ctx, sender: Sender) -> list[str]:
    return [status for username in digest_usernames(ctx)
            if (status := send_digest(ctx, sender, username))]
