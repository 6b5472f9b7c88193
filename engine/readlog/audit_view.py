"""The coordinating unit's view of the reads: filtered by user, person, period and emergency
access, and a report of unusual reading (someone opening many persons' cases without a task
or a role in them). Looking is for the coordinating unit; each look is logged."""
from __future__ import annotations

import dataclasses
from datetime import date

from sqlalchemy import func, select

from engine.accounts.roles import AUDIT_ROLES, holds_any
from engine.audit import read_log
from engine.cases import audit
from engine.core.errors import PermissionDenied
from engine.core.messages import N_
from engine.db.models import AuditEvent, Person, User
from engine.readlog import report

#: The bases of a read that come from the reader's own work in the case: not unusual.
OWN_WORK = ("task", "coordinator")
PAGE_SIZE = 200


@dataclasses.dataclass(frozen=True)
class AuditQuery:
    start: date
    end: date
    username: str | None = None
    person_id: int | None = None
    overrides_only: bool = False
    offset: int = 0


@dataclasses.dataclass(frozen=True)
class AuditRow:
    read: report.ReadRow
    person_id: int | None
    person_name: str | None


@dataclasses.dataclass(frozen=True)
class UnusualReader:
    username: str
    name: str
    persons: int     # distinct persons whose cases they opened without own work in them
    reads: int


def require_auditor(user: User) -> None:
    if not holds_any(user.role_keys, AUDIT_ROLES):
        raise PermissionDenied(N_("Bare koordinerende enhet ser hvem som har lest"))


def reads(ctx, user: User, query: AuditQuery) -> tuple[list[AuditRow], bool]:
    """The reads matching `query`, newest first (a page of PAGE_SIZE; True when there are
    more)."""
    require_auditor(user)
    _start, _end, since, until = report.bounds(ctx, query.start, query.end)
    kinds = ("access_override",) if query.overrides_only else read_log.READ_KINDS
    statement = select(AuditEvent).where(AuditEvent.kind.in_(kinds), AuditEvent.at >= since,
                                         AuditEvent.at < until)
    if query.username:
        statement = statement.where(AuditEvent.actor == query.username)
    if query.person_id:
        statement = statement.where(AuditEvent.person_id == query.person_id)
    events = list(ctx.session.scalars(statement.order_by(AuditEvent.at.desc(),
                                                         AuditEvent.id.desc())
                                      .offset(query.offset).limit(PAGE_SIZE + 1)))
    audit.record(ctx, None, user.username, "audit_viewed",
                 filters={"user": query.username, "person": query.person_id,
                          "overrides": query.overrides_only,
                          "from": query.start.isoformat(), "to": query.end.isoformat()})
    shown = events[:PAGE_SIZE]
    names = dict(ctx.session.execute(select(Person.id, Person.name).where(
        Person.id.in_({e.person_id for e in shown if e.person_id}))).all())
    rows = [AuditRow(read, event.person_id, names.get(event.person_id))
            for read, event in zip(report.rows_of(ctx, shown), shown, strict=True)]
    return rows, len(events) > PAGE_SIZE


def unusual(ctx, user: User, start: date, end: date, threshold: int) -> list[UnusualReader]:
    """Users who opened the cases of at least `threshold` different persons in the period
    without a task or the coordinator's role in them (their unit's, a leader's, the
    coordinating unit's or emergency access), most persons first."""
    require_auditor(user)
    _start, _end, since, until = report.bounds(ctx, start, end)
    why = AuditEvent.details["why"].as_string()
    rows = ctx.session.execute(
        select(AuditEvent.actor, func.count(func.distinct(AuditEvent.person_id)),
               func.count(AuditEvent.id))
        .where(AuditEvent.kind == "case_read", AuditEvent.at >= since, AuditEvent.at < until,
               AuditEvent.person_id.is_not(None), why.not_in(OWN_WORK))
        .group_by(AuditEvent.actor)
        .having(func.count(func.distinct(AuditEvent.person_id)) >= threshold)
        .order_by(func.count(func.distinct(AuditEvent.person_id)).desc())).all()
    names = dict(ctx.session.execute(select(User.username, User.display_name).where(
        User.username.in_({r[0] for r in rows}))).all())
    audit.record(ctx, None, user.username, "audit_viewed",
                 filters={"unusual": threshold, "from": start.isoformat(),
                          "to": end.isoformat()})
    return [UnusualReader(actor, names.get(actor, actor), persons, count)
            for actor, persons, count in rows]
