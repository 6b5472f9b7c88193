"""An expected child is born: the number and birth date are recorded on the person, and
every age-based rule moves with them. The cases' application data get the birth date
(`fodselsdato` held the due date); in their running processes, waiting timers whose date is
computed from it (barnekoordinator ends at 18: `legal_date(fodselsdato,
"barnekoordinator_slutt")`) are computed again, and so are the due dates of open tasks
computed from it. The age rules the engine
applies itself (consent at 16: engine/plans/age_rules.py) read the person's birth date and
need no moving."""
from __future__ import annotations

import logging
from uuid import UUID

from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimeDateEventDefinition
from SpiffWorkflow.task import TaskState
from sqlalchemy import select

from engine.cases import audit, casework
from engine.db.models import Case, HumanTask, Person
from engine.persons import registry
from engine.workflow import loading, specs, step
from engine.workflow.specs import to_utc

log = logging.getLogger(__name__)

#: The application field that holds the birth date (the due date before the birth).
BIRTH_FIELD = "fodselsdato"


def record_birth(ctx, person_id: int, national_id: str, actor: str) -> Person:
    """The child is born: number and birth date recorded, the cases' timers moved."""
    person = registry.record_birth(ctx, person_id, national_id, actor)
    born = person.birth_date.isoformat() if person.birth_date else None
    for case in ctx.session.scalars(select(Case).where(Case.person_id == person.id)):
        case.data = {**(case.data or {}), BIRTH_FIELD: born}
        for instance in casework.running_instances(ctx, case.id):
            _move(ctx, case, loading.load(ctx, instance), born, actor)
    return person


def _move(ctx, case: Case, loaded, born: str | None, actor: str) -> None:
    workflow = loaded.workflow
    workflow.data[BIRTH_FIELD] = born
    for task in workflow.get_tasks():
        if BIRTH_FIELD in task.data and task.state in (TaskState.WAITING, TaskState.READY,
                                                       TaskState.STARTED, TaskState.FUTURE,
                                                       TaskState.LIKELY, TaskState.MAYBE):
            task.data[BIRTH_FIELD] = born
    moved = []
    for task in workflow.get_tasks(state=TaskState.WAITING):
        definition = specs.timer_definition(task.task_spec)
        if isinstance(definition, TimeDateEventDefinition) \
                and BIRTH_FIELD in definition.expression:
            value = workflow.script_engine.evaluate(task, definition.expression)
            task._set_internal_data(event_value=to_utc(value).isoformat())  # as specs stores it
            moved.append(task.task_spec.bpmn_name or task.task_spec.bpmn_id)
    for row in ctx.session.scalars(select(HumanTask).where(
            HumanTask.instance_id == loaded.instance.id, HumanTask.status == "open")):
        spiff_task = workflow.get_task_from_id(UUID(row.spiff_task_id))
        expression = loading.properties(spiff_task.task_spec).get("dueDateExpression") \
            if spiff_task is not None else None
        if expression and BIRTH_FIELD in expression:
            value = loading.evaluate_property(loaded, spiff_task, expression)
            row.due_at = to_utc(value) if value else None
    step.run_and_persist(ctx, loaded, actor)
    if moved:
        audit.record(ctx, case, actor, "timers_moved_by_birth", timers=moved)
        log.info("timers moved by birth case=%s timers=%s", case.case_number, len(moved))
