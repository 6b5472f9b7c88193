"""Persons, relations, plans, participants, consents, meetings and search (routes on the API
blueprint). Every request field is checked here for its type; the engine checks the rest.

    GET  /api/v1/persons?q=                  search persons (number, name, birth date)
    POST /api/v1/persons                     register a person (409 with the id if known)
    GET  /api/v1/persons/<id>                the person, relations, cases, active plan id
    POST /api/v1/persons/<id>/relations      a parent, guardian or pårørende (fullmakt)
    POST /api/v1/persons/<id>/birth          the expected child is born: its number
    GET  /api/v1/persons/<id>/plan           the active plan (404 when none)
    GET  /api/v1/plans/<id>                  a plan (the sections the reader may see)
    GET  /api/v1/plans/<id>/versions[/<n>]   its versions
    GET  /api/v1/plans/<id>/versions/<a>/compare/<b>
    POST /api/v1/plans/<id>/participants, DELETE .../participants/<pid>
    POST /api/v1/plans/<id>/consents, POST .../consents/<cid>/withdraw
    POST /api/v1/plans/<id>/meetings         with action items (tasks for Samflyt users)
    GET  /api/v1/cases?q=&status=&service=&responsible=&overdue=&sort=&offset=&limit=
"""
from __future__ import annotations

from datetime import date
from typing import Any

from flask import g, jsonify, request
from sqlalchemy.exc import IntegrityError

from engine.cases import action_items, case_api, intake
from engine.core.errors import InvalidInput
from engine.core.messages import N_, Message
from engine.persons import catalogue, person_api, person_page, protection, registry, search
from engine.plans import editing, meetings, plan_api, plan_page, sections
from webui import uow
from webui.api import _body, _iso, bp
from webui.parsing import ascii_int

_TEXT, _DATE, _BOOL, _ID, _LIST = "text", "date", "bool", "id", "list"


def _fields(body: dict, spec: dict[str, str], required: tuple[str, ...] = ()) -> dict:
    """The body's fields as `spec` types them; unknown, missing or mistyped fields are a 422
    naming each."""
    errors: dict[str, Message] = {}
    values: dict[str, Any] = {}
    for key in body:
        if key not in spec:
            errors[key] = Message(N_("Ukjent felt"))
    for key, kind in spec.items():
        if key not in body or body[key] is None:
            if key in required:
                errors[key] = Message(N_("Feltet må fylles ut"))
            continue
        value = body[key]
        if _fits(kind, value):
            values[key] = value
        elif kind == _DATE and isinstance(value, str):
            try:
                values[key] = date.fromisoformat(value)
            except ValueError:
                errors[key] = Message(N_("En dato skrives åååå-mm-dd"))
        else:
            errors[key] = Message(N_("Feil type for feltet"))
    if errors:
        raise InvalidInput(N_("%(count)d felt må rettes"), errors, count=len(errors))
    return values


def _fits(kind: str, value: Any) -> bool:
    """A text, a boolean, a row id or a list, as `kind` asks (dates are parsed apart)."""
    if kind == _TEXT:
        return isinstance(value, str) and len(value) <= 20000
    if kind == _BOOL:
        return isinstance(value, bool)
    if kind == _ID:
        return isinstance(value, int) and not isinstance(value, bool) \
            and 1 <= value <= 2147483647
    return kind == _LIST and isinstance(value, list)


def _strings(values: list, field: str) -> list[str]:
    if not all(isinstance(v, str) and len(v) <= 200 for v in values):
        raise InvalidInput(N_("Ugyldig liste"), {field: Message(N_("En liste med tekster"))})
    return values


# --- persons ----------------------------------------------------------------------------------

def person_json(person, reader) -> dict:
    shown = protection.shown_address(person, reader)
    return {"id": person.id, "name": person.name, "national_id": person.national_id,
            "id_kind": person.id_kind, "birth_date": _iso(person.birth_date),
            "due_date": _iso(person.due_date), "protection": person.protection,
            "address": list(shown.lines) if not shown.hidden_because else None,
            "address_hidden": shown.hidden_because is not None,
            "preferred_channel": person.preferred_channel,
            "written_language": person.written_language, "version": person.version}


