"""Who may see a person's address (Folkeregisteret's protection levels).

- none: whoever may see the person;
- fortrolig (code 7) and strengt fortrolig (code 6): only the case-working roles
  (`CASEWORK_ROLES`), on their own pages; never a coordinator, a plan participant or the
  administrator, and never a document that may reach others (the plan, its PDF).

Every page, API answer and document that shows an address asks `shown_address`; the person
carries the marking (`marking`) everywhere they appear, so the reader knows why it is hidden.
"""
from __future__ import annotations

import dataclasses

from engine.accounts.roles import CASEWORK_ROLES, holds_any
from engine.core.messages import N_
from engine.db.models import Person, User
from engine.persons import catalogue


@dataclasses.dataclass(frozen=True)
class ShownAddress:
    #: The address lines the reader may see (empty when none is registered or it is hidden).
    lines: tuple[str, ...]
    #: Why it is hidden (a message key), or None when nothing is hidden.
    hidden_because: str | None = None


def shown_address(person: Person, reader: User | None, for_others: bool = False
                  ) -> ShownAddress:
    """The address as `reader` may see it. `for_others`: a document that may reach plan
    participants (the plan and its PDF): a protected address is never in it."""
    lines = tuple(line for line in (
        person.address, " ".join(p for p in (person.postal_code, person.postal_place) if p))
        if line)
    if person.protection == "none":
        return ShownAddress(lines)
    if not for_others and reader is not None and holds_any(reader.role_keys, CASEWORK_ROLES):
        return ShownAddress(lines)
    return ShownAddress((), N_("Adressen er skjermet"))


def marking(person: Person) -> str | None:
    """The protection level's label for a protected person (None: not protected)."""
    if person.protection == "none":
        return None
    return catalogue.PROTECTION_LEVELS[person.protection]


def may_send_digitally(person: Person) -> bool:
    """A person with strengt fortrolig address gets no ordinary digital mail or notice."""
    return person.protection != catalogue.STRICT
