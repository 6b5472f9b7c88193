"""The request's unit of work, for views: the engine context, and `abort` to throw away
what an operation flushed before it failed (the request then renders its error)."""
from __future__ import annotations

import logging

from flask import g, request

from engine.access import refusals
from engine.core.errors import PermissionDenied

log = logging.getLogger(__name__)


def ctx():
    return g.ctx


def abort() -> None:
    """Roll back now, and make sure teardown does not commit."""
    g.rollback_only = True
    session = g.get("session")
    if session is not None:
        session.rollback()


def record_refusal(error: PermissionDenied) -> None:
    """After `abort`: write a refused read of a case to the audit log, in a transaction of
    its own (the refused request's own work stays rolled back)."""
    session, user = g.get("session"), g.get("user")
    if session is None or user is None or error.refused_case is None:
        return
    try:
        if refusals.record_refusal(g.ctx, user.username, error,
                                   f"{request.method} {request.path}"):
            session.commit()
    except Exception:  # the refusal itself is answered either way
        session.rollback()
        log.warning("could not record a refused read", exc_info=True)
