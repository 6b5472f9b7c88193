"""Moving running process instances to another version of their process.

`preview` tells, per running instance of a process on another version, whether it can move
and what changes for it: user tasks added, removed or changed (name, role, form, priority),
waiting timers whose rule changed (old and new fire time), and data that no longer fits the
new version's forms. `migrate` moves one, several or all compatible instances in the caller's
transaction, re-checking each one there, and audits every instance moved or refused.

How: SpiffWorkflow's `diff_workflow` aligns the instance's tasks with the new version's
specs and `migrate_workflow` swaps the specs and resets the waiting and ready tasks, so that
what follows them is predicted from the new diagram. The migrated workflow is run to its next
wait, saved and loaded again against the new specs before anything counts as compatible: an
instance that would not load or run on the new version is refused with the reason, and
nothing of it changes.

Refused (with a reason in Norwegian, for the coordinating unit): an instance that is not
running; one that waits at (or is inside) an element the new version no longer has; one that
has passed an element the new version no longer has (its history could not be kept); one
inside a called process the new version no longer calls; one changed since the preview.

Timers: a waiting timer whose rule did not change keeps its fire time. A duration timer whose
duration changed gets the new duration counted from when it started waiting (P1M -> P3W: the
case gets the new deadline, as if the new rule had applied from the start); when that time has
passed, it fires during the migration. A date timer whose expression changed is evaluated
again on the case's data. The preview shows the old and the new fire time.
"""
from __future__ import annotations

import dataclasses
import logging

from SpiffWorkflow.bpmn.util.diff import diff_workflow, migrate_workflow
from SpiffWorkflow.task import TaskState
from sqlalchemy import func, select

from engine.cases import audit
from engine.core.messages import N_, Message
from engine.db.database import is_postgres
from engine.db.models import Case, HumanTask, ProcessInstance, ProcessVersion
from engine.definitions import library, migration_data, store, timer_migration
from engine.definitions.migration_data import DataProblem
from engine.definitions.timer_migration import TimerChange
from engine.workflow import conflicts, loading, step, task_rows

log = logging.getLogger(__name__)

ACTIVE = TaskState.READY | TaskState.WAITING | TaskState.STARTED
#: Rows a preview lists at most by default (migrating "all" is not limited).
PREVIEW_LIMIT = 200


@dataclasses.dataclass(frozen=True)
class TaskInfo:
    element_id: str
    name: str
    role: str


@dataclasses.dataclass(frozen=True)
class TaskChange:
    element_id: str
    name: str            # the name in the new version
    field: str           # name | role | form | priority
    before: str | None
    after: str | None


@dataclasses.dataclass
class InstancePlan:
    case_id: int
    case_number: str
    instance_id: int
    process_key: str
    from_version: int
    to_version: int
    compatible: bool
    reason: str | None = None
    tasks_added: list[TaskInfo] = dataclasses.field(default_factory=list)
    tasks_removed: list[TaskInfo] = dataclasses.field(default_factory=list)
    tasks_changed: list[TaskChange] = dataclasses.field(default_factory=list)
    timers: list[TimerChange] = dataclasses.field(default_factory=list)
    data_problems: list[DataProblem] = dataclasses.field(default_factory=list)
    #: What the plan was made from (instance id and row version): `migrate` refuses an
    #: instance whose token changed since the preview the user chose from.
    token: str = ""

    @property
    def renamed(self) -> list[TaskChange]:
        return [c for c in self.tasks_changed if c.field == "name"]

    @property
    def changes_nothing(self) -> bool:
        return not (self.tasks_added or self.tasks_removed or self.tasks_changed
                    or self.timers or self.data_problems)


@dataclasses.dataclass
class MigrationPreview:
    key: str
    to_version: int
    to_name: str
    items: list[InstancePlan]
    total: int           # instances on other versions (items may hold fewer: `limit`)
    versions: list[int]  # every version of the process, newest first (to choose a target)

    @property
    def compatible(self) -> list[InstancePlan]:
        return [p for p in self.items if p.compatible]

    @property
    def incompatible(self) -> list[InstancePlan]:
        return [p for p in self.items if not p.compatible]


