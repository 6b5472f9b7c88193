"""Running workflows: load an instance, step it, and write everything the step produced.

One step (start, task completion, timer) ends in `persist_step`, which keeps the
denormalised rows in line with the engine state: human tasks, timers, notices, follow-up
processes, audit events and the instance's own state, all in the caller's transaction.
"""
from __future__ import annotations

import contextlib
import dataclasses
import functools
import logging

from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.exceptions import SpiffWorkflowException
from SpiffWorkflow.task import TaskState
from sqlalchemy import bindparam, select, update
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm.exc import StaleDataError

from engine.accounts.roles import role_for_lane
from engine.cases import audit
from engine.core.context import EngineContext, NewTask
from engine.core.errors import ConflictError, EngineError, ProcessError
from engine.core.messages import N_
from engine.db.fastpath import driver, rows
from engine.db.models import Case, HumanTask, Notice, ProcessInstance, Timer, User
from engine.deadlines import task_deadlines
from engine.definitions import store
from engine.notices import notice_board
from engine.workflow.scripting import RestrictedScriptEngine
from engine.workflow.specs import ParsedVersion, to_utc, waiting_timer
from engine.workflow.state import StateSerializer

log = logging.getLogger(__name__)

#: Guard against a process that starts itself without ever waiting.
MAX_CHAINED_STARTS = 20


@functools.cache
def state_serializer() -> StateSerializer:
    """The one serializer of instance state (stateless; built once)."""
    return StateSerializer()


def properties(task_spec) -> dict[str, str]:
    return getattr(task_spec, "extensions", {}).get("properties", {})


@dataclasses.dataclass
class Loaded:
    """An instance with its live workflow, and what happened since it was loaded."""
    instance: ProcessInstance
    workflow: BpmnWorkflow
    parsed: ParsedVersion
    passed: list = dataclasses.field(default_factory=list)
    #: spiff task id -> name of the user tasks that were ready when it was loaded.
    ready_before: dict[str, str] = dataclasses.field(default_factory=dict)
    #: User tasks completed by people in this step (their rows are updated by the caller).
    completed_by_user: list = dataclasses.field(default_factory=list)
    #: The state text this step saved (None: none saved yet, or the instance completed).
    saved_state: str | None = None
    #: The instance's row is locked since it was read (its version cannot have moved on).
    rows_locked: bool = False
    #: spiff task id -> name of the user tasks ready after the step (set by sync_human_tasks).
    ready_after: dict[str, str] | None = None
    #: Notices the diagram raised in this step (its own, not those of processes it started).
    raised: list = dataclasses.field(default_factory=list)
    #: The instance's waiting timer rows, when the caller read them with the locked instance
    #: (None: `sync_timers` reads them).
    timer_rows: list | None = None
    #: The source keys of the instance's notices, when the caller read them with the locked
    #: instance (None: `raise_notice` asks the database).
    notice_keys: set[str] | None = None

    @property
    def case(self) -> Case:
        return self.instance.case


def script_engine(ctx: EngineContext) -> RestrictedScriptEngine:
    return RestrictedScriptEngine(clock=ctx.clock, timezone=ctx.settings.timezone)


def load(ctx: EngineContext, instance: ProcessInstance, rows_locked: bool = False) -> Loaded:
    """The instance with its workflow, to step it (`rows_locked`: the caller read its row FOR
    UPDATE). The workflow the last step kept in memory is used when the row still holds what
    it saved; pages that only read use `read_workflow`, which leaves it there."""
    if instance.status != "running" or instance.state is None:
        raise ConflictError(N_("Prosessen %(process)s er ikke aktiv"), process=instance.process_key)
    parsed = ctx.specs.get(instance.version)
    kept = ctx.workflows and ctx.workflows.take(instance.id, instance.process_version_id,
                                                instance.state)
    if kept:  # the workflow the last step saved, still what the row holds
        workflow, ready = kept
        workflow.script_engine = script_engine(ctx)
    else:
        workflow = read_workflow(ctx, instance)
        ready = ready_task_names(ready_user_tasks(workflow))
    return Loaded(instance, workflow, parsed, ready_before=dict(ready), rows_locked=rows_locked)


def read_workflow(ctx: EngineContext, instance: ProcessInstance) -> BpmnWorkflow:
    """The instance's workflow as its row holds it, for reading (a page shows it): a copy of
    its own, so the one kept for the next step is neither taken nor shared."""
    parsed = ctx.specs.get(instance.version)
    return state_serializer().loads(instance.state, parsed.spec, parsed.subprocess_specs,
                                    script_engine(ctx))


