"""Scenario 9: one person, one plan. An adult is granted IP; a year later NAV asks for an
individual plan for the same person under another law. No second person and no second plan:
the case joins the plan, the coordinator adds NAV as a participant with the person's consent,
and the revised plan is version 2. Along the way: the plan never has a day without a
coordinator, and a participant's access follows their consent."""
from __future__ import annotations

from datetime import date, timedelta

import pytest
from scenario_support import CaseDriver, application, appoint, approve_plan, decide, decision
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from engine.cases import action_items, casework, intake
from engine.core.errors import InvalidInput
from engine.db.models import Case, HumanTask, Person, Plan
from engine.persons import identity
from engine.plans import coordinators, lifecycle, meetings, participants, versions
from engine.worklist import humantasks

ALLOWED = ("ip_sak",)
NUMBER = identity.synthetic(date(1970, 3, 1), 17)


def register(ctx, people, **changes):
    registration = intake.register_application(
        ctx, application(**changes), people.officer, "ip_sak", ALLOWED,
        person=intake.PersonChoice(national_id=NUMBER))
    return registration.case


def granted_plan(ctx, clock, people):
    case = CaseDriver(ctx, clock, register(ctx, people))
    decide(case, people, decision(), leveringsdato="2026-01-13")
    appoint(case, people, people.coordinator)
    approve_plan(case, people.coordinator, neste_evaluering="2026-08-03")
    return case


def test_a_second_request_from_another_law_joins_the_plan(ctx, clock, people):
    first = granted_plan(ctx, clock, people)
    plan = lifecycle.get(ctx, first.refresh().plan_id)
    assert plan.status == "aktiv" and plan.approved_version == 1
    assert coordinators.current(ctx, plan.id) == "kari.koord"

    # NAV asks for an individual plan (sosialtjenesteloven) for the same person
    second = CaseDriver(ctx, clock, register(ctx, people, nav_basert=True,
                                             mottatt_dato="2026-03-02"))
    assert second.case.process_key == "plan_tilslutning"
    assert second.case.plan_id == plan.id and second.case.person_id == first.case.person_id
    assert ctx.session.scalar(select(func.count()).select_from(Person)
                              .where(Person.national_id == NUMBER)) == 1
    assert second.tasks() == [("Legge til deltaker og revidere planen", "koordinator",
                               "kari.koord")]

    second.complete("Legge til deltaker og revidere planen", people.coordinator,
                    {"deltaker_navn": "NAV Sentrum", "deltaker_rolle": "NAV-veileder",
                     "tilgang": "hele_planen", "neste_evaluering": "2026-09-01"})
    assert second.processes() == [("plan_tilslutning", "completed")]
    assert ctx.session.scalar(select(func.count()).select_from(Plan)
                              .where(Plan.person_id == first.case.person_id)) == 1
    names = [(p.name, p.role) for p in participants.current(ctx, plan.id)]
    assert ("NAV Sentrum", "NAV-veileder") in names
    nav = next(p for p in participants.current(ctx, plan.id) if p.name == "NAV Sentrum")
    assert nav.consent_id is not None and nav.added_by_case_id == second.case.id

    # two versions, and what changed between them
    assert [v.number for v in versions.listing(ctx, plan.id)] == [1, 2]
    changed = versions.compare(versions.get(ctx, plan.id, 1).snapshot,
                               versions.get(ctx, plan.id, 2).snapshot)
    assert set(changed) == {"deltakere", "periode"}
    assert changed["periode"]["etter"]["neste_evaluering"] == "2026-09-01"


def test_the_plan_holds_what_the_forms_wrote(ctx, clock, people):
    case = granted_plan(ctx, clock, people)
    plan = lifecycle.get(ctx, case.refresh().plan_id)
    snapshot = versions.get(ctx, plan.id, 1).snapshot
    assert snapshot["mal"]["hovedmal"] == "Bo trygt hjemme"
    assert [g["tekst"] for g in snapshot["mal"]["delmal"]] == ["Gå til butikken selv"]
    assert [m["hva"] for m in snapshot["tiltak"]] == ["Hjemmesykepleie", "Fysioterapi"]
    assert snapshot["periode"] == {"fra": "2026-02-01", "til": "2027-02-01",
                                   "neste_evaluering": "2026-08-03"}
    assert [(c["gitt_av"], c["gitt_av_rolle"]) for c in snapshot["samtykke"]] \
        == [("Personen selv", "personen")]
    assert plan.next_review == date(2026, 8, 3)


def test_a_second_open_plan_is_refused_by_the_database(ctx, clock, people):
    case = granted_plan(ctx, clock, people)
    second = Plan(person_id=case.case.person_id, status="utkast", contributions={},
                  approved_version=0, created_at=clock(), created_by="test")
    savepoint = ctx.session.begin_nested()
    ctx.session.add(second)
    with pytest.raises(IntegrityError):
        ctx.session.flush()
    savepoint.rollback()


def test_the_same_number_is_one_person(ctx, clock, people):
    first = register(ctx, people)
    second = register(ctx, people, onsker_ip=False, onsker_koordinator=True)
    assert first.person_id == second.person_id
    assert second.process_key == "ip_sak"  # no plan yet: an ordinary case
    assert first.services == "ip,koordinator" and second.services == "koordinator"
    assert first.received_on == date(2026, 1, 5)


def test_a_relative_without_fullmakt_is_marked_on_the_case(ctx, clock, people):
    case = register(ctx, people, soker_rolle="parorende", soker_navn="Per Nordmann",
                    fullmakt=False)
    assert case.applicant_relation == "parorende" and case.applicant_without_fullmakt
    own = register(ctx, people, mottatt_dato="2026-01-06")
    assert not own.applicant_without_fullmakt


