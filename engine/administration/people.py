"""Users as the administration sees them: the list with roles, units, the coordinator
training register (who is trained, and since when by the audit trail) and whether active;
adding a user, changing a user's roles, their training and password, and deactivating or
activating them. Every change is audited under the actor (a command-line change under its
operator, engine/administration/operator.py).

Rules: roles are known roles, at least one; the last active user who manages users
(USER_ADMIN_ROLES) keeps that role and stays active; nobody deactivates themselves.
A deactivation ends the user's sessions and revokes their tokens (credentials.set_active,
as `samflyt users deactivate`)."""
from __future__ import annotations

import dataclasses
import re

from sqlalchemy import select

from engine.accounts import credentials, passwords, users
from engine.accounts.roles import (
    NON_WORK_ROLES,
    ROLES,
    TRAINING_ROLES,
    USER_ADMIN_ROLES,
    USER_LIST_ROLES,
)
from engine.administration.guard import require
from engine.cases import audit
from engine.core.errors import InvalidInput
from engine.core.messages import N_, Message
from engine.db.models import AuditEvent, Unit, User
from engine.organisation import units as organisation

#: A user name: what sign-in, the audit trail and the command line show (never `cli:`).
USERNAME = re.compile(r"[a-z0-9æøå][a-z0-9æøå._-]{1,79}")

#: The audit event of a change to the training register (its newest `trained` event dates it).
TRAINING_EVENT = "coordinator_training_changed"


@dataclasses.dataclass(frozen=True)
class UserRow:
    username: str
    display_name: str
    email: str | None
    roles: tuple[str, ...]
    units: tuple[str, ...]          # unit names, home unit first
    trained: bool
    trained_since: object | None    # when the register last marked them trained (datetime)
    active: bool


@dataclasses.dataclass(frozen=True)
class UserFilter:
    text: str = ""                  # part of the user name or display name
    role: str = ""                  # a role key, or "" for all
    status: str = "active"          # active | inactive | all
    trained_only: bool = False


STATUSES = ("active", "inactive", "all")


def list_users(ctx, actor: User, filters: UserFilter = UserFilter()) -> list[UserRow]:
    """The users matching `filters`, by display name."""
    require(actor, USER_LIST_ROLES)
    query = select(User).order_by(User.display_name, User.username)
    if filters.status == "active":
        query = query.where(User.active.is_(True))
    elif filters.status == "inactive":
        query = query.where(User.active.is_(False))
    if filters.trained_only:
        query = query.where(User.trained_coordinator.is_(True))
    text = filters.text.strip().lower()
    found = [user for user in ctx.session.scalars(query)
             if (not text or text in user.username.lower() or text in user.display_name.lower())
             and (not filters.role or filters.role in user.role_keys)]
    unit_names = {unit.id: unit.name for unit in ctx.session.scalars(select(Unit))}
    since = _trained_since(ctx)
    return [UserRow(user.username, user.display_name, user.email,
                    tuple(role for role in ROLES if role in user.role_keys),
                    tuple(unit_names[i] for i in user.unit_ids or () if i in unit_names),
                    user.trained_coordinator,
                    since.get(user.username) if user.trained_coordinator else None,
                    user.active) for user in found]


def _trained_since(ctx) -> dict[str, object]:
    """username -> when the register last marked them trained."""
    since: dict[str, object] = {}
    for at, details in ctx.session.execute(select(AuditEvent.at, AuditEvent.details).where(
            AuditEvent.kind == TRAINING_EVENT).order_by(AuditEvent.at)):
        if (details or {}).get("trained"):
            since[details.get("username")] = at
    return since


def _user_admins(ctx) -> list[User]:
    return [user for user in ctx.session.scalars(select(User).where(User.active.is_(True)))
            if user.role_keys & USER_ADMIN_ROLES]


def _is_last_admin(ctx, user: User) -> bool:
    return bool(user.role_keys & USER_ADMIN_ROLES) and user.active and all(
        other.username == user.username for other in _user_admins(ctx))