@dataclasses.dataclass(frozen=True)
class Refusal:
    case_id: int
    case_number: str | None
    instance_id: int | None
    from_version: int | None
    reason: str


@dataclasses.dataclass
class MigrationResult:
    key: str
    to_version: int
    migrated: list[InstancePlan] = dataclasses.field(default_factory=list)
    refused: list[Refusal] = dataclasses.field(default_factory=list)
    #: Case numbers whose instances were on the target version already.
    unchanged: list[str] = dataclasses.field(default_factory=list)


# --- the operations -----------------------------------------------------------------------------

def preview(ctx, user, key: str, to_version: int | None = None, limit: int | None = PREVIEW_LIMIT,
            offset: int = 0) -> MigrationPreview:
    """Every running instance of `key` on a version other than `to_version` (default: the
    newest), oldest case first, with what moving it would change. Writes nothing but the
    reads of the cases to the audit log."""
    library.check_access(user)
    target = _target(ctx, key, to_version)
    query = _candidates(key, target).order_by(ProcessInstance.case_id, ProcessInstance.id)
    total = ctx.session.scalar(_candidates(key, target).with_only_columns(
        func.count(ProcessInstance.id)).order_by(None))
    if limit is not None:
        query = query.limit(limit).offset(offset)
    items = []
    for instance in ctx.session.scalars(query):
        # the plan reads the case's data: a read of the case, logged like any other
        audit.record(ctx, instance.case, user.username, "case_read", purpose="migration preview")
        items.append(_plan(ctx, instance, target)[0])
    versions = list(ctx.session.scalars(select(ProcessVersion.version).where(
        ProcessVersion.process_key == key).order_by(ProcessVersion.version.desc())))
    return MigrationPreview(key, target.version, target.name, items, total, versions)


@conflicts.conflict_safe
def migrate(ctx, user, key: str, case_ids: list[int] | None = None,
            to_version: int | None = None, seen: dict[int, str] | None = None
            ) -> MigrationResult:
    """Move the running instances of `key` in `case_ids` (None: every compatible one) to
    `to_version` (default: the newest). Each instance is locked and planned again here; one
    that cannot move, or whose token is not in `seen[case_id]` (from the preview the user
    chose from: `case_tokens`), is refused and left as it was. Flushes; the caller commits."""
    library.check_access(user)
    actor = user.username if user is not None else "system"
    target = _target(ctx, key, to_version)
    result = MigrationResult(key, target.version)
    query = _candidates(key, target).order_by(ProcessInstance.case_id, ProcessInstance.id)
    if case_ids is not None:
        wanted = sorted(set(case_ids))
        query = query.where(ProcessInstance.case_id.in_(wanted))
        _explain_missing(ctx, key, target, wanted, result, actor)
    if is_postgres(ctx.session):
        query = query.with_for_update(of=ProcessInstance)
    instances = list(ctx.session.scalars(query.execution_options(populate_existing=True)))
    for instance in instances:
        audit.record(ctx, instance.case, actor, "case_read", purpose="migration")
        plan, loaded = _plan(ctx, instance, target)
        expected = (seen or {}).get(instance.case_id)
        if plan.compatible and expected is not None and plan.token not in expected.split(","):
            plan.compatible = False
            plan.reason = Message(N_("Saken er endret siden forhåndsvisningen. Se på den på nytt."))
        if not plan.compatible:
            _refuse(ctx, instance.case, result, plan, actor)
            continue
        _apply(ctx, loaded, plan, target, actor)
        result.migrated.append(plan)
    if result.migrated or result.refused:
        audit.record(ctx, None, actor, "process_migration", process=key,
                     to_version=target.version, migrated=len(result.migrated),
                     refused=len(result.refused))
        log.info("cases migrated process=%s from_versions=%s to_version=%s moved=%s "
                 "refused=%s user=%s", key,
                 ",".join(sorted({str(plan.from_version) for plan in result.migrated})) or "-",
                 target.version, ",".join(plan.case_number for plan in result.migrated) or "-",
                 ",".join(refusal.case_number or f"#{refusal.case_id}"
                          for refusal in result.refused) or "-", actor)
    return result


