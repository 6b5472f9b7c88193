"""Plans drafted before plans were their own entity lived in task data; `samflyt init`
carries each over once, with a version per approval as it stood then (issue 14, item 10)."""
from __future__ import annotations

from datetime import date, timedelta

from scenario_support import application, plan

from engine.cases import audit, casework, plan_carry_over
from engine.db.models import Plan
from engine.persons import registry
from engine.plans import content, coordinators, participants, versions


def test_a_plan_in_task_data_is_carried_over_once(ctx, clock, people):
    case = casework.start_case(ctx, application(), people.officer)
    person = registry.person_for_application(ctx, case.data, "test")
    case.person_id, case.coordinator = person.id, "kari.koord"
    drafted_on = clock()

    # what the old process left: the forms in the audit trail, no plan
    audit.record(ctx, case, "kari.koord", "task_completed", name="Utarbeide plan",
                 element="task_utarbeide_plan", data=plan(neste_evaluering="2026-08-03"))
    clock.advance(days=2)
    audit.record(ctx, case, "kari.koord", "task_completed", name="Godkjenne plan",
                 element="task_godkjenne_plan",
                 data={"godkjent": True, "neste_evaluering": "2026-08-03"})
    clock.advance(days=200)
    audit.record(ctx, case, "kari.koord", "task_completed", name="Revidere plan",
                 element="task_revidere_plan",
                 data={"endringer": "Nytt hovedmål", "hovedmal": "Komme i arbeid",
                       "neste_evaluering": "2027-02-01"})

    lines = plan_carry_over.carry_over(ctx)
    assert lines == [f"{case.case_number}: plan {case.plan_id} (2 versions)"]
    the_plan = ctx.session.get(Plan, case.plan_id)
    assert (the_plan.status, the_plan.main_goal, the_plan.next_review) == (
        "aktiv", "Komme i arbeid", date(2027, 2, 1))
    first, second = versions.listing(ctx, the_plan.id)
    assert first.snapshot["mal"]["hovedmal"] == "Bo trygt hjemme"
    assert first.approved_at == drafted_on + timedelta(days=2)
    assert second.snapshot["mal"]["hovedmal"] == "Komme i arbeid"
    assert [m.what for m in content.measures(ctx, the_plan.id)] == ["Hjemmesykepleie",
                                                                    "Fysioterapi"]
    assert {p.name for p in participants.current(ctx, the_plan.id)} == {
        "Kari Nordmann", "Hjemmesykepleien"}
    assert coordinators.current(ctx, the_plan.id) == "kari.koord"
    assert plan_carry_over.carry_over(ctx) == []  # once
