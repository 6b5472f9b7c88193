"""The request's unit of work, for views: the engine context, and `abort` to throw away
what an operation flushed before it failed (the request then renders its error)."""
from __future__ import annotations

from flask import g


def ctx():
    return g.ctx


def abort() -> None:
    """Roll back now, and make sure teardown does not commit."""
    g.rollback_only = True
    session = g.get("session")
    if session is not None:
        session.rollback()
