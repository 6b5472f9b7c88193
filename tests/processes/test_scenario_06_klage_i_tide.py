"""Scenario 6: an appeal on day 20 after delivery. In time; the municipality re-assesses and
keeps its decision, forwards the appeal to Statsforvalteren and tells the appellant. After
3 months without an answer the officer is reminded. Statsforvalteren reverses the decision:
a task to carry out the outcome."""
from __future__ import annotations

from scenario_support import appeal, refused_case

from engine.cases import casework


def test_appeal_in_time_forwarded_reminded_and_reversed_by_statsforvalteren(ctx, clock, people):
    case = refused_case(ctx, clock, people)
    case.advance_to(clock().replace(month=2, day=3))  # day 20 after delivery on 14 January
    casework.register_appeal(ctx, case.case.id, appeal(klage_mottatt="2026-02-03"), people.officer)
    assert case.case.status == "open"
    assert case.case.facts["klage_i_tide"] is True
    assert case.tasks() == [("Vurdere klagen", "saksbehandler", None)]

    case.complete("Vurdere klagen", people.officer,
                  {"klagevurdering": "Ingen nye opplysninger om behovet",
                   "anbefaling": "opprettholde"})
    assert case.tasks() == [("Beslutte omgjøring", "leder", None)]
    case.complete("Beslutte omgjøring", people.leader,
                  {"omgjore": False, "beslutning_begrunnelse": "Vedtaket er riktig"})
    assert case.tasks() == [("Oversende til Statsforvalteren", "saksbehandler", None)]
    case.complete("Oversende til Statsforvalteren", people.officer,
                  {"oversendt_dato": "2026-02-10"})
    case.complete("Orientere klager", people.officer,
                  {"klager_orientert_dato": "2026-02-10", "orientering_kanal": "digital_postkasse"})
    assert case.tasks() == [("Registrere utfall fra Statsforvalteren", "saksbehandler", None)]

    case.advance(days=88)
    assert case.notices() == []
    swept = case.advance(days=2)  # three months after forwarding
    assert swept.fired == [f"{case.case.case_number}: Tre måneder hos Statsforvalteren"]
    assert case.notices() == [("appeal_reminder", "warning", "saksbehandler", None)]
    assert case.names() == ["Registrere utfall fra Statsforvalteren"]  # still waiting

    case.complete("Registrere utfall fra Statsforvalteren", people.officer,
                  {"utfall": "omgjort", "utfall_dato": "2026-05-20",
                   "utfall_merknad": "Rett til koordinator"})
    assert case.tasks() == [("Iverksette utfall", "saksbehandler", None)]
    case.complete("Iverksette utfall", people.officer,
                  {"iverksatt_dato": "2026-05-22",
                   "iverksetting": "Nytt vedtak om koordinator sendt"})
    assert case.tasks() == []
    assert case.processes() == [("ip_sak", "completed"), ("klage", "completed")]
    assert case.case.status == "closed"
    kinds = [e.kind for e in case.history()]
    assert "case_reopened" in kinds and kinds[-1] == "case_closed"
