"""Scenario 1: an adult needing home nursing, physiotherapy and NAV follow-up. IP and a
coordinator are granted, a trained coordinator is appointed, the plan is approved with a review
date, and the first review is done."""
from __future__ import annotations

import pytest
from scenario_support import CaseDriver, application, assessment, decision, plan

from engine.core.errors import InvalidInput


def test_ip_and_coordinator_granted_plan_approved_first_review_done(ctx, clock, people):
    case = CaseDriver.start(ctx, clock, people.officer, application())
    assert case.case.status == "open" and case.case.person_name == "Kari Nordmann"
    assert case.tasks() == [("Kartlegging og vurdering", "saksbehandler", None)]

    # the rule table suggests granting both; the officer assesses
    case.advance(days=3)
    case.complete("Kartlegging og vurdering", people.officer, assessment())
    assert case.tasks() == [("Utforme vedtak", "saksbehandler", None)]
    case.complete("Utforme vedtak", people.officer, decision())
    assert case.tasks() == [("Signere vedtak", "leder", None)]
    case.complete("Signere vedtak", people.leader, {"vedtak_godkjent": True})
    case.complete("Sende vedtaksbrev", people.officer,
                  {"kanal": "digital_postkasse", "sendt_dato": "2026-01-12",
                   "leveringsdato": "2026-01-13"})

    # the decision's data reach the case: 4 weeks from delivery (pbrl § 7-5)
    facts = case.refresh().facts
    assert facts["vedtak_ip"] == facts["vedtak_koordinator"] == "innvilget"
    assert facts["klagefrist_regel"] == "klagefrist_helse" and facts["klagefrist"] == "2026-02-10"
    # the interim-reply watchers stopped at the decision: nothing waits, nothing was raised
    assert case.notices() == []
    assert case.tasks() == [("Oppnevne koordinator", "koordinerende_enhet", None)]

    # only a trained coordinator can be appointed
    with pytest.raises(InvalidInput) as refused:
        case.complete("Oppnevne koordinator", people.unit,
                      {"koordinator": "uno.koord", "tjenesteomrade": "Hjemmetjenesten"})
    assert set(refused.value.errors) == {"koordinator"}
    case.complete("Oppnevne koordinator", people.unit,
                  {"koordinator": "kari.koord", "tjenesteomrade": "Hjemmetjenesten"})
    assert case.refresh().coordinator == "kari.koord"
    assert case.tasks() == [("Bekrefte oppdraget", "koordinator", "kari.koord")]
    case.complete("Bekrefte oppdraget", people.coordinator, {"oppdrag_bekreftet": True})

    # the plan, approved with a review date
    assert case.tasks() == [("Utarbeide plan", "koordinator", "kari.koord")]
    case.complete("Utarbeide plan", people.coordinator, plan())
    assert case.tasks() == [("Godkjenne plan", "koordinator", "kari.koord")]
    case.complete("Godkjenne plan", people.coordinator,
                  {"godkjent": True, "neste_evaluering": "2026-08-03",
                   "godkjent_dato": "2026-02-02"})
    assert case.processes() == [("ip_sak", "completed"), ("periodisk_evaluering", "running")]
    assert case.refresh().status == "open"
    assert case.tasks() == []

    # the review date comes: the coordinator is told and gets the task, due that day
    case.advance_to(clock().replace(year=2026, month=8, day=2, hour=22))  # 3 August 00:00 in Oslo
    assert case.notices() == [("review_due", "info", "koordinator", "kari.koord")]
    [review] = case.open()
    assert (review.name, review.candidate_role, review.assignee) == ("Gjennomføre evaluering",
                                                                     "koordinator",
                                                                    "kari.koord")
    assert review.due_at == clock()
    case.complete("Gjennomføre evaluering", people.coordinator,
                  {"resultat": "fortsette", "neste_evaluering": "2027-02-01",
                   "oppsummering": "Målene nås"})

    # the next cycle waits for its own date; the first is done
    assert case.processes() == [("ip_sak", "completed"), ("periodisk_evaluering", "completed"),
                                ("periodisk_evaluering", "running")]
    assert case.refresh().facts["neste_evaluering"] == "2027-02-01"
    assert case.tasks() == []
    kinds = [e.kind for e in case.history()]
    assert kinds[0] == "case_started"
    assert kinds.count("coordinator_appointed") == 1
    assert kinds.count("task_completed") == 9
    completed_by = [(e.details["name"], e.actor) for e in case.history("task_completed")]
    assert ("Signere vedtak", "lars.leder") in completed_by
    assert ("Gjennomføre evaluering", "kari.koord") in completed_by
    assert case.history("case_closed") == []
