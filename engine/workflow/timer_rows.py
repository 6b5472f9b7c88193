"""Timer rows of a step: one row per waiting timer event with its next fire time, so the
sweep reads only what is due; rows of timers that fired or went away are closed."""
from __future__ import annotations

from datetime import UTC, datetime
from uuid import UUID

from SpiffWorkflow.task import TaskState
from sqlalchemy import bindparam

from engine.core.context import EngineContext
from engine.db import fastpath
from engine.db.models import Timer
from engine.workflow.loading import Loaded
from engine.workflow.specs import waiting_timer

_WAITING_OF_INSTANCE = fastpath.Query.rows(Timer, shape=lambda query: query.where(
    Timer.instance_id == bindparam("of_instance"), Timer.status == "waiting"))


def _aware(moment: datetime) -> datetime:
    """A fire time as read back (SQLite gives naive UTC), aware."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


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
            fastpath.update(ctx, instance, has_timers=bool(waiting))
    if not waiting and not had_timers:
        return
    found = loaded.timer_rows
    if found is None:
        found = [timer for (timer,) in fastpath.run(ctx, _WAITING_OF_INSTANCE,
                                                      of_instance=instance.id)]
    existing = {row.spiff_task_id: row for row in found}
    for spiff_id, row in existing.items():
        if spiff_id not in waiting:
            fired = loaded.workflow.get_task_from_id(UUID(spiff_id))
            # an event-based gateway also completes when another of its events came first (the
            # interim reply before the deadline): its timer fired only if it was due
            done = fired is not None and fired.state in (TaskState.COMPLETED, TaskState.READY) \
                and _aware(row.fire_at) <= ctx.now()
            fastpath.update(ctx, row, status="fired" if done else "cancelled",
                        fired_at=ctx.now() if done else None)
    for spiff_id, (task, fire_at, name) in waiting.items():
        row = existing.get(spiff_id)
        if row is None:
            fastpath.insert(ctx, Timer(case_id=loaded.case.id, instance_id=instance.id,
                                       spiff_task_id=spiff_id,
                                   element_id=task.task_spec.bpmn_id or task.task_spec.name,
                                   name=name, fire_at=fire_at, status="waiting",
                                   created_at=ctx.now()),
                        attach=False)
        elif row.fire_at != fire_at:
            fastpath.update(ctx, row, fire_at=fire_at)