# --- choosing instances -------------------------------------------------------------------------

def _target(ctx, key: str, number: int | None) -> ProcessVersion:
    if number is None:
        return store.latest_version(ctx, key)
    return library.version_of(ctx, key, number)


def _candidates(key: str, target: ProcessVersion):
    return select(ProcessInstance).where(ProcessInstance.process_key == key,
                                         ProcessInstance.status == "running",
                                         ProcessInstance.process_version_id != target.id)


def case_tokens(plans: list[InstancePlan]) -> dict[int, str]:
    """case id -> what `migrate(seen=...)` expects of the case: its listed instances' tokens,
    comma-separated (an instance whose token is not among them changed since)."""
    tokens: dict[int, list[str]] = {}
    for plan in plans:
        tokens.setdefault(plan.case_id, []).append(plan.token)
    return {case_id: ",".join(parts) for case_id, parts in tokens.items()}


def _explain_missing(ctx, key, target, wanted: list[int], result: MigrationResult, actor) -> None:
    """Cases asked for that have no running instance of `key` on another version."""
    found = set(ctx.session.scalars(_candidates(key, target).with_only_columns(
        ProcessInstance.case_id)))
    for case_id in wanted:
        if case_id in found:
            continue
        case = ctx.session.get(Case, case_id)
        if case is None:
            result.refused.append(Refusal(case_id, None, None, None,
                                          Message(N_("Fant ikke saken"))))
            continue
        on_target = ctx.session.scalar(select(ProcessInstance.id).where(
            ProcessInstance.case_id == case_id, ProcessInstance.process_key == key,
            ProcessInstance.status == "running",
            ProcessInstance.process_version_id == target.id).limit(1))
        if on_target is not None:
            result.unchanged.append(case.case_number)
            continue
        reason = Message(N_("Saken har ingen aktiv prosess «%(process)s» å flytte"), process=key)
        result.refused.append(Refusal(case_id, case.case_number, None, None, reason))
        audit.record(ctx, case, actor, "instance_migration_refused", process=key,
                     to_version=target.version, reason=reason)


# --- planning one instance ----------------------------------------------------------------------

def _plan(ctx, instance: ProcessInstance, target: ProcessVersion):
    """(plan, loaded): the instance migrated in memory and run to its next wait, or a plan
    with the reason it cannot move (loaded is None then)."""
    case = instance.case
    plan = InstancePlan(case.id, case.case_number, instance.id, instance.process_key,
                        instance.version.version, target.version, compatible=False,
                        token=f"{instance.id}:{instance.lock_version}")
    if instance.status != "running" or instance.state is None:
        plan.reason = Message(N_("Prosessen er ikke aktiv (%(status)s)"), status=instance.status)
        return plan, None
    parsed = ctx.specs.get(target)
    try:
        loaded = loading.load(ctx, instance)
    except Exception as error:  # noqa: BLE001 - a state that does not load is a reason too
        plan.reason = Message(N_("Saken kunne ikke leses: %(error)s"),
                              error=_without_data(error))
        return plan, None
    workflow = loaded.workflow
    tasks_before = _ready_tasks(ctx, workflow)
    timers_before = timer_migration.waiting_timers(workflow)
    forms_before = {spiff_id: props.get("formJsonSchemaFilename")
                    for spiff_id, (_task, props) in migration_data.ready_props(workflow).items()}
    timers_new: dict[str, tuple] = {}
    try:
        plan.reason = _migrate_in_memory(workflow, parsed, target.version)
    except Exception as error:  # noqa: BLE001 - what SpiffWorkflow cannot map is a reason
        plan.reason = Message(N_("Saken kan ikke overføres til versjon %(version)s: %(error)s"),
                              version=target.version, error=_without_data(error))
    if plan.reason is None:
        plan.reason = timer_migration.restore_timers(workflow, timers_before, timers_new)
    if plan.reason is None:
        plan.reason = _run_and_check(loaded, parsed, ctx)
    if plan.reason is not None:
        return plan, None
    loaded.parsed = parsed
    plan.compatible = True
    tasks_after = _ready_tasks(ctx, workflow)
    plan.tasks_removed = [tasks_before[i][0] for i in tasks_before if i not in tasks_after]
    plan.tasks_added = [tasks_after[i][0] for i in tasks_after if i not in tasks_before]
    for spiff_id, (new, new_form, new_priority) in tasks_after.items():
        if spiff_id in tasks_before:
            old, old_form, old_priority = tasks_before[spiff_id]
            plan.tasks_changed += [TaskChange(new.element_id, new.name, field, str(a), str(b))
                                   for field, a, b in (("name", old.name, new.name),
                                                       ("role", old.role, new.role),
                                                       ("form", old_form, new_form),
                                                       ("priority", old_priority, new_priority))
                                   if a != b]
    plan.timers = timer_migration.timer_changes(
        timers_before, timers_new, timer_migration.waiting_timers(workflow), ctx.now())
    plan.data_problems = migration_data.data_problems(ctx, instance, parsed, workflow, forms_before)
    return plan, loaded


