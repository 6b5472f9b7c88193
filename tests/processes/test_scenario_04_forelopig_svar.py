"""Scenario 4: undecided after 3 weeks, the officer is warned and asked for an interim reply
(forvaltningsloven § 11 a); at one month without an interim reply the leader gets an escalation.
With an interim reply sent in time there is no escalation."""
from __future__ import annotations

from datetime import timedelta

from scenario_support import OSLO, CaseDriver, application, assessment, decision


def _decide(case, people, leveringsdato):
    case.complete("Kartlegging og vurdering", people.officer, assessment())
    case.complete("Utforme vedtak", people.officer, decision())
    case.complete("Signere vedtak", people.leader, {"vedtak_godkjent": True})
    case.complete("Sende vedtaksbrev", people.officer,
                  {"kanal": "papir", "leveringsdato": leveringsdato})


def test_three_weeks_warn_and_one_month_without_a_reply_escalates(ctx, clock, people):
    case = CaseDriver.start(ctx, clock, people.officer, application())
    started = clock()

    case.advance(days=20, hours=23)
    assert case.notices() == []
    assert case.names() == ["Kartlegging og vurdering"]

    swept = case.advance(hours=1)  # three weeks after the application was registered
    assert swept.notices == [f"{case.case.case_number}: interim_reply_warning -> saksbehandler"]
    assert case.notices() == [("interim_reply_warning", "warning", "saksbehandler", None)]
    reply = case.task("Sende foreløpig svar")
    assert (reply.candidate_role, reply.priority) == ("saksbehandler", 2)
    # due one month after the application was received
    assert reply.due_at.astimezone(OSLO).date().isoformat() == "2026-02-05"

    case.advance(days=9, hours=23)
    assert [n[0] for n in case.notices()] == ["interim_reply_warning"]
    case.advance(hours=1)  # one month, no decision, no interim reply
    assert case.notices() == [("interim_reply_warning", "warning", "saksbehandler", None),
                              ("interim_reply_escalation", "escalation", "leder", None)]
    fired = [e.details["timer"] for e in case.history("timer_fired")]
    assert fired == ["Tre uker uten vedtak", "Én måned uten vedtak"]

    # the decision closes the interim-reply task that nobody did
    _decide(case, people, "2026-02-10")
    assert case.names() == ["Oppnevne koordinator"]
    cancelled = [e.details["name"] for e in case.history("task_cancelled")]
    assert cancelled == ["Sende foreløpig svar"]
    assert clock() - started == timedelta(days=31)


def test_an_interim_reply_in_time_means_no_escalation(ctx, clock, people):
    case = CaseDriver.start(ctx, clock, people.officer, application())
    case.advance(days=21)
    assert case.notice_kinds() == ["interim_reply_warning"]
    case.complete("Sende foreløpig svar", people.officer,
                  {"forelopig_svar_dato": "2026-01-27",
                   "forelopig_svar_grunn": "Venter på legeopplysninger",
                   "forventet_vedtaksdato": "2026-02-20",
                   "forelopig_svar_kanal": "digital_postkasse"})
    assert case.names() == ["Kartlegging og vurdering"]

    case.advance(days=30)  # well past one month
    assert case.notice_kinds() == ["interim_reply_warning"]
    assert not any(e.details.get("timer") == "Én måned uten vedtak"
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
