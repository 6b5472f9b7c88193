"""The heat map of a process: how many cases wait at each element now, and how long.

Read from the denormalised rows only (open human tasks, waiting timers of the running
instances of the process), never from a workflow; which element a wait is drawn at, and the
names, come from the deployed files and the parsed specs, both cached. A case waiting in a
called process is shown at the called process's element when that is drawn in the same
diagram, else at the call activity that leads there.

Not every timer is a case waiting for work. A *deadline watcher* is a timer that only keeps an
eye on a deadline while the work goes on elsewhere in the same case (the interim-reply watchers
`gw_vent_tre_uker` and `gw_vent_en_maned` of ip_sak): its waits are counted apart
(`ElementHeat.watching`, `Heatmap.watched`) and never as cases waiting. From the diagram
(`_watchers`), a wait is a watcher's when its element is

- a timer boundary event: the case waits at the activity it is attached to (counted there);
- a timer catch event whose firing first raises a notice (the next element past gateways
  carries the `notice` property) and that runs beside other work: going back from it (through
  exclusive and event-based gateways) one reaches a parallel or inclusive gateway that splits;
- an event-based gateway on such a branch with such a timer among its targets.

A timer that is all a case waits for (the review date of periodisk_evaluering) is a wait.
`Heatmap.waiting` counts distinct cases with at least one wait that is not a watcher's, so it
never exceeds `Heatmap.running`, the cases running the process.

A wait's age runs from the task's creation; for a timer, from when the case started waiting
at it (`timers.created_at`). Rows written before that column existed fall back to the fire time
minus a duration written in the diagram ("P1M"), or count their cases without an age.
"""
from __future__ import annotations

import ast
import dataclasses
import functools
import statistics
from typing import Any

from lxml import etree
from SpiffWorkflow.bpmn.specs.event_definitions.timer import (
    DurationTimerEventDefinition,
)
from SpiffWorkflow.bpmn.specs.mixins.subworkflow_task import SubWorkflowTask
from sqlalchemy import distinct, func, select

from engine.cases.casepage import locate_diagram
from engine.db.models import HumanTask, ProcessInstance, ProcessVersion, Timer
from engine.definitions import library, store
from engine.workflow import specs

BPMN = "{http://www.omg.org/spec/BPMN/20100524/MODEL}"
BPMNDI = "{http://www.omg.org/spec/BPMN/20100524/DI}"
_SPLITS = ("parallelGateway", "inclusiveGateway")
_PASSED_BACK = ("exclusiveGateway", "eventBasedGateway")  # between a split and a watcher
_PASSED_FORWARD = ("exclusiveGateway", "parallelGateway", "inclusiveGateway")


def _parser() -> etree.XMLParser:
    return etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)


@dataclasses.dataclass(frozen=True)
class ElementHeat:
    element_id: str
    name: str
    count: int                          # cases waiting there now (work and watchers)
    median_wait_seconds: float | None   # None: no wait there has a known age
    drawn: bool                         # drawn in the diagram shown (the newest version's)
    working: int = 0                    # of them, cases waiting there for work
    watching: int = 0                   # cases whose deadline a watcher there keeps

    @property
    def watcher(self) -> bool:
        """Only deadline watchers wait here: no case waits here for work."""
        return self.working == 0 and self.watching > 0


@dataclasses.dataclass(frozen=True)
class Heatmap:
    key: str
    version: int                # the newest version, whose diagram is shown
    xml: str | None             # its BPMN file (None: the process has no diagram)
    diagram_id: str | None      # the BPMNDiagram that draws the process
    elements: list[ElementHeat]  # most cases first
    running: int = 0            # cases running the process (all versions)
    waiting: int = 0            # distinct cases waiting for work somewhere (<= running)
    watched: int = 0            # distinct cases with a deadline watched


def waiting_by_element(ctx, user, key: str, version: int | None = None) -> dict[str, dict]:
    """element id -> {"count": cases waiting there now, "median_wait_seconds": float | None,
    "working": of them, cases waiting there for work, "watching": cases whose deadline a
    watcher there keeps, "watcher": only deadline watchers wait there}, over the running
    instances of `key` (of one version, or of all)."""
    library.check_access(user)
    return {e.element_id: {"count": e.count, "median_wait_seconds": e.median_wait_seconds,
                           "working": e.working, "watching": e.watching, "watcher": e.watcher}
            for e in _heat(ctx, key, version, store.latest_version(ctx, key)).elements}


def heatmap(ctx, user, key: str) -> Heatmap:
    """The newest version's diagram of `key` with what waits where (all running versions)."""
    library.check_access(user)
    return _heat(ctx, key, None, store.latest_version(ctx, key))