def ready_task_names(ready: dict) -> dict[str, str]:
    """spiff task id -> name, of `ready_user_tasks`."""
    return {spiff_id: t.task_spec.bpmn_name or t.task_spec.name for spiff_id, t in ready.items()}


def start_instance(ctx: EngineContext, case: Case, process_key: str, data: dict, actor: str,
                   parent: ProcessInstance | None = None, version=None,
                   _depth: int = 0) -> ProcessInstance:
    """Start `process_key` (`version`, default its newest) for `case`; run to its first wait."""
    if _depth > MAX_CHAINED_STARTS:
        raise EngineError(N_("For mange prosesser startet i ett steg (%(process)s)"),
                          process=process_key)
    version = version or store.latest_version(ctx, process_key)
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
    rows.attach(instance, case=case, version=version)
    if "instances" in case.__dict__:  # a collection already loaded sees the new instance
        rows.attach(case, instances=[*case.instances, instance])
    if case.status == "closed":
        rows.update(ctx, case, status="open", closed_at=None)
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
        driver.check_guards(ctx)  # a lost race is this step's ConflictError
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
    loaded.passed.clear()
    sync_human_tasks(ctx, loaded)
    sync_timers(ctx, loaded, waiting, had_timers)
    return follow_ups


def _write_instance(ctx: EngineContext, loaded: Loaded, actor: str, has_timers: bool) -> None:
    """The instance's own row: inserted on its first step, else updated if nobody else changed
    it since it was loaded (ConflictError otherwise). A completed instance drops its state."""
    instance, workflow = loaded.instance, loaded.workflow
    if workflow.completed:
        values = dict(status="completed", completed_at=ctx.now(), state=None,
                      result=_json_safe(workflow.last_task.data if workflow.last_task else {}))
        audit.record(ctx, loaded.case, actor, "process_completed", process=instance.process_key)
    else:
        values = dict(state=state_serializer().dumps(workflow))
        loaded.saved_state = values["state"]
    if has_timers or instance.has_timers:
        values["has_timers"] = has_timers
    if instance.id is None:
        for attribute, value in values.items():
            setattr(instance, attribute, value)
        rows.insert(ctx, instance)
    else:
        rows.update(ctx, instance, **values)


@contextlib.contextmanager
def lost_race_is_conflict(message: str = N_("Saken ble endret av noen andre samtidig. "
                                            "Last siden på nytt.")):
    """A lost race (a stale version, or SQLite's lock) anywhere inside, flushes included,
    becomes a ConflictError the caller can show."""
    try:
        yield
    except StaleDataError as exc:
        raise ConflictError(message) from exc
    except OperationalError as exc:
        if "locked" in str(exc).lower():
            raise ConflictError(message) from exc
        raise


def conflict_safe(operation):
    """Decorator for engine operations that write: see `lost_race_is_conflict`."""
    @functools.wraps(operation)
    def wrapper(*args, **kwargs):
        with lost_race_is_conflict():
            return operation(*args, **kwargs)
    return wrapper


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
    locked, running = driver.fetch_together(ctx, [(_LOCK_CASE, {"case_id": case.id}),
                                                  (_RUNNING_INSTANCE, {"of_case": case.id})])
    if running or (locked and locked[0][0] == "closed"):
        return
    rows.update(ctx, case, status="closed", closed_at=ctx.now())
    audit.record(ctx, case, actor, "case_closed")
    log.info("case closed case=%s user=%s", case.case_number, actor)


_INSTANCES, _CASES = ProcessInstance.__table__, Case.__table__
_LOCK_CASE = driver.Statement(select(_CASES.c.status).where(_CASES.c.id == bindparam("case_id"))
                              .with_for_update())
_RUNNING_INSTANCE = driver.Statement(select(_INSTANCES.c.id).where(
    _INSTANCES.c.case_id == bindparam("of_case"), _INSTANCES.c.status == "running").limit(1))


def _json_safe(data: dict) -> dict:
    import json
    return json.loads(json.dumps(data, default=str))


# --- human tasks ------------------------------------------------------------------------------

