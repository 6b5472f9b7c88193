"""Scenario 8: the municipality reverses its own decision on appeal: a new decision with a new
appeal clock, and nothing is forwarded to Statsforvalteren."""
from __future__ import annotations

from scenario_support import appeal, decision, refused_case

from engine.cases import casework


def test_reversal_makes_a_new_decision_and_a_new_appeal_clock(ctx, clock, people):
    case = refused_case(ctx, clock, people)
    case.advance_to(clock().replace(month=2, day=2))
    casework.register_appeal(ctx, case.case.id, appeal(klage_mottatt="2026-02-02"), people.officer)
    case.complete("Vurdere klagen", people.officer,
                  {"klagevurdering": "Nye opplysninger: behov for hjemmesykepleie også",
                   "anbefaling": "omgjore"})
    case.complete("Beslutte omgjøring", people.leader,
                  {"omgjore": True, "beslutning_begrunnelse": "Omgjøres"})

    # the new decision runs through the same steps as the first, in the appeal
    assert case.tasks() == [("Utforme vedtak", "saksbehandler", None)]
    case.complete("Utforme vedtak", people.officer,
                  decision(begrunnelse="Omgjort etter klage: du har behov for koordinerte "
                                       "tjenester"))
    assert case.tasks() == [("Signere vedtak", "leder", None)]
    case.complete("Signere vedtak", people.leader, {"vedtak_godkjent": True})
    case.complete("Sende vedtaksbrev", people.officer,
                  {"kanal": "digital_postkasse", "leveringsdato": "2026-02-16"})

    facts = case.refresh().facts
    assert facts["vedtak_ip"] == facts["vedtak_koordinator"] == "innvilget"
    assert facts["leveringsdato"] == "2026-02-16"
    assert facts["klagefrist"] == "2026-03-16"  # the new clock: 16 February + 4 weeks
    assert case.tasks() == []
    assert case.processes() == [("ip_sak", "completed"), ("klage", "completed")]
    created = [e.details["name"] for e in case.history("task_created")]
    assert "Oversende til Statsforvalteren" not in created and "Orientere klager" not in created
    assert [e.details["fields"] for e in case.history("facts_recorded")][-1] == sorted(
        ["vedtak_ip", "vedtak_koordinator", "vedtak_barnekoordinator", "hjemmel", "klageregel",
         "klagefrist_regel", "klagefrist", "klagefrister", "klageregler", "leveringsdato",
         "vedtaksdato"])
