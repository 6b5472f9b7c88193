"""Sign-in for local users: argon2 password hashes, and bearer tokens for the JSON API.

Passwords are hashed with argon2id (argon2-cffi). API tokens are rows with a name and an
expiry (engine/accounts/api_tokens.py); `issue_token` and `user_for_token` are their short
forms. A password change ends the user's web sessions and revokes their tokens.
"""
from __future__ import annotations

import functools
import logging
import math
from datetime import timedelta
from typing import TYPE_CHECKING

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import delete, select

from engine.accounts import api_tokens, passwords, users, web_sessions
from engine.core.errors import EngineError, InvalidInput, NotFound
from engine.core.messages import N_, Message
from engine.db.models import SignInFailure, User

if TYPE_CHECKING:
    from engine.core.context import EngineContext

log = logging.getLogger(__name__)

MIN_PASSWORD_LENGTH = 4


@functools.cache
def _hasher() -> PasswordHasher:
    return PasswordHasher()


@functools.cache
def _dummy_hash() -> str:
    return _hasher().hash("not-a-password")


def hash_password(password: str) -> str:
    if not isinstance(password, str) or len(password) < MIN_PASSWORD_LENGTH:
        raise InvalidInput(N_("Passordet er for kort"), {"password": Message(
            N_("Minst %(n)d tegn"), n=MIN_PASSWORD_LENGTH)})
    return _hasher().hash(password)


def set_password(ctx: EngineContext, username: str, password: str) -> User:
    user = ctx.session.scalar(select(User).where(User.username == username))
    if user is None:
        raise NotFound(N_("Fant ikke brukeren «%(username)s»"), username=username)
    passwords.check(password, username)
    user.password_hash = hash_password(password)
    web_sessions.end_all_for_user(ctx, user.id)  # a session opened with the old one ends
    api_tokens.revoke_all(ctx, user.id)
    ctx.session.flush()
    return user


def set_active(ctx: EngineContext, username: str, active: bool) -> User:
    """Deactivate (or activate again) a user. A deactivated user cannot sign in, their web
    sessions end now, their API tokens are revoked, and nobody hands them a task."""
    user = users.get_user(ctx, username)
    user.active = active
    if not active:
        web_sessions.end_all_for_user(ctx, user.id)
        api_tokens.revoke_all(ctx, user.id)
    ctx.session.flush()
    return user


def authenticate(ctx: EngineContext, username: str, password: str) -> User | None:
    """The active user with this name and password, else None (same cost either way)."""
    user = ctx.session.scalar(select(User).where(User.username == (username or "").strip()))
    stored = user.password_hash if user is not None and user.active else None
    try:
        _hasher().verify(stored or _dummy_hash(), password or "")
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return None
    if stored is None or user is None:  # (no stored hash without a user)
        return None
    if _hasher().check_needs_rehash(stored):
        user.password_hash = _hasher().hash(password)
    return user


class SignInThrottled(EngineError):
    """Too many failed sign-ins for the name or from the address: `minutes` to wait."""

    def __init__(self, minutes: int):
        super().__init__(N_("For mange mislykkede innlogginger. Vent %(minutes)d minutt og "
                            "prøv igjen.") if minutes == 1 else
                         N_("For mange mislykkede innlogginger. Vent %(minutes)d minutter og "
                            "prøv igjen."), minutes=minutes)
        self.minutes = minutes


#: An address may fail this many times the per-name limit (guessing across user names).
ADDRESS_FACTOR = 4


def sign_in(ctx: EngineContext, username: str, password: str, address: str | None) -> User | None:
    """`authenticate` behind the sign-in limit (settings: sign_in_max_failures within
    sign_in_lock_minutes, per user name and, four times as many, per address). While either is
    locked, SignInThrottled is raised before the password is even checked, so guessing goes no
    faster; the answer is the same whether the name exists. A failure is recorded; a success
    clears the name's failures. Flushes; the caller commits (failures included)."""
    name, address = (username or "").strip().lower()[:80], (address or "-")[:64]
    _check_limit(ctx, name, address)
    user = authenticate(ctx, username, password)
    now = ctx.now()
    if user is None:
        window = timedelta(minutes=ctx.settings.sign_in_lock_minutes)
        ctx.session.execute(delete(SignInFailure).where(SignInFailure.at < now - window))
        ctx.session.add(SignInFailure(username=name, address=address, at=now))
        ctx.session.flush()
        log.warning("sign-in failed user=%s address=%s", name, address)
        return None
    ctx.session.execute(delete(SignInFailure).where(SignInFailure.username == name))
    log.info("sign-in succeeded user=%s address=%s", user.username, address)
    return user


def _check_limit(ctx: EngineContext, name: str, address: str) -> None:
    most = ctx.settings.sign_in_max_failures
    if most <= 0:
        return  # the limit is off
    window = timedelta(minutes=ctx.settings.sign_in_lock_minutes)
    now = ctx.now()
    for column, value, limit in ((SignInFailure.username, name, most),
                                 (SignInFailure.address, address, most * ADDRESS_FACTOR)):
        recent = ctx.session.scalars(
            select(SignInFailure.at).where(column == value, SignInFailure.at > now - window)
            .order_by(SignInFailure.at.desc()).limit(limit)).all()
        if len(recent) >= limit:
            free_at = recent[-1] + window  # when the oldest of those leaves the window
            log.warning("sign-in refused, too many failures user=%s address=%s locked=%s",
                        name, address, column.key)
            raise SignInThrottled(max(1, math.ceil((free_at - now).total_seconds() / 60)))


def logins_with_password(ctx: EngineContext, password: str, limit: int = 50) -> list[User]:
    """Active users whose password is `password` (used to print the demo users)."""
    found = []
    for user in ctx.session.scalars(select(User).where(User.active, User.password_hash.is_not(None))
                                    .order_by(User.username).limit(limit)):
        try:
            _hasher().verify(user.password_hash or "", password)  # (the query left out None)
            found.append(user)
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            pass
    return found


# --- API tokens (engine/accounts/api_tokens.py) ----------------------------------------------

TokenCheck = api_tokens.TokenCheck


def issue_token(ctx: EngineContext, username: str, name: str = "api",
                days: int | None = None) -> str:
    """A bearer token for `username` (printed by `samflyt users token NAME`)."""
    return api_tokens.issue(ctx, username, name, days)[1]


def user_for_token(ctx: EngineContext, token: str) -> TokenCheck:
    """The token's user, or the reason the token is refused."""
    return api_tokens.check(ctx, token)