@bp.get("/persons")
def find_persons():
    text = (request.args.get("q") or "").strip()[:200]
    hits = person_api.find(uow.ctx(), g.user, text)
    return jsonify({"persons": [{**person_json(h.person, g.user), "open_cases": h.open_cases,
                                 "has_active_plan": h.has_active_plan} for h in hits]})


_PERSON = {"name": _TEXT, "national_id": _TEXT, "birth_date": _DATE, "due_date": _DATE,
           "address": _TEXT, "postal_code": _TEXT, "postal_place": _TEXT,
           "protection": _TEXT, "preferred_channel": _TEXT, "written_language": _TEXT}


@bp.post("/persons")
def register_person():
    values = _fields(_body(required=True), _PERSON, required=("name",))
    details = registry.PersonDetails(**values)
    try:
        registered = person_api.register(uow.ctx(), details, g.user)
        if registered.created and details.national_id:
            uow.commit()  # two registrations of one number at once meet the unique key here
    except IntegrityError:
        uow.abort()
        g.rollback_only = False  # a fresh transaction finds the one registered first
        registered = person_api.register(uow.ctx(), details, g.user)
        if registered.created:  # the number was not the conflict after all
            raise
    if not registered.created:
        return jsonify({"error": "conflict", "id": registered.person.id,
                        "message": str(Message(N_("Fødselsnummeret er allerede "
                                                  "registrert")))}), 409
    return jsonify(person_json(registered.person, g.user)), 201


@bp.get("/persons/<dbid:person_id>")
def get_person(person_id: int):
    page = person_page.person_page(uow.ctx(), person_id, g.user)
    return jsonify({
        **person_json(page.person, g.user),
        "relations": [{"id": r.id, "kind": r.kind, "person_id": other.id, "name": other.name,
                       "parental_responsibility": r.parental_responsibility,
                       "fullmakt_scope": r.fullmakt_scope,
                       "fullmakt_signed_on": _iso(r.fullmakt_signed_on),
                       "fullmakt_document": r.fullmakt_document}
                      for r, other in page.relations],
        "cases": [{"id": row.case.id, "case_number": row.case.case_number,
                   "status": row.case.status, "services": (row.case.services or "").split(",")
                   if row.case.services else [], "received_on": _iso(row.case.received_on),
                   "open_tasks": len(row.open_tasks), "next_due": _iso(row.next_due)}
                  for row in page.cases],
        "active_plan_id": page.plan.id if page.plan is not None else None})


@bp.post("/persons/<dbid:person_id>/relations")
def add_relation(person_id: int):
    values = _fields(_body(required=True), {
        "related_id": _ID, "kind": _TEXT, "parental_responsibility": _BOOL,
        "fullmakt_scope": _LIST, "fullmakt_signed_on": _DATE, "fullmakt_document": _TEXT},
        required=("related_id", "kind"))
    relation = person_api.add_relation(
        uow.ctx(), person_id, values["related_id"], values["kind"], g.user,
        parental_responsibility=values.get("parental_responsibility", False),
        fullmakt_scope=_strings(values.get("fullmakt_scope", []), "fullmakt_scope"),
        fullmakt_signed_on=values.get("fullmakt_signed_on"),
        fullmakt_document=values.get("fullmakt_document"))
    return jsonify({"id": relation.id, "kind": relation.kind}), 201


@bp.post("/persons/<dbid:person_id>/birth")
def record_birth(person_id: int):
    values = _fields(_body(required=True), {"national_id": _TEXT}, required=("national_id",))
    try:
        person = case_api.record_birth(uow.ctx(), person_id, values["national_id"], g.user)
    except InvalidInput as error:  # the register names the page's field: name the body's
        error.errors = {"national_id" if field == "fodselsnummer" else field: text
                        for field, text in error.errors.items()}
        raise
    return jsonify(person_json(person, g.user))


# --- plans ------------------------------------------------------------------------------------

