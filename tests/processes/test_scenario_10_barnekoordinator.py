"""Scenario 10: a child coordinator for a child of 17½. The coordinator and the coordinating
unit are warned at once (the child turns 18 within six months), the coordinator plans the
transition to adult services, and the assignment is closed at 18 (hol § 7-2 a)."""
from __future__ import annotations

from datetime import datetime

from scenario_support import (
    OSLO,
    CaseDriver,
    application,
    appoint,
    assessment,
    decide,
    decision,
)


def test_child_of_seventeen_and_a_half_transition_and_closure_at_eighteen(ctx, clock, people):
    case = CaseDriver.start(ctx, clock, people.officer, application(
        navn="Emil Hansen", fodselsdato="2008-07-03", onsker_ip=False, onsker_koordinator=False,
        onsker_barnekoordinator=True, tjenester=["fysioterapi", "avlastning", "skole"],
        soker_rolle="forelder", soker_navn="Eva Hansen"))
    assert case.refresh().facts["forslag_barnekoordinator"] == "innvilge"
    grant = decision(vedtak_ip=None, vedtak_koordinator=None, vedtak_barnekoordinator="innvilget",
                     hjemmel="pbrl_2_5_c", begrunnelse="Familien har behov for barnekoordinator")
    del grant["forste_evaluering"]
    decide(case, people, grant, leveringsdato="2026-01-13",
           kartlegging=assessment(konklusjon_ip=None, konklusjon_koordinator=None,
                                  konklusjon_barnekoordinator="innvilge"))
    appoint(case, people, people.coordinator)

    # the main process is done; the follow-up runs and warned at once: 18 on Friday 3 July
    # 2026 (a working day; an 18th birthday on a holiday: test_scenario_14_frister.py)
    assert case.processes() == [("ip_sak", "completed"), ("barnekoordinator_oppfolging", "running")]
    assert case.notices() == [("child_turning_18", "warning", "koordinerende_enhet", "kari.koord")]
    transition = case.task("Planlegge overgang til voksentjenester")
    assert (transition.candidate_role, transition.assignee) == ("koordinator", "kari.koord")
    assert transition.due_at == datetime(2026, 7, 3, tzinfo=OSLO)
    case.complete("Planlegge overgang til voksentjenester", people.coordinator,
                  {"overgangsplan": "Overføres til voksenteamet; felles møte i mai",
                   "ansvarlig_voksentjenester": "Voksenteamet", "ungdom_samtykker": True})
    assert case.tasks() == []

    case.advance_to(datetime(2026, 7, 2, 23, 59, tzinfo=OSLO))
    assert case.tasks() == []
    case.advance_to(datetime(2026, 7, 3, 0, 0, tzinfo=OSLO))  # the 18th birthday
    assert case.tasks() == [("Avslutte oppdraget som barnekoordinator", "koordinerende_enhet",
                             None)]
    case.complete("Avslutte oppdraget som barnekoordinator", people.unit,
                  {"avsluttet_dato": "2026-07-06", "videre_koordinator": True})
    assert case.notices()[-1] == ("child_coordinator_ended", "info", "koordinerende_enhet",
                                  "kari.koord")
    assert case.processes() == [("ip_sak", "completed"),
                                ("barnekoordinator_oppfolging", "completed")]
    assert case.case.status == "closed"


def test_transition_planned_after_the_birthday_still_closes(ctx, clock, people):
    from engine.cases import casework
    case = CaseDriver(ctx, clock, casework.start_case(ctx,
                                                      {"navn": "Emil", "fodselsdato": "2008-07-03"},
                                                   people.unit,
                                                   process_key="barnekoordinator_oppfolging"))
    # no coordinator on this case yet: the task waits for the role, never for nobody
    assert case.tasks() == [("Planlegge overgang til voksentjenester", "koordinator", None)]
    case.advance_to(datetime(2026, 7, 6, 9, tzinfo=OSLO))
    assert case.names() == ["Planlegge overgang til voksentjenester"]
    case.complete("Planlegge overgang til voksentjenester", people.coordinator,
                  {"overgangsplan": "Sent, men gjort"})
    assert case.tasks() == [("Avslutte oppdraget som barnekoordinator", "koordinerende_enhet",
                             None)]
