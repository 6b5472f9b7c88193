"""Users and their roles."""
from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import bindparam, select

from engine.accounts.roles import NON_WORK_ROLES, ROLES
from engine.core.errors import InvalidInput, NotFound
from engine.core.messages import N_, Message
from engine.db.models import User
from engine.organisation import units as organisation

if TYPE_CHECKING:
    from engine.core.context import EngineContext


def add_user(ctx: EngineContext, username: str, roles: list[str] | tuple[str, ...],
             display_name: str | None = None,
             email: str | None = None, trained_coordinator: bool = False,
             password_hash: str | None = None, units: list[str] | None = None) -> User:
    """A new user with `roles`, in the units named by key (`units`; the first is their home
    unit). None: a user with a work role joins SAMFLYT_DEFAULT_UNIT (engine/organisation)."""
    unknown = set(roles) - set(ROLES)
    if unknown:
        raise InvalidInput(N_("Ukjent rolle"), {"role": Message(
            N_("Ukjent rolle: %(roles)s"), roles=sorted(unknown))})
    if ctx.session.scalar(select(User.id).where(User.username == username)):
        raise InvalidInput(N_("Brukernavnet finnes"), {"username": Message(
            N_("«%(username)s» finnes allerede"), username=username)})
    user = User(username=username, display_name=display_name or username, email=email,
                trained_coordinator=trained_coordinator, password_hash=password_hash,
                active=True, created_at=ctx.now(), roles=sorted(set(roles)))
    ctx.session.add(user)
    ctx.session.flush()
    if units is None:
        if not set(user.roles) <= NON_WORK_ROLES:
            organisation.join_default_unit(ctx, username)
    else:
        for position, key in enumerate(units):
            organisation.add_member(ctx, organisation.get_unit(ctx, key), username,
                                    home=position == 0)
    return user


#: Built once: SQLAlchemy then finds its compiled form in its cache by the statement alone.
_BY_USERNAME = select(User).where(User.username == bindparam("username"))
_BY_ID = select(User).where(User.id == bindparam("user_id"))


def get_user(ctx: EngineContext, username: str) -> User:
    """The user (read on every request and every engine operation: one cached select)."""
    user = find_user(ctx, username)
    if user is None:
        raise NotFound(N_("Fant ikke brukeren «%(username)s»"), username=username)
    return user


def find_user(ctx: EngineContext, username: str) -> User | None:
    """The user of that name, active or not, or None."""
    return ctx.session.execute(_BY_USERNAME, {"username": username}).scalar_one_or_none()


def find_user_by_id(ctx: EngineContext, user_id: int) -> User | None:
    """The user with that id (a signed-in session's), active or not, or None (a cached select:
    `Session.get` costs twice as much when the user is not loaded yet, as on every request)."""
    return ctx.session.execute(_BY_ID, {"user_id": user_id}).scalar_one_or_none()
