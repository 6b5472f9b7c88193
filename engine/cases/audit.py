"""The append-only audit trail: every event on a case, reads included.

Events are rows of the step that records them: written through the persistence interface
(engine/db/fastpath, `insert_row`), so they commit with the work they describe, or not at
all; on PostgreSQL's fast path they travel with the step's other writes in one round trip.
Their ids follow the order they were written in (the trail's order).
"""
from __future__ import annotations

from datetime import UTC

from sqlalchemy import ColumnElement, and_, select

from engine.audit import partitions
from engine.db import fastpath
from engine.db.models import AuditEvent, Case


def record(ctx, case: Case | None, actor: str, event_kind: str, *,
           person_id: int | None = None, **details) -> None:
    """An event on `case` (None: on a person or plan outside a case). `person_id` is whom
    it concerns: by default the case's person, so a person's read log finds it."""
    if person_id is None and case is not None:
        person_id = case.person_id
    fastpath.insert_row(ctx, AuditEvent, {
        "case_id": case.id if case is not None else None, "person_id": person_id,
        "at": ctx.now(), "actor": actor, "kind": event_kind,
        "details": {k: v for k, v in details.items() if v is not None}},
        need_id=False)


def of_case(case: Case) -> ColumnElement[bool]:
    """The filter for `case`'s events: its id, and `at` from the month it was created, so
    that on PostgreSQL the month partitions before it are not read (engine/audit)."""
    created = case.created_at
    created = created.astimezone(UTC) if created.tzinfo else created.replace(tzinfo=UTC)
    since, _ = partitions.bounds(partitions.month_of(created.date()))
    return and_(AuditEvent.case_id == case.id, AuditEvent.at >= since)


def case_history(ctx, case_id: int, kinds: set[str] | None = None) -> list[AuditEvent]:
    """The case's events in the order they happened."""
    case = ctx.session.get(Case, case_id)
    if case is None:
        return []
    query = select(AuditEvent).where(of_case(case)).order_by(AuditEvent.id)
    if kinds:
        query = query.where(AuditEvent.kind.in_(kinds))
    return list(ctx.session.scalars(query))
