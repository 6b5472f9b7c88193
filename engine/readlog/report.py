"""One person's read report: every read of their case, plan, letters or person page, every
refused read and every emergency access over a period, newest first, each with who, when,
what and why in words a person understands. Producing it is a read of the person, and is
logged as one."""
from __future__ import annotations

import dataclasses
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from engine.audit import read_log
from engine.cases import audit
from engine.core.errors import InvalidInput, PermissionDenied
from engine.core.messages import N_, Message
from engine.db.models import AuditEvent, Case, Person, User
from engine.persons import person_page, registry

#: The longest period one report covers.
MAX_DAYS = 3 * 366
#: The most rows one report lists (the rest: ask for a shorter period).
MAX_ROWS = 5000

#: What was read, in words (msgids), by audit kind and, for a case, the read's purpose.
WHAT = {
    "person_read": N_("Personopplysninger"),
    "plan_read": N_("Individuell plan"),
    "read_refused": N_("Forsøk på å lese saken (avvist)"),
    "access_override": N_("Nødtilgang til saken"),
}
CASE_PURPOSES = (("case page", N_("Saken")), ("task", N_("En oppgave i saken")),
                 ("letter preview", N_("Utkast til brev i saken")),
                 ("letter", N_("Brev i saken")), ("migration", N_("Saken (teknisk flytting)")))
#: Why the reader might read (engine/access/rules.py bases), in words.
WHY = {
    "unit": N_("Saksbehandler i enheten som har ansvar for saken"),
    "task": N_("Har eller hadde en oppgave i saken"),
    "coordinator": N_("Koordinator for saken eller planen"),
    "coordinating_unit": N_("Koordinerende enhet: saken ventet på enheten"),
    "leader": N_("Leder for en enhet som arbeider med saken"),
    "override": N_("Nødtilgang"),
}


@dataclasses.dataclass(frozen=True)
class ReadRow:
    at: datetime
    username: str
    name: str
    what: str                  # a msgid
    case_number: str | None
    why: str | None            # a msgid
    reason: str | None         # the stated reason of an emergency access
    refused: bool


@dataclasses.dataclass(frozen=True)
class ReadReport:
    person: Person
    start: date
    end: date
    rows: list[ReadRow]
    truncated: bool


def period(start: date | None, end: date | None, today: date) -> tuple[date, date]:
    """The report's period: both days included; default the last twelve months."""
    end = end or today
    start = start or end.replace(year=end.year - 1) + timedelta(days=1)
    if start > end or (end - start).days > MAX_DAYS:
        raise InvalidInput(N_("Velg en periode på høyst tre år"), {"from": Message(
            N_("Fra-datoen må være før til-datoen, og perioden høyst tre år"))})
    return start, end


def bounds(ctx, start: date | None, end: date | None) -> tuple[date, date, datetime,
                                                                datetime]:
    """The checked period (`period`) and the instants it runs from and to (local days)."""
    start, end = period(start, end, ctx.today())
    zone = ZoneInfo(ctx.settings.timezone)
    return (start, end, datetime.combine(start, time.min, zone),
            datetime.combine(end + timedelta(days=1), time.min, zone))


def person_report(ctx, person_id: int, reader: User, start: date | None = None,
                  end: date | None = None) -> ReadReport:
    """Who read `person_id`'s information in the period; the reader must read the person."""
    person = registry.get(ctx, person_id)
    if not person_page.may_read(ctx, person, reader):
        error = PermissionDenied(N_("Du har ikke tilgang til denne personen"))
        error.refused_person = person.id
        raise error
    start, end, since, until = bounds(ctx, start, end)
    events = read_log.person_reads(ctx, person.id, since, until, limit=MAX_ROWS + 1)
    # the report itself is a read, logged after the query so that it lists earlier reads
    audit.record(ctx, None, reader.username, "person_read", person_id=person.id,
                 purpose="read log")
    return ReadReport(person, start, end, rows_of(ctx, events[:MAX_ROWS]),
                      len(events) > MAX_ROWS)


def rows_of(ctx, events: list[AuditEvent]) -> list[ReadRow]:
    """The audit events as rows in words (one query for the names, one for case numbers)."""
    names = dict(ctx.session.execute(select(User.username, User.display_name).where(
        User.username.in_({e.actor for e in events}))).all())
    numbers = dict(ctx.session.execute(select(Case.id, Case.case_number).where(
        Case.id.in_({e.case_id for e in events if e.case_id}))).all())
    return [ReadRow(at=e.at, username=e.actor, name=names.get(e.actor, e.actor),
                    what=_what(e), case_number=numbers.get(e.case_id) if e.case_id else None,
                    why=WHY.get((e.details or {}).get("why", "")) if e.kind == "case_read"
                    else (WHY["override"] if e.kind == "access_override" else None),
                    reason=(e.details or {}).get("reason") if e.kind == "access_override"
                    else None,
                    refused=e.kind == "read_refused")
            for e in events]


def _what(event: AuditEvent) -> str:
    if event.kind != "case_read":
        return WHAT.get(event.kind, N_("Saken"))
    purpose = str((event.details or {}).get("purpose", ""))
    for prefix, words in CASE_PURPOSES:
        if purpose.startswith(prefix):
            return words
    return N_("Saken")
