"""Case migration: the data a running case holds that no longer fits the new version's forms
(engine/definitions/case_migration.py shows them in the preview)."""
from __future__ import annotations

import dataclasses
import json

from sqlalchemy import select

from engine.cases import casework
from engine.db.models import HumanTask
from engine.workflow import loading
from engine.worklist.forms import field_errors


@dataclasses.dataclass(frozen=True)
class DataProblem:
    where: str           # the task's name, or "Søknaden" for the case's application
    field: str
    message: str


def ready_props(workflow) -> dict[str, tuple]:
    return {spiff_id: (task, loading.properties(task.task_spec))
            for spiff_id, task in loading.ready_user_tasks(workflow).items()}


def data_problems(ctx, instance, parsed, workflow, forms_before) -> list[DataProblem]:
    """Values the open tasks' forms would show (draft, else the case's data for the form's
    fields), and the application, checked against the new version's forms: only problems the
    old forms did not have. A field not filled in yet is not a problem."""
    old_parsed = ctx.specs.get(instance.version)
    drafts = dict(ctx.session.execute(select(HumanTask.spiff_task_id, HumanTask.draft).where(
        HumanTask.instance_id == instance.id, HumanTask.status == "open")).all())
    problems = []
    for spiff_id, (task, props) in ready_props(workflow).items():
        form = props.get("formJsonSchemaFilename")
        new_schema = _schema(parsed, form)
        if new_schema is None:
            continue
        old_schema = _schema(old_parsed, forms_before.get(spiff_id))
        own = set(new_schema.get("properties", {})) | set((old_schema or {}).get("properties", {}))
        values = {k: v for k, v in task.data.items() if k in own}
        values.update(drafts.get(spiff_id) or {})
        name = task.task_spec.bpmn_name or task.task_spec.name
        problems += _new_errors(name, old_schema, new_schema, values, skip_missing=True)
    case = instance.case
    if instance.process_key == case.process_key:
        old_start = _schema(old_parsed, casework.start_form(old_parsed))
        new_start = _schema(parsed, casework.start_form(parsed))
        if new_start is not None and new_start != old_start:
            problems += _new_errors("Søknaden", old_start, new_start, dict(case.data or {}),
                                    skip_missing=False)
    return problems


def _schema(parsed, form: str | None) -> dict | None:
    text = parsed.forms.get(form) if form else None
    return json.loads(text) if text else None


def _new_errors(where, old_schema, new_schema, values, skip_missing) -> list[DataProblem]:
    new = field_errors(new_schema, values)
    old = field_errors(old_schema, values) if old_schema is not None else {}
    problems = []
    for field, message in new.items():
        if old.get(field) == message:
            continue
        if skip_missing and "." not in field and field not in values:
            continue  # not filled in yet
        problems.append(DataProblem(where, field, message))
    return problems