def lane_of(task) -> str | None:
    """The role of the task's lane (a lane named "Koordinerende enhet" is the role
    koordinerende_enhet: engine/roles.py); in a called process without lanes, the caller's
    lane (and so on up)."""
    current = task
    while current is not None:
        lane = current.task_spec.lane
        if lane:
            return role_for_lane(lane) or lane
        parent_id = current.workflow.parent_task_id
        current = current.workflow.top_workflow.get_task_from_id(parent_id) if parent_id else None
    return None


def evaluate_property(loaded: Loaded, task, expression: str):
    context = {"case_coordinator": loaded.case.coordinator}
    return loaded.workflow.script_engine.evaluate(task, expression, external_context=context)


def _assignee_for(ctx, loaded: Loaded, task, lane: str | None) -> str | None:
    props = properties(task.task_spec)
    username = None
    if "assigneeExpression" in props:
        username = evaluate_property(loaded, task, props["assigneeExpression"])
    elif lane and isinstance(task.data.get("lane_owners"), dict):
        owners = task.data["lane_owners"].get(lane)
        username = owners[0] if isinstance(owners, list) and len(owners) == 1 else owners
    if not username or not isinstance(username, str):
        return None
    exists = ctx.session.scalar(select(User.id).where(User.username == username, User.active))
    return username if exists else None


def _due_for(ctx, loaded: Loaded, task):
    props = properties(task.task_spec)
    if props.get("dueDateExpression"):
        value = evaluate_property(loaded, task, props["dueDateExpression"])
        return to_utc(value) if value else None
    if props.get("dueIn"):
        from SpiffWorkflow.bpmn.specs.event_definitions.timer import (
            TimerEventDefinition,
        )
        parsed = TimerEventDefinition.parse_iso_duration(props["dueIn"])
        now = ctx.now()
        return now + TimerEventDefinition.get_timedelta_from_start(parsed, now)
    return None


def ready_user_tasks(workflow) -> dict[str, object]:
    return {str(t.id): t for t in workflow.get_tasks(state=TaskState.READY, manual=True)}


def sync_human_tasks(ctx: EngineContext, loaded: Loaded) -> None:
    """New rows for tasks that became ready; rows of tasks that vanished without being
    completed (an interrupting event took them away) are cancelled. No query: the rows of
    an instance always mirror its ready user tasks, known since it was loaded."""
    instance = loaded.instance
    ready = ready_user_tasks(loaded.workflow)
    loaded.ready_after = ready_task_names(ready)
    completed_here = {str(t.id) for t in loaded.completed_by_user}
    vanished = {spiff_id: name for spiff_id, name in loaded.ready_before.items()
                if spiff_id not in ready and spiff_id not in completed_here}
    if vanished:
        ctx.session.execute(
            update(HumanTask).where(HumanTask.instance_id == instance.id,
                                    HumanTask.spiff_task_id.in_(vanished),
                                    HumanTask.status == "open")
            .values(status="cancelled", version=HumanTask.version + 1)
            .execution_options(synchronize_session="fetch"))
        for name in vanished.values():
            audit.record(ctx, loaded.case, "system", "task_cancelled", name=name)
    existing = loaded.ready_before
    now = ctx.now()
    for spiff_id, task in ready.items():
        if spiff_id in existing:
            continue
        props = properties(task.task_spec)
        lane = lane_of(task)
        role = lane or ctx.settings.fallback_role
        element = task.task_spec.bpmn_id or task.task_spec.name
        assignee = _assignee_for(ctx, loaded, task, lane)
        row = rows.insert_values(ctx, HumanTask, dict(  # read again only by queries
            case_id=loaded.case.id, instance_id=instance.id, spiff_task_id=spiff_id,
            element_id=element, name=task.task_spec.bpmn_name or task.task_spec.name,
            process_key=task.workflow.spec.name, case_number=loaded.case.case_number,
            candidate_role=role, assignee=assignee,
            form=props.get("formJsonSchemaFilename"), priority=priority_of(props),
            due_at=_due_for(ctx, loaded, task), status="open", created_at=now,
            claim_due_at=task_deadlines.claim_due_at(ctx, props, element, assignee, now)))
        ctx.new_tasks.append(NewTask(id=row["id"], version=row["version"],
                                     case_id=row["case_id"], name=row["name"],
                                     candidate_role=role, assignee=row["assignee"]))
        audit.record(ctx, loaded.case, "system", "task_created", name=row["name"],
                     element=row["element_id"], role=role, assignee=row["assignee"])
        task_deadlines.plan_task_deadlines(ctx, loaded.case, instance, loaded.workflow.task_tree.id,
                                      row, props)


