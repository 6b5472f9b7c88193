"""The case page as one read: status, the person's data this user may see, the active
tasks and whom each waits for, deadlines with days left, notices, the timeline of who did
what and when, and the process diagrams (main process and called processes) with the
state of each element. The read goes through `casework.get_case`, so it is logged."""
from __future__ import annotations

import dataclasses
import functools
from datetime import date, datetime

from lxml import etree
from sqlalchemy import select

from engine.access import rules
from engine.accounts.roles import NON_WORK_ROLES, SUPERVISOR_ROLES, holds_any
from engine.cases import audit, case_record, casework
from engine.db.models import (
    AuditEvent,
    Case,
    HumanTask,
    Notice,
    ProcessInstance,
    Timer,
    Unit,
    User,
)
from engine.definitions import store
from engine.letters import letter_list
from engine.notices import notice_board
from engine.organisation import units as organisation
from engine.workflow import loading, path
from engine.worklist import humantasks
from engine.worklist.pagefields import Field, days_left, field_specs, labelled, urgency

#: Audit details that are safe to show in the timeline (never form data).
TIMELINE_DETAILS = ("name", "process", "role", "assignee", "previous", "coordinator", "kind",
                    "timer", "severity", "version", "user", "reason", "purpose", "fields")
#: Case facts that are deadlines (shown with days left).
DEADLINE_FACTS = {"klagefrist": "Klagefrist"}
BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"
BPMNDI_NS = "http://www.omg.org/spec/BPMN/20100524/DI"


@dataclasses.dataclass
class ActiveTask:
    task: HumanTask
    waiting_for_user: str | None
    waiting_for_role: str
    why_not: str | None     # why this user cannot work on it; None when they can
    urgency: str | None
    days_left: int | None


@dataclasses.dataclass
class Deadline:
    label: str
    kind: str               # task | timer | fact
    due: datetime | date
    days_left: int | None
    overdue: bool


@dataclasses.dataclass
class TimelineEntry:
    at: datetime
    actor: str
    kind: str
    details: dict


@dataclasses.dataclass
class Diagram:
    process_key: str
    name: str
    instance_status: str
    xml: str
    diagram_id: str | None
    states: dict[str, str]  # element id -> completed | active | overdue


@dataclasses.dataclass
class CasePage:
    case: Case
    access: str             # full | limited
    person: list[Field]
    facts: list[Field]
    tasks: list[ActiveTask]
    deadlines: list[Deadline]
    notices: list[Notice]
    timeline: list[TimelineEntry]
    diagrams: list[Diagram]
    #: Full access only: the person, the rule table's suggestion, the written work.
    person_card: case_record.PersonCard | None = None
    suggestion: list[Field] = dataclasses.field(default_factory=list)
    written: list[case_record.WrittenWork] = dataclasses.field(default_factory=list)
    letters: list[letter_list.LetterRow] = dataclasses.field(default_factory=list)
    #: The responsible unit, and the units it may be moved to (for those who may move it).
    unit: Unit | None = None
    move_to: list[Unit] = dataclasses.field(default_factory=list)
    #: Why the reader reads it in full (engine/access/rules.py), e.g. "override".
    why: str | None = None


