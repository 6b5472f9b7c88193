"""The timer rules of a migration (engine/migration.py): what a waiting timer waits for, how
its fire time carries over to the new version, and the rows of timers that fire meanwhile.

An unchanged timer keeps its fire time. A duration timer whose duration changed gets the new
duration counted from when it started waiting (P1M -> P3W: the case gets the new deadline);
when that time has passed, it fires during the migration. A changed date expression is
evaluated again on the case's data.
"""
from __future__ import annotations

import dataclasses
from datetime import datetime

from SpiffWorkflow.bpmn.specs.event_definitions.timer import (
    DurationTimerEventDefinition,
    TimerEventDefinition,
)
from SpiffWorkflow.task import TaskState
from sqlalchemy import select

from engine.cases import audit
from engine.core.messages import N_, Message
from engine.db.models import Timer
from engine.workflow import specs


@dataclasses.dataclass(frozen=True)
class TimerChange:
    element_id: str
    name: str
    before: datetime | None
    after: datetime | None
    expression_before: str | None
    expression_after: str | None
    fires_now: bool


def waiting_timers(workflow) -> dict[str, dict]:
    """spiff id -> what a waiting timer task waits for: fire time, name, definition, its
    expression, the duration it evaluated to (duration timers) and its internal value."""
    found = {}
    for task in workflow.get_tasks(state=TaskState.WAITING):
        definition = specs.timer_definition(task.task_spec)
        waiting = specs.waiting_timer(task) if definition is not None else None
        if definition is None or waiting is None:
            continue
        duration = None
        if isinstance(definition, DurationTimerEventDefinition):
            try:
                duration = task.workflow.script_engine.evaluate(task, definition.expression)
            except Exception:  # noqa: BLE001 - then the start cannot be known; see restore_timers
                duration = None
        found[str(task.id)] = {"fire_at": waiting[0], "name": waiting[1],
                               "element": task.task_spec.bpmn_id or task.task_spec.name,
                               "kind": type(definition).__name__,
                               "expression": definition.expression, "duration": duration,
                               "value": task.internal_data.get("event_value")}
    return found


def restore_timers(workflow, before: dict[str, dict], new: dict[str, tuple]) -> str | None:
    """After the reset: an unchanged timer keeps its fire time; a changed duration counts from
    when the timer started waiting. (A changed date expression keeps the fresh evaluation.)
    Fills `new` with spiff id -> (fire time, expression) of every timer that still waits."""
    for task in workflow.get_tasks(state=TaskState.WAITING):
        old = before.get(str(task.id))
        definition = specs.timer_definition(task.task_spec)
        if old is None or definition is None:
            continue
        if type(definition).__name__ == old["kind"] and definition.expression == old["expression"]:
            task._set_internal_data(event_value=old["value"])
        elif isinstance(definition, DurationTimerEventDefinition) and old["duration"]:
            try:
                new_duration = task.workflow.script_engine.evaluate(task, definition.expression)
                start = specs.duration_started(old["fire_at"], old["duration"])
                parsed = TimerEventDefinition.parse_iso_duration(new_duration)
                fire_at = start + TimerEventDefinition.get_timedelta_from_start(parsed, start)
            except Exception as error:  # noqa: BLE001
                name = task.task_spec.bpmn_name or task.task_spec.bpmn_id
                return Message(N_("Den nye tidtakeren «%(name)s» kan ikke beregnes: %(error)s"),
                               name=name, error=str(error))
            task._set_internal_data(event_value=fire_at.isoformat())
        waiting = specs.waiting_timer(task)
        if waiting is not None:
            new[str(task.id)] = (waiting[0], definition.expression)
    return None


def timer_changes(before: dict[str, dict], migrated: dict[str, tuple], after: dict[str, dict],
                   now) -> list[TimerChange]:
    """Timers whose fire time or rule changed. `migrated`: the timers right after the specs
    were swapped; `after`: those still waiting once the workflow ran (one due by the new rule
    fired in between)."""
    changes = []
    for spiff_id, old in before.items():
        fire_at, expression = migrated.get(spiff_id, (None, None))
        if fire_at is None:  # the timer went away with the new diagram
            changes.append(TimerChange(old["element"], old["name"], old["fire_at"], None,
                                       old["expression"], None, fires_now=False))
        elif fire_at != old["fire_at"] or expression != old["expression"]:
            changes.append(TimerChange(old["element"], old["name"], old["fire_at"], fire_at,
                                       old["expression"], expression,
                                       fires_now=spiff_id not in after or fire_at <= now))
    for spiff_id, new in after.items():
        if spiff_id not in before:
            changes.append(TimerChange(new["element"], new["name"], None, new["fire_at"], None,
                                       new["expression"], fires_now=False))
    return changes


def update_timer_rows(ctx, plan, loaded) -> None:
    """A timer that fires during the migration is recorded as the sweep would record it, and
    its row shows the new fire time (the rows of timers still waiting follow by themselves)."""
    firing = {t.element_id: t for t in plan.timers if t.fires_now and t.after is not None}
    if not firing:
        return
    for row in ctx.session.scalars(select(Timer).where(Timer.instance_id == plan.instance_id,
                                                       Timer.status == "waiting")):
        timer = firing.get(row.element_id)
        if timer is not None:
            row.fire_at = timer.after
            audit.record(ctx, loaded.case, "system", "timer_fired", timer=timer.name,
                         element=timer.element_id, due=timer.after.isoformat())