def add_user(ctx, actor: User, username: str, roles: list[str] | tuple[str, ...],
             display_name: str | None = None, email: str | None = None,
             trained: bool = False, units: list[str] | None = None,
             password: str | None = None) -> User:
    """A new user (engine/accounts/users.py `add_user`: `units` by key, the first their home
    unit; None: the default unit for a work role), with `password` when given."""
    require(actor, USER_ADMIN_ROLES)
    if trained:
        require(actor, TRAINING_ROLES)  # the register is the coordinating unit's
    username = (username or "").strip()
    errors: dict[str, Message] = {}
    if not USERNAME.fullmatch(username):
        errors["username"] = Message(N_("Skriv et brukernavn på 2 til 80 tegn: små bokstaver, "
                                        "sifre, punktum, bindestrek eller understrek"))
    if not roles:
        errors["roles"] = Message(N_("Velg minst én rolle"))
    if password is not None:
        try:
            passwords.check(password, username)
        except InvalidInput as error:
            errors["password"] = next(iter(error.errors.values()), error.message)
    if errors:
        raise InvalidInput(N_("Brukeren kan ikke legges til"), errors)
    user = users.add_user(ctx, username, roles, display_name=display_name, email=email,
                          trained_coordinator=trained, units=units)
    if password is not None:
        credentials.set_password(ctx, username, password)
    audit.record(ctx, None, actor.username, "user_added", username=username,
                 roles=user.roles, trained=trained)
    if trained:
        audit.record(ctx, None, actor.username, TRAINING_EVENT, username=username,
                     trained=True)
    return user


def set_password(ctx, actor: User, username: str, password: str) -> User:
    """A new password for `username`: their sessions and tokens end (credentials)."""
    require(actor, USER_ADMIN_ROLES)
    user = credentials.set_password(ctx, username, password)
    audit.record(ctx, None, actor.username, "user_password_set", username=username)
    return user


def set_roles(ctx, actor: User, username: str, roles: list[str] | tuple[str, ...]) -> User:
    """Give `username` exactly `roles`. A user who gains a work role and belongs to no unit
    joins the default unit (as a new user does)."""
    require(actor, USER_ADMIN_ROLES)
    user = users.get_user(ctx, username)
    wanted = set(roles)
    if wanted - set(ROLES):
        raise InvalidInput(N_("Ukjent rolle"), {"roles": Message(
            N_("Ukjent rolle: %(roles)s"), roles=sorted(wanted - set(ROLES)))})
    if not wanted:
        raise InvalidInput(N_("Rollene kan ikke lagres"), {"roles": Message(
            N_("Velg minst én rolle"))})
    if not wanted & USER_ADMIN_ROLES and _is_last_admin(ctx, user):
        raise InvalidInput(N_("Rollene kan ikke lagres"), {"roles": Message(
            N_("«%(username)s» er den siste aktive brukeradministratoren og må beholde "
               "rollen"), username=username)})
    previous = sorted(user.role_keys)
    if previous == sorted(wanted):
        return user
    user.roles = [role for role in ROLES if role in wanted]
    ctx.session.flush()
    if not wanted <= NON_WORK_ROLES and not user.unit_ids:
        organisation.join_default_unit(ctx, username)
    audit.record(ctx, None, actor.username, "user_roles_changed", username=username,
                 roles=user.roles, previous=previous)
    return user


def set_trained(ctx, actor: User, username: str, trained: bool) -> User:
    """Mark `username` as having had the coordinator training (hol § 7-3), or not."""
    require(actor, TRAINING_ROLES)
    user = users.get_user(ctx, username)
    if user.trained_coordinator != trained:
        user.trained_coordinator = trained
        ctx.session.flush()
        audit.record(ctx, None, actor.username, TRAINING_EVENT, username=username,
                     trained=trained)
    return user


def set_active(ctx, actor: User, username: str, active: bool) -> User:
    """Deactivate or activate `username` again."""
    require(actor, USER_ADMIN_ROLES)
    user = users.get_user(ctx, username)
    if user.active == active:
        return user
    if not active and user.username == actor.username:
        raise InvalidInput(N_("Brukeren kan ikke deaktiveres"), {"active": Message(
            N_("Du kan ikke deaktivere deg selv"))})
    if not active and _is_last_admin(ctx, user):
        raise InvalidInput(N_("Brukeren kan ikke deaktiveres"), {"active": Message(
            N_("«%(username)s» er den siste aktive brukeradministratoren"),
            username=username)})
    credentials.set_active(ctx, username, active)
    audit.record(ctx, None, actor.username, "user_activated" if active else "user_deactivated",
                 username=username)
    return user