def priority_of(props) -> int:
    """A user task's priority property, 1 (highest) to 5; 3 when missing or not a number."""
    try:
        return min(5, max(1, int(props.get("priority", 3))))
    except ValueError:
        return 3


# --- timers -----------------------------------------------------------------------------------

def waiting_timers(workflow) -> dict[str, tuple]:
    """spiff task id -> (task, fire time, name) of the workflow's waiting timer events."""
    waiting = {}
    for task in workflow.event_manager.tasks.values():
        if task.state == TaskState.WAITING:
            timer = waiting_timer(task)
            if timer is not None:
                waiting[str(task.id)] = (task, *timer)
    return waiting


def sync_timers(ctx: EngineContext, loaded: Loaded, waiting: dict | None = None,
                had_timers: bool | None = None) -> None:
    """Timer rows in line with the workflow's waiting timers. A step passes what it already
    knows (`waiting`, and `had_timers` once it has written the instance's flag); instances
    that never had a timer cost no query."""
    instance = loaded.instance
    if waiting is None:
        waiting = waiting_timers(loaded.workflow)
    if had_timers is None:  # called on its own: keep the instance's flag here
        had_timers = bool(instance.has_timers)
        if had_timers != bool(waiting):
            rows.update(ctx, instance, has_timers=bool(waiting))
    if not waiting and not had_timers:
        return
    found = loaded.timer_rows
    if found is None:
        found = ctx.session.scalars(select(Timer).where(
            Timer.instance_id == instance.id, Timer.status == "waiting"))
    existing = {row.spiff_task_id: row for row in found}
    for spiff_id, row in existing.items():
        if spiff_id not in waiting:
            fired = loaded.workflow.get_task_from_id(_uuid(spiff_id))
            done = fired is not None and fired.state in (TaskState.COMPLETED, TaskState.READY)
            rows.update(ctx, row, status="fired" if done else "cancelled",
                        fired_at=ctx.now() if done else None)
    for spiff_id, (task, fire_at, name) in waiting.items():
        row = existing.get(spiff_id)
        if row is None:
            rows.insert(ctx, Timer(case_id=loaded.case.id, instance_id=instance.id,
                                   spiff_task_id=spiff_id,
                                   element_id=task.task_spec.bpmn_id or task.task_spec.name,
                                   name=name, fire_at=fire_at, status="waiting",
                                   created_at=ctx.now()),
                        attach=False)
        elif row.fire_at != fire_at:
            rows.update(ctx, row, fire_at=fire_at)


def _uuid(value: str):
    from uuid import UUID
    return UUID(value)


# --- notices ----------------------------------------------------------------------------------

_NOTICE_BY_SOURCE = driver.Statement(
    select(Notice.id).where(Notice.source_key == bindparam("source_key")))


def raise_notice(ctx: EngineContext, loaded: Loaded, task, props: dict[str, str]) -> Notice | None:
    kind = props["notice"]
    # the workflow's root task id identifies the instance, and exists before it is flushed
    source_key = f"{loaded.workflow.task_tree.id}:{task.id}:{kind}"
    known = loaded.notice_keys
    if (source_key in known if known is not None
            else driver.fetch_first(ctx, _NOTICE_BY_SOURCE, source_key=source_key)):
        return None
    username = None
    if props.get("noticeUserExpression"):
        username = evaluate_property(loaded, task, props["noticeUserExpression"]) or None
    role = props.get("noticeRole") or lane_of(task) or ctx.settings.fallback_role
    now = ctx.now()
    due_at = task_deadlines.notice_due_at(ctx, props,
                                     lambda expression: evaluate_property(loaded, task, expression))
    notice = Notice(case_id=loaded.case.id, instance_id=loaded.instance.id, source_key=source_key,
                    kind=kind, severity=props.get("noticeSeverity", "warning"), role=role,
                    username=username, case_number=loaded.case.case_number,
                    element_id=task.task_spec.bpmn_id, status=notice_board.RAISED, created_at=now,
                    raised_at=now, due_at=due_at,
                    resolve_on=task_deadlines.resolve_on(props.get("noticeResolvedBy")))
    rows.insert(ctx, notice)
    if known is not None:
        known.add(source_key)
    audit.record(ctx, loaded.case, "system", "notice_raised", kind=kind, role=role,
                 user=username, severity=notice.severity)
    log.info("notice raised kind=%s case=%s element=%s role=%s user=%s", kind,
             loaded.case.case_number, notice.element_id, role, username)
    return notice
