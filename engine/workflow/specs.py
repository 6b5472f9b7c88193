"""Parsed process specs, built once per deployed version and cached in memory.

Timers are switched to clock-aware subclasses here: SpiffWorkflow's own timer
definitions read the wall clock, ours read the workflow's injected clock.
"""
from __future__ import annotations

import threading
from collections import OrderedDict
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from lxml import etree
from SpiffWorkflow.bpmn.specs.event_definitions.multiple import MultipleEventDefinition
from SpiffWorkflow.bpmn.specs.event_definitions.timer import (
    CycleTimerEventDefinition,
    DurationTimerEventDefinition,
    TimeDateEventDefinition,
    TimerEventDefinition,
)
from SpiffWorkflow.spiff.parser.process import SpiffBpmnParser

_LOCAL_TZ = ZoneInfo("Europe/Oslo")


def to_utc(value) -> datetime:
    """A timer value (datetime, date or ISO string) as an aware UTC datetime.
    Dates and naive times are read in the municipality's time zone."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value) if "T" in value or " " in value.strip() \
            else date.fromisoformat(value)
    if isinstance(value, datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=_LOCAL_TZ)
        return value.astimezone(UTC)
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day, tzinfo=_LOCAL_TZ).astimezone(UTC)
    raise ValueError(f"not a date or time: {value!r}")


def _now(my_task) -> datetime:
    return my_task.workflow.script_engine.now()


class ClockDurationTimer(DurationTimerEventDefinition):
    def has_fired(self, my_task):
        if my_task._get_internal_data("event_value") is None:
            expression = my_task.workflow.script_engine.evaluate(my_task, self.expression)
            parsed = TimerEventDefinition.parse_iso_duration(expression)
            start = _now(my_task)
            fire_at = start + TimerEventDefinition.get_timedelta_from_start(parsed, start)
            my_task._set_internal_data(event_value=fire_at.isoformat())
        if datetime.fromisoformat(my_task._get_internal_data("event_value")) <= _now(my_task):
            my_task._set_internal_data(event_fired=True)
        return my_task._get_internal_data("event_fired", False)


class ClockTimeDateTimer(TimeDateEventDefinition):
    def has_fired(self, my_task):
        if my_task._get_internal_data("event_value") is None:
            value = my_task.workflow.script_engine.evaluate(my_task, self.expression)
            my_task._set_internal_data(event_value=to_utc(value).isoformat())
        if datetime.fromisoformat(my_task._get_internal_data("event_value")) <= _now(my_task):
            my_task._set_internal_data(event_fired=True)
        return my_task._get_internal_data("event_fired", False)


class ClockCycleTimer(CycleTimerEventDefinition):
    """Recurring timers are not used by the shipped processes; they fire on the injected clock."""

    def cycle_complete(self, my_task):
        value = my_task._get_internal_data("event_value")
        if value is None:
            expression = my_task.workflow.script_engine.evaluate(my_task, self.expression)
            cycles, start, duration = TimerEventDefinition.parse_iso_recurring_interval(expression)
            value = {"cycles": cycles, "next": start.isoformat(),
                     "duration": duration.total_seconds()}
        ready = False
        if value["cycles"] != 0:
            nxt = datetime.fromisoformat(value["next"])
            if nxt <= _now(my_task):
                from datetime import timedelta
                value["next"] = (nxt + timedelta(seconds=value["duration"])).isoformat()
                value["cycles"] -= 1
                ready = True
        else:
            my_task.internal_data.pop("event_value", None)
            my_task.internal_data["event_fired"] = True
        my_task._set_internal_data(event_value=value)
        return ready


_CLOCK_CLASSES = {DurationTimerEventDefinition: ClockDurationTimer,
                  TimeDateEventDefinition: ClockTimeDateTimer,
                  CycleTimerEventDefinition: ClockCycleTimer}


def _use_injected_clock(event_definition) -> None:
    if isinstance(event_definition, MultipleEventDefinition):
        for inner in event_definition.event_definitions:
            _use_injected_clock(inner)
    elif type(event_definition) in _CLOCK_CLASSES:
        event_definition.__class__ = _CLOCK_CLASSES[type(event_definition)]


def timer_definition(task_spec) -> TimerEventDefinition | None:
    """The timer a task spec waits for (an event-based gateway's timer event), or None."""
    definition = getattr(task_spec, "event_definition", None)
    if isinstance(definition, MultipleEventDefinition):
        definition = next((d for d in definition.event_definitions
                           if isinstance(d, TimerEventDefinition)), None)
    return definition if isinstance(definition, TimerEventDefinition) else None


def duration_started(fire_at: datetime, duration: str) -> datetime:
    """When a timer of ISO 8601 `duration` that fires at `fire_at` started waiting (months
    have lengths: the start whose duration ends exactly at `fire_at`, found near the
    calendar's guess)."""
    parsed = TimerEventDefinition.parse_iso_duration(duration)
    guess = fire_at - TimerEventDefinition.get_timedelta_from_end(dict(parsed), fire_at)
    for shift in (0, -1, 1, -2, 2, -3, 3):
        start = guess + timedelta(days=shift)
        if start + TimerEventDefinition.get_timedelta_from_start(dict(parsed), start) == fire_at:
            return start
    return guess


def waiting_timer(task) -> tuple[datetime, str] | None:
    """(fire time, timer name) of a waiting timer task; None if the task waits for no timer.
    An event-based gateway waits for its timer event, which gives the name."""
    definition = timer_definition(task.task_spec)
    if definition is None:
        return None
    value = task._get_internal_data("event_value")
    if isinstance(value, dict):
        value = value.get("next")
    return (datetime.fromisoformat(value), definition.name) if value else None


class ParsedVersion:
    """The specs of one process version: the top process and what it calls."""

    def __init__(self, spec, subprocess_specs, forms: dict[str, str]):
        self.spec = spec
        self.subprocess_specs = subprocess_specs
        self.forms = forms  # form filename -> JSON text

    def all_task_specs(self):
        yield from self.spec.task_specs.values()
        for sub in self.subprocess_specs.values():
            yield from sub.task_specs.values()


def parse_bundle(process_key: str, files: list[tuple[str, str, str]]) -> ParsedVersion:
    """Parse (kind, filename, content) files and build the specs of `process_key`."""
    parser = SpiffBpmnParser()
    forms = {}
    xml_parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)
    for kind, filename, content in files:
        if kind == "form":
            forms[filename] = content
            continue
        if kind not in ("bpmn", "dmn"):  # letter templates: engine/letters/templates.py
            continue
        root = etree.fromstring(content.encode("utf-8"), parser=xml_parser)
        if kind == "dmn":
            parser.add_dmn_xml(root, filename=filename)
        else:
            parser.add_bpmn_xml(root, filename=filename)
    spec = parser.get_spec(process_key)
    subprocess_specs = parser.get_subprocess_specs(process_key)
    parsed = ParsedVersion(spec, subprocess_specs, forms)
    for task_spec in parsed.all_task_specs():
        definition = getattr(task_spec, "event_definition", None)
        if definition is not None:
            _use_injected_clock(definition)
    return parsed


class SpecCache:
    """Process-wide LRU cache of parsed versions, keyed by process key and content hash.

    Content-addressed, so an entry never goes stale, even across databases.
    """

    def __init__(self, size: int = 64):
        self.size = size
        self._entries: OrderedDict[tuple[str, str], ParsedVersion] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, version) -> ParsedVersion:
        key = (version.process_key, version.bundle_hash)
        with self._lock:
            parsed = self._entries.get(key)
            if parsed is not None:
                self._entries.move_to_end(key)
                return parsed
        parsed = parse_bundle(version.process_key,
                              [(f.kind, f.filename, f.content) for f in version.files])
        with self._lock:
            self._entries[key] = parsed
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)
        return parsed
