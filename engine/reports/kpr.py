"""The KPR extract: each person's individual plan (IP) and coordinator status for a year.

KPR (Kommunalt pasient- og brukerregister, run by FHI) takes from the municipality's
systems whether each person has an IP and a coordinator, with dates; it is due by 15
January for the year before (docs/kpr.md names the fields and what they map to). One row
per person who, in the year, had a plan, a coordinator or a decision granting one:

- the decision dates come from the approved decision letters (engine/letters), or, for a
  case decided before letters, from the date its decision was delivered;
- `ip_fra` is the day the plan was first approved, `ip_til` the day it ended;
- `koordinator_fra` / `koordinator_til` span the coordinators of the year (a handover day
  belongs to both, engine/plans/coordinators.py, so the span has no hole).

Persons without a national number (an expected child, an old case) cannot be reported to
KPR: they are counted and left out. Exporting reads personal data: it is written to the
audit log (who, the year, how many), and the rows to no log.
"""
from __future__ import annotations

import csv
import dataclasses
import io
from datetime import UTC, date, datetime, time

from sqlalchemy import func, or_, select

from engine.accounts.roles import COORDINATING_UNIT, LEADER, holds_any
from engine.cases import audit
from engine.core.errors import InvalidInput, PermissionDenied
from engine.core.messages import N_
from engine.db.models import Case, Letter, Person, Plan, PlanCoordinator, PlanVersion, User
from engine.deadlines.calendar import optional_date
from engine.persons.catalogue import SERVICES

#: The CSV columns, in order (docs/kpr.md).
COLUMNS = ("aar", "kommunenummer", "fodselsnummer", "fodselsdato", "ip_vedtak_dato",
           "ip_fra", "ip_til", "koordinator_vedtak_dato", "koordinator_fra",
           "koordinator_til", "barnekoordinator_vedtak_dato")
#: Who may take the extract.
EXPORTERS = frozenset({COORDINATING_UNIT, LEADER})
#: The decision date's column of each service.
DECISION_FIELDS = dict(zip(SERVICES, ("ip_vedtak_dato", "koordinator_vedtak_dato",
                                      "barnekoordinator_vedtak_dato"), strict=True))


@dataclasses.dataclass
class KprRow:
    aar: int
    kommunenummer: str
    fodselsnummer: str
    fodselsdato: date | None
    ip_vedtak_dato: date | None = None
    ip_fra: date | None = None
    ip_til: date | None = None
    koordinator_vedtak_dato: date | None = None
    koordinator_fra: date | None = None
    koordinator_til: date | None = None
    barnekoordinator_vedtak_dato: date | None = None


@dataclasses.dataclass
class KprExtract:
    year: int
    rows: list[KprRow]
    #: Persons left out for want of a national number.
    without_number: int


def due_date(year: int) -> date:
    """The extract for `year` is due on 15 January of the year after."""
    return date(year + 1, 1, 15)


