"""Inbox filters an officer saves under a name: the inbox's query string, kept per user, so
they follow the officer to any browser."""
from __future__ import annotations

from sqlalchemy import delete, func, select

from engine.core.errors import InvalidInput
from engine.core.messages import N_, Message
from engine.db.models import SavedFilter

#: At most this many per user; saving one more drops the oldest.
MAX_FILTERS = 12
NAME_LENGTH, QUERY_LENGTH = 60, 1000


def for_user(ctx, user) -> list[tuple[str, str]]:
    """(name, query) of the user's filters, oldest first."""
    return [(f.name, f.query) for f in ctx.session.scalars(
        select(SavedFilter).where(SavedFilter.username == user.username)
        .order_by(SavedFilter.created_at, SavedFilter.id))]


def save(ctx, user, name: str, query: str) -> SavedFilter:
    """Save (or replace) the filter `name`; the oldest goes beyond MAX_FILTERS."""
    name = (name or "").strip()
    if not name or len(name) > NAME_LENGTH:
        raise InvalidInput(N_("Ugyldig navn"), {"name": Message(
            N_("Gi filteret et navn på høyst %(n)d tegn."), n=NAME_LENGTH)})
    if len(query or "") > QUERY_LENGTH:
        raise InvalidInput(N_("Filteret er for langt"), {"query": N_("Filteret er for langt.")})
    delete_named(ctx, user, name)
    saved = SavedFilter(username=user.username, name=name, query=query or "",
                        created_at=ctx.now())
    ctx.session.add(saved)
    ctx.session.flush()
    count = ctx.session.scalar(select(func.count(SavedFilter.id))
                               .where(SavedFilter.username == user.username))
    if count > MAX_FILTERS:
        oldest = select(SavedFilter.id).where(SavedFilter.username == user.username).order_by(
            SavedFilter.created_at, SavedFilter.id).limit(count - MAX_FILTERS)
        ctx.session.execute(delete(SavedFilter).where(SavedFilter.id.in_(oldest)))
    return saved


def delete_named(ctx, user, name: str) -> int:
    return ctx.session.execute(delete(SavedFilter).where(
        SavedFilter.username == user.username, SavedFilter.name == (name or "").strip())).rowcount
