"""Human-task rows of a step: a row for each user task that became ready (role, assignee,
due date, priority, its deadlines), and cancelled rows for tasks an event took away."""
from __future__ import annotations

from sqlalchemy import bindparam, select, update
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.orm.util import identity_key

from engine.accounts import stand_ins
from engine.accounts.roles import ROLES
from engine.cases import audit
from engine.core.context import EngineContext, NewTask
from engine.db import fastpath
from engine.db.models import HumanTask, User
from engine.deadlines import task_deadlines
from engine.workflow.loading import (
    Loaded,
    evaluate_property,
    lane_of,
    properties,
    ready_task_names,
    ready_user_tasks,
)
from engine.workflow.specs import to_utc

#: Open rows of tasks that vanished from the workflow (an interrupting event took them):
#: cancelled, their version bumped as any change to a task bumps it.
_CANCEL_VANISHED = fastpath.Query(
    update(HumanTask.__table__)
    .where(HumanTask.instance_id == bindparam("of_instance"),
           HumanTask.spiff_task_id.in_(bindparam("spiff_ids", expanding=True)),
           HumanTask.status == "open")
    .values(status="cancelled", version=HumanTask.version + 1)
    .returning(HumanTask.id, HumanTask.version), in_lists=True)
_ACTIVE_USER = fastpath.Query(select(User.id).where(User.username == bindparam("username"),
                                                    User.active))


def _role_for(loaded: Loaded, task, props: dict) -> str | None:
    """The role `roleExpression` names (a task for whichever role its user holds, such as
    an action item from a meeting); None: the lane's."""
    if "roleExpression" not in props:
        return None
    role = evaluate_property(loaded, task, props["roleExpression"])
    return role if isinstance(role, str) and role in ROLES else None


#: Who last completed an earlier task of the instance (`assigneeOf`), when still active.
_COMPLETED_BY = fastpath.Query(
    select(HumanTask.completed_by)
    .join(User, User.username == HumanTask.completed_by)
    .where(HumanTask.instance_id == bindparam("of_instance"),
           HumanTask.element_id == bindparam("element"), HumanTask.status == "completed",
           User.active)
    .order_by(HumanTask.completed_at.desc(), HumanTask.id.desc()).limit(1))


def _assignee_for(ctx, loaded: Loaded, task, lane: str | None) -> str | None:
    props = properties(task.task_spec)
    username = None
    if "assigneeOf" in props:  # back to the officer who did the earlier step
        found = fastpath.run(ctx, _COMPLETED_BY, of_instance=loaded.instance.id,
                             element=props["assigneeOf"])
        return found[0][0] if found else None
    if "assigneeExpression" in props:
        username = evaluate_property(loaded, task, props["assigneeExpression"])
    elif lane and isinstance(task.data.get("lane_owners"), dict):
        owners = task.data["lane_owners"].get(lane)
        username = owners[0] if isinstance(owners, list) and len(owners) == 1 else owners
    if not username or not isinstance(username, str):
        return None
    return username if fastpath.run(ctx, _ACTIVE_USER, username=username) else None


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
        for task_id, version in fastpath.run(ctx, _CANCEL_VANISHED, of_instance=instance.id,
                                             spiff_ids=list(vanished)):
            loaded_row = ctx.session.identity_map.get(identity_key(HumanTask, task_id))
            if loaded_row is not None:  # a row this session holds sees the change
                set_committed_value(loaded_row, "status", "cancelled")
                set_committed_value(loaded_row, "version", version)
        for name in vanished.values():
            audit.record(ctx, loaded.case, "system", "task_cancelled", name=name)
    existing = loaded.ready_before
    now = ctx.now()
    for spiff_id, task in ready.items():
        if spiff_id in existing:
            continue
        props = properties(task.task_spec)
        lane = lane_of(task)
        role = _role_for(loaded, task, props) or lane or ctx.settings.fallback_role
        element = task.task_spec.bpmn_id or task.task_spec.name
        # a task for an officer absent today goes to their stand-in
        assignee, absent = stand_ins.assignee_for(ctx, _assignee_for(ctx, loaded, task, lane),
                                                  role)
        claimed_by = _goes_on(ctx, loaded, role) if assignee is None else None
        assignee = assignee or claimed_by
        row = fastpath.insert_row(ctx, HumanTask, dict(  # read again only by queries
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
        if claimed_by is not None:
            audit.record(ctx, loaded.case, claimed_by, "task_claimed", task=row["id"],
                         name=row["name"])
        if absent is not None:
            audit.record(ctx, loaded.case, "system", "task_reassigned", task=row["id"],
                         name=row["name"], assignee=assignee, previous=absent,
                         reason="absence")
        task_deadlines.plan_task_deadlines(ctx, loaded.case, instance, loaded.workflow.task_tree.id,
                                      row, props)


def _goes_on(ctx: EngineContext, loaded: Loaded, role: str) -> str | None:
    """The officer going on with this case (`ctx.goes_on`) when they hold `role`: the task
    is made theirs, and only the first such task (then `goes_on` is spent)."""
    going = ctx.goes_on
    if going is None or going.case_id not in (None, loaded.case.id) \
            or role not in going.role_keys:
        return None
    ctx.goes_on = None
    return going.username


def priority_of(props) -> int:
    """A user task's priority property, 1 (highest) to 5; 3 when missing or not a number."""
    try:
        return min(5, max(1, int(props.get("priority", 3))))
    except ValueError:
        return 3
