"""The heat map: how many cases wait at each element now and their median wait, from the
human-task and timer rows (never a workflow), under the injected clock."""
from datetime import timedelta

import pytest

from engine.cases import casework
from engine.core.errors import NotFound, PermissionDenied
from engine.db.models import HumanTask
from engine.definitions import heatmap
from engine.worklist import humantasks
from tests.ip_sak_duration_timers import deploy_duration_timers
from tests.processes.scenario_support import application, assessment

DAY = 86400


@pytest.fixture
def officer(make_user):
    return make_user("siri.saksbehandler", "saksbehandler")


@pytest.fixture
def unit(make_user):
    return make_user("kim.enhet", "koordinerende_enhet")


def three_cases_waiting_1_2_and_5_days(ctx, clock, officer) -> list:
    started = [casework.start_case(ctx, application(), officer)]
    clock.advance(days=3)
    started.append(casework.start_case(ctx, application(), officer))
    clock.advance(days=1)
    started.append(casework.start_case(ctx, application(), officer))
    clock.advance(days=1)
    return started


def test_count_and_median_wait_at_each_element(ctx, clock, officer, unit):
    three_cases_waiting_1_2_and_5_days(ctx, clock, officer)
    figures = heatmap.waiting_by_element(ctx, unit, "ip_sak")
    assert figures["task_kartlegging"] == {"count": 3, "median_wait_seconds": 2 * DAY,
                                          "working": 3, "watching": 0, "watcher": False}
    # the interim-reply watchers wait at their event-based gateways, on timers computed
    # from the received date: started when the case did
    assert figures["gw_vent_en_maned"] == {"count": 3, "median_wait_seconds": 2 * DAY,
                                          "working": 0, "watching": 3, "watcher": True}
    assert figures["gw_vent_tre_uker"]["count"] == 3
    clock.advance(hours=12)
    assert heatmap.waiting_by_element(ctx, unit, "ip_sak")["task_kartlegging"] == {
        "count": 3, "median_wait_seconds": 2.5 * DAY, "working": 3, "watching": 0,
        "watcher": False}


def test_a_completed_task_is_not_counted_and_a_called_process_waits_at_its_call(
        ctx, clock, officer, unit):
    oldest, *_ = three_cases_waiting_1_2_and_5_days(ctx, clock, officer)
    [task] = [t for t in humantasks.open_tasks(ctx, oldest.id)
              if t.element_id == "task_kartlegging"]
    humantasks.complete(ctx, task.id, officer, assessment())
    clock.advance(hours=6)
    figures = heatmap.waiting_by_element(ctx, unit, "ip_sak")
    assert figures["task_kartlegging"]["count"] == 2
    assert figures["task_kartlegging"]["median_wait_seconds"] == 1.75 * DAY
    # the next task is in the called process "vedtak", drawn in its own file: shown at the
    # call activity of ip_sak's diagram
    [waiting] = humantasks.open_tasks(ctx, oldest.id)
    assert waiting.process_key == "vedtak"
    assert figures["call_vedtak"] == {"count": 1, "median_wait_seconds": 6 * 3600,
                                     "working": 1, "watching": 0, "watcher": False}
    assert figures["gw_vent_en_maned"]["count"] == 3  # the timers still wait


def test_a_waiting_timer_is_counted_and_a_fired_one_is_not(ctx, clock, officer, unit):
    from engine.scheduling.sweep import sweep_once
    deploy_duration_timers(ctx)  # the warning "P3W" after the start
    casework.start_case(ctx, application(), officer)
    assert heatmap.waiting_by_element(ctx, unit, "ip_sak")["gw_vent_tre_uker"]["count"] == 1
    clock.advance(days=22)
    sweep_once(ctx)
    figures = heatmap.waiting_by_element(ctx, unit, "ip_sak")
    assert "gw_vent_tre_uker" not in figures
    assert figures["gw_vent_en_maned"] == {"count": 1, "median_wait_seconds": 22 * DAY,
                                          "working": 0, "watching": 1, "watcher": True}


def test_one_version_only_and_the_page_view(ctx, clock, officer, unit):
    three_cases_waiting_1_2_and_5_days(ctx, clock, officer)
    page = heatmap.heatmap(ctx, unit, "ip_sak")
    assert page.key == "ip_sak" and page.diagram_id and "task_kartlegging" in page.xml
    first = page.elements[0]
    assert (first.count, first.drawn) == (3, True)
    names = {e.element_id: e.name for e in page.elements}
    assert names["task_kartlegging"] == "Kartlegging og vurdering"
    # three cases: each waits for work at one task and has two deadlines watched
    assert (page.running, page.waiting, page.watched) == (3, 3, 3)
    assert heatmap.waiting_by_element(ctx, unit, "ip_sak", version=page.version)[
        "task_kartlegging"]["count"] == 3
    with pytest.raises(NotFound):
        heatmap.waiting_by_element(ctx, unit, "ip_sak", version=page.version + 1)
    assert heatmap.waiting_by_element(ctx, unit, "klage") == {}


