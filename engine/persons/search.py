"""Finding persons and cases: by a part of a name, a national number, a birth date or a case
number in any common form ("IP-2026-00042", "ip-2026-42", "2026/42", "00042", "42").

Only what the reader may read in full is found (engine/access `visible_cases`). Pages are
fetched one row beyond the page to know whether more follow; no total is counted, so a broad
query over millions of cases costs one index range. On PostgreSQL a trigram index serves
parts of names (migration 0013); SQLite scans, at demo scale.
"""
from __future__ import annotations

import dataclasses
import re
from datetime import date, datetime

from sqlalchemy import and_, exists, func, or_, select, true

from engine.access import rules
from engine.accounts.roles import CASEWORK_ROLES, SEARCH_ROLES, holds_any
from engine.cases import audit
from engine.core.errors import PermissionDenied
from engine.core.messages import N_
from engine.db.models import Case, CaseNumberCounter, HumanTask, Person, Plan, User
from engine.persons import identity
from engine.persons.registry import fold

#: How the case list may be sorted: key -> (columns, newest first?)
SORTS = ("received", "case_number", "name", "due")
STATUSES = ("open", "closed", "all")
PAGE_SIZE = 50
#: A part of a name may match tens of thousands of persons among a million ("berg"): a name
#: search takes at most this many matching persons and says so (`CasePage.too_many`), so
#: that it stays one bounded index read; typing more of the name narrows it.
NAME_MATCH_CAP = 500
_CASE_NUMBER = re.compile(r"^(?:([a-z]+)[\s-]*)?(\d{4})\s*[-/\s]\s*(\d{1,6})$", re.I)
_NUMBER_ONLY = re.compile(r"^\d{1,6}$")
_BIRTH_DATE = re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d{4})$")


@dataclasses.dataclass(frozen=True)
class CaseQuery:
    text: str = ""
    status: str = "open"  # open | closed | all
    service: str | None = None  # a key of catalogue.SERVICES
    responsible: str | None = None  # a username: coordinator, or holds an open task
    overdue: bool = False
    sort: str = "received"
    offset: int = 0
    limit: int = PAGE_SIZE


@dataclasses.dataclass(frozen=True)
class CaseHit:
    case_id: int
    case_number: str
    person_id: int | None
    person_name: str | None
    protection: str | None
    services: tuple[str, ...]
    status: str
    received_on: date | None
    coordinator: str | None
    next_due: datetime | None
    overdue: bool


@dataclasses.dataclass(frozen=True)
class CasePage:
    hits: list[CaseHit]
    has_more: bool
    #: How the text was read: name | national_id | birth_date | case_number | "" (no text).
    matched_as: str
    #: The name matched more than NAME_MATCH_CAP persons: only the cases of that many are
    #: in the list; a longer part of the name narrows it.
    too_many: bool = False


def find_cases(ctx, user: User, query: CaseQuery) -> CasePage:
    """`search_cases`, logged: who searched, how many hits, never what was searched for
    (a name or a number is personal data); opening a hit is a read of that case."""
    if not holds_any(user.role_keys, SEARCH_ROLES):
        raise PermissionDenied(N_("Du har ikke tilgang til å søke i saker"))
    page = search_cases(ctx, user, query)
    audit.record(ctx, None, user.username, "case_search", matched_as=page.matched_as or None,
                 hits=len(page.hits))
    return page


def search_cases(ctx, user: User, query: CaseQuery) -> CasePage:
    """A page of the cases `user` may read that match `query`."""
    condition, matched_as = _text_condition(ctx, query.text)
    now = ctx.now()
    due = (select(func.min(HumanTask.due_at)).where(HumanTask.case_id == Case.id,
                                                    HumanTask.status == "open")
           .correlate(Case).scalar_subquery())
    statement = (select(Case.id, Case.case_number, Case.person_id, Person.name,
                        Person.protection, Case.services, Case.status, Case.received_on,
                        Case.coordinator, due.label("next_due"))
                 .outerjoin(Person, Person.id == Case.person_id)
                 .where(condition, rules.visible_cases(ctx, user)))
    if query.status != "all":
        statement = statement.where(Case.status == query.status)
    if query.service:
        statement = statement.where(or_(Case.services == query.service,
                                        Case.services.like(f"{query.service},%"),
                                        Case.services.like(f"%,{query.service}"),
                                        Case.services.like(f"%,{query.service},%")))
    if query.responsible:
        statement = statement.where(or_(
            Case.coordinator == query.responsible,
            exists().where(HumanTask.case_id == Case.id, HumanTask.status == "open",
                           HumanTask.assignee == query.responsible)))
    if query.overdue:
        statement = statement.where(exists().where(
            HumanTask.case_id == Case.id, HumanTask.status == "open", HumanTask.due_at < now))
    statement = statement.order_by(*_order(query.sort, due)).offset(query.offset) \
        .limit(query.limit + 1)
    rows = ctx.session.execute(statement).all()
    hits = [CaseHit(row.id, row.case_number, row.person_id, row.name, row.protection,
                    tuple((row.services or "").split(",")) if row.services else (),
                    row.status, row.received_on, row.coordinator, row.next_due,
                    row.next_due is not None and row.next_due < now)
            for row in rows[:query.limit]]
    too_many = matched_as == "name" and _matches_more_than(ctx, query.text, NAME_MATCH_CAP)
    return CasePage(hits, len(rows) > query.limit, matched_as, too_many)


