"""The append-only audit trail: every event on a case, reads included.

Events are written through engine/driver.py, so they commit with the work they describe, or
not at all; on PostgreSQL they travel with the step's other writes in one round trip.
"""
from __future__ import annotations

from sqlalchemy import insert, select

from engine.db.fastpath import driver
from engine.db.models import AuditEvent, Case

_INSERT = driver.Statement(insert(AuditEvent.__table__),
                           column_keys=["case_id", "at", "actor", "kind", "details"])


def record(ctx, case: Case | None, actor: str, event_kind: str, **details) -> None:
    driver.write(ctx, _INSERT, {
        "case_id": case.id if case is not None else None, "at": ctx.now(), "actor": actor,
        "kind": event_kind, "details": {k: v for k, v in details.items() if v is not None}})


def case_history(ctx, case_id: int, kinds: set[str] | None = None) -> list[AuditEvent]:
    """The case's events in the order they happened."""
    query = select(AuditEvent).where(AuditEvent.case_id == case_id).order_by(AuditEvent.id)
    if kinds:
        query = query.where(AuditEvent.kind.in_(kinds))
    return list(ctx.session.scalars(query))
