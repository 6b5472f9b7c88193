"""Everyone's API tokens as the administration sees them: who holds each, its name and
times, never the secret (only its hash is stored anyway); issuing one, revoking any."""
from __future__ import annotations

import dataclasses
from datetime import datetime

from sqlalchemy import select

from engine.accounts import api_tokens
from engine.accounts.roles import USER_ADMIN_ROLES
from engine.administration.guard import require
from engine.cases import audit
from engine.db.models import ApiToken, User

#: At most this many tokens on the page (newest first).
LIMIT = 500


@dataclasses.dataclass(frozen=True)
class TokenRow:
    id: int
    username: str
    display_name: str
    name: str
    created_at: datetime
    expires_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None
    state: str                      # active | expired | revoked


def list_tokens(ctx, actor: User, username: str = "", live_only: bool = False) -> list[TokenRow]:
    """The tokens, newest first: of `username` only when given; `live_only`: neither
    revoked nor expired."""
    require(actor, USER_ADMIN_ROLES)
    now = ctx.now()
    query = (select(ApiToken.id, User.username, User.display_name, ApiToken.name,
                    ApiToken.created_at, ApiToken.expires_at, ApiToken.last_used_at,
                    ApiToken.revoked_at)
             .join(User, User.id == ApiToken.user_id).order_by(ApiToken.id.desc()).limit(LIMIT))
    if username:
        query = query.where(User.username == username)
    if live_only:
        query = query.where(ApiToken.revoked_at.is_(None), ApiToken.expires_at > now)
    return [TokenRow(row.id, row.username, row.display_name, row.name, row.created_at,
                     row.expires_at, row.last_used_at, row.revoked_at,
                     "revoked" if row.revoked_at is not None
                     else "expired" if row.expires_at <= now else "active")
            for row in ctx.session.execute(query)]


def issue(ctx, actor: User, username: str, name: str = "api", days: int | None = None) -> str:
    """A new bearer token for `username` (its secret, shown once)."""
    require(actor, USER_ADMIN_ROLES)
    row, secret = api_tokens.issue(ctx, username, name, days)
    audit.record(ctx, None, actor.username, "api_token_issued", token=row.id,
                 username=username, name=row.name)
    return secret


def revoke(ctx, actor: User, token_id: int) -> ApiToken:
    """Revoke any user's token (revoked already: nothing changes, nothing is recorded)."""
    require(actor, USER_ADMIN_ROLES)
    row = ctx.session.get(ApiToken, token_id)
    already = row is not None and row.revoked_at is not None
    row = api_tokens.revoke(ctx, token_id)
    if not already:
        owner = ctx.session.get(User, row.user_id)
        audit.record(ctx, None, actor.username, "api_token_revoked", token=row.id,
                     username=owner.username if owner else None, name=row.name)
    return row