def _migrate_in_memory(workflow, parsed, number: int) -> str | None:
    """Swap the specs (top process and called processes); the reason when it cannot be done."""
    registry = loading.state_serializer()._serializer.registry
    top_diff, sub_diffs = diff_workflow(registry, workflow, parsed.spec, parsed.subprocess_specs)
    for sp_id, sub_diff in sub_diffs.items():
        if sub_diff is None:
            name = workflow.subprocesses[sp_id].spec.name
            return Message(N_("Saken er inne i delprosessen «%(name)s», som versjon %(version)s "
                              "ikke kaller"), name=name, version=number)
    for diff in (top_diff, *sub_diffs.values()):
        for task in diff.removed:
            label = _label(task.task_spec)
            if task.has_state(ACTIVE):
                return Message(N_("Saken venter ved «%(name)s», som ikke finnes i versjon "
                                  "%(version)s"), name=label, version=number)
            if task.has_state(TaskState.FINISHED_MASK):
                return Message(N_("Saken har passert «%(name)s», som ikke finnes i versjon "
                                  "%(version)s; sakens historikk kan ikke flyttes"),
                               name=label, version=number)
    migrate_workflow(top_diff, workflow, parsed.spec)
    for sp_id, sub_diff in sub_diffs.items():
        subworkflow = workflow.subprocesses[sp_id]
        migrate_workflow(sub_diff, subworkflow, parsed.subprocess_specs[subworkflow.spec.name])
    workflow.subprocess_specs = parsed.subprocess_specs
    for task in workflow.get_tasks():
        spec = task.workflow.spec.task_specs.get(task.task_spec.name)
        if spec is not task.task_spec:
            return Message(N_("Elementet «%(name)s» i saken finnes ikke i versjon %(version)s"),
                           name=_label(task.task_spec), version=number)
    return None


def _run_and_check(loaded, parsed, ctx) -> str | None:
    """Run the migrated workflow to its next wait (as a step does), then prove that its state
    loads against the new specs."""
    workflow = loaded.workflow
    try:
        workflow.refresh_timers()
        workflow.do_engine_steps(did_complete_task=loaded.passed.append)
        workflow.get_events()  # signals nobody caught (see step.run_and_persist)
        loading.state_serializer().loads(loading.state_serializer().dumps(workflow), parsed.spec,
                                         parsed.subprocess_specs,
                            loading.script_engine(ctx))
    except Exception as error:  # noqa: BLE001 - whatever fails here refuses the instance
        return Message(N_("Saken kan ikke kjøre videre på den nye versjonen: %(error)s"),
                       error=_without_data(error))
    return None


def _without_data(error: BaseException) -> str:
    """What failed and where, without the exception's text: SpiffWorkflow's and Python's
    messages quote values ("'Anne' is not ..."), and a preview quotes no case data."""
    spec = getattr(error, "task_spec", None) or getattr(getattr(error, "task", None),
                                                        "task_spec", None)
    where = getattr(spec, "bpmn_id", None) or getattr(spec, "name", None)
    kinds = [type(error).__name__]
    cause = error.__cause__ or error.__context__
    if cause is not None and type(cause).__name__ not in kinds:
        kinds.append(type(cause).__name__)
    return " / ".join(kinds) + (f" ({where})" if where else "")


