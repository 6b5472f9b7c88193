"""Cases: start one from an application, read one (every read is logged), start the
processes that begin on an outside event (an appeal, a coordinator leaving)."""
from __future__ import annotations

import dataclasses
import functools
import logging
from datetime import date

from sqlalchemy import bindparam, select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from engine.access import rules
from engine.cases import audit
from engine.cases.applicants import Applicant
from engine.core.errors import ConflictError, InvalidInput, NotFound
from engine.core.messages import N_, Message
from engine.db import fastpath
from engine.db.models import Case, CaseNumberCounter, Person, Plan, ProcessInstance, User
from engine.definitions import store
from engine.organisation import units
from engine.plans import coordinators
from engine.workflow import step
from engine.workflow.loading import properties
from engine.worklist.forms import validate_form_data

log = logging.getLogger(__name__)

#: The process that runs a whole case.
MAIN_PROCESS = "ip_sak"
#: Started when an appeal (klage) is registered on a case.
APPEAL_PROCESS = "klage"
#: Started when the coordinator leaves.
COORDINATOR_CHANGE_PROCESS = "koordinatorbytte"


def _case_number(ctx, year: int, number: int) -> str:
    """A readable, unique case number: PREFIX-YEAR-NNNNN, counting per year (the number comes
    from `_next_number`)."""
    return f"{ctx.settings.case_number_prefix}-{year}-{number:05d}"


_COUNTERS = CaseNumberCounter.__table__


@functools.cache
def _next_number(dialect: str):
    """One statement takes the year's next number, creating the year's counter the first time:
    two officers starting the year's first cases at once both get a number (an INSERT after a
    missed UPDATE would fail for one of them)."""
    insert = postgresql_insert if dialect == "postgresql" else sqlite_insert
    return fastpath.Query(insert(_COUNTERS).values(year=bindparam("of_year"), last=1)
                          .on_conflict_do_update(index_elements=[_COUNTERS.c.year],
                                                 set_={"last": _COUNTERS.c.last + 1})
                          .returning(_COUNTERS.c.last))


@dataclasses.dataclass(frozen=True)
class About:
    """What the intake found out about an application (engine/cases/intake.py)."""
    person: Person
    received_on: date | None
    services: str | None
    applicant: Applicant
    #: The person's plan the case joins (None: the case opens one if IP is granted).
    plan: Plan | None = None


def start_case(ctx, data: dict, actor: User | str, process_key: str = MAIN_PROCESS,
               idempotency_key: str | None = None, about: About | None = None) -> Case:
    """Register an application and run its process to the first wait.

    `data` is validated against the form on the process's start event, if it has one.
    """
    actor_name = _name(actor)
    person_name = _person_name(data)
    if about is not None:
        person_name = about.person.name
    year = ctx.now().year
    # the newest version and the case number in one read (one round trip on PostgreSQL)
    newest, [[number]] = fastpath.run_together(ctx, [
        (step.NEWEST_VERSION, {"key": process_key}),
        (_next_number(ctx.session.get_bind().dialect.name), {"of_year": year})])
    version = store.newest_of(process_key, step.first_of(newest))
    validate_start_data(ctx, version, data)
    case = fastpath.insert(ctx, Case(case_number=_case_number(ctx, year, number),
                                 process_key=process_key,
                                 status="open", person_name=person_name, data=dict(data),
                                 facts={}, created_at=ctx.now(), created_by=actor_name,
                                 idempotency_key=idempotency_key,
                                 responsible_unit_id=units.home_unit_id(ctx, actor),
                                 **_about(ctx, about)))
    audit.record(ctx, case, actor_name, "case_started", case_number=case.case_number,
                 process=process_key)
    step.start_instance(ctx, case, process_key, data, actor_name, version=version)
    log.info("case started case=%s process=%s version=%s user=%s", case.case_number,
             process_key, version.version, actor_name)
    return case


def _about(ctx, about: About | None) -> dict:
    if about is None:
        return {}
    values = {"person_id": about.person.id, "received_on": about.received_on,
              "services": about.services, "applicant_person_id": about.applicant.person_id,
              "applicant_relation": about.applicant.relation,
              "applicant_without_fullmakt": about.applicant.without_fullmakt}
    if about.plan is not None:
        values["plan_id"] = about.plan.id
        values["coordinator"] = coordinators.current(ctx, about.plan.id)
    return values


_NAME_LENGTH: int = Case.__table__.c.person_name.type.length  # type: ignore[attr-defined]


def _person_name(data: dict) -> str | None:
    """The person's name from the application (`navn`), within the column's length."""
    name = data.get("navn")
    if name is not None and (not isinstance(name, str) or len(name) > _NAME_LENGTH):
        raise InvalidInput(N_("Ugyldig navn"), {"navn": Message(
            N_("Navnet er en tekst på høyst %(n)d tegn"), n=_NAME_LENGTH)})
    return name


