"""Events from outside a case's diagrams: a BPMN message that a waiting catch event takes
(the decision letter delivered, so the appeal clock can start). The catch event's message
variable (`spiffworkflow:messageVariable`) receives the payload, so the process goes on
with it."""
from __future__ import annotations

import logging
from typing import Any

from SpiffWorkflow.bpmn.util import BpmnEvent
from SpiffWorkflow.task import TaskState
from sqlalchemy import select

from engine.cases import audit
from engine.db.models import ProcessInstance
from engine.workflow import loading, step

log = logging.getLogger(__name__)


def deliver_message(ctx, case_id: int, name: str, payload: Any, actor: str) -> bool:
    """Give the message `name` to the case's process that waits for it, and run it on.
    False when no running process of the case waits for it (nothing changes then)."""
    instances = ctx.session.scalars(
        select(ProcessInstance).where(ProcessInstance.case_id == case_id,
                                      ProcessInstance.status == "running")
        .order_by(ProcessInstance.id).with_for_update(of=ProcessInstance)).all()
    for instance in instances:
        loaded = loading.load(ctx, instance, rows_locked=True)
        waiting = [task for task in loaded.workflow.get_tasks(state=TaskState.WAITING)
                   if getattr(getattr(task.task_spec, "event_definition", None), "name",
                              None) == name]
        if not waiting:
            continue
        loaded.workflow.catch(BpmnEvent(waiting[0].task_spec.event_definition, payload=payload))
        audit.record(ctx, loaded.case, actor, "message_received", message=name,
                     process=instance.process_key)
        step.run_and_persist(ctx, loaded, actor)
        log.info("message delivered case=%s process=%s message=%r", loaded.case.case_number,
                 instance.process_key, name)
        return True
    return False
