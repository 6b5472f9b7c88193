"""Units and their members. `unit_members` is the source; each user row carries a copy of
its units, home unit first (`User.unit_ids`), written only here, so that the access check
on every request needs no query for them."""
from __future__ import annotations

import re

from sqlalchemy import select

from engine.core.errors import InvalidInput, NotFound
from engine.core.messages import N_, Message
from engine.db.models import Unit, UnitMember, User
from engine.organisation.kinds import UNIT_KINDS

_KEY = re.compile(r"^[a-z0-9][a-z0-9_-]{1,59}$")



def add_unit(ctx, key: str, name: str, kind: str) -> Unit:
    errors: dict[str, Message] = {}
    if not _KEY.match(key or ""):
        errors["key"] = Message(N_("Kortnavnet er 2–60 små bokstaver, sifre, - eller _"))
    if not (name or "").strip() or len(name) > 200:
        errors["name"] = Message(N_("Oppgi et navn på høyst 200 tegn"))
    if kind not in UNIT_KINDS:
        errors["kind"] = Message(N_("Velg hva slags enhet det er"))
    if not errors and ctx.session.scalar(select(Unit.id).where(Unit.key == key)):
        errors["key"] = Message(N_("«%(key)s» finnes allerede"), key=key)
    if errors:
        raise InvalidInput(N_("Enheten kan ikke lagres"), errors)
    unit = Unit(key=key, name=name.strip(), kind=kind, active=True, created_at=ctx.now())
    ctx.session.add(unit)
    ctx.session.flush()
    return unit


def find_unit(ctx, key: str) -> Unit | None:
    return ctx.session.scalar(select(Unit).where(Unit.key == key))


def get_unit(ctx, key: str) -> Unit:
    unit = find_unit(ctx, key)
    if unit is None:
        raise NotFound(N_("Fant ikke enheten «%(key)s»"), key=key)
    return unit


def all_units(ctx) -> list[Unit]:
    return list(ctx.session.scalars(select(Unit).order_by(Unit.name)))


def add_member(ctx, unit: Unit, username: str, home: bool = False) -> UnitMember:
    """`username` joins `unit` (their home unit when `home`, or when they have none yet)."""
    found = ctx.session.scalar(select(UnitMember).where(UnitMember.unit_id == unit.id,
                                                        UnitMember.username == username))
    has_home = ctx.session.scalar(select(UnitMember.id).where(
        UnitMember.username == username, UnitMember.home.is_(True)).limit(1)) is not None
    if found is None:
        found = UnitMember(unit_id=unit.id, username=username, home=False,
                           added_at=ctx.now())
        ctx.session.add(found)
    if home or not has_home:
        for other in ctx.session.scalars(select(UnitMember).where(
                UnitMember.username == username, UnitMember.home.is_(True))):
            other.home = False
        found.home = True
    ctx.session.flush()
    _copy_to_user(ctx, username)
    return found


def remove_member(ctx, unit: Unit, username: str) -> None:
    member = ctx.session.scalar(select(UnitMember).where(UnitMember.unit_id == unit.id,
                                                         UnitMember.username == username))
    if member is not None:
        ctx.session.delete(member)
        ctx.session.flush()
        _copy_to_user(ctx, username)


def join_default_unit(ctx, username: str) -> UnitMember | None:
    """A new user with no unit given joins SAMFLYT_DEFAULT_UNIT, when it exists."""
    key = ctx.settings.default_unit
    unit = ctx.session.scalar(select(Unit).where(Unit.key == key)) if key else None
    return add_member(ctx, unit, username, home=True) if unit is not None else None


def _copy_to_user(ctx, username: str) -> None:
    """The user row's copy of their units, home unit first."""
    user = ctx.session.scalar(select(User).where(User.username == username))
    if user is not None:
        user.unit_ids = list(ctx.session.scalars(select(UnitMember.unit_id).where(
            UnitMember.username == username).order_by(UnitMember.home.desc(),
                                                      UnitMember.id)))
        ctx.session.flush()


def unit_ids(user: User) -> frozenset[int]:
    """The units `user` belongs to."""
    return frozenset(user.unit_ids or ())


def home_unit_id(ctx, actor: User | str) -> int | None:
    """Where the cases `actor` registers go: their home unit, else the default unit."""
    if isinstance(actor, User):
        if actor.unit_ids:
            return actor.unit_ids[0]
    else:
        home = ctx.session.scalar(select(UnitMember.unit_id).where(
            UnitMember.username == actor).order_by(UnitMember.home.desc(), UnitMember.id)
            .limit(1))
        if home is not None:
            return home
    if not ctx.settings.default_unit:
        return None
    return ctx.session.scalar(select(Unit.id).where(Unit.key == ctx.settings.default_unit))


def members(ctx, unit_id: int) -> list[str]:
    return list(ctx.session.scalars(select(UnitMember.username).where(
        UnitMember.unit_id == unit_id).order_by(UnitMember.username)))
