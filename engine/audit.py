"""The append-only audit trail: every event on a case, reads included.

Events are written in bulk: `record` keeps them with the session, and they are inserted in
one statement before the session next reads (`do_orm_execute`) or commits. So they commit
with the work they describe, or not at all, at a fraction of the cost of one ORM object each.
`install(session_factory)` wires this up; the environment does it for every session.
"""
from __future__ import annotations

from sqlalchemy import event, insert, select
from sqlalchemy.orm import Session

from .models import AuditEvent, Case

_PENDING = "samflyt_pending_audit"


def record(ctx, case: Case | None, actor: str, event_kind: str, **details) -> None:
    ctx.session.info.setdefault(_PENDING, []).append({
        "case_id": case.id if case is not None else None, "at": ctx.now(), "actor": actor,
        "kind": event_kind, "details": {k: v for k, v in details.items() if v is not None}})


def write_pending(session: Session) -> None:
    """Insert the events recorded since the last write (a no-op when there are none)."""
    rows = session.info.pop(_PENDING, None)
    if rows:
        session.connection().execute(insert(AuditEvent.__table__), rows)


def _discard_pending(session: Session, *_args) -> None:
    session.info.pop(_PENDING, None)


def _before_read(orm_execute_state) -> None:
    if orm_execute_state.is_select:
        write_pending(orm_execute_state.session)


def install(target) -> None:
    """Register the write-behind hooks on a sessionmaker (or Session class)."""
    event.listen(target, "do_orm_execute", _before_read)
    event.listen(target, "before_commit", write_pending)
    event.listen(target, "after_rollback", _discard_pending)


def case_history(ctx, case_id: int, kinds: set[str] | None = None) -> list[AuditEvent]:
    """The case's events in the order they happened."""
    query = select(AuditEvent).where(AuditEvent.case_id == case_id).order_by(AuditEvent.id)
    if kinds:
        query = query.where(AuditEvent.kind.in_(kinds))
    return list(ctx.session.scalars(query))
