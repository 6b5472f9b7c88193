"""Scenario 13: one plan through 1,000 review cycles. Each cycle is a short instance of
`periodisk_evaluering` that starts the next, so the last cycle completes like the first and
the live state does not grow with history."""
from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from scenario_support import (
    OSLO,
    CaseDriver,
    application,
    appoint,
    approve_plan,
    decide,
    decision,
)

from engine.db.models import ProcessInstance
from engine.deadlines import legal

CYCLES = 1000

pytestmark = pytest.mark.slow  # about 10-20 s per database; `-m "not slow"` skips it


def _running_review(case):
    [instance] = [i for i in case.case.instances if i.status == "running"]
    assert instance.process_key == "periodisk_evaluering"
    return instance


def test_a_thousand_review_cycles_on_one_plan(ctx, clock, people):
    case = CaseDriver.start(ctx, clock, people.officer, application())
    decide(case, people, decision(), leveringsdato="2026-01-13")
    appoint(case, people, people.coordinator)
    review_day = date(2026, 2, 2)
    approve_plan(case, people.coordinator, review_day.isoformat())

    sizes = []
    for cycle in range(1, CYCLES + 1):
        # a review date on a public holiday (Easter Monday, Whit Monday) falls on the next
        # working day
        due = date.fromisoformat(legal.legal_date(review_day, "evaluering"))
        case.advance_to(datetime.combine(due, datetime.min.time(), OSLO) + timedelta(hours=8))
        [review] = case.open()
        assert (review.name, review.assignee) == ("Gjennomføre evaluering", "kari.koord"), cycle
        review_day += timedelta(days=7)
        case.complete("Gjennomføre evaluering", people.coordinator,
                      {"resultat": "avslutte" if cycle == CYCLES else "fortsette",
                       "neste_evaluering": review_day.isoformat(),
                       "oppsummering": f"Evaluering {cycle}"})
        if cycle in (1, CYCLES - 1):
            sizes.append(len(_running_review(case).state))

    assert case.tasks() == []
    assert case.case.status == "closed"
    reviews = ctx.session.query(ProcessInstance).filter_by(case_id=case.case.id,
                                                           process_key="periodisk_evaluering").all()
    assert len(reviews) == CYCLES
    assert all(r.status == "completed" and r.state is None for r in reviews)
    assert reviews[-1].result["oppsummering"] == f"Evaluering {CYCLES}"
    assert reviews[-1].result["resultat"] == "avslutte"
    # the 999th cycle's live state is the size of the first: nothing accumulates
    assert abs(sizes[1] - sizes[0]) < 200, sizes
    kinds = list(case.notice_kinds())
    assert kinds.count("review_due") == CYCLES and set(kinds) == {"review_due"}