@functools.lru_cache(maxsize=128)
def start_form(parsed) -> str | None:
    """The form file on the process's start event, if it has one (looked up once per parsed
    version)."""
    for task_spec in parsed.spec.task_specs.values():
        if type(task_spec).__name__ == "StartEvent":
            form = properties(task_spec).get("formJsonSchemaFilename")
            if form:
                return form
    return None


def validate_start_data(ctx, version, data: dict) -> None:
    """Check `data` against the form on the version's start event (if it has one)."""
    form = start_form(ctx.specs.get(version))
    if form:
        validate_form_data(store.form_text(ctx, version, form), data)


def get_case(ctx, case_id: int, reader: User | str, purpose: str = "view") -> Case:
    """The case, with the read written to the audit trail (pasientjournalloven § 22) and,
    for a user, why they may read it (engine/access/rules.py)."""
    case = ctx.session.get(Case, case_id)
    if case is None:
        raise NotFound(N_("Fant ikke sak %(case)s"), case=case_id)
    if isinstance(reader, User):
        audit.record(ctx, case, reader.username, "case_read", purpose=purpose,
                     why=rules.case_basis(ctx, case, reader).why)
    else:
        audit.record(ctx, case, reader, "case_read", purpose=purpose)
    return case


def find_case(ctx, case_number: str) -> Case:
    case = ctx.session.scalar(select(Case).where(Case.case_number == case_number))
    if case is None:
        raise NotFound(N_("Fant ikke sak %(case)s"), case=case_number)
    return case


def running_instances(ctx, case_id: int) -> list[ProcessInstance]:
    return list(ctx.session.scalars(select(ProcessInstance).where(
        ProcessInstance.case_id == case_id, ProcessInstance.status == "running")
        .order_by(ProcessInstance.id)))


def start_process(ctx, case_id: int, process_key: str, data: dict, actor: User | str
                  ) -> ProcessInstance:
    """Start a process for an existing case (a closed case reopens)."""
    case = ctx.session.get(Case, case_id)
    if case is None:
        raise NotFound(N_("Fant ikke sak %(case)s"), case=case_id)
    version = store.latest_version(ctx, process_key)
    validate_start_data(ctx, version, data)
    seed = {**case.data, **(case.facts or {}), **data}
    instance = step.start_instance(ctx, case, process_key, seed, _name(actor), version=version)
    log.info("process started case=%s process=%s version=%s user=%s", case.case_number,
             process_key, version.version, _name(actor))
    return instance


def register_appeal(ctx, case_id: int, data: dict, actor: User | str) -> ProcessInstance:
    """An appeal arrived: never refused for being late (the process assesses that, and an
    appeal posted in time is in time, fvl § 30); refused only when there is no decision to
    appeal yet. The posted date defaults to the received date."""
    case = ctx.session.get(Case, case_id)
    if case is None:
        raise NotFound(N_("Fant ikke sak %(case)s"), case=case_id)
    if not (case.facts or {}).get("klagefrist"):
        raise ConflictError(N_("Saken har ikke noe vedtak å klage på ennå"))
    data = dict(data)
    if not data.get("klage_postet") and data.get("klage_mottatt"):
        data["klage_postet"] = data["klage_mottatt"]
    posted, received = data.get("klage_postet"), data.get("klage_mottatt")
    if isinstance(posted, str) and isinstance(received, str) and posted[:10] > received[:10]:
        raise InvalidInput(N_("Ugyldige datoer"), {"klage_postet": Message(
            N_("En klage kan ikke være postet etter at den ble mottatt"))})
    return start_process(ctx, case_id, APPEAL_PROCESS, data, actor)


def report_coordinator_leaving(ctx, case_id: int, actor: User | str,
                               reason: str | None = None) -> ProcessInstance:
    """The coordinator leaves: escalate and appoint a replacement. The leaving coordinator
    stays on the case until the replacement takes over, so the plan is never without one."""
    case = ctx.session.get(Case, case_id)
    if case is None:
        raise NotFound(N_("Fant ikke sak %(case)s"), case=case_id)
    if not case.coordinator:
        raise ConflictError(N_("Saken har ingen koordinator"))
    audit.record(ctx, case, _name(actor), "coordinator_leaving", coordinator=case.coordinator,
                 reason=reason)
    return start_process(ctx, case_id, COORDINATOR_CHANGE_PROCESS,
                         {"koordinator_som_slutter": case.coordinator}, actor)


def _name(actor: User | str) -> str:
    return actor if isinstance(actor, str) else actor.username
