"""The workflow step: start an instance, run a workflow to its next wait, and persist
everything the step produced.

One step (start, task completion, timer) ends in `persist_step`, which keeps the
denormalised rows in line with the engine state: the instance's own state, human tasks
(task_rows.py), timers (timer_rows.py), notices (diagram_notices.py), follow-up processes and
audit events, all in the caller's transaction, through the persistence interface
(engine/db/fastpath). The caller commits.
"""
from __future__ import annotations

import contextlib
import json
import logging
from typing import Any

from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.exceptions import SpiffWorkflowException
from SpiffWorkflow.task import TaskState
from sqlalchemy import bindparam, select

from engine.cases import audit
from engine.core.context import EngineContext
from engine.core.errors import EngineError, ProcessError
from engine.core.messages import N_
from engine.db import fastpath
from engine.db.models import Case, ProcessInstance, ProcessVersion
from engine.definitions import store
from engine.notices import notice_board
from engine.plans import steps as plan_steps
from engine.workflow import path
from engine.workflow.conflicts import lost_race_is_conflict
from engine.workflow.diagram_notices import raise_notice
from engine.workflow.loading import Loaded, properties, script_engine, state_serializer
from engine.workflow.task_rows import sync_human_tasks
from engine.workflow.timer_rows import sync_timers, waiting_timers

log = logging.getLogger(__name__)

#: Guard against a process that starts itself without ever waiting.
MAX_CHAINED_STARTS = 20

#: The newest version of a process, read by a step that starts one (alone, or with the case
#: number when a case starts: engine/cases/casework.py).
NEWEST_VERSION = fastpath.Query.rows(ProcessVersion, shape=lambda query: query.where(
    ProcessVersion.process_key == bindparam("key"))
    .order_by(ProcessVersion.version.desc()).limit(1))


def newest_version(ctx: EngineContext, process_key: str) -> ProcessVersion:
    return store.newest_of(process_key, first_of(fastpath.run(ctx, NEWEST_VERSION,
                                                              key=process_key)))


def first_of(found: list[tuple]):
    """The object of the first row of a one-model Query, or None."""
    return found[0][0] if found else None


def start_instance(ctx: EngineContext, case: Case, process_key: str, data: dict, actor: str,
                   parent: ProcessInstance | None = None, version=None,
                   _depth: int = 0) -> ProcessInstance:
    """Start `process_key` (`version`, default its newest) for `case`; run to its first wait."""
    if _depth > MAX_CHAINED_STARTS:
        raise EngineError(N_("For mange prosesser startet i ett steg (%(process)s)"),
                          process=process_key)
    version = version or newest_version(ctx, process_key)
    parsed = ctx.specs.get(version)
    workflow = BpmnWorkflow(parsed.spec, parsed.subprocess_specs, script_engine=script_engine(ctx))
    first = workflow.get_tasks(state=TaskState.READY)
    seed = dict(data)
    if case.coordinator:
        seed["koordinator"] = case.coordinator
    for task in first:
        task.data.update(seed)
    # inserted by the step's first write (`_write_instance`), with its state
    instance = ProcessInstance(case_id=case.id, process_version_id=version.id,
                               process_key=process_key, status="running", state=None,
                               started_at=ctx.now(), started_by=actor,
                               parent_instance_id=parent.id if parent else None)
    fastpath.attach(instance, case=case, version=version)
    if "instances" in case.__dict__:  # a collection already loaded sees the new instance
        fastpath.attach(case, instances=[*case.instances, instance])
    if case.status == "closed":
        fastpath.update(ctx, case, status="open", closed_at=None)
        audit.record(ctx, case, actor, "case_reopened", process=process_key)
    audit.record(ctx, case, actor, "process_started", process=process_key,
                 version=version.version)
    loaded = Loaded(instance, workflow, parsed)
    run_and_persist(ctx, loaded, actor, _depth=_depth)
    return instance


def run_and_persist(ctx: EngineContext, loaded: Loaded, actor: str, _depth: int = 0) -> None:
    with step_errors():
        loaded.workflow.refresh_timers()
        loaded.workflow.do_engine_steps(did_complete_task=loaded.passed.append)
        # Signals nobody caught (e.g. "Vedtak fattet" after its watchers ended) would otherwise
        # be saved with the state step after step.
        loaded.workflow.get_events()
        persist_step(ctx, loaded, actor, _depth=_depth)


@contextlib.contextmanager
def step_errors():
    """A diagram that fails on this case's data (a condition naming a field the case lacks, a
    script error) becomes a ProcessError naming the element; the caller's transaction is
    rolled back, so nothing of the step is kept."""
    try:
        yield
    except SpiffWorkflowException as exc:
        task = getattr(exc, "task", None)
        spec = getattr(task, "task_spec", None)
        element = getattr(spec, "bpmn_id", None) or getattr(spec, "name", None)
        name = getattr(spec, "bpmn_name", None) or element or "?"
        detail = exc.args[0] if exc.args else exc.__class__.__name__
        raise ProcessError(N_("Prosessen kunne ikke gå videre ved «%(name)s» (%(element_id)s): "
                              "%(detail)s. Ingenting ble lagret. Si fra til koordinerende enhet, "
                              "som kan rette prosessdiagrammet."),
                           element=element, name=name, element_id=element, detail=detail) from exc


