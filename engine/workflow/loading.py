"""Loading a workflow: an instance's live SpiffWorkflow (kept from its last step, or read
from its state), and what its diagram says about a task (properties, lane, expressions)."""
from __future__ import annotations

import dataclasses
import functools

from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.task import Task, TaskState

from engine.accounts.roles import role_for_lane
from engine.core.context import EngineContext
from engine.core.errors import ConflictError
from engine.core.messages import N_
from engine.db.models import Case, ProcessInstance
from engine.workflow.scripting import RestrictedScriptEngine
from engine.workflow.specs import ParsedVersion
from engine.workflow.state import StateSerializer


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
    settings = ctx.settings
    return RestrictedScriptEngine(clock=ctx.clock, timezone=settings.timezone,
                                  cpu_seconds=settings.script_cpu_ms / 1000,
                                  memory_mb=settings.script_memory_mb, settings=settings)


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
    if instance.state is None:  # completed: nothing to read (pages check before)
        raise ConflictError(N_("Prosessen %(process)s er ikke aktiv"), process=instance.process_key)
    parsed = ctx.specs.get(instance.version)
    return state_serializer().loads(instance.state, parsed.spec, parsed.subprocess_specs,
                                    script_engine(ctx))


def ready_task_names(ready: dict) -> dict[str, str]:
    """spiff task id -> name, of `ready_user_tasks`."""
    return {spiff_id: t.task_spec.bpmn_name or t.task_spec.name for spiff_id, t in ready.items()}


def ready_user_tasks(workflow) -> dict[str, Task]:
    return {str(t.id): t for t in workflow.get_tasks(state=TaskState.READY, manual=True)}


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