def _label(task_spec) -> str:
    return task_spec.bpmn_name or task_spec.bpmn_id or task_spec.name


# --- user tasks ---------------------------------------------------------------------------------

def _ready_tasks(ctx, workflow) -> dict[str, tuple[TaskInfo, str | None, int]]:
    """spiff id -> (task, form, priority) of the ready user tasks, as their rows show them."""
    found = {}
    for spiff_id, (task, props) in migration_data.ready_props(workflow).items():
        info = TaskInfo(task.task_spec.bpmn_id or task.task_spec.name,
                        task.task_spec.bpmn_name or task.task_spec.name,
                        loading.lane_of(task) or ctx.settings.fallback_role)
        found[spiff_id] = (info, props.get("formJsonSchemaFilename"), task_rows.priority_of(props))
    return found


def _update_task_rows(ctx, plan: InstancePlan, loaded) -> None:
    """Open rows of tasks that stay: the new name, role, form and priority. A task that moves
    to another role goes back to that role's queue."""
    tasks = _ready_tasks(ctx, loaded.workflow)
    rows = ctx.session.scalars(select(HumanTask).where(
        HumanTask.instance_id == plan.instance_id, HumanTask.status == "open"))
    for row in rows:
        if row.spiff_task_id not in tasks:
            continue
        info, form, priority = tasks[row.spiff_task_id]
        if (row.name, row.element_id, row.candidate_role, row.form, row.priority) == (
                info.name, info.element_id, info.role, form, priority):
            continue
        if row.candidate_role != info.role:
            row.assignee = None
        row.name, row.element_id, row.candidate_role = info.name, info.element_id, info.role
        row.form, row.priority = form, priority


# --- applying -----------------------------------------------------------------------------------

def _apply(ctx, loaded, plan: InstancePlan, target: ProcessVersion, actor: str) -> None:
    instance = loaded.instance
    _update_task_rows(ctx, plan, loaded)
    timer_migration.update_timer_rows(ctx, plan, loaded)
    step.persist_step(ctx, loaded, actor)
    instance.version = target
    instance.process_version_id = target.id
    with conflicts.lost_race_is_conflict():
        ctx.session.flush()
    audit.record(ctx, loaded.case, actor, "instance_migrated", process=plan.process_key,
                 instance=plan.instance_id, from_version=plan.from_version,
                 to_version=plan.to_version, **describe(plan))


def _refuse(ctx, case, result: MigrationResult, plan: InstancePlan, actor: str) -> None:
    result.refused.append(Refusal(plan.case_id, plan.case_number, plan.instance_id,
                                  plan.from_version, plan.reason or ""))
    audit.record(ctx, case, actor, "instance_migration_refused", process=plan.process_key,
                 instance=plan.instance_id, from_version=plan.from_version,
                 to_version=plan.to_version, reason=plan.reason)


def describe(plan: InstancePlan) -> dict:
    """What changed for an instance, as JSON-ready lists (audit details, API)."""
    def when(value):
        return value.isoformat() if value is not None else None
    return {
        "tasks_added": [{"element": t.element_id, "name": t.name, "role": t.role}
                        for t in plan.tasks_added] or None,
        "tasks_removed": [{"element": t.element_id, "name": t.name, "role": t.role}
                          for t in plan.tasks_removed] or None,
        "tasks_changed": [{"element": c.element_id, "name": c.name, "field": c.field,
                           "before": c.before, "after": c.after}
                          for c in plan.tasks_changed] or None,
        "timers": [{"element": t.element_id, "name": t.name, "before": when(t.before),
                    "after": when(t.after), "expression_before": t.expression_before,
                    "expression_after": t.expression_after, "fires_now": t.fires_now}
                   for t in plan.timers] or None,
        "data_problems": [{"where": p.where, "field": p.field, "message": p.message}
                          for p in plan.data_problems] or None,
    }
