"""The engine on the benchmark process: start, inbox rows, claim, complete, conflicts."""
import pytest

from engine.cases import audit, casework
from engine.core.errors import ConflictError, InvalidInput, PermissionDenied
from engine.db.models import HumanTask, ProcessInstance
from engine.worklist import humantasks

BENCH = "bench_two_user_tasks"


@pytest.fixture
def officer(make_user):
    return make_user("kari", "saksbehandler")


def test_start_creates_first_task_row_with_lane_role(ctx, officer):
    case = casework.start_case(ctx, {}, officer, process_key=BENCH)
    [task] = humantasks.open_tasks(ctx, case.id)
    assert task.name == "Oppgave A"
    assert task.candidate_role == "saksbehandler"
    assert task.assignee is None
    assert task.case_number == case.case_number
    assert case.case_number.startswith("IP-2026-")


def test_complete_both_tasks_closes_case_and_drops_state(ctx, officer):
    case = casework.start_case(ctx, {}, officer, process_key=BENCH)
    [first] = humantasks.open_tasks(ctx, case.id)
    humantasks.complete(ctx, first.id, officer, {"x": 1}, expected_version=first.version)
    [second] = humantasks.open_tasks(ctx, case.id)
    assert second.name == "Oppgave B"
    humantasks.complete(ctx, second.id, officer, {"x": 2}, expected_version=second.version)
    assert humantasks.open_tasks(ctx, case.id) == []
    assert (first.status, second.status) == ("completed", "completed")
    ctx.session.expire_all()
    assert ctx.session.get(HumanTask, first.id).status == "completed"
    instance = ctx.session.get(ProcessInstance, second.instance_id)
    assert instance.status == "completed" and instance.state is None
    assert instance.result["x"] == 2
    assert case.status == "closed"
    kinds = [e.kind for e in audit.case_history(ctx, case.id)]
    assert kinds.count("task_completed") == 2
    assert kinds[-1] == "case_closed"


def test_invalid_form_data_names_the_field_and_changes_nothing(ctx, officer):
    case = casework.start_case(ctx, {}, officer, process_key=BENCH)
    [task] = humantasks.open_tasks(ctx, case.id)
    with pytest.raises(InvalidInput) as error:
        humantasks.complete(ctx, task.id, officer, {"x": "not a number"})
    assert set(error.value.errors) == {"x"}
    with pytest.raises(InvalidInput) as error:
        humantasks.complete(ctx, task.id, officer, {})
    assert set(error.value.errors) == {"x"}
    assert ctx.session.get(HumanTask, task.id).status == "open"


def test_repeated_and_stale_completion_is_a_conflict(ctx, officer):
    case = casework.start_case(ctx, {}, officer, process_key=BENCH)
    [task] = humantasks.open_tasks(ctx, case.id)
    seen = task.version
    humantasks.claim(ctx, task.id, officer)
    with pytest.raises(ConflictError):
        humantasks.complete(ctx, task.id, officer, {"x": 1}, expected_version=seen)
    humantasks.complete(ctx, task.id, officer, {"x": 1}, expected_version=task.version)
    with pytest.raises(ConflictError):
        humantasks.complete(ctx, task.id, officer, {"x": 1})


def test_claimed_task_cannot_be_completed_by_another_officer(ctx, officer, make_user):
    other = make_user("ola", "saksbehandler")
    case = casework.start_case(ctx, {}, officer, process_key=BENCH)
    [task] = humantasks.open_tasks(ctx, case.id)
    humantasks.claim(ctx, task.id, officer)
    with pytest.raises(PermissionDenied, match="tatt av kari"):
        humantasks.complete(ctx, task.id, other, {"x": 1})


def test_role_without_lane_cannot_claim(ctx, officer, make_user):
    coordinator = make_user("kim", "koordinator")
    case = casework.start_case(ctx, {}, officer, process_key=BENCH)
    case.coordinator = coordinator.username  # reads the case: the lane is what refuses
    [task] = humantasks.open_tasks(ctx, case.id)
    with pytest.raises(PermissionDenied, match="venter på rollen «Saksbehandler»"):
        humantasks.claim(ctx, task.id, coordinator)


def test_inbox_views(ctx, officer, make_user, clock):
    other = make_user("ola", "saksbehandler")
    first = casework.start_case(ctx, {}, officer, process_key=BENCH)
    second = casework.start_case(ctx, {}, officer, process_key=BENCH)
    [task1] = humantasks.open_tasks(ctx, first.id)
    [task2] = humantasks.open_tasks(ctx, second.id)
    humantasks.claim(ctx, task1.id, officer)
    assert [t.id for t in humantasks.inbox(ctx, officer, "mine")] == [task1.id]
    assert [t.id for t in humantasks.inbox(ctx, other, "unassigned")] == [task2.id]
    assert {t.id for t in humantasks.inbox(ctx, other, "roles")} == {task1.id, task2.id}
    humantasks.assign(ctx, task2.id, officer, "ola")
    assert [t.id for t in humantasks.inbox(ctx, other, "mine")] == [task2.id]
    humantasks.complete(ctx, task2.id, other, {"x": 5})
    assert [t.id for t in humantasks.inbox(ctx, other, "completed")] == [task2.id]
    counts = humantasks.inbox_counts(ctx, other)
    assert counts["mine"] == 0 and counts["completed"] == 1 and counts["roles"] == 2


def test_inbox_never_deserialises_a_workflow(ctx, officer, monkeypatch):
    for _ in range(3):
        casework.start_case(ctx, {}, officer, process_key=BENCH)
    from engine.workflow.state import StateSerializer

    def refuse(*args, **kwargs):
        raise AssertionError("the inbox deserialised a workflow")
    monkeypatch.setattr(StateSerializer, "loads", refuse)
    for view in humantasks.VIEWS:
        humantasks.inbox(ctx, officer, view)
    assert humantasks.inbox_counts(ctx, officer)["roles"] == 3


def test_reading_a_case_is_logged(ctx, officer):
    case = casework.start_case(ctx, {}, officer, process_key=BENCH)
    casework.get_case(ctx, case.id, officer, purpose="case page")
    [read] = [e for e in audit.case_history(ctx, case.id) if e.kind == "case_read"]
    assert read.actor == "kari" and read.details == {"purpose": "case page", "why": "unit"}


def test_each_step_reports_the_tasks_it_created(ctx, officer):
    case = casework.start_case(ctx, {}, officer, process_key=BENCH)
    [first] = ctx.new_tasks
    [row] = humantasks.open_tasks(ctx, case.id)
    assert (first.id, first.version, first.name, first.case_id) == (row.id, row.version,
                                                                    "Oppgave A", case.id)
    humantasks.complete(ctx, first.id, officer, {"x": 1}, expected_version=first.version)
    second = ctx.new_tasks[-1]
    assert second.name == "Oppgave B"
    assert [t.id for t in humantasks.open_tasks(ctx, case.id)] == [second.id]
    humantasks.complete(ctx, second.id, officer, {"x": 2}, expected_version=second.version)
    assert len(ctx.new_tasks) == 2  # the last step created none


def test_next_for_is_the_new_task_the_officer_can_work_on(ctx, officer, make_user):
    case = casework.start_case(ctx, {}, officer, process_key=BENCH)
    [first] = humantasks.open_tasks(ctx, case.id)
    assert humantasks.next_for(ctx, officer, case.id).id == first.id
    assert humantasks.next_for(ctx, make_user("lise", "leder"), case.id) is None
    assert humantasks.next_for(ctx, officer, case.id + 1) is None
