"""Workflows kept in memory between steps (engine/state.py LiveWorkflows): used only while the
instance's row still holds what they saved, never after someone else's step or a rollback."""
import contextlib
import dataclasses

import pytest

from engine.accounts import users
from engine.cases import casepage, casework
from engine.db.models import Case
from engine.workflow.state import LiveWorkflows, StateSerializer
from engine.worklist import humantasks, taskpage

PROCESS = "bench_two_user_tasks"


@pytest.fixture
def deserialised(monkeypatch):
    """Counts the steps that had to deserialise their workflow from the row."""
    calls = []
    original = StateSerializer.loads

    def counting(self, *args, **kwargs):
        calls.append(1)
        return original(self, *args, **kwargs)
    monkeypatch.setattr(StateSerializer, "loads", counting)
    return calls


@contextlib.contextmanager
def worker(env, workflows):
    """A unit of work of one worker process, with that worker's own cache."""
    with env.session_factory() as session:
        ctx = dataclasses.replace(env.context(session), workflows=workflows)
        yield ctx
        session.commit()


def _start(env, workflows):
    with worker(env, workflows) as ctx:
        officer = users.add_user(ctx, "kari", ["saksbehandler"])
        return casework.start_case(ctx, {}, officer, process_key=PROCESS).id


def _complete_open_task(env, workflows, value):
    with worker(env, workflows) as ctx:
        [task] = humantasks.open_tasks(ctx, case_id_of(ctx))
        humantasks.complete(ctx, task.id, users.get_user(ctx, "kari"), {"x": value},
                            expected_version=task.version)
        return task.name


def case_id_of(ctx):
    return casework.find_case(ctx, _only_case_number(ctx)).id


def _only_case_number(ctx):
    [(number,)] = ctx.session.query(Case.case_number).all()
    return number


def test_the_next_step_on_the_same_worker_skips_deserialising(committed_env, deserialised):
    cache = LiveWorkflows(16)
    _start(committed_env, cache)
    _complete_open_task(committed_env, cache, 1)
    _complete_open_task(committed_env, cache, 2)
    assert deserialised == []
    with worker(committed_env, cache) as ctx:
        assert casework.find_case(ctx, _only_case_number(ctx)).status == "closed"


def test_reading_the_task_and_case_pages_leaves_the_kept_workflow_for_the_next_step(
        committed_env, deserialised):
    cache = LiveWorkflows(16)
    case_id = _start(committed_env, cache)
    with worker(committed_env, cache) as ctx:
        kari = users.get_user(ctx, "kari")
        [task] = humantasks.open_tasks(ctx, case_id)
        taskpage.task_page(ctx, task.id, kari)
        casepage.case_page(ctx, case_id, kari)
    reads = len(deserialised)
    assert reads >= 1  # the pages read their own copy
    _complete_open_task(committed_env, cache, 1)
    assert len(deserialised) == reads  # the step still found the kept one


def test_a_step_by_another_worker_makes_the_kept_workflow_stale(committed_env, deserialised):
    worker_a, worker_b = LiveWorkflows(16), LiveWorkflows(16)
    _start(committed_env, worker_a)                       # A keeps the workflow at task 1
    first = _complete_open_task(committed_env, worker_b, 1)  # B moves the case on
    second = _complete_open_task(committed_env, worker_a, 2)  # A must read B's state
    assert first != second
    assert len(deserialised) == 2
    with worker(committed_env, worker_a) as ctx:
        assert casework.find_case(ctx, _only_case_number(ctx)).status == "closed"


def test_a_rolled_back_step_leaves_no_trace_in_memory(committed_env, deserialised):
    cache = LiveWorkflows(16)
    _start(committed_env, cache)
    with pytest.raises(RuntimeError, match="the request fails after the step"):  # noqa: PT012, SIM117
        with worker(committed_env, cache) as ctx:
            [task] = humantasks.open_tasks(ctx, case_id_of(ctx))
            humantasks.complete(ctx, task.id, users.get_user(ctx, "kari"), {"x": 1},
                                expected_version=task.version)
            raise RuntimeError("the request fails after the step")  # rolled back
    # the row still holds the state before that step: the same task is open again, and
    # completing it works from the row, not from the rolled-back workflow
    deserialised.clear()
    first = _complete_open_task(committed_env, cache, 1)
    assert len(deserialised) == 1
    second = _complete_open_task(committed_env, cache, 2)
    assert first != second
    with worker(committed_env, cache) as ctx:
        assert casework.find_case(ctx, _only_case_number(ctx)).status == "closed"


def test_an_entry_is_taken_once_and_only_for_the_same_version_and_text():
    cache = LiveWorkflows(2)
    workflow = object()
    cache.keep(1, 7, "state", workflow, {})
    assert cache.take(1, 8, "state") is None          # another version
    cache.keep(1, 7, "state", workflow, {})
    assert cache.take(1, 7, "other state") is None    # the row changed
    cache.keep(1, 7, "state", workflow, {"t1": "Oppgave A"})
    assert cache.take(1, 7, "state") == (workflow, {"t1": "Oppgave A"})
    assert cache.take(1, 7, "state") is None          # taken out on use
    for instance_id in (1, 2, 3):
        cache.keep(instance_id, 7, "state", workflow, {})
    assert cache.take(1, 7, "state") is None          # the oldest went when the third came
    assert LiveWorkflows(0).take(1, 7, "state") is None
