"""Registering an application: who may, which processes start a case, and the form.

A start may carry an idempotency key (the API's `Idempotency-Key` header, the new-case
form's hidden token): a retry or a resubmit with the same key by the same user returns the
case the first one made, and never makes a second.
"""
from __future__ import annotations

import dataclasses

from sqlalchemy import select

from engine.accounts.roles import INTAKE_ROLES
from engine.cases import casework
from engine.core.errors import ConflictError, InvalidInput, NotFound, PermissionDenied
from engine.core.messages import N_, Message
from engine.db.models import Case, User
from engine.definitions import store
from engine.worklist.forms import check_completion

#: The longest idempotency key (the column's length).
KEY_LENGTH: int = Case.__table__.c.idempotency_key.type.length  # type: ignore[attr-defined]


@dataclasses.dataclass
class ApplicationForm:
    process_key: str
    process_name: str
    schema: dict | None


def may_register(user: User) -> bool:
    return bool(user.role_keys & INTAKE_ROLES)


def application_form(ctx, user: User, process_key: str, allowed: tuple[str, ...]
                     ) -> ApplicationForm:
    """The start form of `process_key` (None when the process has none)."""
    _check(user, process_key, allowed)
    version = store.latest_version(ctx, process_key)
    form = casework.start_form(ctx.specs.get(version))
    schema = store.form_schema(ctx, version, form) if form else None
    return ApplicationForm(process_key, version.name, schema)


@dataclasses.dataclass
class Registration:
    case: Case
    created: bool  # False: the key's earlier start, returned again


def start_form_schemas(ctx, allowed: tuple[str, ...]) -> dict[str, dict | None]:
    """Each process a case may start with, and its start form's JSON Schema (None: no form;
    a process not deployed is left out). Forms are data, not case data: the API's document
    shows them."""
    schemas: dict[str, dict | None] = {}
    for key in allowed:
        try:
            version = store.latest_version(ctx, key)
        except NotFound:
            continue
        form = casework.start_form(ctx.specs.get(version))
        schemas[key] = store.form_schema(ctx, version, form) if form else None
    return schemas


def register_application(ctx, data: dict, user: User, process_key: str,
                         allowed: tuple[str, ...], idempotency_key: str | None = None
                         ) -> Registration:
    """Start a case from an application registered by a case officer. The data is exactly
    the start form's fields (none without a form), valid for it."""
    _check(user, process_key, allowed)
    if idempotency_key is not None:
        earlier = started_with(ctx, user, idempotency_key)
        if earlier is not None:
            if earlier.process_key != process_key or dict(earlier.data or {}) != data:
                raise ConflictError(N_("Nøkkelen %(key)s ble brukt til en annen søknad (sak "
                                       "%(case)s); bruk en ny nøkkel for en ny søknad"),
                                    key=idempotency_key, case=earlier.case_number)
            return Registration(earlier, created=False)
    version = store.latest_version(ctx, process_key)
    form = casework.start_form(ctx.specs.get(version))
    check_completion(store.form_text(ctx, version, form) if form else None, data)
    case = casework.start_case(ctx, data, user, process_key=process_key,
                               idempotency_key=idempotency_key)
    return Registration(case, created=True)


def started_with(ctx, user: User, idempotency_key: str) -> Case | None:
    """The case `user` started with this key, if any."""
    return ctx.session.scalar(select(Case).where(Case.created_by == user.username,
                                                 Case.idempotency_key == idempotency_key))


def _check(user: User, process_key: str, allowed: tuple[str, ...]) -> None:
    if not may_register(user):
        raise PermissionDenied(N_("Bare saksbehandlere kan registrere søknader"))
    if process_key not in allowed:
        raise InvalidInput(N_("Prosessen «%(process)s» kan ikke startes som en ny sak"),
                           {"process": Message(N_("Velg en av %(choices)s"), choices=allowed)},
                           process=process_key)
