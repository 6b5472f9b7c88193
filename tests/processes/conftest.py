"""Fixtures for the scenario tests (helpers live in scenario_support.py)."""
from __future__ import annotations

import re
import zlib
from datetime import date

import pytest
import scenario_support
from scenario_support import People, make_people
from sqlalchemy import func, select

from engine.cases import casework
from engine.db.models import Case, Notice, NoticeDelivery, ProcessInstance, User
from engine.notices import mailing
from engine.scheduling import scheduler
from engine.worklist import humantasks


@pytest.fixture
def people(make_user) -> People:
    return make_people(make_user)


# --- every e-mail the scenario suite sends, checked against the cases' data ----------------------

class SentMail:
    """E-mails the scenario sent (a MemorySender), and every value a form gave it."""

    def __init__(self):
        self.sender = mailing.MemorySender()
        self.form_values: list = []

    @property
    def messages(self):
        return self.sender.messages


def _strings(value, found: set[str]) -> None:
    """Every string in a form value (nested), with dates also in Norwegian notation."""
    if isinstance(value, dict):
        for item in value.values():
            _strings(item, found)
    elif isinstance(value, (list, tuple)):
        for item in value:
            _strings(item, found)
    elif isinstance(value, str) and len(value.strip()) >= 3:
        found.add(value.strip())
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value.strip()):
            day = date.fromisoformat(value.strip())
            found.update({day.strftime("%d.%m.%Y"), f"{day.day}.{day.month}.{day.year}",
                          day.strftime("%d.%m.%y")})


def _give_everyone_an_address(ctx) -> None:
    """Every user gets an address; every second one wants the daily digest instead."""
    for user in ctx.session.scalars(select(User).where(User.email.is_(None))):
        user.email = f"{user.username}@kommune.example"
        user.notice_email = "digest" if zlib.crc32(user.username.encode()) % 2 else "immediate"


def _dispatch(ctx, mail: SentMail) -> None:
    _give_everyone_an_address(ctx)
    mailing.dispatch(ctx, mail.sender)


@pytest.fixture(autouse=True)
def sent_mail(request, monkeypatch):
    """E-mail every notice the scenario raises, as the scheduler would after each sweep, and
    at the end check that no subject or body carries any value from the cases' forms."""
    if "ctx" not in request.fixturenames:
        yield None
        return
    ctx = request.getfixturevalue("ctx")
    mail = SentMail()

    def recording(function, data_position):
        def wrapper(*args, **kwargs):
            data = kwargs.get("data", args[data_position] if len(args) > data_position else None)
            mail.form_values.append(data)
            return function(*args, **kwargs)
        return wrapper

    monkeypatch.setattr(casework, "start_case", recording(casework.start_case, 1))
    monkeypatch.setattr(casework, "start_process", recording(casework.start_process, 3))
    monkeypatch.setattr(humantasks, "complete", recording(humantasks.complete, 3))
    sweep_once = scenario_support.sweep_once

    def sweep_and_send(ctx, now=None):
        result = sweep_once(ctx, now)
        _dispatch(ctx, mail)
        return result

    monkeypatch.setattr(scenario_support, "sweep_once", sweep_and_send)
    yield mail

    # the rest of what the scheduler does: task deadlines due by now, e-mails, digests
    scheduler.sweep_in(ctx)
    _dispatch(ctx, mail)
    mailing.send_digests(ctx, mail.sender)
    _check_no_form_value_in_any_message(ctx, mail)


def _check_no_form_value_in_any_message(ctx, mail: SentMail) -> None:
    forbidden: set[str] = set()
    for data in mail.form_values:
        _strings(data, forbidden)
    for case in ctx.session.scalars(select(Case)):
        _strings([case.data, case.facts, case.person_name], forbidden)
    for result in ctx.session.scalars(select(ProcessInstance.result)):
        _strings(result, forbidden)
    # every raised notice went out (or was resolved first); what was sent is what was caught
    undispatched = ctx.session.scalar(select(func.count(Notice.id)).where(
        Notice.status == "raised", Notice.dispatched_at.is_(None)))
    assert undispatched == 0
    sent = ctx.session.scalar(select(func.count(NoticeDelivery.id)).where(
        NoticeDelivery.status == "sent", NoticeDelivery.mode == "immediate"))
    assert sent <= len(mail.messages) and (sent == 0 or mail.messages)
    texts = {(message.subject + "\n" + message.body).lower(): message.subject
             for message in mail.messages}
    leaks = [(subject, value) for text, subject in texts.items() for value in sorted(forbidden)
             if value.lower() in text]
    assert leaks == [], f"form values in e-mails: {leaks[:5]}"
    for message in mail.messages:
        assert "IP-" in message.subject + message.body and "/cases/" in message.body
