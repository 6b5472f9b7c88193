"""Notices by e-mail: recipients, preferences, immediate and digest, failures, the SMTP path
(to a local catcher), and messages that carry nothing from the case."""
from __future__ import annotations

import dataclasses
import smtplib

import pytest
from sqlalchemy import select

from engine.cases import casework
from engine.core.errors import InvalidInput
from engine.core.settings import Settings
from engine.db.models import NoticeDelivery
from engine.notices import mailing, notice_board
from engine.scheduling.scheduler import sweep_in
from engine.worklist import humantasks
from tests.mail_catcher import MailCatcher

SECRET_DATA = {"navn": "Petter Smart", "diagnose": "Kronisk utmattelse", "frist": "2026-04-30"}


@pytest.fixture
def people(ctx, make_user):
    made = {}
    for username, role, preference in [("kari", "saksbehandler", "immediate"),
                                       ("ola", "saksbehandler", "digest"),
                                       ("per", "saksbehandler", "none"),
                                       ("uten.epost", "saksbehandler", None),
                                       ("lise", "leder", None)]:
        user = make_user(username, role)
        user.email = None if username == "uten.epost" else f"{username}@kommune.example"
        user.notice_email = preference
        made[username] = user
    ctx.session.flush()
    return made


@pytest.fixture
def raised_case(ctx, people, clock):
    """A frist_test case three days on: three notices raised for the saksbehandler role."""
    case = casework.start_case(ctx, dict(SECRET_DATA), people["kari"], process_key="frist_test")
    clock.advance(days=3)
    assert len(sweep_in(ctx).notices) == 3
    return case


def test_a_message_says_what_kind_which_case_and_where_and_nothing_else(ctx, raised_case):
    settings = dataclasses.replace(ctx.settings, base_url="https://samflyt.kommune.example/")
    [notice] = [n for n in notice_board.for_case(ctx, raised_case.id) if n.kind == "task_unclaimed"]
    message = mailing.compose_notice(settings, notice, "kari@kommune.example")
    link = f"https://samflyt.kommune.example/cases/{raised_case.id}"
    assert message.subject == f"Samflyt: En oppgave er ikke tatt ({raised_case.case_number})"
    assert message.body.startswith(
        f"En oppgave er ikke tatt.\n\nSak: {raised_case.case_number}\n{link}\n")
    for value in SECRET_DATA.values():
        assert value not in message.subject + message.body


def test_an_unknown_kind_goes_out_as_generic_text(ctx, raised_case):
    [notice, *_] = notice_board.for_case(ctx, raised_case.id)
    notice.kind = "diagnose_kreft_varsel"  # a key typed in a diagram could say anything
    message = mailing.compose_notice(ctx.settings, notice, "kari@kommune.example")
    assert "diagnose" not in (message.subject + message.body).lower()
    assert "En sak trenger oppfølging" in message.subject


def test_immediate_digest_and_none(ctx, raised_case, people):
    sender = mailing.MemorySender()
    assert mailing.dispatch(ctx, sender) == ["sent"] * 3
    assert {m.to for m in sender.messages} == {"kari@kommune.example"}
    deliveries = ctx.session.scalars(select(NoticeDelivery).order_by(NoticeDelivery.id)).all()
    # per said none; uten.epost has no address; lise (leder) is not addressed
    assert sorted({(d.username, d.mode) for d in deliveries}) == [("kari", "immediate"),
                                                                  ("ola", "digest")]
    assert mailing.dispatch(ctx, sender) == []  # once only
    assert len(sender.messages) == 3

    assert mailing.send_digests(ctx, sender) == ["sent"]
    digest = sender.messages[-1]
    assert digest.to == "ola@kommune.example"
    assert digest.subject == "Samflyt: 3 nye varsler"
    assert digest.body.count(raised_case.case_number) == 3
    assert mailing.send_digests(ctx, sender) == []
    for message in sender.messages:
        for value in SECRET_DATA.values():
            assert value not in message.subject + message.body