def case_page(ctx, case_id: int, user: User, soon_days: int = 3, with_diagrams: bool = True
              ) -> CasePage:
    _, access = rules.require_case(ctx, case_id, user)
    case = casework.get_case(ctx, case_id, user, purpose="case page")
    now, tz = ctx.now(), ctx.settings.timezone
    instances = list(ctx.session.scalars(select(ProcessInstance).where(
        ProcessInstance.case_id == case.id).order_by(ProcessInstance.started_at,
                                                     ProcessInstance.id)))
    main = instances[0] if instances else None
    person, facts = [], []
    card, suggested, written, letters = None, [], [], []
    if access == "full":
        letters = letter_list.case_letters(ctx, case.id, user)
        process_versions = list({i.process_version_id: i.version for i in instances}.values())
        card = case_record.person_card(ctx, case, user)
        suggested = case_record.suggestion(ctx, case, process_versions)
        written = case_record.written_work(ctx, case, process_versions)
    if access == "full" and main is not None:
        parsed = ctx.specs.get(main.version)
        start_form = casework.start_form(parsed)
        start_schema = store.form_schema(ctx, main.version, start_form) if start_form else {}
        order = list((start_schema or {}).get("properties", {}))
        person = labelled(case.data or {}, field_specs([start_schema or {}]), only=order)
        facts = labelled(case.facts or {}, field_specs(parsed.forms))
    open_tasks = humantasks.open_tasks(ctx, case.id)
    tasks = [ActiveTask(t, t.assignee, t.candidate_role, humantasks.why_not(user, t),
                        urgency(t.due_at, now, soon_days), days_left(t.due_at, now, tz))
             for t in open_tasks]
    return CasePage(case=case, access=access, person=person, facts=facts, tasks=tasks,
                    deadlines=_deadlines(ctx, case, open_tasks, now, tz),
                    notices=notice_board.for_case(ctx, case.id),
                    timeline=timeline(ctx, case),
                    diagrams=diagrams(ctx, instances, open_tasks) if with_diagrams else [],
                    person_card=card, suggestion=suggested, written=written,
                    letters=letters,
                    unit=ctx.session.get(Unit, case.responsible_unit_id)
                    if case.responsible_unit_id else None,
                    move_to=[u for u in organisation.all_units(ctx)
                             if u.active and u.id != case.responsible_unit_id]
                    if holds_any(user.role_keys, SUPERVISOR_ROLES - NON_WORK_ROLES)
                    and access == "full" else [],
                    why=rules.case_basis(ctx, case, user).why)


def _deadlines(ctx, case: Case, open_tasks, now, tz) -> list[Deadline]:
    found = []
    for task in open_tasks:
        if task.due_at:
            found.append(Deadline(task.name, "task", task.due_at, days_left(task.due_at, now, tz),
                                  task.due_at < now))
    for timer in ctx.session.scalars(select(Timer).where(Timer.case_id == case.id,
                                                         Timer.status == "waiting")):
        found.append(Deadline(timer.name, "timer", timer.fire_at,
                              days_left(timer.fire_at, now, tz), timer.fire_at < now))
    for key, label in DEADLINE_FACTS.items():
        value = (case.facts or {}).get(key)
        try:
            due = date.fromisoformat(str(value)[:10]) if value else None
        except ValueError:
            due = None
        if due:
            left = days_left(due, now, tz)
            found.append(Deadline(label, "fact", due, left, left < 0))
    return sorted(found, key=lambda d: (d.days_left if d.days_left is not None else 10**6))


def timeline(ctx, case: Case) -> list[TimelineEntry]:
    """Who did what and when; reads of the case and form data are left out."""
    events = ctx.session.scalars(select(AuditEvent).where(
        audit.of_case(case), AuditEvent.kind != "case_read").order_by(AuditEvent.id))
    return [TimelineEntry(e.at, e.actor, e.kind,
                          {k: e.details[k] for k in TIMELINE_DETAILS if k in (e.details or {})})
            for e in events]


# --- diagrams ---------------------------------------------------------------------------------

def diagrams(ctx, instances: list[ProcessInstance], open_tasks: list[HumanTask]) -> list[Diagram]:
    """One diagram per process key of the case (its newest instance, so a thousand review
    cycles still draw one diagram), plus each process it called."""
    newest: dict[str, ProcessInstance] = {}
    for instance in instances:
        current = newest.get(instance.process_key)
        if current is None or instance.status == "running" or current.status != "running":
            newest[instance.process_key] = instance
    now = ctx.now()
    found = []
    for instance in newest.values():
        states = _element_states(ctx, instance, open_tasks, now)
        bpmn_files = [f for f in instance.version.files if f.kind == "bpmn"]
        keys = [instance.process_key, *sorted(
            k for k in ctx.specs.get(instance.version).subprocess_specs
            if k != instance.process_key and states.get(k))]
        for key in keys:
            located = locate_diagram(bpmn_files, key)
            if located is None:
                continue
            xml, diagram_id, name = located
            marks = states.get(key, {})
            status = instance.status
            if key != instance.process_key:  # a called process: running while it has work
                status = "running" if {"active", "overdue"} & set(marks.values()) \
                    else "completed"
            found.append(Diagram(key, name, status, xml, diagram_id, marks))
    return found