def persist_step(ctx: EngineContext, loaded: Loaded, actor: str, _depth: int = 0) -> None:
    with ctx.session.no_autoflush:
        follow_ups = _write_step(ctx, loaded, actor)
    with lost_race_is_conflict():
        ctx.session.flush()  # whatever a step changed through the ORM (rare: case facts)
    for process_key, data in follow_ups:
        start_instance(ctx, loaded.case, process_key, data, actor, parent=loaded.instance,
                       _depth=_depth + 1)
    if loaded.instance.status == "completed" or follow_ups:
        close_case_if_done(ctx, loaded.case, actor)
    if not loaded.rows_locked:
        fastpath.check_guards(ctx)  # a lost race is this step's ConflictError
    if ctx.workflows is not None:  # last: nothing changes the workflow after this
        if loaded.saved_state is None or loaded.ready_after is None:
            ctx.workflows.forget(loaded.instance.id)
        else:
            ctx.workflows.keep(loaded.instance.id, loaded.instance.process_version_id,
                               loaded.saved_state, loaded.workflow, loaded.ready_after)


def _write_step(ctx: EngineContext, loaded: Loaded, actor: str) -> list[tuple[str, dict]]:
    """Bring the rows in line with the workflow; returns the processes to start next."""
    workflow = loaded.workflow
    waiting, had_timers = waiting_timers(workflow), bool(loaded.instance.has_timers)
    _write_instance(ctx, loaded, actor, has_timers=bool(waiting))
    if workflow.completed:  # its notices' work is done (one statement per process), except
        # those this very step raises (an end event's): they stay until acknowledged
        notice_board.resolve_for_completed_process(ctx, loaded.case, loaded.instance.id)
    follow_ups = []
    for task in loaded.passed:
        props = properties(task.task_spec)
        if "notice" in props:
            notice = raise_notice(ctx, loaded, task, props)
            if notice is not None:
                loaded.raised.append(notice)
        if "caseFacts" in props:
            publish_facts(ctx, loaded, task, props["caseFacts"])
        if "startProcess" in props:
            follow_ups.append((props["startProcess"], dict(task.data)))
        if "planOperation" in props:
            plan_steps.on_passed(ctx, loaded.case, props["planOperation"], actor)
    loaded.passed.clear()
    sync_human_tasks(ctx, loaded)
    sync_timers(ctx, loaded, waiting, had_timers)
    return follow_ups


def _write_instance(ctx: EngineContext, loaded: Loaded, actor: str, has_timers: bool) -> None:
    """The instance's own row: inserted on its first step, else updated if nobody else changed
    it since it was loaded (ConflictError otherwise). A completed instance drops its state."""
    instance, workflow = loaded.instance, loaded.workflow
    if workflow.completed:
        values: dict[str, Any] = dict(
            status="completed", completed_at=ctx.now(), state=None,
            result=_json_safe(workflow.last_task.data if workflow.last_task else {}))
    else:
        values = dict(state=state_serializer().dumps(workflow))
        loaded.saved_state = values["state"]
    if has_timers or instance.has_timers:
        values["has_timers"] = has_timers
    if getattr(instance, "id", None) is None:  # its first step: not inserted yet
        for attribute, value in values.items():
            setattr(instance, attribute, value)
        fastpath.insert(ctx, instance)
    else:
        fastpath.update(ctx, instance, **values)
    if workflow.completed:  # the path it took, kept: the state is dropped (engine/workflow/path)
        audit.record(ctx, loaded.case, actor, "process_completed", process=instance.process_key,
                     instance=instance.id, path=path.completed_path(workflow))


def publish_facts(ctx: EngineContext, loaded: Loaded, task, names: str) -> None:
    """Copy the named data fields to the case's facts (a new dict, so the change is seen)."""
    keys = [n.strip() for n in names.split(",") if n.strip()]
    published = {k: task.data[k] for k in keys if k in task.data}
    loaded.case.facts = {**(loaded.case.facts or {}), **_json_safe(published)}
    audit.record(ctx, loaded.case, "system", "facts_recorded", fields=sorted(published))


def close_case_if_done(ctx: EngineContext, case: Case, actor: str) -> None:
    """Close the case when none of its processes runs any more.

    PostgreSQL: the case's row is locked first and the running processes read after it (one
    round trip), so two steps that end the case's last two processes at once cannot both
    still see the other's running: the second waits for the first to commit, then sees it."""
    if case.status == "closed":
        return
    locked, running = fastpath.run_together(ctx, [(_LOCK_CASE, {"case_id": case.id}),
                                                 (_RUNNING_INSTANCE, {"of_case": case.id})])
    if running or (locked and locked[0][0] == "closed"):
        return
    fastpath.update(ctx, case, status="closed", closed_at=ctx.now())
    audit.record(ctx, case, actor, "case_closed")
    log.info("case closed case=%s user=%s", case.case_number, actor)


_INSTANCES, _CASES = ProcessInstance.__table__, Case.__table__


_LOCK_CASE = fastpath.Query(select(_CASES.c.status).where(_CASES.c.id == bindparam("case_id"))
                             .with_for_update())


_RUNNING_INSTANCE = fastpath.Query(select(_INSTANCES.c.id).where(
    _INSTANCES.c.case_id == bindparam("of_case"), _INSTANCES.c.status == "running").limit(1))


def _json_safe(data: dict) -> dict:
    return json.loads(json.dumps(data, default=str))
