"""Scenario 4: undecided a week before the interim-reply deadline (forvaltningsloven § 11 a: one
month from the date the application was received), the officer is warned and asked for an
interim reply; on the deadline without an interim reply the leader gets an escalation. With an
interim reply sent in time there is no escalation. (Counted from a received date before the
registration, and deadlines on holidays: test_scenario_14_frister.py.)"""
from __future__ import annotations

import io
from datetime import datetime

from pypdf import PdfReader
from scenario_support import OSLO, CaseDriver, application, assessment, decision

from engine.db.models import Letter
from engine.letters import letter_list


def _decide(case, people, leveringsdato):
    case.complete("Kartlegging og vurdering", people.officer, assessment())
    case.complete("Utforme vedtak", people.officer, decision())
    case.complete("Signere vedtak", people.leader, {"vedtak_godkjent": True})
    case.complete("Sende vedtaksbrev", people.officer,
                  {"kanal": "papir", "leveringsdato": leveringsdato})


def test_a_week_before_the_deadline_warns_and_the_deadline_without_a_reply_escalates(
        ctx, clock, people):
    # received and registered on Monday 5 January 2026: the deadline is Thursday 5 February
    case = CaseDriver.start(ctx, clock, people.officer, application())

    case.advance_to(datetime(2026, 1, 28, 23, 59, tzinfo=OSLO))
    assert case.notices() == []
    assert case.names() == ["Kartlegging og vurdering"]

    swept = case.advance_to(datetime(2026, 1, 29, tzinfo=OSLO))  # seven days before it
    assert swept.notices == [f"{case.case.case_number}: interim_reply_warning -> saksbehandler"]
    assert case.notices() == [("interim_reply_warning", "warning", "saksbehandler", None)]
    reply = case.task("Sende foreløpig svar")
    assert (reply.candidate_role, reply.priority) == ("saksbehandler", 2)
    # due one month after the application was received
    assert reply.due_at.astimezone(OSLO).date().isoformat() == "2026-02-05"

    case.advance_to(datetime(2026, 2, 4, 23, 59, tzinfo=OSLO))
    assert [n[0] for n in case.notices()] == ["interim_reply_warning"]
    case.advance_to(datetime(2026, 2, 5, tzinfo=OSLO))  # the deadline: no decision, no reply
    assert case.notices() == [("interim_reply_warning", "warning", "saksbehandler", None),
                              ("interim_reply_escalation", "escalation", "leder", None)]
    fired = [e.details["timer"] for e in case.history("timer_fired")]
    assert fired == ["Varsel før frist for foreløpig svar", "Frist for foreløpig svar"]

    # the decision closes the interim-reply task that nobody did
    _decide(case, people, "2026-02-10")
    assert case.names() == ["Oppnevne koordinator"]
    cancelled = [e.details["name"] for e in case.history("task_cancelled")]
    assert cancelled == ["Sende foreløpig svar"]


def test_an_interim_reply_in_time_means_no_escalation(ctx, clock, people):
    case = CaseDriver.start(ctx, clock, people.officer, application())
    case.advance_to(datetime(2026, 1, 29, 8, tzinfo=OSLO))
    assert case.notice_kinds() == ["interim_reply_warning"]
    case.complete("Sende foreløpig svar", people.officer,
                  {"forelopig_svar_dato": "2026-01-27",
                   "forelopig_svar_grunn": "Venter på legeopplysninger",
                   "forventet_vedtaksdato": "2026-02-20",
                   "forelopig_svar_kanal": "digital_postkasse"})
    # the interim reply is a letter of the case: made from the form, sent on paper here
    [letter] = [row for row in letter_list.case_letters(ctx, case.case.id)
                if row.kind == "forelopig_svar"]
    assert letter.status == "delivered" and letter.approved_by == people.officer.username
    assert [(c.channel, c.posted_on.isoformat()) for c in letter.copies] == [
        ("print", "2026-01-27")]
    text = " ".join(PdfReader(io.BytesIO(ctx.session.get(Letter, letter.id).pdf))
                    .pages[0].extract_text().split())
    assert "Foreløpig svar på søknaden din" in text and "Venter på legeopplysninger" in text
    assert "20. februar 2026" in text and "5. januar 2026" in text  # expected; received
    assert case.names() == ["Kartlegging og vurdering"]

    case.advance(days=30)  # well past one month
    assert case.notice_kinds() == ["interim_reply_warning"]
    assert not any(e.details.get("timer") == "Frist for foreløpig svar"
                   for e in case.history("timer_fired"))

    _decide(case, people, "2026-02-20")
    assert case.names() == ["Oppnevne koordinator"]
    assert case.notice_kinds() == ["interim_reply_warning"]


def test_a_decision_within_three_weeks_raises_nothing(ctx, clock, people):
    case = CaseDriver.start(ctx, clock, people.officer, application())
    case.advance(days=14)
    _decide(case, people, "2026-01-21")
    case.advance(days=60)
    assert case.notices() == []
    assert case.history("timer_fired") == []
    assert case.names() == ["Oppnevne koordinator"]
