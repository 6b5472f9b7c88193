"""Scenario 3: two services for an expected 8 months. The municipality's rule of thumb ("more
than 2 years") only warns: the suggestion is to assess, never to refuse, and the officer
decides."""
from __future__ import annotations

from scenario_support import (
    CaseDriver,
    application,
    appoint,
    assessment,
    decide,
    decision,
)


def test_two_services_for_eight_months_are_not_refused_by_the_local_rule(ctx, clock, people):
    case = CaseDriver.start(ctx, clock, people.officer,
                            application(tjenester=["hjemmesykepleie", "fysioterapi"],
                                        forventet_varighet_maneder=8))
    facts = case.refresh().facts
    assert facts["forslag_ip"] == facts["forslag_koordinator"] == "vurdere"
    assert "ikke et vilkår" in facts["forslag_advarsel"]
    assert "avsla" not in (facts["forslag_ip"], facts["forslag_koordinator"])
    assert case.tasks() == [("Kartlegging og vurdering", "saksbehandler", None)]

    # the officer finds the need long-lasting enough and grants
    decide(case, people, decision(forste_evaluering="2026-05-04"), leveringsdato="2026-01-15",
           kartlegging=assessment(vurdering="Behovet varer i månedsvis og krever samordning; "
                                            "kommunens tommelfingerregel er bare veiledende"))
    assert case.refresh().facts["vedtak_ip"] == "innvilget"
    assert case.tasks() == [("Oppnevne koordinator", "koordinerende_enhet", None)]
    appoint(case, people, people.coordinator)
    assert case.tasks() == [("Utarbeide plan", "koordinator", "kari.koord")]
    assert case.notices() == []