@dataclasses.dataclass(frozen=True)
class PersonHit:
    person: Person
    open_cases: int
    has_active_plan: bool


def search_persons(ctx, user: User, text: str, limit: int = 20) -> list[PersonHit]:
    """Persons by national number, birth date or a part of the name. The reader must be one
    of the case-working roles (a coordinator finds their persons through their cases). A
    whole national number finds the person (to register an application for them: the read is
    the caller's to log); a name or a birth date finds the persons the reader may read
    (engine/access/rules.py `visible_persons`)."""
    if not holds_any(user.role_keys, CASEWORK_ROLES):
        raise PermissionDenied(N_("Bare saksbehandlende roller kan søke etter personer"))
    text = text.strip()
    if identity.looks_like_number(text):
        condition = Person.national_id == identity.compact(text)
    elif (born := _birth_date(text)) is not None:
        condition = Person.birth_date == born
    else:
        if not fold(text).split():
            return []
        condition = Person.id.in_(_name_matches(text, NAME_MATCH_CAP))
    open_cases = (select(func.count(Case.id)).where(Case.person_id == Person.id,
                                                    Case.status == "open")
                  .correlate(Person).scalar_subquery())
    active = exists().where(Plan.person_id == Person.id, Plan.status != "avsluttet")
    if not identity.looks_like_number(text):
        condition = and_(condition, rules.visible_persons(ctx, user))
    rows = ctx.session.execute(select(Person, open_cases, active).where(condition)
                               .order_by(Person.name_folded, Person.id).limit(limit)).all()
    return [PersonHit(person, count, bool(has_plan)) for person, count, has_plan in rows]


def _text_condition(ctx, text: str):
    text = (text or "").strip()
    if not text:
        return true(), ""
    if identity.looks_like_number(text):
        return Case.person_id.in_(select(Person.id).where(
            Person.national_id == identity.compact(text))), "national_id"
    numbers = case_numbers(ctx, text)
    if numbers is not None:
        return Case.case_number.in_(numbers), "case_number"
    born = _birth_date(text)
    if born is not None:
        return Case.person_id.in_(select(Person.id).where(Person.birth_date == born)), \
            "birth_date"
    return Case.person_id.in_(_name_matches(text, NAME_MATCH_CAP)), "name"


def _name_matches(text: str, cap: int):
    """The ids of at most `cap` persons whose name holds every word of `text` (a LIMIT in the
    subquery keeps it one bounded read of the trigram index, however common the part)."""
    return (select(Person.id).where(*(Person.name_folded.contains(word, autoescape=True)
                                      for word in fold(text).split()))
            .limit(cap).scalar_subquery())


def _matches_more_than(ctx, text: str, cap: int) -> bool:
    return ctx.session.scalar(select(func.count()).select_from(
        select(Person.id).where(*(Person.name_folded.contains(word, autoescape=True)
                                  for word in fold(text).split()))
        .limit(cap + 1).subquery())) > cap


def case_numbers(ctx, text: str) -> list[str] | None:
    """The case numbers `text` may mean, or None when it is no case number. A number
    without a year means that number in every year cases were numbered in."""
    prefix = ctx.settings.case_number_prefix
    text = text.strip()
    match = _CASE_NUMBER.match(text)
    if match:
        given, year, number = match.groups()
        if given and given.upper() != prefix.upper():
            return None
        return [f"{prefix}-{year}-{int(number):05d}"]
    if _NUMBER_ONLY.match(text):
        years = ctx.session.scalars(select(CaseNumberCounter.year)).all()
        return [f"{prefix}-{year}-{int(text):05d}" for year in sorted(years)]
    return None


def _birth_date(text: str) -> date | None:
    match = _BIRTH_DATE.match(text)
    if not match:
        return None
    day, month, year = (int(part) for part in match.groups())
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _order(sort: str, due):
    if sort == "case_number":
        return (Case.case_number.desc(),)
    if sort == "name":
        return (Person.name_folded, Case.id.desc())
    if sort == "due":
        return (due.is_(None), due, Case.id)
    return (Case.received_on.desc(), Case.id.desc())
