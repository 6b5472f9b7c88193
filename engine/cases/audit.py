"""The append-only audit trail: every event on a case, reads included.

Events are rows of the step that records them: written through the persistence interface
(engine/db/fastpath, `insert_row`), so they commit with the work they describe, or not at
all; on PostgreSQL's fast path they travel with the step's other writes in one round trip.
Their ids follow the order they were written in (the trail's order).
"""
from __future__ import annotations

from sqlalchemy import select

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


def case_history(ctx, case_id: int, kinds: set[str] | None = None) -> list[AuditEvent]:
    """The case's events in the order they happened."""
    query = select(AuditEvent).where(AuditEvent.case_id == case_id).order_by(AuditEvent.id)
    if kinds:
        query = query.where(AuditEvent.kind.in_(kinds))
    return list(ctx.session.scalars(query))
