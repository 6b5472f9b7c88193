"""Bearer tokens for the JSON API: issued with a name and an expiry, listed, revoked one by one.

A token is `sft_` and 32 random bytes (URL-safe base64); only its SHA-256 is stored (table
`api_tokens`), so a copy of the database holds no usable token. Checking one is one read (the
token's row joined with its user, the read every request needs anyway); `last_used_at` is
written at most once a minute. A token is refused once expired, revoked, or its user is
deactivated; a password change and a deactivation revoke all of the user's tokens.
"""
from __future__ import annotations

import dataclasses
import hashlib
import secrets
from datetime import timedelta
from typing import TYPE_CHECKING

from sqlalchemy import bindparam, select, update

from engine.accounts import users
from engine.core.errors import InvalidInput, NotFound
from engine.core.messages import N_, Message
from engine.db.models import ApiToken, User

if TYPE_CHECKING:
    from engine.core.context import EngineContext

TOKEN_PREFIX = "sft_"  # noqa: S105 - the visible prefix of every token, not a secret
MAX_DAYS = 365
NAME_LENGTH = 100
_LAST_USED_EVERY = timedelta(minutes=1)


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue(ctx: EngineContext, username: str, name: str = "api", days: int | None = None
          ) -> tuple[ApiToken, str]:
    """A new token for the active user `username`: its row, and the token (shown once)."""
    user = users.find_user(ctx, username)
    if user is None or not user.active:
        raise NotFound(N_("Fant ikke aktiv bruker «%(username)s»"), username=username)
    days = ctx.settings.api_token_days if days is None else days
    name = (name or "").strip()
    errors = {}
    if not 0 < len(name) <= NAME_LENGTH:
        errors["name"] = Message(N_("Et navn på 1 til %(n)d tegn"), n=NAME_LENGTH)
    if not isinstance(days, int) or isinstance(days, bool) or not 1 <= days <= MAX_DAYS:
        errors["days"] = Message(N_("Et helt antall dager fra 1 til %(n)d"), n=MAX_DAYS)
    if errors:
        raise InvalidInput(N_("Ugyldig token"), errors)
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    now = ctx.now()
    row = ApiToken(token_hash=_hash(token), user_id=user.id, name=name, created_at=now,
                   expires_at=now + timedelta(days=days))
    ctx.session.add(row)
    ctx.session.flush()
    return row, token


@dataclasses.dataclass(frozen=True)
class TokenCheck:
    user: User | None
    problem: Message | None = None


_BY_HASH = (select(ApiToken, User).join(User, User.id == ApiToken.user_id)
            .where(ApiToken.token_hash == bindparam("token_hash")))


def check(ctx: EngineContext, token: str) -> TokenCheck:
    """The token's user, or the reason the token is refused."""
    if not token or not token.startswith(TOKEN_PREFIX) or len(token) > 100:
        return TokenCheck(None, Message(N_("Ugyldig token")))
    found = ctx.session.execute(_BY_HASH, {"token_hash": _hash(token)}).first()
    if found is None:
        return TokenCheck(None, Message(N_("Ugyldig token")))
    row, user = found
    now = ctx.now()
    if row.revoked_at is not None:
        return TokenCheck(None, Message(N_("Tokenet er trukket tilbake")))
    if row.expires_at <= now:
        return TokenCheck(None, Message(N_("Tokenet er utløpt")))
    if not user.active:
        return TokenCheck(None, Message(N_("Brukeren er ikke aktiv")))
    if row.last_used_at is None or now - row.last_used_at >= _LAST_USED_EVERY:
        # written now, not left dirty for a later flush in the middle of the request's work
        ctx.session.execute(update(ApiToken).where(ApiToken.id == row.id)
                            .values(last_used_at=now)
                            .execution_options(synchronize_session=False))
    return TokenCheck(user)


def list_for(ctx: EngineContext, user: User) -> list[ApiToken]:
    """The user's tokens, newest first (revoked and expired ones included)."""
    return list(ctx.session.scalars(select(ApiToken).where(ApiToken.user_id == user.id)
                                    .order_by(ApiToken.id.desc())))


def revoke(ctx: EngineContext, token_id: int, user: User | None = None) -> ApiToken:
    """Revoke one token (`user`: only one of theirs; None: any, for the CLI)."""
    row = ctx.session.get(ApiToken, token_id)
    if row is None or (user is not None and row.user_id != user.id):
        raise NotFound(N_("Fant ikke token %(token)s"), token=token_id)
    if row.revoked_at is None:
        row.revoked_at = ctx.now()
    ctx.session.flush()
    return row


def revoke_all(ctx: EngineContext, user_id: int) -> None:
    """Revoke every token of the user (a password change, a deactivation)."""
    ctx.session.execute(update(ApiToken).where(ApiToken.user_id == user_id,
                                               ApiToken.revoked_at.is_(None))
                        .values(revoked_at=ctx.now())
                        .execution_options(synchronize_session="fetch"))
    ctx.session.flush()
