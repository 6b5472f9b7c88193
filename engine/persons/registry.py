"""The register of persons and their relations.

A national number is registered once: registering it again finds the person already there
(`find_or_register`) or is refused (`register`). An expected child is registered with a due
date and no number; `record_birth` adds the number and the birth date.
"""
from __future__ import annotations

import dataclasses
from datetime import date

from sqlalchemy import select

from engine.accounts.roles import CASEWORK_ROLES, holds_any
from engine.cases import audit
from engine.core.errors import ConflictError, InvalidInput, NotFound, PermissionDenied
from engine.core.messages import N_, Message
from engine.db.models import Case, Person, PersonRelation, User
from engine.deadlines.calendar import optional_date
from engine.persons import catalogue, identity

_NAME_LENGTH = 200
_ADDRESS_FIELDS = {"address": 300, "postal_code": 10, "postal_place": 100}


@dataclasses.dataclass
class PersonDetails:
    """What an officer enters about a person (None: not given)."""
    name: str
    national_id: str | None = None
    birth_date: date | None = None
    due_date: date | None = None
    address: str | None = None
    postal_code: str | None = None
    postal_place: str | None = None
    protection: str = "none"
    preferred_channel: str = "digital"
    written_language: str | None = None


def fold(name: str) -> str:
    """A name as search compares it: case-folded, inner spaces collapsed."""
    return " ".join(name.casefold().split())


def require_registrar(user: User) -> None:
    """Persons and relations are registered by the case-working roles."""
    if not holds_any(user.role_keys, CASEWORK_ROLES):
        raise PermissionDenied(N_("Bare saksbehandlende roller kan registrere personer"))


def register(ctx, details: PersonDetails, actor: str) -> Person:
    """A new person; ConflictError when the number is registered already."""
    checked = _checked(ctx, details)
    if checked.national_id and by_number(ctx, checked.national_id) is not None:
        raise ConflictError(N_("Fødselsnummeret er allerede registrert"))
    now = ctx.now()
    person = Person(name=checked.name, name_folded=fold(checked.name), created_at=now,
                    created_by=actor, updated_at=now, **_values(checked))
    ctx.session.add(person)
    ctx.session.flush()
    audit.record(ctx, None, actor, "person_registered", person_id=person.id)
    return person


def find_or_register(ctx, details: PersonDetails, actor: str) -> tuple[Person, bool]:
    """The person with this number if registered (True when new): never a second one."""
    checked = _checked(ctx, details)
    if checked.national_id:
        found = by_number(ctx, checked.national_id)
        if found is not None:
            return found, False
    return register(ctx, checked, actor), True


def update(ctx, person_id: int, changes: dict, actor: str,
           expected_version: int | None = None) -> Person:
    """Change the person's details (the fields of PersonDetails)."""
    person = get(ctx, person_id)
    if expected_version is not None and person.version != expected_version:
        raise ConflictError(N_("Personen ble endret av en annen; last siden på nytt"))
    unknown = set(changes) - {f.name for f in dataclasses.fields(PersonDetails)}
    if unknown:
        raise InvalidInput(N_("Ukjente felt"), {name: Message(N_("Ukjent felt"))
                                                for name in sorted(unknown)})
    current = PersonDetails(name=person.name, national_id=person.national_id,
                            birth_date=person.birth_date, due_date=person.due_date,
                            address=person.address, postal_code=person.postal_code,
                            postal_place=person.postal_place, protection=person.protection,
                            preferred_channel=person.preferred_channel,
                            written_language=person.written_language)
    checked = _checked(ctx, dataclasses.replace(current, **changes))
    if checked.national_id and checked.national_id != person.national_id:
        other = by_number(ctx, checked.national_id)
        if other is not None:
            raise ConflictError(N_("Fødselsnummeret er allerede registrert"))
    for key, value in _values(checked).items():
        setattr(person, key, value)
    person.name, person.name_folded, person.updated_at = checked.name, fold(checked.name), \
        ctx.now()
    _rename_cases(ctx, person)
    ctx.session.flush()
    audit.record(ctx, None, actor, "person_changed", person_id=person.id,
                 fields=sorted(changes))
    return person


