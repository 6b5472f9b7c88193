"""Scenario 5: a person who wants a coordinator but no individual plan. The coordinator is
appointed (and may decline: then another is appointed); no plan is drafted."""
from __future__ import annotations

from scenario_support import CaseDriver, application, assessment, decide, decision


def test_coordinator_appointed_and_no_plan(ctx, clock, people):
    case = CaseDriver.start(ctx, clock, people.officer, application(onsker_ip=False))
    grant = decision(vedtak_ip=None, hjemmel="pbrl_2_5_b",
                     begrunnelse="Du har behov for langvarige og koordinerte tjenester og får "
                                 "koordinator")
    del grant["forste_evaluering"]
    decide(case, people, grant, leveringsdato="2026-01-15",
           kartlegging=assessment(konklusjon_ip=None))
    facts = case.refresh().facts
    assert facts["vedtak_ip"] is None and facts["vedtak_koordinator"] == "innvilget"

    case.complete("Oppnevne koordinator", people.unit,
                  {"koordinator": "kari.koord", "tjenesteomrade": "Hjemmetjenesten"})
    assert case.tasks() == [("Bekrefte oppdraget", "koordinator", "kari.koord")]
    case.complete("Bekrefte oppdraget", people.coordinator,
                  {"oppdrag_bekreftet": False, "merknad_koordinator": "Jeg kjenner ikke personen"})
    assert case.tasks() == [("Oppnevne koordinator", "koordinerende_enhet", None)]
    case.complete("Oppnevne koordinator", people.unit,
                  {"koordinator": "ola.koord", "tjenesteomrade": "Fysioterapi"})
    assert case.tasks() == [("Bekrefte oppdraget", "koordinator", "ola.koord")]
    case.complete("Bekrefte oppdraget", people.coordinator2, {"oppdrag_bekreftet": True})

    assert case.tasks() == []
    assert case.refresh().coordinator == "ola.koord"
    assert case.processes() == [("ip_sak", "completed")]  # no plan, no review cycle
    assert case.case.status == "closed"
    names = [e.details["name"] for e in case.history("task_created")]
    assert "Utarbeide plan" not in names
    appointed = [e.details["coordinator"] for e in case.history("coordinator_appointed")]
    assert appointed == ["kari.koord", "ola.koord"]
