"""Scenario 14: the clocks counted right (issue 15, item 5). Every legal date comes from one
helper, `legal_date(start, rule)` (engine/deadlines/legal.py, lengths in legal_rules.toml):

- the interim-reply deadline (fvl § 11 a) counts from the date the application was received,
  not from when it was registered; the officer is warned SAMFLYT_INTERIM_REPLY_WARNING_DAYS
  (7) days before it and the leader gets the escalation on it;
- a deadline on a public holiday or a weekend puts the task's due date, the timer and the
  notice on the next working day, all on the same day;
- an interim reply sent before the deadline is recorded and stops the escalation's timer;
- the 16th and 18th birthdays on a holiday move the consent task and the end of the child
  coordinator's assignment to the next working day.

The clock is moved, never waited for; each move runs the sweep as the scheduler would."""
from __future__ import annotations

from datetime import date, datetime

import pytest
from scenario_support import (
    OSLO,
    CaseDriver,
    application,
    appoint,
    decide,
    decision,
    plan,
)
from sqlalchemy import select

from engine.cases import casework, intake, plan_rules
from engine.db.models import Notice, Timer
from engine.persons import identity

DEADLINE_TIMER = "Frist for foreløpig svar"
WARNING_TIMER = "Varsel før frist for foreløpig svar"


def at(day: date | str, hour: int = 0, minute: int = 0) -> datetime:
    day = date.fromisoformat(day) if isinstance(day, str) else day
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=OSLO)


def local_day(moment: datetime) -> date:
    return moment.astimezone(OSLO).date()


def timers(ctx, case, status=None) -> dict[str, tuple[date, str]]:
    """timer name -> (the Oslo day it fires on, its status)."""
    query = select(Timer).where(Timer.case_id == case.case.id)
    if status:
        query = query.where(Timer.status == status)
    return {t.name: (local_day(t.fire_at), t.status) for t in ctx.session.scalars(query)}


def notice(ctx, case, kind) -> Notice | None:
    return ctx.session.scalar(select(Notice).where(Notice.case_id == case.case.id,
                                                   Notice.kind == kind))


def test_received_ten_days_before_registration_warns_and_escalates_from_the_received_date(
        ctx, clock, people):
    # registered on Monday 5 January 2026; received on Friday 26 December 2025 (10 days before)
    case = CaseDriver.start(ctx, clock, people.officer, application(mottatt_dato="2025-12-26"))
    # one month from the received date: Monday 26 January; the warning a week before it
    assert timers(ctx, case) == {WARNING_TIMER: (date(2026, 1, 19), "waiting"),
                                 DEADLINE_TIMER: (date(2026, 1, 26), "waiting")}

    case.advance_to(at("2026-01-18", 23, 59))
    assert case.notices() == []
    swept = case.advance_to(at("2026-01-19"))  # 7 days before the deadline
    assert swept.notices == [f"{case.case.case_number}: interim_reply_warning -> saksbehandler"]
    reply = case.task("Sende foreløpig svar")
    assert local_day(reply.due_at) == date(2026, 1, 26)

    case.advance_to(at("2026-01-25", 23, 59))
    assert case.notice_kinds() == ["interim_reply_warning"]
    swept = case.advance_to(at("2026-01-26"))  # the deadline: escalate to the leader
    assert swept.notices == [f"{case.case.case_number}: interim_reply_escalation -> leder"]
    assert case.notices()[-1] == ("interim_reply_escalation", "escalation", "leder", None)
    # counted from the registration it would have come on 5 February
    assert local_day(notice(ctx, case, "interim_reply_escalation").raised_at) == date(2026, 1, 26)


@pytest.mark.parametrize(("received", "deadline"), [
    ("2028-04-17", "2028-05-18"),  # 17 May 2028, a Wednesday: Thursday 18 May
    ("2026-03-06", "2026-04-07"),  # Easter Monday, 6 April 2026: Tuesday 7 April
    ("2026-11-25", "2026-12-28"),  # 25 December 2026 (Friday), the 26th, Sunday: Monday 28th
], ids=["17_mai", "2_paskedag", "1_juledag"])
def test_a_deadline_on_a_holiday_puts_due_date_timer_and_notice_on_the_next_working_day(
        ctx, clock, people, received, deadline):
    clock.set(at(received, 9))  # registered the day it was received
    case = CaseDriver.start(ctx, clock, people.officer, application(mottatt_dato=received))
    due = date.fromisoformat(deadline)
    timer_day = timers(ctx, case)[DEADLINE_TIMER][0]

    case.advance_to(at(date.fromordinal(due.toordinal() - 7)))  # the warning, 7 days before
    assert case.notice_kinds() == ["interim_reply_warning"]
    task_due = local_day(case.task("Sende foreløpig svar").due_at)

    case.advance_to(at(date.fromordinal(due.toordinal() - 1), 23, 59))  # the holiday itself
    assert case.notice_kinds() == ["interim_reply_warning"]
    case.advance_to(at(due))
    escalation = notice(ctx, case, "interim_reply_escalation")
    assert escalation is not None
    notice_day = local_day(escalation.raised_at)

    assert task_due == timer_day == notice_day == due
    # the task's own "overdue" notice waits for the end of that same day
    overdue = ctx.session.scalar(select(Notice).where(Notice.case_id == case.case.id,
                                                      Notice.kind == "task_overdue"))
    assert overdue.due_at.astimezone(OSLO) == at(date.fromordinal(due.toordinal() + 1))


