"""Registering an application: who may, which processes start a case, and the form.

The person comes first (`PersonChoice`): an existing person by id, or by national number
(never a second person for the same number), else found by name and birth date, else
registered. The case records its person, what is asked, when it was received and who applied
(an applicant without fullmakt covering health information is marked on the case). When the
person has a plan and the application asks for IP, the case joins that plan
(`plan_tilslutning`) instead of opening a second one, whichever law it comes under.

A start may carry an idempotency key (the API's `Idempotency-Key` header, the new-case
form's hidden token): a retry or a resubmit with the same key by the same user returns the
case the first one made, and never makes a second.
"""
from __future__ import annotations

import dataclasses

from sqlalchemy import select

from engine.access import rules
from engine.accounts.roles import INTAKE_ROLES
from engine.cases import applicants, audit, casework
from engine.core.context import GoesOn
from engine.core.errors import ConflictError, InvalidInput, NotFound, PermissionDenied
from engine.core.messages import N_, Message
from engine.db.models import Case, Person, Plan, User
from engine.deadlines.calendar import optional_date
from engine.definitions import store
from engine.persons import registry, search
from engine.persons.catalogue import services_asked
from engine.plans import coordinators
from engine.plans.lifecycle import open_plan_of
from engine.worklist.forms import check_completion

#: The longest idempotency key (the column's length).
KEY_LENGTH: int = Case.__table__.c.idempotency_key.type.length  # type: ignore[attr-defined]


@dataclasses.dataclass
class ApplicationForm:
    process_key: str
    process_name: str
    schema: dict | None


def may_register(user: User) -> bool:
    return bool(user.role_keys & INTAKE_ROLES)


def application_form(ctx, user: User, process_key: str, allowed: tuple[str, ...]
                     ) -> ApplicationForm:
    """The start form of `process_key` (None when the process has none)."""
    _check(user, process_key, allowed)
    return _form_of(ctx, process_key)


def _form_of(ctx, process_key: str) -> ApplicationForm:
    version, form = _start_form(ctx, process_key)
    return ApplicationForm(process_key, version.name,
                           store.form_schema(ctx, version, form) if form else None)


def _start_form(ctx, process_key: str):
    """The process's newest version and the form file on its start event (or None)."""
    version = store.latest_version(ctx, process_key)
    return version, casework.start_form(ctx.specs.get(version))


def _check_start_data(ctx, process_key: str, data: dict) -> None:
    """The data is exactly the start form's fields (none without a form), valid for it."""
    version, form = _start_form(ctx, process_key)
    check_completion(store.form_text(ctx, version, form) if form else None, data)


@dataclasses.dataclass
class Registration:
    case: Case
    created: bool  # False: the key's earlier start, returned again


def start_form_schemas(ctx, allowed: tuple[str, ...]) -> dict[str, dict | None]:
    """Each process a case may start with, and its start form's JSON Schema (None: no form;
    a process not deployed is left out). Forms are data, not case data: the API's document
    shows them."""
    schemas: dict[str, dict | None] = {}
    for key in allowed:
        try:
            schemas[key] = _form_of(ctx, key).schema
        except NotFound:
            continue
    return schemas


def process_choices(ctx, allowed: tuple[str, ...]) -> list[tuple[str, str]]:
    """The processes a case may be started in, each with its name (never shown by its key):
    one not deployed yet by its key in words."""
    found = []
    for key in allowed:
        try:
            found.append((key, store.latest_version(ctx, key).name))
        except NotFound:
            found.append((key, key.replace("_", " ")))
    return found


@dataclasses.dataclass(frozen=True)
class PersonChoice:
    """Whom the application is about: `person_id`, or `national_id`, or neither (found by
    the application's name and birth date, else registered). `applicant_person_id`: the
    relation who applied, when registered."""
    person_id: int | None = None
    national_id: str | None = None
    applicant_person_id: int | None = None


def register_application(ctx, data: dict, user: User, process_key: str,
                         allowed: tuple[str, ...], idempotency_key: str | None = None,
                         person: PersonChoice | None = None, go_on: bool = False
                         ) -> Registration:
    """Start a case from an application registered by a case officer. The data is exactly
    the start form's fields (none without a form), valid for it. `go_on`: the officer goes
    on with the case, so its first task they can work on is made theirs
    (`humantasks.go_on` finds it)."""
    _check(user, process_key, allowed)
    with ctx.going_on(GoesOn(user.username, frozenset(user.role_keys)) if go_on else None):
        return _register(ctx, data, user, process_key, idempotency_key, person)


