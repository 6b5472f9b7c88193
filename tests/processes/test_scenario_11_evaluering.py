"""Scenario 11: a plan without a review date cannot be approved; when the review is overdue the
coordinator is reminded after a week and the coordinating unit gets an escalation after two."""
from __future__ import annotations

from datetime import datetime

import pytest
from scenario_support import (
    OSLO,
    CaseDriver,
    application,
    appoint,
    decide,
    decision,
    plan,
)

from engine.core.errors import InvalidInput
from engine.notices import notice_board
from engine.worklist import humantasks


def test_no_approval_without_review_date_and_overdue_review_escalates(ctx, clock, people):
    case = CaseDriver.start(ctx, clock, people.officer, application())
    decide(case, people, decision(), leveringsdato="2026-01-13")
    appoint(case, people, people.coordinator)

    case.complete("Utarbeide plan", people.coordinator, plan())  # no review date in the draft
    with pytest.raises(InvalidInput) as refused:
        case.complete("Godkjenne plan", people.coordinator, {"godkjent": True})
    assert set(refused.value.errors) == {"neste_evaluering"}
    # not approved: back to drafting
    case.complete("Godkjenne plan", people.coordinator,
                  {"godkjent": False, "kommentar": "Mangler evalueringsdato"})
    assert case.tasks() == [("Utarbeide plan", "koordinator", "kari.koord")]
    case.complete("Utarbeide plan", people.coordinator, plan(neste_evaluering="2026-06-01"))
    case.complete("Godkjenne plan", people.coordinator,
                  {"godkjent": True, "neste_evaluering": "2026-06-01"})
    assert case.processes("running") == [("periodisk_evaluering", "running")]

    case.advance_to(datetime(2026, 6, 1, 0, 0, tzinfo=OSLO))
    assert case.notices() == [("review_due", "info", "koordinator", "kari.koord")]
    review = case.task("Gjennomføre evaluering")
    assert review.assignee == "kari.koord" and review.due_at == datetime(2026, 6, 1, tzinfo=OSLO)

    case.advance(days=6, hours=23)
    assert len(case.notices()) == 1
    overdue = humantasks.inbox(ctx, people.coordinator, "overdue")
    assert [t.name for t in overdue] == ["Gjennomføre evaluering"]
    case.advance(hours=1)  # a week overdue
    assert case.notices()[-1] == ("review_overdue_reminder", "warning", "koordinator", "kari.koord")
    case.advance(days=7)  # two weeks overdue
    assert case.notices()[-1] == ("review_overdue", "escalation", "koordinerende_enhet", None)
    assert [n.kind for n in notice_board.open_for_user(ctx, people.unit)] == ["review_overdue"]
    assert {n.kind for n in notice_board.open_for_user(ctx, people.coordinator)} >= {"review_due",
                                                                                     "review_overdue_reminder"}

    case.complete("Gjennomføre evaluering", people.coordinator,
                  {"resultat": "revidere", "neste_evaluering": "2026-12-01",
                   "oppsummering": "Nye mål"})
    assert case.tasks() == [("Revidere plan", "koordinator", "kari.koord")]
    case.complete("Revidere plan", people.coordinator,
                  {"endringer": "Nytt delmål", "neste_evaluering": "2026-12-07"})
    assert case.refresh().facts["neste_evaluering"] == "2026-12-07"
    assert [p for p in case.processes() if p[0] == "periodisk_evaluering"] == [
        ("periodisk_evaluering", "completed"), ("periodisk_evaluering", "running")]
    assert len(case.notices()) == 3  # the finished cycle's timers raise nothing more
    case.advance(days=30)
    assert len(case.notices()) == 3
