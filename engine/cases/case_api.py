"""The JSON API's operations on cases that take a person (webui/api.py `create_case`,
webui/api_persons.py `record_birth`), each one operation for the boundary to call.

- `register_application`: `intake.register_application` with the person chosen by id or
  number. A replay with the same Idempotency-Key must name the same person: the person
  fields of the request (`person_id`, `national_id`, and `applicant_person_id` when someone
  other than the person applied) are part of what it matches, as the process and the data
  are; a replay naming another person is the same 409 as one with other data.
- `record_birth`: an expected child is born (engine/cases/births.py), by one of the
  case-working roles.
"""
from __future__ import annotations

from engine.cases import births, intake
from engine.core.errors import ConflictError
from engine.core.messages import N_
from engine.db.models import Case, Person, User
from engine.persons import person_page, registry


def register_application(ctx, data: dict, user: User, process_key: str,
                         allowed: tuple[str, ...], idempotency_key: str | None = None,
                         person: intake.PersonChoice | None = None) -> intake.Registration:
    choice = person or intake.PersonChoice()
    registration = intake.register_application(ctx, data, user, process_key, allowed,
                                               idempotency_key, person=choice)
    if not registration.created and not _same_person(ctx, registration.case, data, choice):
        raise ConflictError(N_("Nøkkelen %(key)s ble brukt til en annen søknad (sak "
                               "%(case)s); bruk en ny nøkkel for en ny søknad"),
                            key=idempotency_key, case=registration.case.case_number)
    return registration


def _same_person(ctx, case: Case, data: dict, choice: intake.PersonChoice) -> bool:
    """Whether the replayed request names the person (and applicant) the case was started
    for. A case about no one (a process without an application form) took no person."""
    if case.person_id is None:
        return True
    if choice.person_id is not None and choice.person_id != case.person_id:
        return False
    if choice.national_id is not None:
        known = registry.by_number(ctx, choice.national_id)
        if known is None or known.id != case.person_id:
            return False
    if data.get("soker_rolle", "personen") != "personen":  # the applicant was read
        return choice.applicant_person_id == case.applicant_person_id
    return True


def record_birth(ctx, person_id: int, national_id: str, user: User) -> Person:
    """The expected child is born: its number recorded and the age-based timers moved."""
    person_page.require_reader(ctx, person_id, user)
    registry.require_registrar(user)
    return births.record_birth(ctx, person_id, national_id, user.username)
