"""What the case page shows of the person and of the written work, under headings, with the
titles the forms and the decision table give (engine/cases/casepage.py gathers the rest):

- the person: name, number, birth or due date, the protection marking and the address as
  the reader may see it (engine/persons/protection.py), the applicant and whether health
  information may go to them, and the plan the case opened or joined with its versions;
- the rule table's suggestion with its reasons (the decision table's own output labels);
- the written work: each completed task's form (the assessment's findings, the decision per
  item with reasons and legal basis, the leader's signature and comment), field by field.
  Tasks that write the plan are left out: the plan is shown as the plan.
"""
from __future__ import annotations

import dataclasses
import functools
from datetime import datetime

from lxml import etree
from sqlalchemy import select

from engine.cases import audit
from engine.db.models import AuditEvent, Case, Person, Plan, PlanVersion, User
from engine.persons import protection
from engine.plans import coordinators, versions
from engine.workflow import loading
from engine.worklist.pagefields import Field, field_specs, labelled

#: The decision table's outputs the case facts carry (ip_sak's `caseFacts`).
SUGGESTION_PREFIX = "forslag_"


@dataclasses.dataclass
class PersonCard:
    person: Person
    address: protection.ShownAddress
    marking: str | None
    applicant_relation: str | None
    applicant_name: str | None
    applicant_without_fullmakt: bool
    plan: Plan | None
    plan_coordinator: str | None
    plan_versions: list[PlanVersion]
    plan_joined: bool  # the case joined a plan another case opened


@dataclasses.dataclass
class WrittenWork:
    title: str
    at: datetime
    actor: str
    fields: list[Field]


def person_card(ctx, case: Case, reader: User) -> PersonCard | None:
    if case.person_id is None:
        return None
    person = ctx.session.get(Person, case.person_id)
    applicant = ctx.session.get(Person, case.applicant_person_id) \
        if case.applicant_person_id else None
    plan = ctx.session.get(Plan, case.plan_id) if case.plan_id else None
    return PersonCard(
        person=person, address=protection.shown_address(person, reader),
        marking=protection.marking(person), applicant_relation=case.applicant_relation,
        applicant_name=(applicant.name if applicant is not None
                        else (case.data or {}).get("soker_navn")),
        applicant_without_fullmakt=case.applicant_without_fullmakt, plan=plan,
        plan_coordinator=coordinators.current(ctx, plan.id) if plan is not None else None,
        plan_versions=versions.listing(ctx, plan.id) if plan is not None else [],
        plan_joined=plan is not None and plan.opened_by_case_id != case.id)


def suggestion(ctx, case: Case, process_versions: list) -> list[Field]:
    """The rule table's suggestion and reasons, titled by the table's output labels, the
    values by the assessment form's choices."""
    labels: dict[str, str] = {}
    specs: dict[str, dict] = {}
    for version in process_versions:
        labels.update(_dmn_labels(tuple(sorted((f.filename, f.content) for f in version.files
                                               if f.kind == "dmn"))))
        specs.update(field_specs(ctx.specs.get(version).forms))
    choices = next((labelled({"v": None}, {"v": spec})[0].choices for key, spec in specs.items()
                    if key.startswith("konklusjon_")), {})
    found = []
    for key, value in (case.facts or {}).items():
        if key.startswith(SUGGESTION_PREFIX) and value not in (None, ""):
            found.append(Field(key=key, title=labels.get(key, _title(key)), value=value,
                               choices=choices))
    return found


def written_work(ctx, case: Case, process_versions: list) -> list[WrittenWork]:
    """Each completed task's form data, in the order they were done."""
    specs: dict[str, dict] = {}
    plan_elements: set[str] = set()
    for parsed in (ctx.specs.get(version) for version in process_versions):
        specs.update(field_specs(parsed.forms))
        for task_spec in parsed.all_task_specs():
            if loading.properties(task_spec).get("planOperation"):
                plan_elements.add(task_spec.bpmn_id or task_spec.name)
    work = []
    for event in ctx.session.scalars(select(AuditEvent).where(
            audit.of_case(case), AuditEvent.kind == "task_completed")
            .order_by(AuditEvent.id)):
        details = event.details or {}
        if details.get("element") in plan_elements or not details.get("data"):
            continue
        fields = labelled(details["data"], specs)
        if fields:
            work.append(WrittenWork(details.get("name") or "", event.at, event.actor, fields))
    return work


@functools.lru_cache(maxsize=64)
def _dmn_labels(files: tuple[tuple[str, str], ...]) -> dict[str, str]:
    labels: dict[str, str] = {}
    for _name, text in files:
        root = etree.fromstring(text.encode(), parser=etree.XMLParser(resolve_entities=False,
                                                                        no_network=True))
        for output in root.iter("{*}output"):
            name, label = output.get("name"), output.get("label")
            if name and label:
                labels[name] = label
    return labels


def _title(key: str) -> str:
    return key.removeprefix(SUGGESTION_PREFIX).replace("_", " ").capitalize()
