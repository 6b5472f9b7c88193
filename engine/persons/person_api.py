"""The JSON API's operations on persons (webui/api_persons.py): each one operation that checks
who may do it, does it and logs the read, so that the boundary calls one engine operation.

- `find`: persons by number, birth date or a part of the name (the case-working roles); each
  person found is a read of that person in the audit log.
- `register`: a new person, or the one with the number already (the API answers 409 with its
  id); the case-working roles only.
- `add_relation`: a parent, guardian or pårørende, with the fullmakt's scope.
"""
from __future__ import annotations

import dataclasses
from datetime import date

from engine.cases import audit
from engine.db.models import Person, PersonRelation, User
from engine.persons import person_page, registry, search


def find(ctx, user: User, text: str) -> list[search.PersonHit]:
    """`search.search_persons` (which refuses all but the case-working roles), every person
    found logged as read; the search text itself is never logged."""
    hits = search.search_persons(ctx, user, text)
    for hit in hits:
        audit.record(ctx, None, user.username, "person_read", person_id=hit.person.id,
                     purpose="api search")
    return hits


@dataclasses.dataclass(frozen=True)
class Registered:
    person: Person
    #: False: the number was registered already and `person` is that person (not changed).
    created: bool


def register(ctx, details: registry.PersonDetails, user: User) -> Registered:
    """Register a person; when the number is registered already, that person, unchanged."""
    registry.require_registrar(user)
    if details.national_id:
        known = registry.by_number(ctx, details.national_id)
        if known is not None:
            return Registered(known, created=False)
    return Registered(registry.register(ctx, details, user.username), created=True)


def add_relation(ctx, person_id: int, related_id: int, kind: str, user: User, *,
                 parental_responsibility: bool = False, fullmakt_scope: list[str] | None = None,
                 fullmakt_signed_on: date | None = None, fullmakt_document: str | None = None
                 ) -> PersonRelation:
    """`registry.add_relation` by one of the case-working roles."""
    person_page.require_reader(ctx, person_id, user)
    registry.require_registrar(user)
    return registry.add_relation(
        ctx, person_id, related_id, kind, user.username,
        parental_responsibility=parental_responsibility, fullmakt_scope=fullmakt_scope,
        fullmakt_signed_on=fullmakt_signed_on, fullmakt_document=fullmakt_document)