def _heat(ctx, key: str, number: int | None, newest: ProcessVersion) -> Heatmap:
    located = locate_diagram([f for f in newest.files if f.kind == "bpmn"], key)
    xml, diagram_id = (located[0], located[1]) if located else (None, None)
    drawn, names = _drawing(xml, diagram_id) if xml else (frozenset(), {})
    places = _Places(ctx, key, drawn)
    ages: dict[str, dict[int, float | None]] = {}   # element -> case -> oldest wait
    work: dict[str, set[int]] = {}                   # element -> cases waiting there for work
    watch: dict[str, set[int]] = {}                  # element -> cases whose deadline it watches
    fallback_names: dict[str, str] = {}
    now = ctx.now()
    for case_id, process, element, name, created, version_id in ctx.session.execute(
            _instances(select(HumanTask.case_id, HumanTask.process_key, HumanTask.element_id,
                              HumanTask.name, HumanTask.created_at,
                              ProcessInstance.process_version_id)
                       .join(ProcessInstance, ProcessInstance.id == HumanTask.instance_id)
                       .where(HumanTask.status == "open"), ctx, key, number)):
        shown = places.element(version_id, process, element)
        fallback_names.setdefault(shown, name)
        _note(ages, shown, case_id, (now - created).total_seconds())
        work.setdefault(shown, set()).add(case_id)
    for case_id, element, name, fire_at, created, version_id in ctx.session.execute(
            _instances(select(Timer.case_id, Timer.element_id, Timer.name, Timer.fire_at,
                              Timer.created_at, ProcessInstance.process_version_id)
                       .join(ProcessInstance, ProcessInstance.id == Timer.instance_id)
                       .where(Timer.status == "waiting"), ctx, key, number)):
        process, started = places.timer(version_id, element, fire_at)
        started = created or started  # rows from before timers.created_at: inferred
        shown = places.element(version_id, process, element)
        fallback_names.setdefault(shown, name)
        _note(ages, shown, case_id, (now - started).total_seconds() if started else None)
        kept = watch if places.watcher(version_id, element) else work
        kept.setdefault(shown, set()).add(case_id)
    elements = []
    for element, by_case in ages.items():
        known = [age for age in by_case.values() if age is not None]
        elements.append(ElementHeat(element, names.get(element) or fallback_names.get(element)
                                    or element, len(by_case),
                                    statistics.median(known) if known else None,
                                    element in drawn, len(work.get(element, ())),
                                    len(watch.get(element, ()))))
    elements.sort(key=lambda e: (e.watcher, -e.count, e.name))
    running = ctx.session.scalar(
        _instances(select(func.count(distinct(ProcessInstance.case_id))), ctx, key, number)) or 0
    return Heatmap(key, newest.version, xml, diagram_id, elements, running=running,
                   waiting=len(set().union(*work.values())),
                   watched=len(set().union(*watch.values())))


def _instances(query, ctx, key: str, number: int | None):
    """Only rows of running instances of `key` (of version `number`)."""
    query = query.where(ProcessInstance.process_key == key, ProcessInstance.status == "running")
    if number is not None:
        version = library.version_of(ctx, key, number)
        query = query.where(ProcessInstance.process_version_id == version.id)
    return query


def _note(ages: dict, element: str, case_id: int, age: float | None) -> None:
    by_case = ages.setdefault(element, {})
    known = [a for a in (by_case.get(case_id), age) if a is not None]
    by_case[case_id] = max(known) if known else None


class _Places:
    """Where a wait in some version is drawn, from that version's parsed specs (cached)."""

    def __init__(self, ctx, key: str, drawn: frozenset[str]):
        self.ctx, self.key, self.drawn = ctx, key, drawn
        self._specs: dict[int, tuple[dict, dict, dict]] = {}
        self._watchers: dict[int, frozenset[str]] = {}

    def _version(self, version_id: int) -> tuple[dict, dict, dict]:
        """(called process -> (caller, call element), element -> process, element -> spec)."""
        if version_id not in self._specs:
            parsed = self.ctx.specs.get(self.ctx.session.get(ProcessVersion, version_id))
            callers: dict[str, tuple[str, str]] = {}
            owners: dict[str, str] = {}
            task_specs: dict[str, Any] = {}  # SpiffWorkflow's task specs (untyped)
            for spec in [*parsed.subprocess_specs.values(), parsed.spec]:  # the process's own last
                for task_spec in spec.task_specs.values():
                    if isinstance(task_spec, SubWorkflowTask):
                        callers.setdefault(task_spec.spec, (spec.name, task_spec.bpmn_id))
                    if task_spec.bpmn_id:
                        owners[task_spec.bpmn_id] = spec.name
                        task_specs[task_spec.bpmn_id] = task_spec
            self._specs[version_id] = (callers, owners, task_specs)
        return self._specs[version_id]

    def element(self, version_id: int, process: str, element: str) -> str:
        if process == self.key or element in self.drawn:
            return element
        callers = self._version(version_id)[0]
        seen = set()
        while process != self.key and element not in self.drawn and process in callers \
                and process not in seen:
            seen.add(process)
            process, element = callers[process]
        return element

    def watcher(self, version_id: int, element: str) -> bool:
        """A deadline watcher's element (the module's docstring), by that version's files."""
        if version_id not in self._watchers:
            version = self.ctx.session.get(ProcessVersion, version_id)
            self._watchers[version_id] = frozenset().union(*(
                _watchers(f.content) for f in version.files if f.kind == "bpmn"))
        return element in self._watchers[version_id]

    def timer(self, version_id: int, element: str, fire_at):
        """(process the timer's element is in, when the timer started or None)."""
        _, owners, task_specs = self._version(version_id)
        return owners.get(element, self.key), _started(task_specs.get(element), fire_at)


