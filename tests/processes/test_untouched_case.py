"""A case nobody touches for 60 days: the deadline rules (the diagram's interim-reply watchers
and the engine's task deadlines) raise exactly the notices they call for, in order, to the
right roles, each once, and each e-mailed to the right people with nothing from the case.

The clock moves an hour at a time and the whole sweep runs after each move, as the
scheduler would (timers, then due deadline notices, then e-mail)."""
from __future__ import annotations

from zoneinfo import ZoneInfo

import pytest
from scenario_support import CaseDriver, application

from engine.notices import mailing, notice_board
from engine.scheduling.scheduler import sweep_in

OSLO = ZoneInfo("Europe/Oslo")

pytestmark = pytest.mark.slow  # 1,440 hourly sweeps per database


def _local(moment) -> str:
    return moment.astimezone(OSLO).strftime("%Y-%m-%d %H:%M")


def test_sixty_untouched_days(ctx, clock, people, sent_mail):
    # the officer wants every notice by e-mail at once, the leader a daily digest
    for user, preference in [(people.officer, "immediate"), (people.leader, "digest")]:
        user.email, user.notice_email = f"{user.username}@kommune.example", preference
    case = CaseDriver.start(ctx, clock, people.officer, application())  # Monday 5 January 09:00
    number = case.case.case_number
    sweeps_that_raised = []
    for _hour in range(1, 60 * 24 + 1):
        clock.advance(hours=1)
        report = sweep_in(ctx)
        if report.notices:
            sweeps_that_raised.append((_local(clock()), report.notices))
        mailing.dispatch(ctx, sent_mail.sender)

    assert sweeps_that_raised == [
        # the assessment task, not claimed within 2 days (SAMFLYT_TASK_CLAIM_WITHIN)
        ("2026-01-07 09:00", [f"{number}: task_unclaimed -> saksbehandler"]),
        # a week (SAMFLYT_INTERIM_REPLY_WARNING_DAYS) before the interim-reply deadline
        # (fvl § 11 a: one month from the received date, 5 January): warn the officers
        ("2026-01-29 00:00", [f"{number}: interim_reply_warning -> saksbehandler"]),
        # the interim-reply task that warning created, not claimed within 2 days: Saturday
        # 31 January, so Monday
        ("2026-02-02 00:00", [f"{number}: task_unclaimed -> saksbehandler"]),
        # the deadline, no decision and no interim reply: escalate to the leader
        ("2026-02-05 00:00", [f"{number}: interim_reply_escalation -> leder"]),
        # the interim reply was due by the end of 5 February (one month after the application)
        ("2026-02-06 00:00", [f"{number}: task_overdue -> saksbehandler"]),
    ]
    shown = [(n.kind, n.role, n.username, n.severity, n.status, _local(n.raised_at))
             for n in notice_board.for_case(ctx, case.case.id)]
    assert shown == [
        ("task_unclaimed", "saksbehandler", None, "warning", "raised", "2026-01-07 09:00"),
        ("interim_reply_warning", "saksbehandler", None, "warning", "raised", "2026-01-29 00:00"),
        ("task_unclaimed", "saksbehandler", None, "warning", "raised", "2026-02-02 00:00"),
        ("interim_reply_escalation", "leder", None, "escalation", "raised", "2026-02-05 00:00"),
        ("task_overdue", "saksbehandler", None, "warning", "raised", "2026-02-06 00:00"),
    ]
    # nothing was done: both tasks are still open, unclaimed
    assert case.tasks() == [("Kartlegging og vurdering", "saksbehandler", None),
                            ("Sende foreløpig svar", "saksbehandler", None)]
    # in-app: the officers see four notices, the leader one, the others none
    assert notice_board.count_open_for_user(ctx, people.officer) == 4
    assert [n.kind for n in notice_board.open_for_user(ctx, people.leader)] == [
        "interim_reply_escalation"]
    assert notice_board.open_for_user(ctx, people.unit) == []

    # by e-mail: one per notice to the officer, at once, in the order raised ...
    label = {kind: f"Samflyt: {notice_board.label(kind)} ({number})" for kind in (
        "task_unclaimed", "interim_reply_warning", "task_overdue")}
    assert [(m.to, m.subject) for m in sent_mail.messages] == [
        (people.officer.email, label["task_unclaimed"]),
        (people.officer.email, label["interim_reply_warning"]),
        (people.officer.email, label["task_unclaimed"]),
        (people.officer.email, label["task_overdue"]),
    ]
    # ... and the leader's escalation in the next daily digest
    assert mailing.send_digests(ctx, sent_mail.sender) == ["sent"]
    digest = sent_mail.messages[-1]
    assert (digest.to, digest.subject) == (people.leader.email, "Samflyt: 1 nytt varsel")
    assert f"{notice_board.label('interim_reply_escalation')}. Sak {number}: " in digest.body