def plan_json(document: plan_api.PlanDocument) -> dict:
    """The plan as its reader may see it; a protected address is never in it."""
    doc = document.page
    return {"id": doc.plan.id, "person_id": doc.plan.person_id, "status": doc.plan.status,
            "approved_version": doc.plan.approved_version,
            "next_review": _iso(doc.plan.next_review),
            "sections": document.sections,
            "participants": [{"id": row.participant.id, "name": row.participant.name,
                              "role": row.participant.role,
                              "username": row.participant.username,
                              "consent_id": row.consent.id if row.consent else None,
                              "consent_holds": row.holds}
                             for row in doc.participants] if doc.shows("deltakere") else None,
            "meetings": [{"id": m.id, "held_on": _iso(m.held_on), "attendees": m.attendees,
                          "minutes": m.minutes,
                          "action_items": [{"what": i.what,
                                            "responsible_name": i.responsible_name,
                                            "responsible_username": i.responsible_username,
                                            "due_on": _iso(i.due_on),
                                            "task_id": i.human_task_id} for i in items]}
                         for m, items in doc.meetings] if doc.shows(sections.MEETINGS)
            else None}


@bp.get("/persons/<dbid:person_id>/plan")
def person_plan(person_id: int):
    return jsonify(plan_json(plan_api.person_plan(uow.ctx(), person_id, g.user)))


@bp.get("/plans/<dbid:plan_id>")
def get_plan(plan_id: int):
    return jsonify(plan_json(plan_api.plan_document(uow.ctx(), plan_id, g.user)))


@bp.get("/plans/<dbid:plan_id>/versions")
def plan_versions(plan_id: int):
    doc = plan_page.plan_page(uow.ctx(), plan_id, g.user, purpose="api versions")
    return jsonify({"versions": [{"number": v.number, "approved_at": _iso(v.approved_at),
                                  "approved_by": v.approved_by} for v in doc.versions]})


@bp.get("/plans/<dbid:plan_id>/versions/<dbid:number>")
def plan_version(plan_id: int, number: int):
    view = plan_page.plan_version_view(uow.ctx(), plan_id, number, g.user)
    version = view.version
    return jsonify({"number": version.number, "approved_at": _iso(version.approved_at),
                    "approved_by": version.approved_by, "sections": view.sections})


@bp.get("/plans/<dbid:plan_id>/versions/<dbid:older>/compare/<dbid:newer>")
def plan_compare(plan_id: int, older: int, newer: int):
    comparison = plan_page.compare_versions(uow.ctx(), plan_id, older, newer, g.user)
    return jsonify({"older": older, "newer": newer, "changes": comparison.changes})


@bp.post("/plans/<dbid:plan_id>/participants")
def add_participant(plan_id: int):
    values = _fields(_body(required=True), {"name": _TEXT, "role": _TEXT, "username": _TEXT,
                                            "person_id": _ID, "service": _TEXT},
                     required=("name", "role"))
    participant = editing.add_participant(uow.ctx(), plan_id, g.user, **values)
    return jsonify({"id": participant.id, "name": participant.name}), 201


@bp.delete("/plans/<dbid:plan_id>/participants/<dbid:participant_id>")
def remove_participant(plan_id: int, participant_id: int):
    editing.remove_participant(uow.ctx(), plan_id, participant_id, g.user)
    return "", 204


@bp.post("/plans/<dbid:plan_id>/consents")
def give_consent(plan_id: int):
    values = _fields(_body(required=True), {
        "participant_id": _ID, "scope": _TEXT, "sections": _LIST, "given_by_name": _TEXT,
        "given_by_role": _TEXT, "given_on": _DATE, "expires_on": _DATE},
        required=("scope", "given_by_name", "given_by_role", "given_on"))
    consent = editing.give_consent(
        uow.ctx(), plan_id, g.user, participant_id=values.get("participant_id"),
        scope=values["scope"], sections=_strings(values.get("sections", []), "sections"),
        given_by_name=values["given_by_name"], given_by_role=values["given_by_role"],
        given_on=values["given_on"], expires_on=values.get("expires_on"))
    return jsonify({"id": consent.id, "scope": consent.scope}), 201


