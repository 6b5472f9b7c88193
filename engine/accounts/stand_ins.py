"""Who stands in for an absent officer today: the one read the task paths need (a task that
would be assigned to an absent user goes to their stand-in). The absences themselves are
registered and handed over by engine/administration/absences.py."""
from __future__ import annotations

import json
from datetime import date
from typing import TYPE_CHECKING

from sqlalchemy import bindparam, select

from engine.db import fastpath
from engine.db.models import Absence, User

if TYPE_CHECKING:
    from engine.core.context import EngineContext

#: The active stand-in of a user absent on `day` (at most one: absences do not overlap).
_STAND_IN = fastpath.Query(
    select(Absence.stand_in, User.roles).join(User, User.username == Absence.stand_in)
    .where(Absence.username == bindparam("username"), Absence.ended_at.is_(None),
           Absence.starts_on <= bindparam("day"), Absence.ends_on >= bindparam("day"),
           User.active).limit(1))


def stand_in_for(ctx: EngineContext, username: str, day: date | None = None
                 ) -> tuple[str, frozenset[str]] | None:
    """The active user standing in for `username` on `day` (default today) and their roles,
    or None."""
    found = fastpath.run(ctx, _STAND_IN, username=username, day=day or ctx.today())
    if not found:
        return None
    stand_in, roles = found[0]
    if isinstance(roles, str):  # a plain row of the fast path may keep JSON as text
        roles = json.loads(roles)
    return stand_in, frozenset(roles or ())


def assignee_for(ctx: EngineContext, username: str | None, role: str
                 ) -> tuple[str | None, str | None]:
    """(assignee, absent user) of a task for `role` that would go to `username`: to the
    stand-in of a user absent today, or to nobody (the role's queue) when the stand-in lacks
    the role; (username, None) when they are not absent."""
    found = stand_in_for(ctx, username) if username else None
    if found is None:
        return username, None
    stand_in, roles = found
    return (stand_in if role in roles else None), username
