"""A diagram that fails on a case's data (a condition or expression naming a field the case
lacks) never loses work: the officer's completion is refused with a message naming the
element and nothing of the step is kept; a timer whose step fails stops retrying, the
coordinating unit is told, and the other due timers still fire."""
from pathlib import Path

import pytest
from sqlalchemy import select

from engine.accounts import users
from engine.cases import audit, casework
from engine.core.errors import ProcessError
from engine.db.models import Notice, ProcessInstance, Timer
from engine.definitions import case_migration, store
from engine.worklist import humantasks

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
PLAIN = FIXTURES / "plain" / "enkel_soknad.bpmn"
PLAIN_KEY = "Process_0x7kq2n"
FRIST = FIXTURES / "engine" / "frist_test.bpmn"


def test_a_condition_on_missing_data_refuses_the_completion_and_keeps_the_task(ctx, make_user):
    officer = make_user("siri", "saksbehandler")
    store.deploy_files(ctx, {PLAIN.name: PLAIN.read_bytes()}, "tests")
    case = casework.start_case(ctx, {}, officer, process_key=PLAIN_KEY)  # no antall_tjenester
    [task] = humantasks.open_tasks(ctx, case.id)
    instance = ctx.session.get(ProcessInstance, task.instance_id)
    state, lock = instance.state, instance.lock_version
    ctx.session.flush()
    savepoint = ctx.session.begin_nested()  # as the request's transaction would roll back
    with pytest.raises(ProcessError) as raised:
        humantasks.complete(ctx, task.id, officer, {}, expected_version=task.version)
    savepoint.rollback()
    assert raised.value.element and raised.value.element in str(raised.value)
    assert "Ingenting ble lagret" in str(raised.value)
    ctx.session.expire_all()
    [still] = humantasks.open_tasks(ctx, case.id)
    assert (still.id, still.status, still.completed_by) == (task.id, "open", None)
    instance = ctx.session.get(ProcessInstance, task.instance_id)
    assert (instance.state, instance.lock_version) == (state, lock)
    assert "task_completed" not in {e.kind for e in audit.case_history(ctx, case.id)}


def _failing_frist() -> bytes:
    """frist_test as its own process whose reminder names a user from a missing field."""
    text = FRIST.read_text(encoding="utf-8").replace("frist_test", "frist_feiler")
    marker = '<spiffworkflow:property name="notice" value="test_reminder" />'
    assert text.count(marker) == 1
    return text.replace(marker, marker + '\n          <spiffworkflow:property '
                                'name="noticeUserExpression" value="felt_som_mangler" />').encode()


def test_a_failing_timer_step_stops_tells_the_unit_and_does_not_block_the_others(committed_env,
                                                                               clock):
    env = committed_env
    with env.unit_of_work() as ctx:
        store.deploy_files(ctx, {"frist_feiler.bpmn": _failing_frist(),
                                       "frist_form.json": (FIXTURES / "engine" /
                                                           "frist_form.json").read_bytes()},
                                 "tests")
        kari = users.add_user(ctx, "kari", ["saksbehandler"])
        broken = casework.start_case(ctx, {}, kari, process_key="frist_feiler").id
        fine = casework.start_case(ctx, {}, kari, process_key="frist_test").id
    clock.advance(days=3)
    report = env.sweep()  # both in one chunk: rolled back, then each on its own
    assert any(line.startswith("stuck ") for line in report.lines())
    assert len(report.fired) == 1 and report.skipped == 0  # the fine case, once
    with env.unit_of_work() as ctx:
        timers = {t.case_id: t.status for t in ctx.session.scalars(select(Timer))}
        assert timers == {broken: "failed", fine: "fired"}
        [notice] = ctx.session.scalars(select(Notice).where(Notice.case_id == broken,
                                                            Notice.kind == "process_error"))
        assert (notice.role, notice.severity, notice.element_id) == (
            "koordinerende_enhet", "escalation", "varsel")
        assert "process_error" in {e.kind for e in audit.case_history(ctx, broken)}
        assert "test_reminder" in set(ctx.session.scalars(
            select(Notice.kind).where(Notice.case_id == fine)))
    again = env.sweep()  # the failed timer is not retried every minute
    assert not any(line.startswith("stuck ") for line in again.lines())


def test_a_stuck_case_moves_on_once_the_diagram_is_fixed_and_the_case_migrated(committed_env,
                                                                              clock):
    env = committed_env
    form = (FIXTURES / "engine" / "frist_form.json").read_bytes()
    with env.unit_of_work() as ctx:
        store.deploy_files(ctx, {"frist_feiler.bpmn": _failing_frist(),
                                       "frist_form.json": form}, "tests")
        kari = users.add_user(ctx, "kari", ["saksbehandler"])
        users.add_user(ctx, "enhet", ["koordinerende_enhet"])
        case_id = casework.start_case(ctx, {}, kari, process_key="frist_feiler").id
    clock.advance(days=3)
    assert any(line.startswith("stuck ") for line in env.sweep().lines())
    fixed = FRIST.read_text(encoding="utf-8").replace("frist_test", "frist_feiler").encode()
    with env.unit_of_work() as ctx:
        store.deploy_files(ctx, {"frist_feiler.bpmn": fixed, "frist_form.json": form},
                                 "tests")
        result = case_migration.migrate(ctx, users.get_user(ctx, "enhet"), "frist_feiler",
                                        [case_id])
        assert [m.case_id for m in result.migrated] == [case_id], result
    report = env.sweep()
    assert not any(line.startswith("stuck ") for line in report.lines())
    with env.unit_of_work() as ctx:
        kinds = set(ctx.session.scalars(select(Notice.kind).where(Notice.case_id == case_id)))
        assert {"process_error", "test_reminder"} <= kinds


def test_an_unexpected_error_in_a_chunk_is_raised_from_its_own_instance(committed_env, clock,
                                                                        monkeypatch):
    """The sweep's chunks are only a shortcut: an error nobody expected (a bug) in one
    instance's step rolls the chunk back, the instances are done one at a time, those before
    the failing one are kept, and the error is raised from it, as without chunks."""
    from engine.workflow import step
    env = committed_env
    with env.unit_of_work() as ctx:
        kari = users.add_user(ctx, "kari", ["saksbehandler"])
        ids = []
        for _ in range(3):
            ids.append(casework.start_case(ctx, {}, kari, process_key="frist_test").id)
            clock.advance(minutes=1)  # swept in this order
    clock.advance(days=3)
    original = step.run_and_persist

    def fails_on_the_second(ctx, loaded, actor, **options):
        if loaded.case.id == ids[1]:
            raise RuntimeError("a bug")
        return original(ctx, loaded, actor, **options)

    monkeypatch.setattr(step, "run_and_persist", fails_on_the_second)
    with pytest.raises(RuntimeError, match="a bug"):
        env.sweep()
    with env.unit_of_work() as ctx:
        timers = {t.case_id: t.status for t in ctx.session.scalars(select(Timer))}
    assert timers == {ids[0]: "fired", ids[1]: "waiting", ids[2]: "waiting"}
