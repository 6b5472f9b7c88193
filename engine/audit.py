"""The append-only audit trail: every event on a case, reads included."""
from __future__ import annotations

from sqlalchemy import select

from .models import AuditEvent, Case


def record(ctx, case: Case | None, actor: str, event_kind: str, **details) -> AuditEvent:
    event = AuditEvent(case_id=case.id if case is not None else None, at=ctx.now(), actor=actor,
                       kind=event_kind, details={k: v for k, v in details.items() if v is not None})
    ctx.session.add(event)
    return event


def case_history(ctx, case_id: int, kinds: set[str] | None = None) -> list[AuditEvent]:
    """The case's events in the order they happened."""
    query = select(AuditEvent).where(AuditEvent.case_id == case_id).order_by(AuditEvent.id)
    if kinds:
        query = query.where(AuditEvent.kind.in_(kinds))
    return list(ctx.session.scalars(query))
