"""The task page as one read: the task, its form, the instructions from the diagram, the
values to show in the form (draft, else what the case already knows, else what an earlier
step chose: the form's `x-prefill`), the case data that gives the task its context, the rule
table's suggestion where an item is decided, the coordinators to choose from where one is
appointed, and what the user may do with it. Reading it is a read of the case, so it goes
through `casework.get_case` and is logged."""
from __future__ import annotations

import dataclasses
from uuid import UUID

from sqlalchemy import select

from engine.access import rules
from engine.accounts.roles import SUPERVISOR_ROLES
from engine.cases import casework
from engine.cases import coordinator as coordinators
from engine.db.models import Case, HumanTask, Letter, ProcessInstance, User
from engine.definitions import store
from engine.letters import preview as letter_preview
from engine.plans import steps as plan_steps
from engine.workflow import loading
from engine.worklist import humantasks
from engine.worklist.pagefields import Field, days_left, field_specs, labelled, urgency
from engine.worklist.suggestion import Suggestion, suggestion

#: Data keys never shown as context (engine bookkeeping).
_HIDDEN = {"lane_owners"}


@dataclasses.dataclass
class TaskPage:
    task: HumanTask
    case: Case
    access: str             # full | limited (engine/access/rules.py)
    process_name: str
    schema: dict | None
    instructions: str | None
    values: dict
    background: list[Field]
    why_not: str | None
    may_claim: bool
    may_unclaim: bool
    may_assign: bool
    assignees: list[tuple[str, str]]
    urgency: str | None
    days_left: int | None
    #: The letter the task works on (`letterOperation`), and whether the task drafts it
    #: (then its page previews the letter from the form as filled in).
    letter: Letter | None = None
    drafts_letter: bool = False
    #: The rule table's suggestion, on a task that decides an item (engine/worklist/suggestion).
    suggestion: Suggestion | None = None
    #: The form field that appoints the case's coordinator (`appointsCoordinator`), and the
    #: users to choose from, most suitable first.
    coordinator_field: str | None = None
    candidates: list[coordinators.Candidate] = dataclasses.field(default_factory=list)

    @property
    def may_work(self) -> bool:
        return self.why_not is None


def task_page(ctx, task_id: int, user: User, soon_days: int = 3) -> TaskPage:
    task = humantasks.get_task(ctx, task_id)
    access = rules.require_task(ctx, task, user)
    case = casework.get_case(ctx, task.case_id, user, purpose=f"task {task.id}")
    instance = ctx.session.get(ProcessInstance, task.instance_id)
    parsed = ctx.specs.get(instance.version)
    spec = _task_spec(parsed, task)
    extensions = getattr(spec, "extensions", {}) if spec is not None else {}
    props = extensions.get("properties", {})
    schema, values, background, suggested = None, {}, [], None
    appoints = props.get("appointsCoordinator") or None
    if access == rules.FULL:  # limited: the task's course, none of the person's data
        schema = store.form_schema(ctx, instance.version, task.form) if task.form else None
        data = _task_data(ctx, instance, task)
        own = set((schema or {}).get("properties", {}))
        values = prefill(schema, {**_case_values(ctx, case, schema), **data})
        values.update({k: v for k, v in data.items() if k in own})
        values.update({k: v for k, v in plan_steps.form_values(  # an empty part of the
            ctx, case, extensions.get("properties", {}).get("planOperation")).items()
            if k in own and v not in (None, "", [], {})})  # plan keeps what was carried
        values.update(task.draft or {})
        background = labelled(data, field_specs(parsed.forms), skip=own | _HIDDEN)
        if task.status == "open":
            suggested = suggestion(data, own)
    open_ = task.status == "open"
    has_role = task.candidate_role in user.role_keys
    supervisor = bool(user.role_keys & SUPERVISOR_ROLES)
    may_assign = rules.may_assign(user, task)
    now = ctx.now()
    letter = letter_preview.for_task(ctx, task) if access == rules.FULL else None
    picking = access == rules.FULL and open_ and appoints is not None
    return TaskPage(
        task=task, case=case, access=access, process_name=instance.version.name,
        schema=schema,
        instructions=(extensions.get("instructionsForEndUser") or "").strip() or None,
        values=values, background=background, why_not=humantasks.why_not(user, task),
        may_claim=open_ and has_role and task.assignee is None,
        may_unclaim=open_ and task.assignee is not None
        and (task.assignee == user.username or supervisor),
        may_assign=may_assign,
        assignees=_role_members(ctx, task.candidate_role) if may_assign else [],
        urgency=urgency(task.due_at, now, soon_days) if open_ else None,
        days_left=days_left(task.due_at, now, ctx.settings.timezone) if open_ else None,
        letter=letter, drafts_letter=access == rules.FULL
        and props.get("letterOperation") == "draft",
        suggestion=suggested, coordinator_field=appoints if picking else None,
        candidates=coordinators.candidates(ctx, case) if picking else [])


