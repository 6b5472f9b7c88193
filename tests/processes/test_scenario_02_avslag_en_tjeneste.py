"""Scenario 2: one service only. The rule table suggests refusal, the officer refuses with
reasons, and the decision letter carries the appeal deadline of the health law: 4 weeks from
the delivery date."""
from __future__ import annotations

import pytest
from scenario_support import CaseDriver, application, assessment, decision

from engine.core.errors import InvalidInput


def test_one_service_refused_with_reasons_and_four_weeks_to_appeal(ctx, clock, people):
    case = CaseDriver.start(ctx, clock, people.officer, application(tjenester=["fysioterapi"]))
    facts = case.refresh().facts
    assert (facts["forslag_ip"], facts["forslag_koordinator"]) == ("avsla", "avsla")
    assert "færre enn to tjenester" in facts["forslag_begrunnelse"]
    # a suggestion only: a person assesses and decides
    assert case.tasks() == [("Kartlegging og vurdering", "saksbehandler", None)]

    case.complete("Kartlegging og vurdering", people.officer,
                  assessment(konklusjon_ip="avsla", konklusjon_koordinator="avsla",
                             vurdering="Bare fysioterapi; ingen tjenester å samordne"))
    refusal = decision(vedtak_ip="avslag", vedtak_koordinator="avslag",
                       begrunnelse="Du mottar én tjeneste. Retten til individuell plan gjelder "
                                   "den som "
                                   "trenger langvarige og koordinerte tjenester.")
    del refusal["forste_evaluering"], refusal["oppstartsdato"], refusal["ansvarlig_tjenesteomrade"]
    with pytest.raises(InvalidInput) as missing:  # reasons are required
        case.complete("Utforme vedtak", people.officer, {**refusal, "begrunnelse": ""})
    assert set(missing.value.errors) == {"begrunnelse"}
    case.complete("Utforme vedtak", people.officer, refusal)
    case.complete("Signere vedtak", people.leader, {"vedtak_godkjent": True})
    case.complete("Sende vedtaksbrev", people.officer,
                  {"kanal": "digital_postkasse", "sendt_dato": "2026-01-13",
                   "leveringsdato": "2026-01-14"})

    facts = case.refresh().facts
    assert facts["vedtak_ip"] == facts["vedtak_koordinator"] == "avslag"
    assert facts["hjemmel"] == "pbrl_2_5"
    assert facts["klagefrist_regel"] == "klagefrist_helse"
    assert facts["klagefrist"] == "2026-02-11"  # delivered 14 January + 4 weeks, a Wednesday
    assert "§ 7-5" in facts["klageregel"]
    assert case.tasks() == []
    assert case.processes() == [("ip_sak", "completed")]
    assert case.case.status == "closed"
    assert case.case.coordinator is None
    kinds = [e.kind for e in case.history()]
    assert kinds[-1] == "case_closed"
    [sent] = [e for e in case.history("task_completed") if e.details["name"] == "Utforme vedtak"]
    assert sent.actor == "siri.saksbehandler"
    assert sent.details["data"]["begrunnelse"].startswith("Du mottar")
