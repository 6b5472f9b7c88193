"""Sign-in for local users: argon2 password hashes, and bearer tokens for the JSON API.

Passwords are hashed with argon2id (argon2-cffi). API tokens are stateless: a token names
its user and is signed (HMAC-SHA256) with the settings' secret key, together with a
fingerprint of the user's password hash. A token therefore stops working when the user is
deactivated, when their password changes, or when the secret key changes; verifying one
costs one HMAC and the one user lookup every request needs anyway (no argon2 per request).
"""
from __future__ import annotations

import base64
import dataclasses
import functools
import hashlib
import hmac
import json
import logging
import math
from datetime import timedelta
from typing import TYPE_CHECKING

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import delete, select

from engine.accounts import passwords, users, web_sessions
from engine.core.errors import EngineError, InvalidInput, NotFound
from engine.core.messages import N_, Message
from engine.db.models import SignInFailure, User

if TYPE_CHECKING:
    from engine.core.context import EngineContext

log = logging.getLogger(__name__)

TOKEN_PREFIX = "sft_"  # noqa: S105 - the visible prefix of every token, not a secret
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


def active_user(ctx: EngineContext, user_id: int) -> User | None:
    """The signed-in session's user, if still active (read on every page: one cached select)."""
    user = users.find_user_by_id(ctx, user_id)
    return user if user is not None and user.active else None


def session_fingerprint(user: User) -> str:
    """Changes when the password changes: a session or token made before is void."""
    return hashlib.sha256((user.password_hash or "-").encode()).hexdigest()[:16]


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


# --- API tokens -------------------------------------------------------------------------------

def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _signature(secret: str, payload: str) -> str:
    return _b64(hmac.new(secret.encode(), b"samflyt-api-token:" + payload.encode(),
                         hashlib.sha256).digest())


def issue_token(ctx: EngineContext, username: str) -> str:
    """A bearer token for `username` (printed by `samflyt users token NAME`)."""
    user = ctx.session.scalar(select(User).where(User.username == username))
    if user is None or not user.active:
        raise NotFound(N_("Fant ikke aktiv bruker «%(username)s»"), username=username)
    payload = _b64(json.dumps({"u": user.username, "f": session_fingerprint(user),
                               "i": int(ctx.now().timestamp())},
                              separators=(",", ":")).encode())
    return f"{TOKEN_PREFIX}{payload}.{_signature(ctx.settings.secret_key, payload)}"


@dataclasses.dataclass(frozen=True)
class TokenCheck:
    user: User | None
    problem: Message | None = None


def user_for_token(ctx: EngineContext, token: str) -> TokenCheck:
    """The token's user, or the reason the token is refused."""
    if not token or not token.startswith(TOKEN_PREFIX) or "." not in token:
        return TokenCheck(None, Message(N_("Ugyldig token")))
    payload, signature = token[len(TOKEN_PREFIX):].rsplit(".", 1)
    if not hmac.compare_digest(signature, _signature(ctx.settings.secret_key, payload)):
        return TokenCheck(None, Message(N_("Ugyldig token")))
    try:
        claims = json.loads(_unb64(payload))
        username, fingerprint = claims["u"], claims["f"]
    except (ValueError, KeyError, TypeError):
        return TokenCheck(None, Message(N_("Ugyldig token")))
    user = users.find_user(ctx, username) if isinstance(username, str) else None
    if user is None or not user.active:
        return TokenCheck(None, Message(N_("Brukeren er ikke aktiv")))
    if not hmac.compare_digest(fingerprint, session_fingerprint(user)):
        return TokenCheck(None, Message(N_("Tokenet er trukket tilbake (passordet er endret)")))
    return TokenCheck(user)