def extract(ctx, user: User, year: int) -> KprExtract:
    """The extract for `year` (the coordinating unit and leaders); the export is audited."""
    if not holds_any(user.role_keys, EXPORTERS):
        raise PermissionDenied(N_("Bare koordinerende enhet og ledere kan hente KPR-uttrekket"))
    if not 2000 <= year <= ctx.today().year:
        raise InvalidInput(N_("Velg et år fra 2000 til i år"),
                           {"year": N_("Velg et år fra 2000 til i år")})
    first, last = date(year, 1, 1), date(year, 12, 31)
    rows: dict[int, KprRow] = {}
    persons: dict[int, Person] = {}

    def row(person: Person) -> KprRow:
        persons[person.id] = person
        return rows.setdefault(person.id, KprRow(
            year, ctx.settings.municipality_number, person.national_id or "",
            person.birth_date))

    first_approval = (select(PlanVersion.plan_id, func.min(PlanVersion.approved_at)
                             .label("approved"))
                      .group_by(PlanVersion.plan_id).subquery())
    for plan, person, approved in ctx.session.execute(
            select(Plan, Person, first_approval.c.approved)
            .join(Person, Person.id == Plan.person_id)
            .join(first_approval, first_approval.c.plan_id == Plan.id)
            .where(or_(Plan.ended_at.is_(None),
                       Plan.ended_at >= datetime.combine(first, time.min, tzinfo=UTC)))):
        established = approved.date()
        ended = plan.ended_at.date() if plan.ended_at else None
        if established <= last and (ended is None or ended >= first):
            found = row(person)
            found.ip_fra, found.ip_til = established, ended if ended and ended <= last else None
    spans: dict[int, list[PlanCoordinator]] = {}
    for coordinator, person in ctx.session.execute(
            select(PlanCoordinator, Person).join(Plan, Plan.id == PlanCoordinator.plan_id)
            .join(Person, Person.id == Plan.person_id)
            .where(PlanCoordinator.from_on <= last,
                   or_(PlanCoordinator.to_on.is_(None), PlanCoordinator.to_on >= first))):
        row(person)
        spans.setdefault(person.id, []).append(coordinator)
    for person_id, coordinators in spans.items():
        found = rows[person_id]
        found.koordinator_fra = min(c.from_on for c in coordinators)
        ends = [c.to_on for c in coordinators]
        found.koordinator_til = (None if any(end is None or end > last for end in ends)
                                 else max(end for end in ends if end is not None))
    _decisions(ctx, first, last, rows, row)
    without = [person_id for person_id, person in persons.items() if not person.national_id]
    for person_id in without:
        rows.pop(person_id, None)
    audit.record(ctx, None, user.username, "kpr_exported", year=year, rows=len(rows),
                 without_number=len(without))
    ordered = sorted(rows.values(), key=lambda r: r.fodselsnummer)
    return KprExtract(year, ordered, len(without))


def _decisions(ctx, first: date, last: date, rows: dict[int, KprRow], row) -> None:
    """Granted IP, coordinator and child coordinator with their decision dates (the
    approved decision letter's day, else the day the decision was delivered): for persons
    decided in the year, and for those already in the extract, decided before."""
    letters = dict(ctx.session.execute(
        select(Letter.case_id, func.min(Letter.approved_at))
        .where(Letter.kind == "vedtak", Letter.approved_at.is_not(None),
               Letter.corrects_id.is_(None)).group_by(Letter.case_id)).tuples().all())
    year_end = datetime.combine(last, time.max, tzinfo=UTC)
    for case, person in ctx.session.execute(
            select(Case, Person).join(Person, Person.id == Case.person_id)
            .where(Case.created_at <= year_end)).tuples():
        facts = case.facts or {}
        granted = [item for item in SERVICES if facts.get(f"vedtak_{item}") == "innvilget"]
        approved = letters.get(case.id)
        decided = approved.date() if approved else optional_date(facts.get("leveringsdato"))
        if not granted or decided is None or decided > last:
            continue
        if decided < first and person.id not in rows:
            continue
        found = row(person)
        for item in granted:
            field = DECISION_FIELDS[item]
            if getattr(found, field) is None or decided < getattr(found, field):
                setattr(found, field, decided)


def to_csv(extract_: KprExtract) -> str:
    """Semicolon-separated UTF-8 with a header row, dates as YYYY-MM-DD (docs/kpr.md)."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for found in extract_.rows:
        writer.writerow([_cell(getattr(found, column)) for column in COLUMNS])
    return out.getvalue()


def to_json(extract_: KprExtract, generated_at) -> dict:
    return {"year": extract_.year, "due": due_date(extract_.year).isoformat(),
            "generated_at": generated_at.isoformat(), "count": len(extract_.rows),
            "left_out_without_number": extract_.without_number,
            "rows": [{column: _json(getattr(found, column)) for column in COLUMNS}
                     for found in extract_.rows]}


def _json(value):
    return value.isoformat() if isinstance(value, date) else value


def _cell(value) -> str:
    if value is None:
        return ""
    return value.isoformat() if isinstance(value, date) else str(value)