def test_the_plan_is_never_without_a_coordinator(ctx, clock, people):
    case = granted_plan(ctx, clock, people)
    plan = lifecycle.get(ctx, case.refresh().plan_id)
    approved_on = ctx.today()
    clock.advance(days=40)
    casework.report_coordinator_leaving(ctx, case.case.id, people.unit, reason="slutter")
    clock.advance(days=2)
    case.complete("Oppnevne ny koordinator", people.unit,
                  {"koordinator": "ola.koord", "tjenesteomrade": "Hjemmetjenesten",
                   "overlapp_til": ctx.today().isoformat()})
    clock.advance(days=30)
    periods = coordinators.history(ctx, plan.id)
    assert [p.username for p in periods] == ["kari.koord", "ola.koord"]
    assert coordinators.uncovered_days(periods, approved_on, ctx.today()) == []
    assert coordinators.current(ctx, plan.id) == "ola.koord"


def test_consent_decides_what_a_participant_sees(ctx, clock, people):
    case = granted_plan(ctx, clock, people)
    plan = lifecycle.get(ctx, case.refresh().plan_id)
    teacher = participants.add(ctx, plan, "kari.koord", name="Lærer Lund", role="Skolen",
                               username="ola.koord")
    assert participants.visible_sections(ctx, plan, "ola.koord") is None  # no consent yet
    consent = participants.give_consent(
        ctx, plan, "kari.koord", participant_id=teacher.id, scope="deler",
        sections_=["tiltak", "mal"], given_by_name="Kari Nordmann", given_by_role="personen",
        given_on=ctx.today(), expires_on=ctx.today() + timedelta(days=10))
    assert participants.visible_sections(ctx, plan, "ola.koord") == {"tiltak", "mal"}
    clock.advance(days=10)  # the expiry day: the consent no longer holds
    assert participants.visible_sections(ctx, plan, "ola.koord") is None

    renewed = participants.give_consent(
        ctx, plan, "kari.koord", participant_id=teacher.id, scope="hele_planen",
        given_by_name="Kari Nordmann", given_by_role="personen", given_on=ctx.today())
    assert "moter" in participants.visible_sections(ctx, plan, "ola.koord")
    participants.withdraw(ctx, plan, renewed.id, "kari.koord")  # at once
    assert participants.visible_sections(ctx, plan, "ola.koord") is None
    assert consent.withdrawn_at is None  # the expired one is history, not withdrawn

    # an adult consents for themselves; a parent cannot consent for them
    with pytest.raises(InvalidInput) as refused:
        participants.give_consent(ctx, plan, "kari.koord", participant_id=teacher.id,
                                  scope="hele_planen", given_by_name="Mor",
                                  given_by_role="forelder", given_on=ctx.today())
    assert set(refused.value.errors) == {"given_by_role"}


def test_withdrawing_consent_to_the_plan_ends_it(ctx, clock, people):
    case = granted_plan(ctx, clock, people)
    plan = lifecycle.get(ctx, case.refresh().plan_id)
    consent = participants.plan_consent(ctx, plan.id)
    participants.withdraw(ctx, plan, consent.id, "kari.koord")
    assert plan.status == "avsluttet" and plan.end_reason == "samtykke_trukket"
    assert coordinators.current(ctx, plan.id) is None
    assert lifecycle.open_plan_of(ctx, case.case.person_id) is None
    assert ctx.session.get(Case, case.case.id).plan_id == plan.id


def test_a_meeting_action_item_is_a_task_in_the_users_inbox(ctx, clock, people):
    case = granted_plan(ctx, clock, people)
    plan_id = case.refresh().plan_id
    meeting, items = action_items.record_meeting(
        ctx, plan_id, people.coordinator, held_on=ctx.today(),
        attendees=["Kari Nordmann", "Kari Koord", "Siri Saksbehandler"],
        minutes="Gjennomgang av tiltakene.",
        items=[meetings.ActionItem("Søke om BPA", "Siri Saksbehandler", "siri.saksbehandler",
                                   ctx.today() + timedelta(days=14)),
               meetings.ActionItem("Kjøpe treningsutstyr", "Kari Nordmann")])
    assert [i.human_task_id is not None for i in items] == [True, False]
    task = ctx.session.get(HumanTask, items[0].human_task_id)
    assert (task.name, task.candidate_role, task.assignee) == (
        "Følge opp punkt fra ansvarsgruppemøte", "saksbehandler", "siri.saksbehandler")
    assert task.due_at is not None and task.case_id == case.case.id
    inbox = humantasks.inbox(ctx, people.officer)
    assert task.id in [row.id for row in inbox]
    humantasks.complete(ctx, task.id, people.officer, {"utfort": True})
    assert [(m.id, [i.what for i in listed]) for m, listed in meetings.listing(ctx, plan_id)] \
        == [(meeting.id, ["Søke om BPA", "Kjøpe treningsutstyr"])]


def test_an_action_item_without_a_due_date_is_a_task_without_one(ctx, clock, people):
    case = granted_plan(ctx, clock, people)
    _meeting, [item] = action_items.record_meeting(
        ctx, case.refresh().plan_id, people.coordinator, held_on=ctx.today(),
        attendees=["Kari Koord"], minutes="",
        items=[meetings.ActionItem("Ringe skolen", "Ola Koord", "ola.koord")])
    task = ctx.session.get(HumanTask, item.human_task_id)
    assert (task.candidate_role, task.assignee, task.due_at) == ("koordinator", "ola.koord",
                                                                 None)