def record_birth(ctx, person_id: int, national_id: str, actor: str) -> Person:
    """The expected child is born: its number and birth date replace the due date."""
    person = get(ctx, person_id)
    if person.birth_date is not None:
        raise ConflictError(N_("Personen er allerede født"))
    parsed = identity.parse(national_id, ctx.today(), ctx.settings.allow_synthetic_ids)
    if by_number(ctx, parsed.number) is not None:
        raise ConflictError(N_("Fødselsnummeret er allerede registrert"))
    person.national_id, person.id_kind = parsed.number, parsed.kind
    person.birth_date, person.due_date, person.updated_at = parsed.birth_date, None, ctx.now()
    ctx.session.flush()
    audit.record(ctx, None, actor, "person_born", person_id=person.id)
    return person


def person_for_application(ctx, data: dict, actor: str) -> Person:
    """The person an application names (`navn`, `fodselsdato`): the one person registered
    with that name and birth date, else a new one."""
    born = optional_date(data.get("fodselsdato"))
    name = data.get("navn") or "Ukjent"
    if born is not None:
        same = by_name_and_birth(ctx, name, born)
        if len(same) == 1:
            return same[0]
    return register(ctx, PersonDetails(name=name, birth_date=born,
                                       due_date=None if born else ctx.today()), actor)


def get(ctx, person_id: int) -> Person:
    person = ctx.session.get(Person, person_id)
    if person is None:
        raise NotFound(N_("Fant ikke person %(person)s"), person=person_id)
    return person


def by_number(ctx, national_id: str) -> Person | None:
    return ctx.session.scalar(select(Person).where(
        Person.national_id == identity.compact(national_id)))


def by_name_and_birth(ctx, name: str, born: date) -> list[Person]:
    return list(ctx.session.scalars(select(Person).where(
        Person.name_folded == fold(name), Person.birth_date == born).order_by(Person.id)))


# --- relations --------------------------------------------------------------------------------

def add_relation(ctx, person_id: int, related_id: int, kind: str, actor: str, *,
                 parental_responsibility: bool = False, fullmakt_scope: list[str] | None = None,
                 fullmakt_signed_on: date | None = None, fullmakt_document: str | None = None
                 ) -> PersonRelation:
    """`related_id` becomes the person's parent, guardian or pårørende."""
    get(ctx, person_id), get(ctx, related_id)
    errors: dict[str, Message] = {}
    if related_id == person_id:
        errors["related_id"] = Message(N_("En person kan ikke være i slekt med seg selv"))
    if kind not in catalogue.RELATION_KINDS:
        errors["kind"] = Message(N_("Velg forelder, verge eller pårørende"))
    scope = list(dict.fromkeys(fullmakt_scope or []))
    if any(key not in catalogue.FULLMAKT_SCOPES for key in scope):
        errors["fullmakt_scope"] = Message(N_("Ukjent omfang av fullmakten"))
    if scope and not fullmakt_signed_on:
        errors["fullmakt_signed_on"] = Message(N_("Oppgi datoen fullmakten ble undertegnet"))
    if parental_responsibility and kind != "forelder":
        errors["parental_responsibility"] = Message(N_("Bare en forelder har foreldreansvar"))
    if errors:
        raise InvalidInput(N_("Relasjonen kan ikke registreres"), errors)
    if ctx.session.scalar(select(PersonRelation.id).where(
            PersonRelation.person_id == person_id, PersonRelation.related_id == related_id,
            PersonRelation.kind == kind)) is not None:
        raise ConflictError(N_("Relasjonen er allerede registrert"))
    relation = PersonRelation(person_id=person_id, related_id=related_id, kind=kind,
                              parental_responsibility=parental_responsibility,
                              fullmakt_scope=scope or None, fullmakt_signed_on=fullmakt_signed_on,
                              fullmakt_document=fullmakt_document, created_at=ctx.now())
    ctx.session.add(relation)
    ctx.session.flush()
    audit.record(ctx, None, actor, "relation_added", person_id=person_id,
                 relation=relation.id, kind=kind)
    return relation


