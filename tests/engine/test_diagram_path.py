"""A case's diagram keeps the path its process took after the process finishes (issue 17:
16 elements marked while it ran, 1 once it had finished): the path is kept in the
`process_completed` audit event, since a finished instance drops its workflow state."""
import pytest

from engine.cases import audit, casepage, casework
from engine.worklist import humantasks

BENCH = "bench_two_user_tasks"


@pytest.fixture
def officer(make_user):
    return make_user("kari", "saksbehandler")


def _marks(ctx, case_id, officer) -> dict[str, str]:
    page = casepage.case_page(ctx, case_id, officer)
    [diagram] = [d for d in page.diagrams if d.process_key == BENCH]
    return diagram.states


def test_a_finished_process_keeps_every_element_it_passed(ctx, officer):
    case = casework.start_case(ctx, {}, officer, process_key=BENCH)
    [first] = humantasks.open_tasks(ctx, case.id)
    humantasks.complete(ctx, first.id, officer, {"x": 1})
    running = _marks(ctx, case.id, officer)
    [second] = humantasks.open_tasks(ctx, case.id)
    assert running[second.element_id] == "active"
    assert running[first.element_id] == "completed"
    humantasks.complete(ctx, second.id, officer, {"x": 2})
    ctx.session.expire_all()

    finished = _marks(ctx, case.id, officer)
    # everything completed while it ran is still marked, and the last task and the end
    # event besides
    passed_before = {e for e, state in running.items() if state == "completed"}
    assert passed_before < set(finished)
    assert set(finished.values()) == {"completed"}
    assert second.element_id in finished
    assert len(finished) > len(passed_before) + 1  # the end event too, not only human tasks
    [event] = audit.case_history(ctx, case.id, {"process_completed"})
    assert event.details["path"][BENCH] == sorted(finished)

