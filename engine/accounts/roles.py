"""Lane names to roles.

A lane in a diagram stands for a role. The shipped diagrams name their lanes with the role
key (`koordinerende_enhet`); a diagram drawn in a plain modeler names them as a person types
them ("Koordinerende enhet", "Leder"). Both map to the same role: the name is compared with
each role's key and display name case-insensitively, with runs of spaces, hyphens and
underscores read as one underscore (Norwegian letters are kept: "Økonomi" is not "okonomi").
"""
from __future__ import annotations

import functools
import re
from typing import Iterable

from engine.core.settings import ROLES

#: The roles' display names (bokmål), as people name lanes after them.
ROLE_NAMES = {"saksbehandler": "Saksbehandler", "leder": "Leder",
              "koordinerende_enhet": "Koordinerende enhet", "koordinator": "Koordinator",
              "admin": "Systemadministrator"}

_SEPARATORS = re.compile(r"[\s\-_]+")


def normalise(name: str) -> str:
    """``" Koordinerende - Enhet "`` -> ``"koordinerende_enhet"``."""
    return _SEPARATORS.sub("_", name.strip().lower()).strip("_")


def role_for_lane(name: str | None, roles: Iterable[str] = ROLES) -> str | None:
    """The role key a lane named `name` stands for, or None when it names no role."""
    return _role(name, tuple(roles)) if name else None


@functools.lru_cache(maxsize=1024)
def _role(name: str, roles: tuple[str, ...]) -> str | None:
    return _lookup(roles).get(normalise(name))


@functools.lru_cache(maxsize=16)
def _lookup(roles: tuple[str, ...]) -> dict[str, str]:
    found: dict[str, str] = {}
    for role in roles:
        found.setdefault(normalise(ROLE_NAMES.get(role, role)), role)
    for role in roles:  # a key wins over another role's display name
        found[normalise(role)] = role
    return found


def describe(roles: Iterable[str] = ROLES) -> str:
    """The roles as a message lists them: ``saksbehandler (Saksbehandler), ...``."""
    return ", ".join(f"{role} ({ROLE_NAMES[role]})" if role in ROLE_NAMES else role
                     for role in sorted(roles))