def relations(ctx, person_id: int) -> list[tuple[PersonRelation, Person]]:
    """The person's current relations and the related persons."""
    return [(relation, person) for relation, person in ctx.session.execute(
        select(PersonRelation, Person).join(Person, Person.id == PersonRelation.related_id)
        .where(PersonRelation.person_id == person_id, PersonRelation.ended_at.is_(None))
        .order_by(PersonRelation.kind, Person.name_folded)).tuples()]


def covers_health_information(relation: PersonRelation | None) -> bool:
    """Whether health information may go to this relation: a parent with parental
    responsibility, a guardian, or a pårørende whose fullmakt covers it."""
    if relation is None:
        return False
    if relation.kind == "forelder":
        return relation.parental_responsibility
    if relation.kind == "verge":
        return True
    return catalogue.HEALTH_INFORMATION in (relation.fullmakt_scope or [])


def _checked(ctx, details: PersonDetails) -> PersonDetails:
    errors: dict[str, Message] = {}
    name = " ".join(details.name.split()) if isinstance(details.name, str) else ""
    if not name or len(name) > _NAME_LENGTH:
        errors["name"] = Message(N_("Navnet er en tekst på 1 til %(n)d tegn"), n=_NAME_LENGTH)
    number, born = None, details.birth_date
    if details.national_id:
        try:
            parsed = identity.parse(details.national_id, ctx.today(),
                                    ctx.settings.allow_synthetic_ids, field="national_id")
        except InvalidInput as error:
            errors.update(error.errors)
        else:
            number = parsed.number
            if born is not None and born != parsed.birth_date:
                errors["birth_date"] = Message(N_("Fødselsdatoen stemmer ikke med "
                                                  "fødselsnummeret"))
            born = parsed.birth_date
    if born is None and details.due_date is None:
        errors["birth_date"] = Message(N_("Oppgi fødselsdato, eller termindato for et barn "
                                          "som ikke er født"))
    if born is not None and details.due_date is not None:
        errors["due_date"] = Message(N_("Et født barn har ingen termindato"))
    if born is not None and born > ctx.today():
        errors["birth_date"] = Message(N_("Fødselsdatoen er fram i tid"))
    if details.protection not in catalogue.PROTECTION_LEVELS:
        errors["protection"] = Message(N_("Ukjent adressebeskyttelse"))
    if details.preferred_channel not in catalogue.CHANNELS:
        errors["preferred_channel"] = Message(N_("Velg digital post eller papirpost"))
    if details.written_language not in (None, *catalogue.WRITTEN_LANGUAGES):
        errors["written_language"] = Message(N_("Velg bokmål eller nynorsk"))
    for field, length in _ADDRESS_FIELDS.items():
        value = getattr(details, field)
        if value is not None and (not isinstance(value, str) or len(value) > length):
            errors[field] = Message(N_("En tekst på høyst %(n)d tegn"), n=length)
    if errors:
        raise InvalidInput(N_("Personopplysningene er ikke gyldige"), errors)
    return dataclasses.replace(details, name=name, national_id=number, birth_date=born)


def _values(details: PersonDetails) -> dict:
    return {"national_id": details.national_id,
            "id_kind": identity.kind_of(details.national_id) if details.national_id else None,
            "birth_date": details.birth_date, "due_date": details.due_date,
            "address": details.address or None, "postal_code": details.postal_code or None,
            "postal_place": details.postal_place or None, "protection": details.protection,
            "preferred_channel": details.preferred_channel,
            "written_language": details.written_language or None}


def _rename_cases(ctx, person: Person) -> None:
    """The cases show the person's current name."""
    for case in ctx.session.scalars(select(Case).where(Case.person_id == person.id,
                                                       Case.person_name != person.name)):
        case.person_name = person.name