def test_only_the_coordinating_unit_and_admin(ctx, officer, make_user):
    with pytest.raises(PermissionDenied):
        heatmap.waiting_by_element(ctx, officer, "ip_sak")
    assert heatmap.waiting_by_element(ctx, make_user("ada", "admin"), "ip_sak") == {}
    with pytest.raises(NotFound):
        heatmap.waiting_by_element(ctx, None, "finnes_ikke")


def test_several_waits_of_one_case_at_one_element_count_once(ctx, clock, officer, unit):
    case = casework.start_case(ctx, application(), officer)
    [task] = humantasks.open_tasks(ctx, case.id)
    clock.advance(days=1)
    twin = HumanTask(case_id=case.id, instance_id=task.instance_id, spiff_task_id="twin",
                     element_id=task.element_id, name=task.name, process_key=task.process_key,
                     case_number=task.case_number, candidate_role=task.candidate_role,
                     status="open", created_at=clock() - timedelta(hours=1))
    ctx.session.add(twin)
    ctx.session.flush()
    assert heatmap.waiting_by_element(ctx, unit, "ip_sak")["task_kartlegging"] == {
        "count": 1, "median_wait_seconds": DAY, "working": 1, "watching": 0, "watcher": False}


def test_a_timer_waits_from_when_the_case_reached_it_and_old_rows_fall_back(
        ctx, clock, officer, unit):
    from sqlalchemy import select, update

    from engine.db.models import Timer
    deploy_duration_timers(ctx)  # the escalation "P1M" after the start
    case = casework.start_case(ctx, application(), officer)
    started = clock()
    rows = list(ctx.session.scalars(select(Timer).where(Timer.case_id == case.id)))
    assert rows and {row.created_at for row in rows} == {started}
    clock.advance(days=4)
    assert heatmap.waiting_by_element(ctx, unit, "ip_sak")["gw_vent_en_maned"] == {
        "count": 1, "median_wait_seconds": 4 * DAY, "working": 0, "watching": 1,
        "watcher": True}
    # rows written before timers.created_at existed: the start is inferred from "P1M"
    ctx.session.execute(update(Timer).where(Timer.case_id == case.id).values(created_at=None))
    assert heatmap.waiting_by_element(ctx, unit, "ip_sak")["gw_vent_en_maned"] == {
        "count": 1, "median_wait_seconds": 4 * DAY, "working": 0, "watching": 1,
        "watcher": True}


def test_deadline_watchers_are_counted_apart_and_waiting_never_exceeds_running(
        ctx, clock, officer, unit):
    """Issue 17: the interim-reply watchers (timers on a parallel branch whose firing raises
    a notice) are not where a case waits for work; the cases waiting are distinct cases."""
    cases = three_cases_waiting_1_2_and_5_days(ctx, clock, officer)
    page = heatmap.heatmap(ctx, unit, "ip_sak")
    by_id = {e.element_id: e for e in page.elements}
    for watcher in ("gw_vent_en_maned", "gw_vent_tre_uker"):
        assert by_id[watcher].watcher
        assert (by_id[watcher].working, by_id[watcher].watching) == (0, 3)
    work = by_id["task_kartlegging"]
    assert not work.watcher and (work.working, work.watching) == (3, 0)
    assert page.elements[0].element_id == "task_kartlegging"  # work first, watchers last
    assert page.waiting == 3 <= page.running == 3 and page.watched == 3
    # a case whose work moves to a called process still counts once
    [task] = [t for t in humantasks.open_tasks(ctx, cases[0].id)
              if t.element_id == "task_kartlegging"]
    humantasks.complete(ctx, task.id, officer, assessment())
    page = heatmap.heatmap(ctx, unit, "ip_sak")
    assert sum(e.working for e in page.elements) == 3
    assert page.waiting == 3 <= page.running == 3


def test_which_elements_are_watchers_is_read_from_the_diagram():
    from pathlib import Path
    root = Path(__file__).resolve().parents[2] / "processes"
    assert heatmap._watchers((root / "ip_sak.bpmn").read_text()) == {
        "gw_vent_tre_uker", "timer_tre_uker", "gw_vent_en_maned", "timer_en_maned"}
    # a timer that is all the case waits for (the review date) is a wait; timers on a
    # task's boundary watch the task
    assert heatmap._watchers((root / "periodisk_evaluering.bpmn").read_text()) == {
        "boundary_to_uker", "boundary_en_uke"}
    # a parallel timer that leads to work (the 18th birthday joins the transition) is a wait
    assert heatmap._watchers(
        (root / "barnekoordinator_oppfolging.bpmn").read_text()) == frozenset()
