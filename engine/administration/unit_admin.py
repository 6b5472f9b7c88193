"""The organisation's units as the administration manages them: the list with members (the
home unit marked), a new unit, a member added or removed, a member's home unit. The rules
and the user row's copy of their units are engine/organisation/units.py's."""
from __future__ import annotations

import dataclasses

from sqlalchemy import select

from engine.accounts import users
from engine.accounts.roles import UNIT_ADMIN_ROLES
from engine.administration.guard import require
from engine.cases import audit
from engine.core.errors import InvalidInput
from engine.core.messages import N_, Message
from engine.db.models import Unit, UnitMember, User
from engine.organisation import units


@dataclasses.dataclass(frozen=True)
class Member:
    username: str
    display_name: str
    home: bool
    active: bool


@dataclasses.dataclass(frozen=True)
class UnitRow:
    key: str
    name: str
    kind: str
    members: tuple[Member, ...]


def list_units(ctx, actor: User) -> list[UnitRow]:
    """Every unit by name, with its members by display name."""
    require(actor, UNIT_ADMIN_ROLES)
    rows = ctx.session.execute(
        select(UnitMember.unit_id, UnitMember.username, UnitMember.home, User.display_name,
               User.active)
        .outerjoin(User, User.username == UnitMember.username)
        .order_by(User.display_name, UnitMember.username)).all()
    members: dict[int, list[Member]] = {}
    for unit_id, username, home, name, active in rows:
        members.setdefault(unit_id, []).append(Member(username, name or username, bool(home),
                                                      bool(active)))
    return [UnitRow(unit.key, unit.name, unit.kind, tuple(members.get(unit.id, ())))
            for unit in units.all_units(ctx)]


def add_unit(ctx, actor: User, key: str, name: str, kind: str) -> Unit:
    require(actor, UNIT_ADMIN_ROLES)
    unit = units.add_unit(ctx, (key or "").strip(), name, kind)
    audit.record(ctx, None, actor.username, "unit_added", unit=unit.key, name=unit.name,
                 kind=unit.kind)
    return unit


def add_member(ctx, actor: User, key: str, username: str, home: bool = False) -> UnitMember:
    """`username` joins unit `key` (or, already a member, makes it their home unit)."""
    require(actor, UNIT_ADMIN_ROLES)
    unit = units.get_unit(ctx, key)
    username = (username or "").strip()
    if users.find_user(ctx, username) is None:
        raise InvalidInput(N_("Medlemmet kan ikke legges til"), {"username": Message(
            N_("Fant ikke brukeren «%(username)s»"), username=username)})
    was_member = username in units.members(ctx, unit.id)
    member = units.add_member(ctx, unit, username, home=home)
    audit.record(ctx, None, actor.username,
                 "unit_home_set" if was_member else "unit_member_added",
                 unit=unit.key, username=username, home=member.home)
    return member


def remove_member(ctx, actor: User, key: str, username: str) -> None:
    require(actor, UNIT_ADMIN_ROLES)
    unit = units.get_unit(ctx, key)
    if username not in units.members(ctx, unit.id):
        raise InvalidInput(N_("Medlemmet kan ikke fjernes"), {"username": Message(
            N_("«%(username)s» er ikke medlem av enheten"), username=username)})
    units.remove_member(ctx, unit, username)
    audit.record(ctx, None, actor.username, "unit_member_removed", unit=unit.key,
                 username=username)
