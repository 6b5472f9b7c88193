"""The request's unit of work, for views: the engine context, and `abort` to throw away
what an operation flushed before it failed (the request then renders its error)."""
from __future__ import annotations

import logging

from flask import g, request
from sqlalchemy.exc import IntegrityError, InterfaceError, OperationalError

from engine.access import refusals
from engine.cases import intake
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
    if session is None or user is None or (error.refused_case is None
                                             and error.refused_person is None):
        return
    try:
        if refusals.record_refusal(g.ctx, user.username, error,
                                   f"{request.method} {request.path}"):
            session.commit()
    except Exception:  # the refusal itself is answered either way
        session.rollback()
        log.warning("could not record a refused read", exc_info=True)


class OutcomeUnknown(Exception):
    """The connection broke while COMMIT was on its way: it may or may not have been
    applied. The answer says so (never "nothing was saved")."""


def commit() -> None:
    """Commit the request's work now. A lost connection here is an unknown outcome."""
    try:
        g.session.commit()
    except (OperationalError, InterfaceError) as error:
        g.rollback_only = True
        raise OutcomeUnknown() from error


def start_case_idempotently(register, key: str | None) -> intake.Registration:
    """Run `register(key)` and commit. Two starts with the same key at once: the one whose
    row loses the unique key rolls back and returns the first one's case."""
    try:
        registration = register(key)
        if key is not None:
            commit()
        return registration
    except IntegrityError:
        if key is None:
            raise
        abort()
        g.rollback_only = False  # a fresh transaction finds the winner's case by the key
        registration = register(key)
        if registration.created:  # the key's row is not there after all: not a race
            raise
        return registration