def test_the_default_preference_comes_from_the_settings(ctx, raised_case, people):
    people["kari"].notice_email = None
    ctx = dataclasses.replace(ctx, settings=dataclasses.replace(ctx.settings,
                                                                notice_email_default="digest"))
    sender = mailing.MemorySender()
    mailing.dispatch(ctx, sender)
    assert sender.messages == []
    assert mailing.send_digests(ctx, sender) == ["sent", "sent"]  # kari and ola
    with pytest.raises(InvalidInput):
        mailing.set_email_preference(ctx, people["kari"], "sms")
    mailing.set_email_preference(ctx, people["kari"], "none")
    assert people["kari"].notice_email == "none"


def test_acknowledged_or_resolved_before_sending_is_not_sent(ctx, raised_case, people):
    first, _second, _third = notice_board.for_case(ctx, raised_case.id)
    sender = mailing.MemorySender()
    for notice_id in mailing.undispatched_ids(ctx):
        mailing.plan_deliveries(ctx, notice_id)
    notice_board.acknowledge(ctx, first.id, people["kari"])
    [task] = humantasks.open_tasks(ctx, raised_case.id)
    humantasks.complete(ctx, task.id, people["kari"], {"x": 1})  # resolves the other two
    assert mailing.dispatch(ctx, sender) == ["skipped"] * 3
    assert sender.messages == []
    assert mailing.send_digests(ctx, sender) == ["skipped"]


class FailingSender:
    def __init__(self, failures: int):
        self.failures, self.sent = failures, []

    def send(self, message):
        if self.failures:
            self.failures -= 1
            raise smtplib.SMTPServerDisconnected("connection lost")
        self.sent.append(message)


def test_a_refused_e_mail_is_tried_again_and_given_up_at_last(ctx, raised_case, people):
    flaky = FailingSender(failures=1)
    assert mailing.dispatch(ctx, flaky) == ["queued", "sent", "sent"]
    assert mailing.dispatch(ctx, flaky) == ["sent"]
    assert len(flaky.sent) == 3
    delivery = ctx.session.scalars(select(NoticeDelivery).where(
        NoticeDelivery.username == "kari").order_by(NoticeDelivery.id)).first()
    assert (delivery.status, delivery.attempts) == ("sent", 2)
    assert delivery.last_error == "SMTPServerDisconnected: connection lost"

    clock_notice_case = casework.start_case(ctx, {}, people["kari"], process_key="frist_test")
    ctx.clock.advance(days=4)  # Thursday + 2 days is a Saturday: the task deadlines are Monday
    assert len(sweep_in(ctx).notices) == 3
    broken = FailingSender(failures=10 ** 6)
    for _ in range(mailing.MAX_ATTEMPTS):
        mailing.dispatch(ctx, broken)
    failed = ctx.session.scalars(select(NoticeDelivery).where(
        NoticeDelivery.status == "failed")).all()
    assert len(failed) == 3 and {d.notice.case_id for d in failed} == {clock_notice_case.id}
    assert mailing.dispatch(ctx, broken) == []


def test_smtp_sender_talks_smtp_to_a_local_catcher(ctx, raised_case, people):
    with MailCatcher() as catcher:
        sender = mailing.SmtpSender("127.0.0.1", catcher.port, "samflyt@kommune.example",
                                   connect=catcher.connect)
        assert mailing.dispatch(ctx, sender) == ["sent"] * 3
        assert mailing.send_digests(ctx, sender) == ["sent"]
    assert [rcpt for _, rcpt in catcher.envelopes] == [["kari@kommune.example"]] * 3 + [
        ["ola@kommune.example"]]
    first = catcher.messages[0]
    assert first["From"] == "samflyt@kommune.example"
    assert first["Auto-Submitted"] == "auto-generated"
    assert "oppgave" in str(first["Subject"])  # UTF-8 subjects survive the trip
    for subject, body in catcher.texts():
        assert raised_case.case_number in subject + body
        for value in SECRET_DATA.values():
            assert value not in subject + body


def test_the_default_transport_is_smtplib_which_tests_never_reach(ctx, raised_case, people):
    sender = mailing.sender_from_settings(Settings(smtp_host="mail.kommune.example"))
    assert isinstance(sender, mailing.SmtpSender) and sender.port == 25
    assert mailing.sender_from_settings(Settings()) is None
    with pytest.raises(AssertionError, match="real SMTP"):
        mailing.dispatch(ctx, sender)
