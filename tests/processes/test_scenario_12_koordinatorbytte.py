"""Scenario 12: the coordinator leaves. The coordinating unit gets an escalation at once, a
trained replacement is appointed and confirms the hand-over, open tasks follow the plan to
the new coordinator, and at no moment is the plan without a coordinator."""
from __future__ import annotations

from datetime import datetime

from scenario_support import (
    OSLO,
    CaseDriver,
    application,
    appoint,
    approve_plan,
    decide,
    decision,
)

from engine.cases import casework


def test_coordinator_leaves_and_the_plan_is_never_without_one(ctx, clock, people):
    case = CaseDriver.start(ctx, clock, people.officer, application())
    decide(case, people, decision(), leveringsdato="2026-01-13")
    appoint(case, people, people.coordinator)
    approve_plan(case, people.coordinator, "2026-04-01")
    case.advance_to(datetime(2026, 4, 1, 8, tzinfo=OSLO))
    assert case.tasks() == [("Gjennomføre evaluering", "koordinator", "kari.koord")]

    casework.report_coordinator_leaving(ctx, case.case.id, people.unit)
    assert case.case.coordinator == "kari.koord"  # stays until the replacement takes over
    assert case.notices()[-1] == ("coordinator_vacancy", "escalation", "koordinerende_enhet", None)
    replace = case.task("Oppnevne ny koordinator")
    assert (replace.candidate_role, replace.priority) == ("koordinerende_enhet", 1)

    case.complete("Oppnevne ny koordinator", people.unit,
                  {"koordinator": "ola.koord", "tjenesteomrade": "Fysioterapi",
                   "overlapp_til": "2026-04-15"})
    assert case.case.coordinator == "ola.koord"
    # the open review moved with the plan; the new coordinator confirms the hand-over
    assert case.tasks() == [("Gjennomføre evaluering", "koordinator", "ola.koord"),
                            ("Overlevering", "koordinator", "ola.koord")]
    case.complete("Overlevering", people.coordinator2,
                  {"overlevering_gjennomfort": True, "overlevering_dato": "2026-04-03"})
    case.complete("Gjennomføre evaluering", people.coordinator2,
                  {"resultat": "fortsette", "neste_evaluering": "2026-10-01",
                   "oppsummering": "Ny koordinator"})

    # the next cycle belongs to the new coordinator
    case.advance_to(datetime(2026, 10, 1, 8, tzinfo=OSLO))
    assert case.tasks() == [("Gjennomføre evaluering", "koordinator", "ola.koord")]
    assert case.notices()[-1] == ("review_due", "info", "koordinator", "ola.koord")
    history = case.history("coordinator_leaving", "coordinator_appointed", "task_assigned")
    assert [(e.kind, e.details.get("coordinator") or e.details.get("assignee"))
            for e in history] == [
        ("coordinator_appointed", "kari.koord"), ("coordinator_leaving", "kari.koord"),
        ("coordinator_appointed", "ola.koord"), ("task_assigned", "ola.koord")]
    # never without a coordinator: every appointment after the first names the one it replaced
    appointed = case.history("coordinator_appointed")
    assert [e.details.get("previous") for e in appointed] == [None, "kari.koord"]
