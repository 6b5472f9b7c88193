"""Workflow state without the spec.

SpiffWorkflow's serializer embeds the process spec in every instance (about two thirds of
the JSON). Specs are stored once per version (see specs.py); instances store only this.
"""
from __future__ import annotations

import json
import threading
from collections import OrderedDict
from uuid import UUID

from SpiffWorkflow.bpmn.serializer.default.event_definition import (
    TimerConditionalEventDefinitionConverter,
)
from SpiffWorkflow.bpmn.serializer.default.workflow import (
    BpmnWorkflowConverter,
    WorkflowConverter,
)
from SpiffWorkflow.bpmn.serializer.workflow import BpmnWorkflowSerializer
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.spiff.serializer.config import SPIFF_CONFIG

from engine.workflow.specs import (
    ClockCycleTimer,
    ClockDurationTimer,
    ClockTimeDateTimer,
)

STATE_FORMAT = "samflyt-state-1"


class StateOnlyWorkflowConverter(BpmnWorkflowConverter):
    """Converts a top workflow without its spec; restores it onto a given spec."""

    def to_dict(self, workflow):
        dct = WorkflowConverter.to_dict(self, workflow)
        dct["subprocesses"] = self.mapping_to_dict(workflow.subprocesses)
        dct["bpmn_events"] = self.registry.convert(workflow.bpmn_events)
        return dct

    def from_dict(self, dct, spec=None, subprocess_specs=None, script_engine=None):
        workflow = self.target_class(spec, subprocess_specs, script_engine=script_engine,
                                     deserializing=True)
        workflow.tasks = self.mapping_from_dict(dct["tasks"], UUID, workflow=workflow)
        workflow.task_tree = workflow.tasks.get(UUID(dct["root"]))
        self.set_default_attributes(workflow, dct)
        self.subprocesses_from_dict(dct["subprocesses"], workflow)
        workflow.bpmn_events = self.registry.restore(dct.pop("bpmn_events", []))
        return workflow


def _make_serializer() -> BpmnWorkflowSerializer:
    config = dict(SPIFF_CONFIG)
    config[BpmnWorkflow] = StateOnlyWorkflowConverter
    # Fired timers are kept in task state (an event-based gateway's seen events), so the
    # clock-aware timer classes need converters too.
    for timer_class in (ClockDurationTimer, ClockTimeDateTimer, ClockCycleTimer):
        config[timer_class] = TimerConditionalEventDefinitionConverter
    return BpmnWorkflowSerializer(BpmnWorkflowSerializer.configure(config))


class StateSerializer:
    def __init__(self):
        self._serializer = _make_serializer()
        self._encoder = self._serializer._encoder_cls

    def dumps(self, workflow: BpmnWorkflow) -> str:
        registry = self._serializer.registry
        registry._encoder_mode = True
        try:
            dct = registry.convert(workflow)
            dct["format"] = STATE_FORMAT
            return json.dumps(dct, cls=self._encoder, separators=(",", ":"))
        finally:
            registry._encoder_mode = False

    def loads(self, text: str, spec, subprocess_specs, script_engine) -> BpmnWorkflow:
        dct = json.loads(text)
        if dct.pop("format", None) != STATE_FORMAT:
            raise ValueError("unknown workflow state format")
        return self._serializer.registry.restore(dct, spec=spec, subprocess_specs=subprocess_specs,
                                                 script_engine=script_engine)


class LiveWorkflows:
    """Workflows kept in memory after the step that saved them, so the next step on the same
    instance need not deserialise its state.

    An entry is (the process version, the state text the workflow was saved as, the workflow,
    and what the step that saved it knew of it: its ready user tasks).
    It is used only when the instance's row still holds exactly that text on that version:
    a step by another process, a migration, or a step that was rolled back after saving
    leaves another text in the row, and the state is deserialised as usual. An entry is
    taken out when used, so two steps never share a workflow. Nothing may change a workflow
    after its state text is made (engine/workflow/step.py keeps it last).
    """

    def __init__(self, size: int):
        self.size = size
        self._entries: OrderedDict[int, tuple] = OrderedDict()
        self._lock = threading.Lock()

    def take(self, instance_id: int, version_id: int, state: str) -> tuple | None:
        """(workflow, its ready user tasks) if kept for exactly this row, else None."""
        with self._lock:
            entry = self._entries.pop(instance_id, None)
        if entry is not None and entry[0] == version_id and entry[1] == state:
            return entry[2], entry[3]
        return None

    def keep(self, instance_id: int, version_id: int, state: str, workflow,
             ready: dict[str, str]) -> None:
        if self.size <= 0:
            return
        with self._lock:
            self._entries[instance_id] = (version_id, state, workflow, ready)
            self._entries.move_to_end(instance_id)
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)

    def forget(self, instance_id: int) -> None:
        with self._lock:
            self._entries.pop(instance_id, None)
