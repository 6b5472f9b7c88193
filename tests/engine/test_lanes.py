"""Who a task lands with: its lane, the caller's lane, a runtime override, or the fallback
role. Never a task nobody sees."""
from engine.cases import casework
from engine.worklist import humantasks


def test_task_in_called_process_without_lanes_inherits_the_call_activitys_lane(ctx, make_user):
    leader = make_user("lise", "leder")
    case = casework.start_case(ctx, {}, leader, process_key="kaller_test")
    [task] = humantasks.open_tasks(ctx, case.id)
    assert (task.name, task.process_key, task.candidate_role) == (
        "Oppgave uten lane", "uten_lane_test", "leder")
    humantasks.complete(ctx, task.id, leader, {"x": 1})
    assert case.status == "closed"


def test_task_outside_any_lane_goes_to_the_fallback_role(ctx, make_user):
    unit = make_user("kim", "koordinerende_enhet")
    case = casework.start_case(ctx, {}, unit, process_key="uten_lane_test")
    [task] = humantasks.open_tasks(ctx, case.id)
    assert task.candidate_role == ctx.settings.fallback_role == "koordinerende_enhet"
    assert [t.id for t in humantasks.inbox(ctx, unit, "unassigned")] == [task.id]


def test_lane_owner_in_task_data_assigns_the_task(ctx, make_user):
    officer = make_user("kari", "saksbehandler")
    make_user("ola", "saksbehandler")
    case = casework.start_case(ctx, {"lane_owners": {"saksbehandler": ["ola"]}}, officer,
                            process_key="frist_test")
    [task] = humantasks.open_tasks(ctx, case.id)
    assert (task.candidate_role, task.assignee) == ("saksbehandler", "ola")
