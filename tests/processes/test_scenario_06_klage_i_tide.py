"""Scenario 6: an appeal on day 20 after delivery. In time; the municipality re-assesses and
keeps its decision, forwards the appeal to Statsforvalteren and tells the appellant. After
3 months without an answer the officer is reminded. Statsforvalteren reverses the decision:
a task to carry out the outcome."""
from __future__ import annotations

import io

from pypdf import PdfReader
from scenario_support import appeal, refused_case

from engine.cases import casework
from engine.db.models import Letter
from engine.letters import letter_list


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
                  {"sendt_dato": "2026-02-10", "kanal": "papir"})
    assert case.tasks() == [("Registrere utfall fra Statsforvalteren", "saksbehandler", None)]
    # the appellant's letter: made, approved by the officer and posted when the task was done
    [notice] = [row for row in letter_list.case_letters(ctx, case.case.id)
                if row.kind == "klage_oversendt"]
    assert (notice.status, notice.approved_by) == ("delivered", people.officer.username)
    assert [(c.channel, c.posted_on.isoformat()) for c in notice.copies] == [
        ("print", "2026-02-10")]
    text = " ".join(PdfReader(io.BytesIO(ctx.session.get(Letter, notice.id).pdf))
                    .pages[0].extract_text().split())
    assert "Klagen din er sendt til Statsforvalteren" in text
    assert "Statsforvalteren (pasient- og brukerrettighetsloven § 7-2)" in text
    assert "10. februar 2026" in text and "tre måneder" in text

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
                  {"iverksatt_dato": "2026-05-22", "kanal": "papir",
                   "iverksetting": "Nytt vedtak om koordinator sendt"})
    outcome = [row for row in letter_list.case_letters(ctx, case.case.id)
               if row.kind == "klage_utfall"]
    assert [(row.status, [c.channel for c in row.copies]) for row in outcome] == [
        ("delivered", ["print"])]
    text = " ".join(PdfReader(io.BytesIO(ctx.session.get(Letter, outcome[0].id).pdf))
                    .pages[0].extract_text().split())
    assert "Statsforvalteren har omgjort vedtaket" in text
    assert "Nytt vedtak om koordinator sendt" in text and "20. mai 2026" in text
    assert case.tasks() == []
    assert case.processes() == [("ip_sak", "completed"), ("klage", "completed")]
    assert case.case.status == "closed"
    kinds = [e.kind for e in case.history()]
    assert "case_reopened" in kinds and kinds[-1] == "case_closed"
