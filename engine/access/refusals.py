"""Refused reads in the audit log: who asked for which case, task, person or plan, and when;
each names the person it concerns, for the person's read log.

The request that was refused rolls back its own transaction, so the boundary calls
`record_refusal` afterwards, in a short transaction of its own. The event names the case and
the task, never their data.
"""
from __future__ import annotations

from sqlalchemy import select

from engine.core.errors import PermissionDenied
from engine.db.models import AuditEvent, Case

REFUSED_READ = "read_refused"


def record_refusal(ctx, actor: str, error: PermissionDenied, what: str) -> bool:
    """Write the refusal when `error` refused a read of a case, a person or a plan; False
    when it did not."""
    if error.refused_case is None and error.refused_person is None:
        return False
    details = {"what": what[:200]}
    if error.refused_task is not None:
        details["task"] = str(error.refused_task)
    person = error.refused_person
    if person is None and error.refused_case is not None:
        person = ctx.session.scalar(select(Case.person_id).where(Case.id == error.refused_case))
    ctx.session.add(AuditEvent(case_id=error.refused_case, person_id=person, at=ctx.now(),
                               actor=actor, kind=REFUSED_READ, details=details))
    ctx.session.flush()
    return True
