"""The path a process took: per process (a called process under its own key), the elements
that completed and those still waiting. The case page marks them on the diagram. A finished
instance drops its workflow state (engine/workflow/step.py), so the path it took is kept in
its `process_completed` audit event (`details["path"]`) and read back from there."""
from __future__ import annotations

from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.task import TaskState

COMPLETED, ACTIVE = "completed", "active"
_WAITING = TaskState.READY | TaskState.WAITING | TaskState.STARTED


def walked(workflow: BpmnWorkflow) -> dict[str, dict[str, str]]:
    """process key -> {element id: COMPLETED or ACTIVE}; an element both completed and
    waiting again (a loop) is ACTIVE."""
    found: dict[str, dict[str, str]] = {}
    tasks = list(workflow.tasks.values())
    for sub in workflow.subprocesses.values():
        tasks.extend(sub.tasks.values())
    for task in tasks:
        element = task.task_spec.bpmn_id
        if not element:
            continue
        if task.state == TaskState.COMPLETED:
            found.setdefault(task.workflow.spec.name, {}).setdefault(element, COMPLETED)
        elif task.state & _WAITING:
            found.setdefault(task.workflow.spec.name, {})[element] = ACTIVE
    return found


def completed_path(workflow: BpmnWorkflow) -> dict[str, list[str]]:
    """process key -> the ids of the elements that completed, sorted (for the audit event)."""
    return {key: sorted(e for e, state in marks.items() if state == COMPLETED)
            for key, marks in walked(workflow).items()}
