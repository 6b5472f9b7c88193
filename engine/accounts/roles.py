"""The roles: their keys, their names, the groups that grant something, and lane names.

This module is the one place a role key is written. Everything that asks "may this user ..."
names a group below; the web UI shows `ROLE_NAMES` in the reader's language.

A lane in a diagram stands for a role. The shipped diagrams name their lanes with the role
key (`koordinerende_enhet`); a diagram drawn in a plain modeler names them as a person types
them ("Koordinerende enhet", "Leder"). Both map to the same role: the name is compared with
each role's key and display name case-insensitively, with runs of spaces, hyphens and
underscores read as one underscore (Norwegian letters are kept: "Økonomi" is not "okonomi").
"""
from __future__ import annotations

import functools
import re
from collections.abc import Iterable

from engine.core.messages import N_, Message

CASE_OFFICER = "saksbehandler"
LEADER = "leder"
COORDINATING_UNIT = "koordinerende_enhet"
COORDINATOR = "koordinator"
ADMIN = "admin"

#: Every role, in the order lists show them. A user holds one or more (users.roles).
ROLES = (CASE_OFFICER, LEADER, COORDINATING_UNIT, COORDINATOR, ADMIN)

#: The roles' display names (bokmål, translated by the web UI), as people name lanes after them.
ROLE_NAMES = {CASE_OFFICER: N_("Saksbehandler"), LEADER: N_("Leder"),
              COORDINATING_UNIT: N_("Koordinerende enhet"), COORDINATOR: N_("Koordinator"),
              ADMIN: N_("Systemadministrator")}

# --- groups: what holding one of these roles grants ---------------------------------------
#: Register applications, i.e. start a new case (the case officer).
INTAKE_ROLES = frozenset({CASE_OFFICER})
#: Read every case in full, the person's data included.
CASEWORK_ROLES = frozenset({CASE_OFFICER, LEADER, COORDINATING_UNIT})
#: Read the cases they coordinate or have a task in, in full; may be appointed a case's
#: coordinator (when trained).
COORDINATOR_ROLES = frozenset({COORDINATOR})
#: Find cases and persons (the case list and search): each finds what they may read in full.
SEARCH_ROLES = CASEWORK_ROLES | COORDINATOR_ROLES
#: Read every case without the person's data (its course, tasks and notices).
OVERVIEW_ROLES = frozenset({ADMIN})
#: Supervise tasks: see every open task, put back or hand over a task someone else holds,
#: assign tasks to anyone who holds a work role.
SUPERVISOR_ROLES = frozenset({LEADER, COORDINATING_UNIT, ADMIN})
#: Own the process library: see it, edit and deploy diagrams, forms and decision tables,
#: migrate running cases.
LIBRARY_ROLES = frozenset({COORDINATING_UNIT, ADMIN})
#: See who read what: the audit view and the report of unusual reading (docs/access.md).
AUDIT_ROLES = frozenset({COORDINATING_UNIT})
#: Manage users in the browser (/admin/users): their roles, deactivation and activation,
#: and everyone's API tokens (/admin/tokens).
USER_ADMIN_ROLES = frozenset({ADMIN})
#: Keep the coordinator training register: mark who has had the coordinator training.
TRAINING_ROLES = frozenset({COORDINATING_UNIT})
#: Manage the organisation's units and who belongs to them (/admin/units).
UNIT_ADMIN_ROLES = frozenset({COORDINATING_UNIT, ADMIN})
#: Register an officer's absence with a stand-in who receives their tasks (/admin/absences).
ABSENCE_ROLES = frozenset({COORDINATING_UNIT, LEADER})
#: See the administration pages at all (the «Administrasjon» link): any of the four above.
ADMINISTRATION_ROLES = USER_ADMIN_ROLES | TRAINING_ROLES | UNIT_ADMIN_ROLES | ABSENCE_ROLES
#: The user list (/admin/users): those who manage users and those who keep the register.
USER_LIST_ROLES = USER_ADMIN_ROLES | TRAINING_ROLES
#: Do no casework: nobody hands a task to a user for these roles.
NON_WORK_ROLES = frozenset({ADMIN})
#: Is told when a step of a diagram fails on a case's data (it owns the diagrams).
PROCESS_ERROR_ROLE = COORDINATING_UNIT


def role_label(key: str | None) -> str:
    """A role's name as a Message (the web UI shows it in the reader's language), for a
    message's parameter; a key not in ROLE_NAMES as it is."""
    return Message(ROLE_NAMES[key]) if key in ROLE_NAMES else (key or "")


def holds_any(role_keys: Iterable[str], group: Iterable[str]) -> bool:
    """Whether a user with `role_keys` holds a role of `group` (a group above)."""
    return not set(group).isdisjoint(role_keys)


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


def require_role(key: str, setting: str) -> None:
    """Refuse a setting (`setting` names it) that should name a role but does not."""
    if key not in ROLES:
        raise ValueError(f"{setting}={key!r} is not a role; use one of {', '.join(ROLES)}")