def prefill(schema: dict | None, data: dict) -> dict:
    """What the form's fields take from earlier steps: a field with
    ``"x-prefill": {"from": "<field>", "values": {"<theirs>": "<ours>", ...}}`` starts with
    that field's value in the data (translated by `values`), when it is one the field
    accepts; ``"from"`` may list fields, the first one the data has a value for wins. A
    list field takes ``"x-prefill": {"rows": [{"<field>": {"from": "<field>"} or a value,
    ...}]}``: its first rows, each kept when every field it takes from the data has a value
    (the person as the plan's first participant). The officer can still change it; what the
    task itself holds wins."""
    found: dict = {}
    for key, prop in ((schema or {}).get("properties") or {}).items():
        rule = prop.get("x-prefill") if isinstance(prop, dict) else None
        if not isinstance(rule, dict):
            continue
        if isinstance(rule.get("rows"), list):
            rows = [row for template in rule["rows"] if isinstance(template, dict)
                    for row in [_prefilled_row(template, data)] if row is not None]
            if rows:
                found[key] = rows
            continue
        sources = _sources(rule)
        if isinstance(rule.get("from"), list):  # the first with a value
            source = next((name for name in sources if data.get(name) not in (None, "")), None)
        else:  # one field: its value, None too ("not applied for" is a choice)
            source = next((name for name in sources if name in data), None)
        if source is None:
            continue
        value = data[source]
        mapping = rule.get("values")
        if isinstance(mapping, dict) and isinstance(value, str):
            value = mapping.get(value, value)
        choices = [o["const"] for o in prop.get("oneOf", []) if isinstance(o, dict)
                   and "const" in o] or prop.get("enum")
        if choices is not None and value not in choices:
            continue
        if value is None and not choices:
            continue
        found[key] = value
    return found


def _sources(rule: dict) -> list[str]:
    """The fields an `x-prefill` rule's "from" names (one, or a list)."""
    sources = rule.get("from")
    return [name for name in (sources if isinstance(sources, list) else [sources])
            if isinstance(name, str)]


#: What a form may take from the case itself (`x-prefill` "from"), beside the task data:
#: the name of the case's coordinator.
COORDINATOR_NAME = "koordinator_navn"


def _case_values(ctx, case: Case, schema: dict | None) -> dict:
    """The case's own values the form takes (`schema`'s x-prefill): the coordinator's name
    once one is appointed. Nothing is read for a form that takes none."""
    wanted = {name for prop in ((schema or {}).get("properties") or {}).values()
              if isinstance(prop, dict) and isinstance(prop.get("x-prefill"), dict)
              for name in _sources(prop["x-prefill"])}
    if not case.coordinator or COORDINATOR_NAME not in wanted:
        return {}
    name = ctx.session.scalar(select(User.display_name).where(
        User.username == case.coordinator))
    return {COORDINATOR_NAME: name or case.coordinator}


def _prefilled_row(template: dict, data: dict) -> dict | None:
    """A row of a list field from `template`: a value as it is, ``{"from": "<field>"}`` the
    data's value; None when such a field has none."""
    row = {}
    for name, value in template.items():
        if isinstance(value, dict) and "from" in value:
            value = data.get(value["from"]) if isinstance(value["from"], str) else None
            if value in (None, ""):
                return None
        row[name] = value
    return row


def _task_spec(parsed, task: HumanTask):
    for spec in parsed.all_task_specs():
        if (spec.bpmn_id or spec.name) == task.element_id:
            return spec
    return None


def _task_data(ctx, instance: ProcessInstance, task: HumanTask) -> dict:
    """What the process knows at this task (open tasks), else the instance's result."""
    if task.status != "open" or instance.status != "running":
        return dict(instance.result or {})
    workflow = loading.read_workflow(ctx, instance)
    spiff_task = workflow.get_task_from_id(UUID(task.spiff_task_id))
    return dict(spiff_task.data) if spiff_task is not None else {}


def _role_members(ctx, role: str) -> list[tuple[str, str]]:
    return [(u.username, u.display_name) for u in ctx.session.scalars(
        select(User).where(User.active).order_by(User.username)) if role in u.role_keys]


def form_schema(ctx, task_id: int, user: User) -> dict | None:
    """Only the task's form (to read posted fields before an operation on the task)."""
    task = humantasks.get_task(ctx, task_id)
    if rules.require_task(ctx, task, user) != rules.FULL or not task.form:
        return None
    instance = ctx.session.get(ProcessInstance, task.instance_id)
    return store.form_schema(ctx, instance.version, task.form)
