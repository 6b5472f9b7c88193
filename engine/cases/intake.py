"""Registering an application: who may, which processes start a case, and the form."""
from __future__ import annotations

import dataclasses

from engine.accounts.roles import INTAKE_ROLES
from engine.cases import casework
from engine.core.errors import InvalidInput, PermissionDenied
from engine.core.messages import N_, Message
from engine.db.models import Case, User
from engine.definitions import store


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


def register_application(ctx, data: dict, user: User, process_key: str,
                         allowed: tuple[str, ...]) -> Case:
    """Start a case from an application registered by a case officer."""
    _check(user, process_key, allowed)
    return casework.start_case(ctx, data, user, process_key=process_key)


def _check(user: User, process_key: str, allowed: tuple[str, ...]) -> None:
    if not may_register(user):
        raise PermissionDenied(N_("Bare saksbehandlere kan registrere søknader"))
    if process_key not in allowed:
        raise InvalidInput(N_("Prosessen «%(process)s» kan ikke startes som en ny sak"),
                           {"process": Message(N_("Velg en av %(choices)s"), choices=allowed)},
                           process=process_key)
