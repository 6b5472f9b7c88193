"""Who receives a letter, following the person's relations (engine/persons/registry.py).

- the person themself, from the age of 16 (pasient- og brukerrettighetsloven § 3-4);
- under 16: the parents with parental responsibility, or else the guardian;
- a guardian (verge) always;
- a pårørende only with a fullmakt that covers it: health information (every letter
  that carries it) or, for other letters, letters («brev»).

Adding anyone else is refused here, in the engine: a pårørende without such a fullmakt
never receives a letter with health information, whatever a form or an API call asks.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from engine.core.errors import InvalidInput, PermissionDenied
from engine.core.messages import N_
from engine.db.models import Person, PersonRelation
from engine.deadlines import legal
from engine.deadlines.calendar import years_before
from engine.letters.kinds import LetterKind
from engine.persons import catalogue, registry


@dataclass(frozen=True)
class Candidate:
    person: Person
    #: selv | forelder | verge | parorende
    relation: str


def default_recipients(ctx, person: Person, kind: LetterKind, on: date) -> list[Candidate]:
    """Everyone who receives a letter of `kind` about `person` dated `on`."""
    related = registry.relations(ctx, person.id)
    minor = person.birth_date is not None and person.birth_date > years_before(
        on, legal.consent_age())
    found: list[Candidate] = []
    parents = [Candidate(p, "forelder") for r, p in related
               if r.kind == "forelder" and r.parental_responsibility]
    guardians = [Candidate(p, "verge") for r, p in related if r.kind == "verge"]
    if not minor:
        found.append(Candidate(person, "selv"))
    elif parents:
        found += parents
    found += guardians
    found += [Candidate(p, "parorende") for r, p in related
              if r.kind == "parorende" and may_receive(r, kind)]
    unique: dict[int, Candidate] = {}
    for candidate in found:
        unique.setdefault(candidate.person.id, candidate)
    return list(unique.values())


def may_receive(relation: PersonRelation, kind: LetterKind) -> bool:
    """Whether a relation may receive a letter of `kind`."""
    if relation.kind != "parorende":
        return relation.kind == "verge" or relation.parental_responsibility
    scope = relation.fullmakt_scope or []
    if kind.health_information:
        return catalogue.HEALTH_INFORMATION in scope
    return catalogue.HEALTH_INFORMATION in scope or "brev" in scope


def check_recipient(ctx, person: Person, recipient_id: int, kind: LetterKind) -> Candidate:
    """The relation `recipient_id` as a recipient of a letter about `person`; refused
    (PermissionDenied) for anyone the rules above leave out."""
    if recipient_id == person.id:
        return Candidate(person, "selv")
    for relation, related in registry.relations(ctx, person.id):
        if related.id != recipient_id:
            continue
        if may_receive(relation, kind):
            return Candidate(related, relation.kind)
        if kind.health_information:
            raise PermissionDenied(N_("%(name)s har ikke fullmakt til å motta "
                                      "helseopplysninger og kan ikke få dette brevet"),
                                   name=related.name)
        raise PermissionDenied(N_("%(name)s har ikke fullmakt til å motta brev"),
                               name=related.name)
    raise InvalidInput(N_("Mottakeren er ikke personen eller en av personens relasjoner"),
                       {"recipient": N_("Velg personen eller en av personens relasjoner")})