_RANK = {"completed": 1, "active": 2, "overdue": 3}


def _element_states(ctx, instance: ProcessInstance, open_tasks, now) -> dict[str, dict[str, str]]:
    states: dict[str, dict[str, str]] = {}

    def mark(process_key, element_id, state):
        if not element_id:
            return
        current = states.setdefault(process_key, {}).get(element_id)
        if current is None or _RANK[state] > _RANK[current]:
            states[process_key][element_id] = state

    if instance.status == "running" and instance.state:
        for key, marks in path.walked(loading.read_workflow(ctx, instance)).items():
            for element, state in marks.items():
                mark(key, element, state)
    else:
        for key, elements in _finished_path(ctx, instance).items():
            for element in elements:
                mark(key, element, "completed")
    for task in open_tasks:
        if task.instance_id == instance.id and task.due_at and task.due_at < now:
            mark(task.process_key, task.element_id, "overdue")
    return states


def _finished_path(ctx, instance: ProcessInstance) -> dict[str, list[str]]:
    """The path a finished instance took, from its `process_completed` event; an instance
    finished before the path was kept: the human tasks completed in it."""
    case = ctx.session.get(Case, instance.case_id)
    for event in ctx.session.scalars(select(AuditEvent).where(
            audit.of_case(case), AuditEvent.kind == "process_completed")):
        details = event.details or {}
        if details.get("instance") == instance.id and isinstance(details.get("path"), dict):
            return details["path"]
    found: dict[str, list[str]] = {}
    for row in ctx.session.scalars(select(HumanTask).where(
            HumanTask.instance_id == instance.id, HumanTask.status == "completed")):
        found.setdefault(row.process_key, []).append(row.element_id)
    return found


def locate_diagram(files, process_key: str):
    """(xml, diagram id, name) of the file in `files` whose diagram draws `process_key`."""
    for file in files:
        info = _diagram_info(file.content_hash, file.content)
        if process_key in info:
            diagram_id, name = info[process_key]
            return file.content, diagram_id, name
    return None


@functools.lru_cache(maxsize=256)
def _diagram_info(content_hash: str, content: str) -> dict[str, tuple[str | None, str]]:
    """process id -> (id of the BPMNDiagram that draws it, process name)."""
    root = etree.fromstring(content.encode("utf-8"),
                            etree.XMLParser(resolve_entities=False, no_network=True))
    processes = {p.get("id", ""): p.get("name") or p.get("id") or ""
                 for p in root.iter(f"{{{BPMN_NS}}}process")}
    owner = {pid: pid for pid in processes}
    for collaboration in root.iter(f"{{{BPMN_NS}}}collaboration"):
        for participant in collaboration.iter(f"{{{BPMN_NS}}}participant"):
            if participant.get("processRef") in processes:
                owner.setdefault(collaboration.get("id", ""), participant.get("processRef", ""))
                owner[participant.get("processRef", "")] = collaboration.get("id", "")
    drawn: dict[str, str | None] = {}
    for diagram in root.iter(f"{{{BPMNDI_NS}}}BPMNDiagram"):
        plane = diagram.find(f"{{{BPMNDI_NS}}}BPMNPlane")
        if plane is not None:
            drawn[plane.get("bpmnElement", "")] = diagram.get("id")
    info = {}
    for pid, name in processes.items():
        diagram_id = drawn.get(pid) or drawn.get(owner.get(pid, ""))
        info[pid] = (diagram_id, name)
    return info