@bp.post("/plans/<dbid:plan_id>/consents/<dbid:consent_id>/withdraw")
def withdraw_consent(plan_id: int, consent_id: int):
    consent = editing.withdraw_consent(uow.ctx(), plan_id, consent_id, g.user)
    return jsonify({"id": consent.id, "withdrawn_at": _iso(consent.withdrawn_at)})


@bp.post("/plans/<dbid:plan_id>/meetings")
def record_meeting(plan_id: int):
    values = _fields(_body(required=True), {"held_on": _DATE, "attendees": _LIST,
                                            "minutes": _TEXT, "action_items": _LIST},
                     required=("held_on", "attendees"))
    items = []
    for item in values.get("action_items", []):
        got = _fields(item if isinstance(item, dict) else {"": None}, {
            "what": _TEXT, "responsible_name": _TEXT, "responsible_username": _TEXT,
            "due_on": _DATE}, required=("what", "responsible_name"))
        items.append(meetings.ActionItem(got["what"], got["responsible_name"],
                                         got.get("responsible_username"), got.get("due_on")))
    meeting, rows = action_items.record_meeting(
        uow.ctx(), plan_id, g.user, values["held_on"],
        _strings(values["attendees"], "attendees"), values.get("minutes", ""), items)
    return jsonify({"id": meeting.id, "action_items": [
        {"id": r.id, "what": r.what, "task_id": r.human_task_id} for r in rows]}), 201


# --- appeals ----------------------------------------------------------------------------------

@bp.post("/cases/<dbid:case_id>/appeals")
def register_appeal(case_id: int):
    body = _body(required=True)
    data = body.get("data")
    if set(body) - {"data"} or not isinstance(data, dict):
        raise InvalidInput(N_("Ugyldig klage"), {"data": Message(
            N_("Klagen er et JSON-objekt med feltene i klageskjemaet"))})
    instance = intake.register_appeal(uow.ctx(), case_id, data, g.user)
    case = instance.case
    return jsonify({"case_id": case.id, "case_number": case.case_number,
                    "process": instance.process_key, "instance_id": instance.id,
                    "in_time": (case.facts or {}).get("klage_i_tide")}), 201


# --- search -----------------------------------------------------------------------------------

@bp.get("/cases")
def find_cases():
    args = request.args
    errors: dict[str, Message] = {}
    offset = ascii_int(args.get("offset", "0"), 0, 10_000_000)
    limit = ascii_int(args.get("limit", str(search.PAGE_SIZE)), 1, 200)
    for key, value, ok in (("status", args.get("status", "open"), search.STATUSES),
                           ("sort", args.get("sort", "received"), search.SORTS)):
        if value not in ok:
            errors[key] = Message(N_("Velg en av %(choices)s"), choices=ok)
    service = args.get("service") or None
    if service is not None and service not in catalogue.SERVICES:
        errors["service"] = Message(N_("Ukjent sakstype"))
    if offset is None:
        errors["offset"] = Message(N_("Et heltall fra 0"))
    if limit is None:
        errors["limit"] = Message(N_("Et heltall fra 1 til 200"))
    if errors:
        raise InvalidInput(N_("Ugyldig søk"), errors)
    page = search.find_cases(uow.ctx(), g.user, search.CaseQuery(
        text=(args.get("q") or "")[:200], status=args.get("status", "open"), service=service,
        responsible=(args.get("responsible") or None), overdue=args.get("overdue") == "1",
        sort=args.get("sort", "received"), offset=offset or 0, limit=limit or 50))
    return jsonify({"has_more": page.has_more, "matched_as": page.matched_as,
                    "too_many": page.too_many, "cases": [
        {"id": h.case_id, "case_number": h.case_number, "person_id": h.person_id,
         "person_name": h.person_name, "protection": h.protection, "services": list(h.services),
         "status": h.status, "received_on": _iso(h.received_on), "coordinator": h.coordinator,
         "next_due": _iso(h.next_due), "overdue": h.overdue} for h in page.hits]})
