"""Refused reads in the audit log: who asked for which case or task, and when.

The request that was refused rolls back its own transaction, so the boundary calls
`record_refusal` afterwards, in a short transaction of its own. The event names the case and
the task, never their data.
"""
from __future__ import annotations

from engine.core.errors import PermissionDenied
from engine.db.models import AuditEvent

REFUSED_READ = "read_refused"


def record_refusal(ctx, actor: str, error: PermissionDenied, what: str) -> bool:
    """Write the refusal when `error` refused a read of a case; False when it did not."""
    if error.refused_case is None:
        return False
    details = {"what": what[:200]}
    if error.refused_task is not None:
        details["task"] = str(error.refused_task)
    ctx.session.add(AuditEvent(case_id=error.refused_case, at=ctx.now(), actor=actor,
                               kind=REFUSED_READ, details=details))
    ctx.session.flush()
    return True
