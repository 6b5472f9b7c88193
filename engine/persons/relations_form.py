"""Adding a relation from the person page: the related person is found by national number
(or registered with the name and birth date given), then the relation is recorded. One
operation, so that the page registers no person without the relation it was for."""
from __future__ import annotations

import dataclasses
from datetime import date

from engine.db.models import PersonRelation, User
from engine.persons import person_page, registry


@dataclasses.dataclass(frozen=True)
class NewRelation:
    kind: str
    related_name: str
    related_national_id: str | None = None
    related_birth_date: date | None = None
    parental_responsibility: bool = False
    fullmakt_scope: tuple[str, ...] = ()
    fullmakt_signed_on: date | None = None
    fullmakt_document: str | None = None


def add(ctx, person_id: int, new: NewRelation, user: User) -> PersonRelation:
    person_page.require_reader(ctx, person_id, user)
    registry.require_registrar(user)
    related, _created = registry.find_or_register(ctx, registry.PersonDetails(
        name=new.related_name, national_id=new.related_national_id,
        birth_date=None if new.related_national_id else new.related_birth_date),
        user.username)
    return registry.add_relation(
        ctx, person_id, related.id, new.kind, user.username,
        parental_responsibility=new.parental_responsibility,
        fullmakt_scope=list(new.fullmakt_scope), fullmakt_signed_on=new.fullmakt_signed_on,
        fullmakt_document=new.fullmakt_document)
