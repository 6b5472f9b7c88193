"""Who applied: the person, or one of their relations. An applicant to whom health
information may not go (a pårørende without a fullmakt covering it) is marked on the case,
and no later step may address health information to them (letters read the mark)."""
from __future__ import annotations

import dataclasses

from sqlalchemy import select

from engine.core.errors import InvalidInput
from engine.core.messages import N_, Message
from engine.db.models import Person, PersonRelation
from engine.persons import registry


@dataclasses.dataclass(frozen=True)
class Applicant:
    person_id: int | None  # the relation's person (None: the person, or not registered)
    relation: str | None  # forelder | verge | parorende (None: the person)
    without_fullmakt: bool


def applicant(ctx, person: Person, data: dict, choice) -> Applicant:
    """The applicant as the form (`soker_rolle`, `fullmakt`) and, when the applicant is a
    registered relation (`choice.applicant_person_id`), the relation say."""
    role = data.get("soker_rolle", "personen")
    if role == "personen":
        return Applicant(None, None, False)
    if choice.applicant_person_id is None:
        return Applicant(None, role, role == "parorende" and data.get("fullmakt") is not True)
    relation = ctx.session.scalar(select(PersonRelation).where(
        PersonRelation.person_id == person.id,
        PersonRelation.related_id == choice.applicant_person_id,
        PersonRelation.kind == role, PersonRelation.ended_at.is_(None)))
    if relation is None:
        raise InvalidInput(N_("Søkeren er ikke registrert med denne relasjonen til personen"),
                           {"soker_rolle": Message(N_("Registrer relasjonen først, eller "
                                                      "velg en annen søker"))})
    return Applicant(choice.applicant_person_id, role,
                     not registry.covers_health_information(relation))
