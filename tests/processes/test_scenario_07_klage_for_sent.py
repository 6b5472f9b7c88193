"""Scenario 7: an appeal six weeks after delivery, past the 4-week deadline. It is flagged late,
never dismissed automatically: the appellant's reason is recorded and the officer decides to
consider it anyway (forvaltningsloven § 31), so it is assessed."""
from __future__ import annotations

from datetime import date, timedelta

import pytest
from scenario_support import CaseDriver, appeal, application, refused_case

from engine.cases import casework
from engine.core.errors import ConflictError, InvalidInput


def test_late_appeal_flagged_reason_recorded_and_assessed(ctx, clock, people):
    case = refused_case(ctx, clock, people)
    case.advance_to(clock().replace(month=2, day=25))  # six weeks after delivery on 14 January
    casework.register_appeal(ctx, case.case.id, appeal(klage_mottatt="2026-02-25"), people.officer)
    facts = case.case.facts
    assert (facts["klage_mottatt"], facts["klage_i_tide"]) == ("2026-02-25", False)
    assert case.tasks() == [("Vurdere for sen klage", "saksbehandler", None)]

    case.complete("Vurdere for sen klage", people.officer,
                  {"arsak_for_sen_klage": "Var innlagt på sykehus i fire uker",
                   "behandle_likevel": True,
                   "vurdering_sen_klage": "Særlige grunner: klagen bør behandles"})
    assert case.tasks() == [("Vurdere klagen", "saksbehandler", None)]
    [recorded] = [e for e in case.history("task_completed")
                  if e.details["name"] == "Vurdere for sen klage"]
    assert recorded.details["data"]["arsak_for_sen_klage"] == "Var innlagt på sykehus i fire uker"
    assert recorded.actor == "siri.saksbehandler"
    case.complete("Vurdere klagen", people.officer,
                  {"klagevurdering": "Vurdert på nytt", "anbefaling": "opprettholde"})
    assert case.tasks() == [("Beslutte omgjøring", "leder", None)]


def test_a_late_appeal_is_dismissed_only_by_a_signed_decision(ctx, clock, people):
    case = refused_case(ctx, clock, people)
    case.advance_to(clock().replace(month=3, day=30))
    casework.register_appeal(ctx, case.case.id, appeal(klage_mottatt="2026-03-30"), people.officer)
    case.complete("Vurdere for sen klage", people.officer,
                  {"arsak_for_sen_klage": "Ingen forklaring", "behandle_likevel": False,
                   "vurdering_sen_klage": "Ingen særlige grunner"})
    assert case.tasks() == [("Utforme avvisningsvedtak", "saksbehandler", None)]
    case.complete("Utforme avvisningsvedtak", people.officer,
                  {"avvisning_begrunnelse": "Klagen kom for sent"})
    assert case.tasks() == [("Signere avvisningsvedtak", "leder", None)]
    case.complete("Signere avvisningsvedtak", people.leader, {"avvisning_signert": True})
    assert case.tasks() == [] and case.case.status == "closed"


def test_an_appeal_posted_on_the_last_day_and_received_three_days_later_is_in_time(
        ctx, clock, people):
    """fvl § 30: what counts is when it was posted."""
    case = refused_case(ctx, clock, people)  # decision delivered 14 Jan: deadline 11 Feb
    deadline = case.refresh().facts["klagefrist"]
    received = (date.fromisoformat(deadline) + timedelta(days=3)).isoformat()
    casework.register_appeal(ctx, case.case.id, appeal(klage_mottatt=received,
                                                       klage_postet=deadline), people.officer)
    facts = case.refresh().facts
    assert facts["klage_i_tide"] is True and facts["klage_postet"] == deadline
    assert "Vurdere sen klage" not in case.names()


def test_an_appeal_is_refused_only_when_there_is_nothing_to_appeal(ctx, clock, people):
    fresh = CaseDriver.start(ctx, clock, people.officer, application())
    with pytest.raises(ConflictError):
        casework.register_appeal(ctx, fresh.case.id, appeal(), people.officer)
    case = refused_case(ctx, clock, people)
    with pytest.raises(InvalidInput) as refused:
        casework.register_appeal(ctx, case.case.id, appeal(
            klage_mottatt="2026-02-02", klage_postet="2026-02-05"), people.officer)
    assert set(refused.value.errors) == {"klage_postet"}
