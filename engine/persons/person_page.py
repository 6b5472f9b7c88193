"""The person page as one read: the person, their address as the reader may see it, their
relations, their plan, every case with its state, open tasks and deadlines. The read is
written to the audit log (the person's read log reads it).

Who may open it: the case-working roles; a coordinator who may read one of the person's
cases or coordinates their plan. Everyone else is refused (and the refusal logged).
"""
from __future__ import annotations

import dataclasses
from datetime import datetime

from sqlalchemy import select

from engine.access import rules
from engine.cases import audit
from engine.core.errors import PermissionDenied
from engine.core.messages import N_
from engine.db.models import Case, HumanTask, Person, PersonRelation, Plan, PlanCoordinator, User
from engine.persons import protection, registry


@dataclasses.dataclass
class CaseRow:
    case: Case
    open_tasks: list[HumanTask]
    next_due: datetime | None


@dataclasses.dataclass
class PersonPage:
    person: Person
    address: protection.ShownAddress
    marking: str | None
    relations: list[tuple[PersonRelation, Person]]
    #: Persons for whom this person is a relation (a parent's children, ...).
    related_to: list[tuple[PersonRelation, Person]]
    plan: Plan | None
    plan_coordinator: str | None
    cases: list[CaseRow]


def require_reader(ctx, person_id: int, reader: User) -> Person:
    """The person, if `reader` may read them (`may_read`); a refused read otherwise. Asked
    before a change of the person too: changing is reading."""
    person = registry.get(ctx, person_id)
    if not may_read(ctx, person, reader):
        error = PermissionDenied(N_("Du har ikke tilgang til denne personen"))
        error.refused_person = person.id
        raise error
    return person


def person_page(ctx, person_id: int, reader: User) -> PersonPage:
    person = require_reader(ctx, person_id, reader)
    audit.record(ctx, None, reader.username, "person_read", person_id=person.id,
                 purpose="person page")
    cases = list(ctx.session.scalars(select(Case).where(Case.person_id == person.id)
                                     .order_by(Case.id.desc())))
    tasks: dict[int, list[HumanTask]] = {c.id: [] for c in cases}
    if cases:
        for task in ctx.session.scalars(select(HumanTask).where(
                HumanTask.case_id.in_(list(tasks)), HumanTask.status == "open")
                .order_by(HumanTask.due_at, HumanTask.id)):
            tasks[task.case_id].append(task)
    plan = ctx.session.scalar(select(Plan).where(Plan.person_id == person.id,
                                                 Plan.status != "avsluttet"))
    coordinator = ctx.session.scalar(select(PlanCoordinator.username).where(
        PlanCoordinator.plan_id == plan.id, PlanCoordinator.to_on.is_(None))) \
        if plan is not None else None
    related_to = [(relation, other) for relation, other in ctx.session.execute(
        select(PersonRelation, Person).join(Person, Person.id == PersonRelation.person_id)
        .where(PersonRelation.related_id == person.id, PersonRelation.ended_at.is_(None))
        .order_by(Person.name_folded)).tuples()]
    return PersonPage(
        person=person, address=protection.shown_address(person, reader),
        marking=protection.marking(person), relations=registry.relations(ctx, person.id),
        related_to=related_to, plan=plan, plan_coordinator=coordinator,
        cases=[CaseRow(c, tasks[c.id], min((t.due_at for t in tasks[c.id] if t.due_at),
                                            default=None)) for c in cases])


def may_read(ctx, person: Person, reader: User) -> bool:
    """Whoever reads one of the person's cases in full, or coordinates their plan (the
    rules of engine/access)."""
    return bool(ctx.session.scalar(select(Person.id).where(
        Person.id == person.id, rules.visible_persons(ctx, reader)))) or \
        ctx.session.scalar(select(PlanCoordinator.id).join(
            Plan, Plan.id == PlanCoordinator.plan_id).where(
            Plan.person_id == person.id, PlanCoordinator.username == reader.username,
            Plan.status == "avsluttet").limit(1)) is not None
