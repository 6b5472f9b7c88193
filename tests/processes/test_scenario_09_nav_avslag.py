"""Scenario 9: an individual plan under the social services act (NAV) is refused. The appeal
deadline follows forvaltningsloven § 29: 3 weeks from delivery."""
from __future__ import annotations

from scenario_support import CaseDriver, application, assessment, decide, decision


def test_nav_based_plan_refused_with_three_weeks_to_appeal(ctx, clock, people):
    case = CaseDriver.start(ctx, clock, people.officer,
                            application(onsker_koordinator=False, nav_basert=True,
                                        tjenester=["nav_oppfolging"]))
    refusal = decision(vedtak_ip="avslag", vedtak_koordinator=None, hjemmel="sosialtjenesteloven",
                       begrunnelse="Behovet gjelder én tjeneste fra NAV og krever ikke en "
                                   "individuell plan.")
    del refusal["forste_evaluering"]
    decide(case, people, refusal, leveringsdato="2026-01-14", kanal="papir",
           kartlegging=assessment(konklusjon_ip="avsla", konklusjon_koordinator=None))
    facts = case.refresh().facts
    assert (facts["vedtak_ip"], facts["hjemmel"]) == ("avslag", "sosialtjenesteloven")
    assert facts["klagefrist_regel"] == "klagefrist_forvaltning"
    assert facts["klagefrist"] == "2026-02-04"  # 14 January + 3 weeks
    assert "forvaltningsloven § 29" in facts["klageregel"]
    assert case.case.status == "closed"
