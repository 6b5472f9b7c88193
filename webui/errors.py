"""Errors become pages (or JSON under /api/): 400, 401, 403, 404, 405, 409, 422; a failed
request never commits what it flushed."""
from __future__ import annotations

import logging

from flask import g, jsonify, render_template, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import InterfaceError, OperationalError, PendingRollbackError
from werkzeug.exceptions import HTTPException

from engine.accounts.roles import NON_WORK_ROLES
from engine.core.errors import (
    ConflictError,
    DefinitionError,
    EngineError,
    InvalidInput,
    NotFound,
    PermissionDenied,
    ProcessError,
)

from . import config, field_labels, uow
from .i18n import problem_text, translate, translate_all
from .parsing import InputRefused

log = logging.getLogger(__name__)

STATUS = {NotFound: 404, PermissionDenied: 403, ConflictError: 409, InvalidInput: 422,
          DefinitionError: 422, ProcessError: 422}


def status_of(error: EngineError) -> int:
    for kind, status in STATUS.items():
        if isinstance(error, kind):
            return status
    return 400


def is_api() -> bool:
    return request.path.startswith("/api/")


def api_error(status: int, error: str, message: str, errors: dict | None = None, headers=None):
    body = {"error": error, "message": message}
    if errors:
        body["errors"] = errors
    response = jsonify(body)
    response.status_code = status
    for key, value in (headers or {}).items():
        response.headers[key] = value
    return response


ERROR_NAMES = {400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found",
               405: "method_not_allowed", 409: "conflict", 413: "too_large",
               415: "unsupported_media_type", 422: "invalid_input", 500: "server_error",
               503: "database_unavailable"}


def page(status: int, message: str, errors: dict | None = None,
         override_case: int | None = None, reason: str = ""):
    """The error page; `override_case`: a refused case the reader may ask emergency access
    to (engine/access/overrides.py)."""
    return render_template("error.html", status=status, message=message,
                           errors=field_labels.labelled_all(errors),
                           override_case=override_case,
                           override_hours=config.settings().override_hours,
                           reason=reason), status


def _override_offer(error: PermissionDenied) -> int | None:
    """The refused case, when the reader may ask for emergency access to it (a person who
    does casework; never the administrator, who reads no personal data)."""
    user = getattr(g, "user", None)
    if error.refused_case is None or user is None or user.role_keys <= NON_WORK_ROLES:
        return None
    return error.refused_case


def init_app(app) -> None:
    @app.errorhandler(EngineError)
    def engine_error(error: EngineError):
        uow.abort()
        if isinstance(error, PermissionDenied):
            uow.record_refusal(error)
        status = status_of(error)
        errors = translate_all(getattr(error, "errors", None)) or None
        if isinstance(error, DefinitionError):
            errors = {str(i): problem_text(p) for i, p in enumerate(error.problems)}
        if is_api():
            return api_error(status, ERROR_NAMES[status], translate(error.message), errors)
        offer = _override_offer(error) if isinstance(error, PermissionDenied) else None
        return page(status, translate(error.message), errors, override_case=offer)

    @app.errorhandler(CSRFError)
    def csrf_error(error: CSRFError):
        uow.abort()
        return page(400, _("Skjemaet var utløpt eller ugyldig. Gå tilbake, last siden på nytt "
                           "og prøv igjen."))

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        uow.abort()
        status = error.code or 500
        if is_api():
            headers = {"WWW-Authenticate": 'Bearer realm="samflyt"'} if status == 401 else None
            return api_error(status, ERROR_NAMES.get(status, "error"),
                             error.description or error.name, headers=headers)
        if isinstance(error, InputRefused):  # says what was wrong with the input
            return page(400, error.description or _("Ugyldig forespørsel."))
        messages = {404: _("Siden finnes ikke."), 405: _("Metoden er ikke tillatt her."),
                    403: _("Du har ikke tilgang."), 400: _("Ugyldig forespørsel."),
                    413: _("Forespørselen er for stor.")}
        return page(status, messages.get(status, error.description or error.name))

    @app.errorhandler(uow.OutcomeUnknown)
    def outcome_unknown(error: uow.OutcomeUnknown):
        """The connection broke while COMMIT was on its way: it may have been applied."""
        log.error("commit outcome unknown on %s %s: %s", request.method, request.path,
                  error.__cause__)
        try:
            uow.abort()
        except Exception:  # the connection is gone; the pool replaces it
            log.warning("rollback after a lost connection failed", exc_info=True)
        message = _("Databasen svarte ikke da endringen skulle lagres, så vi vet ikke om den "
                    "ble lagret. Sjekk saken før du gjør noe mer. Å sende det samme skjemaet "
                    "eller den samme forespørselen på nytt er trygt: en ny sak lages ikke to "
                    "ganger.")
        if is_api():
            return api_error(503, "outcome_unknown", message, headers={"Retry-After": "30"})
        response = page(503, message)
        return response[0], 503, {"Retry-After": "30"}

    @app.errorhandler(OperationalError)
    @app.errorhandler(InterfaceError)
    @app.errorhandler(PendingRollbackError)  # what follows a lost connection in a flush
    def database_unavailable(error: Exception):
        """The database went away mid-request: nothing was saved, and the user is told so."""
        log.error("database unavailable on %s %s: %s", request.method, request.path, error)
        try:
            uow.abort()
        except Exception:  # the connection is gone; the pool replaces it
            log.warning("rollback after a lost connection failed", exc_info=True)
        message = _("Databasen svarer ikke akkurat nå, så ingenting ble lagret. Gå tilbake "
                    "(det du skrev er der fortsatt) og send på nytt om litt.")
        if is_api():
            return api_error(503, "database_unavailable", message, headers={"Retry-After": "30"})
        response = page(503, message)
        return response[0], 503, {"Retry-After": "30"}

    @app.errorhandler(Exception)
    def unexpected(error: Exception):
        uow.abort()
        log.error("unexpected error on %s %s", request.method, request.path, exc_info=error)
        if is_api():
            return api_error(500, "server_error", _("Uventet feil"))
        return page(500, _("Noe gikk galt. Prøv igjen, eller kontakt brukerstøtte."))