def _register(ctx, data: dict, user: User, process_key: str, idempotency_key: str | None,
              person: PersonChoice | None) -> Registration:
    if idempotency_key is not None:
        earlier = started_with(ctx, user, idempotency_key)
        if earlier is not None:
            if earlier.process_key not in (process_key, PLAN_JOIN_PROCESS) \
                    or dict(earlier.data or {}) != data:
                raise ConflictError(N_("Nøkkelen %(key)s ble brukt til en annen søknad (sak "
                                       "%(case)s); bruk en ny nøkkel for en ny søknad"),
                                    key=idempotency_key, case=earlier.case_number)
            return Registration(earlier, created=False)
    version, form = _start_form(ctx, process_key)
    check_completion(store.form_text(ctx, version, form) if form else None, data)
    if form is None:  # a process without an application form concerns no one yet
        return Registration(casework.start_case(ctx, data, user, process_key=process_key,
                                                idempotency_key=idempotency_key), True)
    try:
        found = _person(ctx, data, person or PersonChoice(), user.username)
    except InvalidInput as error:  # the register's fields as the application names them
        raise InvalidInput(error.message, {_FORM_FIELDS.get(field, field): text
                                           for field, text in error.errors.items()}) from None
    applicant = applicants.applicant(ctx, found, data, person or PersonChoice())
    plan = open_plan_of(ctx, found.id)
    joins = plan is not None and data.get("onsker_ip") is True
    case = casework.start_case(
        ctx, data, user, process_key=PLAN_JOIN_PROCESS if joins else process_key,
        idempotency_key=idempotency_key,
        about=casework.About(person=found, received_on=optional_date(data.get("mottatt_dato")),
                             services=services_asked(data), applicant=applicant,
                             plan=plan if joins else None))
    return Registration(case, created=True)


#: The register's field names (engine/persons/registry.py) as the application form names
#: them; `fodselsnummer` is the number field beside the form.
_FORM_FIELDS = {"name": "navn", "birth_date": "fodselsdato", "due_date": "fodselsdato",
                "national_id": "fodselsnummer"}

#: The process a case runs when it joins the person's existing plan.
PLAN_JOIN_PROCESS = "plan_tilslutning"


@dataclasses.dataclass
class PersonAtIntake:
    """What the officer sees of a person before registering their application."""
    person: Person
    cases: list[Case]
    plan: Plan | None
    plan_coordinator: str | None


def find_persons(ctx, user: User, text: str) -> list[search.PersonHit]:
    """Registering starts with finding the person (by number, name or birth date)."""
    if not may_register(user):
        raise PermissionDenied(N_("Bare saksbehandlere kan registrere søknader"))
    hits = search.search_persons(ctx, user, text)
    for hit in hits:
        audit.record(ctx, None, user.username, "person_read", person_id=hit.person.id,
                     purpose="intake_search")
    return hits


def person_at_intake(ctx, user: User, person_id: int) -> PersonAtIntake:
    """The chosen person, their cases and their plan (the read is logged)."""
    if not may_register(user):
        raise PermissionDenied(N_("Bare saksbehandlere kan registrere søknader"))
    person = registry.get(ctx, person_id)
    audit.record(ctx, None, user.username, "person_read", person_id=person.id,
                 purpose="intake")
    cases = list(ctx.session.scalars(select(Case).where(Case.person_id == person.id)
                                     .order_by(Case.id.desc())))
    plan = open_plan_of(ctx, person.id)
    return PersonAtIntake(person, cases, plan,
                          coordinators.current(ctx, plan.id) if plan is not None else None)


def joins_plan(ctx, person_id: int | None, data: dict) -> bool:
    """Whether an application for this person would join their plan (shown before it is
    registered)."""
    return person_id is not None and data.get("onsker_ip") is True \
        and open_plan_of(ctx, person_id) is not None


def _person(ctx, data: dict, choice: PersonChoice, actor: str) -> Person:
    if choice.person_id is not None:
        return registry.get(ctx, choice.person_id)
    born = optional_date(data.get("fodselsdato"))
    expected = data.get("barn_forventet") is True
    details = registry.PersonDetails(
        name=data.get("navn", ""), national_id=choice.national_id,
        birth_date=None if expected or choice.national_id else born,
        due_date=born if expected else None)
    if choice.national_id:
        found, _new = registry.find_or_register(ctx, details, actor)
        return found
    if born is not None and not expected:
        same = registry.by_name_and_birth(ctx, details.name, born)
        if len(same) == 1:
            return same[0]
        if len(same) > 1:
            raise ConflictError(N_("Flere personer har dette navnet og denne fødselsdatoen; "
                                   "velg personen eller oppgi fødselsnummeret"))
    return registry.register(ctx, details, actor)


def appeal_form(ctx, user: User, case_id: int | None = None) -> ApplicationForm:
    """The form an officer registers an appeal with (the appeal process's start form);
    with `case_id`, only for a case the user may read (asked first: a refused read)."""
    if case_id is not None:
        rules.require_case(ctx, case_id, user)
    _may_appeal(user)
    return _form_of(ctx, casework.APPEAL_PROCESS)


def register_appeal(ctx, case_id: int, data: dict, user: User):
    """An officer registers an appeal on a case: exactly the appeal form's fields."""
    rules.require_case(ctx, case_id, user)
    _may_appeal(user)
    _check_start_data(ctx, casework.APPEAL_PROCESS, data)
    return casework.register_appeal(ctx, case_id, data, user)


def _may_appeal(user: User) -> None:
    if not may_register(user):
        raise PermissionDenied(N_("Bare saksbehandlere kan registrere klager"))


def started_with(ctx, user: User, idempotency_key: str) -> Case | None:
    """The case `user` started with this key, if any."""
    return ctx.session.scalar(select(Case).where(Case.created_by == user.username,
                                                 Case.idempotency_key == idempotency_key))


def _check(user: User, process_key: str, allowed: tuple[str, ...]) -> None:
    if not may_register(user):
        raise PermissionDenied(N_("Bare saksbehandlere kan registrere søknader"))
    if process_key not in allowed:
        raise InvalidInput(N_("Prosessen «%(process)s» kan ikke startes som en ny sak"),
                           {"process": Message(N_("Velg en av %(choices)s"), choices=allowed)},
                           process=process_key)
