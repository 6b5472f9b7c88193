"""Signed-in web sessions, kept on the server.

`start` makes a random 256-bit token for the browser's cookie and stores only its SHA-256,
so neither a copy of the table nor of an old cookie signs anyone in: a session ends for good
when the user signs out (`end`), when it has been idle longer than the setting
SAMFLYT_SESSION_IDLE_MINUTES (`touch`), or when the user's password changes
(`end_all_for_user`, called by engine/accounts/credentials.py).

A request costs one select by the token's hash (primary key) joined with the user; the last
request's time is written at most once a minute (the idle timeout is read against it).
Every operation flushes; the caller commits.
"""
from __future__ import annotations

import dataclasses
import hashlib
import secrets
from datetime import timedelta
from typing import TYPE_CHECKING

from sqlalchemy import bindparam, delete, or_, select, update

from engine.db.models import User, WebSession

if TYPE_CHECKING:
    from engine.core.context import EngineContext

#: last_seen_at is written at most this often (a request within it changes no row).
TOUCH_INTERVAL = timedelta(minutes=1)

#: Built once, so SQLAlchemy finds its compiled form in its cache (read on every request).
_OPEN_BY_HASH = (select(WebSession, User).join(User, User.id == WebSession.user_id)
                 .where(WebSession.token_hash == bindparam("token_hash"),
                        WebSession.ended_at.is_(None)))


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def start(ctx: EngineContext, user: User) -> str:
    """A new session for `user`: the token for the cookie (its hash is stored). The user's
    ended and idle sessions are removed here, so the table holds few rows per user."""
    token = secrets.token_urlsafe(32)  # 256 bits
    now = ctx.now()
    idle_since = now - timedelta(minutes=ctx.settings.session_idle_minutes)
    ctx.session.execute(delete(WebSession).where(
        WebSession.user_id == user.id,
        or_(WebSession.ended_at.is_not(None), WebSession.last_seen_at < idle_since))
        .execution_options(synchronize_session=False))
    ctx.session.add(WebSession(token_hash=token_hash(token), user_id=user.id, created_at=now,
                               last_seen_at=now))
    ctx.session.flush()
    return token


@dataclasses.dataclass(frozen=True)
class SessionCheck:
    """The session's user if it goes on; `idle` when it ended just now for being idle."""
    user: User | None
    idle: bool = False


def touch(ctx: EngineContext, token: str | None, idle_minutes: int | None = None) -> SessionCheck:
    """The open session's active user, noting the request; an unknown, ended or idle session
    (ended here), or an inactive user, gives none. Idle: longer than `idle_minutes` since the
    last request (default: the setting session_idle_minutes)."""
    if not token or not isinstance(token, str):
        return SessionCheck(None)
    row = ctx.session.execute(_OPEN_BY_HASH, {"token_hash": token_hash(token)}).one_or_none()
    if row is None:
        return SessionCheck(None)
    web_session, user = row
    now = ctx.now()
    if idle_minutes is None:
        idle_minutes = ctx.settings.session_idle_minutes
    if now - web_session.last_seen_at > timedelta(minutes=idle_minutes):
        web_session.ended_at = now
        ctx.session.flush()
        return SessionCheck(None, idle=True)
    if not user.active:
        return SessionCheck(None)
    if now - web_session.last_seen_at >= TOUCH_INTERVAL:
        web_session.last_seen_at = now
        ctx.session.flush()
    return SessionCheck(user)


def end(ctx: EngineContext, token: str | None) -> None:
    """Signing out: the session's token no longer works, from this browser or any copy."""
    if token and isinstance(token, str):
        ctx.session.execute(update(WebSession)
                            .where(WebSession.token_hash == token_hash(token),
                                   WebSession.ended_at.is_(None))
                            .values(ended_at=ctx.now()))
        ctx.session.flush()


def end_all_for_user(ctx: EngineContext, user_id: int) -> int:
    """End every open session of the user (a password change); how many were open."""
    result = ctx.session.execute(update(WebSession)
                                 .where(WebSession.user_id == user_id,
                                        WebSession.ended_at.is_(None))
                                 .values(ended_at=ctx.now())
                                 .execution_options(synchronize_session="fetch"))
    ctx.session.flush()
    return int(getattr(result, "rowcount", 0) or 0)