def _started(task_spec, fire_at):
    """For rows from before timers.created_at: a duration written in the diagram ("P1M")
    tells when the timer started; any other timer's start is not known (None)."""
    definition = specs.timer_definition(task_spec)
    if not isinstance(definition, DurationTimerEventDefinition):
        return None
    try:
        return specs.duration_started(fire_at,
                                      ast.literal_eval((definition.expression or "").strip()))
    except Exception:  # noqa: BLE001 - not a literal duration: its start is not known
        return None


@functools.lru_cache(maxsize=64)
def _drawing(xml: str, diagram_id: str | None) -> tuple[frozenset[str], dict[str, str]]:
    """(ids drawn in the diagram `diagram_id`, element id -> name over the whole file)."""
    root = etree.fromstring(xml.encode("utf-8"), _parser())
    diagrams = [d for d in root.iter(f"{BPMNDI}BPMNDiagram")
                if diagram_id is None or d.get("id") == diagram_id][:1]
    drawn = frozenset(shape.get("bpmnElement", "") for d in diagrams
                      for shape in d.iter(f"{BPMNDI}BPMNShape"))
    names = {el.get("id", ""): el.get("name", "") for el in root.iter(f"{BPMN}*")
             if el.get("id") and el.get("name")}
    return drawn, names


def _local(node) -> str:
    return etree.QName(node).localname if isinstance(node.tag, str) else ""


def _has_timer(node) -> bool:
    return any(_local(child) == "timerEventDefinition" for child in node)


def _raises_notice(node) -> bool:
    return any(_local(prop) == "property" and prop.get("name") == "notice"
               for prop in node.iter("{*}property"))


@functools.lru_cache(maxsize=64)
def _watchers(xml: str) -> frozenset[str]:
    """The elements of a BPMN file where a deadline watcher waits (the module's docstring)."""
    root = etree.fromstring(xml.encode("utf-8"), _parser())
    nodes = {str(el.get("id")): el for el in root.iter(f"{BPMN}*") if el.get("id")}
    after: dict[str, list[str]] = {}
    before: dict[str, list[str]] = {}
    for flow in root.iter(f"{BPMN}sequenceFlow"):
        source, target = flow.get("sourceRef", ""), flow.get("targetRef", "")
        after.setdefault(source, []).append(target)
        before.setdefault(target, []).append(source)

    def firing_raises_notice(timer: str) -> bool:
        seen, todo, reached = set(), list(after.get(timer, [])), []
        while todo:
            current = todo.pop()
            if current in seen or current not in nodes:
                continue
            seen.add(current)
            if _local(nodes[current]) in _PASSED_FORWARD:
                todo += after.get(current, [])
            else:
                reached.append(nodes[current])
        return bool(reached) and all(_raises_notice(node) for node in reached)

    def beside_other_work(element: str) -> bool:
        seen, todo = set(), list(before.get(element, []))
        while todo:
            current = todo.pop()
            if current in seen or current not in nodes:
                continue
            seen.add(current)
            kind = _local(nodes[current])
            if kind in _SPLITS and len(after.get(current, [])) > 1:
                return True
            if kind in _PASSED_BACK:
                todo += before.get(current, [])
        return False

    found: set[str] = set()
    for element, node in nodes.items():
        kind = _local(node)
        if kind == "boundaryEvent" and _has_timer(node):
            found.add(element)
        elif kind == "intermediateCatchEvent" and _has_timer(node) \
                and firing_raises_notice(element) and beside_other_work(element):
            found.add(element)
            found.update(source for source in before.get(element, [])
                         if source in nodes and _local(nodes[source]) == "eventBasedGateway"
                         and beside_other_work(source))
    return frozenset(found)