def test_an_interim_reply_sent_early_is_recorded_and_stops_the_escalation(ctx, clock, people):
    case = CaseDriver.start(ctx, clock, people.officer, application())  # deadline 5 February
    case.advance_to(at("2026-01-29", 8))
    assert case.notice_kinds() == ["interim_reply_warning"]
    case.complete("Sende foreløpig svar", people.officer,
                  {"forelopig_svar_dato": "2026-01-29",
                   "forelopig_svar_grunn": "Venter på legeopplysninger",
                   "forventet_vedtaksdato": "2026-02-20",
                   "forelopig_svar_kanal": "digital_postkasse"})
    # recorded on the case, and the escalation's timer is gone, not merely not yet due
    facts = case.refresh().facts
    assert (facts["forelopig_svar_dato"], facts["forventet_vedtaksdato"]) == (
        "2026-01-29", "2026-02-20")
    assert timers(ctx, case)[DEADLINE_TIMER] == (date(2026, 2, 5), "cancelled")
    assert timers(ctx, case, status="waiting") == {}

    case.advance_to(at("2026-03-05"))  # well past the deadline
    assert case.notice_kinds() == ["interim_reply_warning"]
    assert [e.details["timer"] for e in case.history("timer_fired")] == [WARNING_TIMER]
    assert case.names() == ["Kartlegging og vurdering"]


def test_the_18th_birthday_on_christmas_day_ends_the_assignment_on_the_next_working_day(
        ctx, clock, people):
    # 18 on Friday 25 December 2026: the duty ends on Monday 28 December (the 26th and the
    # Sunday are not working days either); the warning six months before that
    case = CaseDriver(ctx, clock, casework.start_case(
        ctx, {"navn": "Emil", "fodselsdato": "2008-12-25"}, people.unit,
        process_key="barnekoordinator_oppfolging"))
    assert timers(ctx, case) == {"Seks måneder før 18 år": (date(2026, 6, 28), "waiting")}
    case.advance_to(at("2026-06-28"))
    assert case.notice_kinds() == ["child_turning_18"]
    transition = case.task("Planlegge overgang til voksentjenester")
    assert local_day(transition.due_at) == date(2026, 12, 28)
    assert timers(ctx, case, status="waiting") == {"18-årsdag": (date(2026, 12, 28), "waiting")}
    case.complete("Planlegge overgang til voksentjenester", people.coordinator,
                  {"overgangsplan": "Overføres til voksenteamet"})

    case.advance_to(at("2026-12-27", 23, 59))  # 18 since Friday, but no working day yet
    assert case.tasks() == []
    case.advance_to(at("2026-12-28"))
    assert case.names() == ["Avslutte oppdraget som barnekoordinator"]


def test_the_16th_birthday_on_easter_monday_asks_for_consent_on_the_next_working_day(
        ctx, clock, people):
    born = date(2010, 4, 6)  # 16 on Easter Monday, 6 April 2026
    case = CaseDriver(ctx, clock, intake.register_application(
        ctx, application(navn="Sofie Lie", fodselsdato=born.isoformat(), soker_rolle="forelder",
                         soker_navn="Hanne Lie"),
        people.officer, "ip_sak", ("ip_sak",),
        person=intake.PersonChoice(national_id=identity.synthetic(born, 714))).case)
    decide(case, people, decision(), leveringsdato="2026-01-06")
    appoint(case, people, people.coordinator)
    case.complete("Utarbeide plan", people.coordinator, plan(samtykke={
        "samtykke_til_plan": True, "gitt_av": "foreldre", "gitt_av_navn": "Hanne Lie",
        "samtykke_dato": "2026-01-07"}))
    case.complete("Godkjenne plan", people.coordinator,
                  {"godkjent": True, "neste_evaluering": "2026-08-03"})

    case.advance_to(at("2026-04-06", 12))  # the birthday, a public holiday
    assert plan_rules.apply_due(ctx) == []
    case.advance_to(at("2026-04-07", 6))  # Tuesday: the next working day
    assert plan_rules.apply_due(ctx) == [f"{case.case.case_number}: samtykke_ved_16"]
    assert ("Innhente samtykke fra den unge", "koordinator", "kari.koord") in case.tasks()
