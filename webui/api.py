"""The JSON API under /api/v1. Bearer tokens (`samflyt users token NAME`), no cookies, so
no CSRF. Errors are JSON bodies naming the problem: 400 malformed request, 401 no or bad
token, 403 not allowed, 404 not found, 409 conflict, 422 invalid data."""
from __future__ import annotations

from flask import Blueprint, g, jsonify, request
from flask_babel import gettext as _

from engine.access import rules
from engine.accounts import credentials
from engine.cases import case_api, casepage, intake
from engine.cases.casework import APPEAL_PROCESS
from engine.core.errors import DefinitionError, InvalidInput
from engine.core.messages import N_, Message
from engine.definitions import case_migration, library
from engine.notices import notice_board
from engine.worklist import humantasks, inbox_page, taskpage

from . import config, inboxparams, parsing, uow, uploads
from .errors import api_error
from .i18n import problem_text, translate, translate_all
from .openapi import document

bp = Blueprint("api", __name__, url_prefix="/api/v1")


class BadRequest(Exception):
    """A malformed request; `message` is a key marked with N_, filled in with `params`."""

    def __init__(self, message: str, **params):
        self.message = Message(message, **params)
        super().__init__(str(self.message))


@bp.errorhandler(BadRequest)
def bad_request(error: BadRequest):
    uow.abort()
    return api_error(400, "bad_request", translate(error.message))


@bp.before_request
def authenticate():
    if request.endpoint == "api.openapi":
        return None
    header = request.headers.get("Authorization", "")
    scheme, _sep, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return api_error(401, "unauthorized", _("Mangler «Authorization: Bearer <token>»"),
                         headers={"WWW-Authenticate": 'Bearer realm="samflyt"'})
    check = credentials.user_for_token(uow.ctx(), token.strip())
    if check.user is None:
        return api_error(401, "unauthorized", translate(check.problem),
                         headers={"WWW-Authenticate": 'Bearer realm="samflyt", '
                                                      'error="invalid_token"'})
    g.user = check.user
    return None


def _body(required: bool = False) -> dict:
    raw = request.get_data(cache=True)
    if not raw.strip():
        if required:
            raise BadRequest(N_("Forespørselen mangler en JSON-kropp"))
        return {}
    body = request.get_json(force=True, silent=True)
    if body is None:
        raise BadRequest(N_("Kroppen er ikke gyldig JSON"))
    if not isinstance(body, dict):
        raise BadRequest(N_("Kroppen må være et JSON-objekt"))
    return body


def _version(body: dict) -> int | None:
    version = body.get("version")
    if version is None:
        return None
    if isinstance(version, bool) or not isinstance(version, int) or not (
            0 <= version <= parsing.DB_INT_MAX):
        raise InvalidInput(N_("Ugyldig versjon"), {"version": N_("Versjonen er et heltall")})
    return version


def _iso(value):
    return value.isoformat() if value is not None else None


def task_json(task) -> dict:
    return {"id": task.id, "name": task.name, "element_id": task.element_id,
            "process": task.process_key, "case_id": task.case_id,
            "case_number": task.case_number, "role": task.candidate_role,
            "assignee": task.assignee, "priority": task.priority, "due_at": _iso(task.due_at),
            "status": task.status, "form": task.form, "version": task.version,
            "created_at": _iso(task.created_at), "completed_at": _iso(task.completed_at),
            "completed_by": task.completed_by}


def notice_json(notice) -> dict:
    return {"id": notice.id, "case_id": notice.case_id, "case_number": notice.case_number,
            "kind": notice.kind, "severity": notice.severity, "role": notice.role,
            "username": notice.username, "status": notice.status,
            "created_at": _iso(notice.created_at),
            "acknowledged_at": _iso(notice.acknowledged_at),
            "acknowledged_by": notice.acknowledged_by}


@bp.get("/openapi.json")
def openapi():
    ctx = uow.ctx()
    return jsonify(document(intake.start_form_schemas(ctx, config.settings().case_processes),
                            intake.start_form_schemas(ctx, (APPEAL_PROCESS,)).get(
                                APPEAL_PROCESS)))


@bp.post("/cases")
def create_case():
    body = _body(required=True)
    process_key = body.get("process") or (config.settings().case_processes or ("",))[0]
    data = body.get("data", {})
    if not isinstance(process_key, str):
        raise InvalidInput(N_("Ugyldig prosess"), {"process": N_("Prosessen er en tekst")})
    if not isinstance(data, dict):
        raise InvalidInput(N_("Ugyldige data"), {"data": N_("Søknaden er et JSON-objekt")})
    unknown = set(body) - {"process", "data", "person_id", "national_id",
                           "applicant_person_id"}
    if unknown:
        raise InvalidInput(N_("Ukjente felt"), {name: N_("Ukjent felt") for name in unknown})
    choice = intake.PersonChoice(
        person_id=_optional_id(body, "person_id"),
        national_id=_optional_text(body, "national_id"),
        applicant_person_id=_optional_id(body, "applicant_person_id"))
    key = _idempotency_key()
    registration = uow.start_case_idempotently(
        lambda key: case_api.register_application(uow.ctx(), data, g.user, process_key,
                                                  config.settings().case_processes, key,
                                                  person=choice), key)
    case = registration.case
    tasks = humantasks.open_tasks(uow.ctx(), case.id)
    return jsonify({"id": case.id, "case_number": case.case_number, "status": case.status,
                    "process": case.process_key,
                    "open_tasks": [task_json(t) for t in tasks]}), \
        201 if registration.created else 200


def _optional_id(body: dict, name: str) -> int | None:
    value = body.get(name)
    return None if value is None else parsing.json_int(value, name)


def _optional_text(body: dict, name: str) -> str | None:
    value = body.get(name)
    if value is not None and not (isinstance(value, str) and len(value) <= 20):
        raise InvalidInput(N_("Ugyldig fødselsnummer"), {name: N_("Fødselsnummeret er en "
                                                                  "tekst med 11 sifre")})
    return value


def _idempotency_key() -> str | None:
    """The `Idempotency-Key` header: 1 to 100 printable ASCII characters, or none."""
    key = request.headers.get("Idempotency-Key")
    if key is None:
        return None
    if not (0 < len(key) <= intake.KEY_LENGTH and key.isascii() and key.isprintable()):
        raise BadRequest(N_("Idempotency-Key er 1 til %(n)d synlige ASCII-tegn"),
                         n=intake.KEY_LENGTH)
    return key


@bp.get("/cases/<dbid:case_id>")
def get_case(case_id: int):
    page = casepage.case_page(uow.ctx(), case_id, g.user, config.settings().soon_due_days,
                              with_diagrams=False)
    case = page.case
    return jsonify({
        "id": case.id, "case_number": case.case_number, "status": case.status,
        "process": case.process_key, "coordinator": case.coordinator,
        "created_at": _iso(case.created_at), "created_by": case.created_by,
        "closed_at": _iso(case.closed_at), "access": page.access,
        "data": dict(case.data or {}) if page.access == "full" else None,
        "facts": dict(case.facts or {}) if page.access == "full" else None,
        "open_tasks": [{**task_json(a.task), "waiting_for": a.waiting_for_user
                        or a.waiting_for_role, "why_not": a.why_not and translate(a.why_not),
                        "days_left": a.days_left} for a in page.tasks],
        "deadlines": [{"label": d.label, "kind": d.kind, "due": _iso(d.due),
                       "days_left": d.days_left, "overdue": d.overdue} for d in page.deadlines],
        "notices": [notice_json(n) for n in page.notices],
        "timeline": [{"at": _iso(e.at), "actor": e.actor, "kind": e.kind, "details": e.details}
                     for e in page.timeline],
    })


@bp.get("/tasks")
def list_tasks():
    try:
        view, filters, page = inboxparams.parse(request.args, uow.ctx().settings.timezone)
    except InvalidInput as error:
        return api_error(400, "bad_request", translate(error.message),
                         translate_all(error.errors))
    per_page = parsing.ascii_int(request.args.get("per_page", "50"), 1, inbox_page.PER_PAGE_MAX)
    if per_page is None:
        return api_error(400, "bad_request", _("Ugyldig sidestørrelse"),
                         {"per_page": _("Et heltall fra 1 til %(n)d", n=inbox_page.PER_PAGE_MAX)})
    result = inbox_page.worklist(uow.ctx(), g.user, view, filters, page, per_page,
                               config.settings().soon_due_days, with_choices=False)
    return jsonify({"view": result.view, "total": result.total, "page": result.page,
                    "per_page": result.per_page, "counts": result.counts,
                    "tasks": [{**task_json(r.task), "urgency": r.urgency,
                               "days_left": r.days_left} for r in result.rows]})


@bp.get("/tasks/<dbid:task_id>")
def get_task(task_id: int):
    page = taskpage.task_page(uow.ctx(), task_id, g.user, config.settings().soon_due_days)
    full = page.access == "full"
    return jsonify({**task_json(page.task), "access": page.access,
                    "why_not": page.why_not and translate(page.why_not),
                    "form_schema": page.schema if full else None,
                    "values": page.values if full else None})


@bp.post("/tasks/<dbid:task_id>/claim")
def claim(task_id: int):
    body = _body()
    task = humantasks.claim(uow.ctx(), task_id, g.user, expected_version=_version(body))
    return jsonify(task_json(task))


@bp.post("/tasks/<dbid:task_id>/unclaim")
def unclaim(task_id: int):
    body = _body()
    task = humantasks.unclaim(uow.ctx(), task_id, g.user, expected_version=_version(body))
    return jsonify(task_json(task))


@bp.post("/tasks/<dbid:task_id>/assign")
def assign(task_id: int):
    body = _body(required=True)
    assignee = body.get("assignee")
    if not isinstance(assignee, str) or not assignee.strip():
        raise InvalidInput(N_("Mangler mottaker"),
                           {"assignee": N_("Brukernavnet til mottakeren")})
    task = humantasks.assign(uow.ctx(), task_id, g.user, assignee.strip(),
                             expected_version=_version(body))
    return jsonify(task_json(task))


@bp.post("/tasks/<dbid:task_id>/complete")
def complete(task_id: int):
    body = _body(required=True)
    data = body.get("data", {})
    if not isinstance(data, dict):
        raise InvalidInput(N_("Ugyldige data"), {"data": N_("Skjemadata er et JSON-objekt")})
    task = humantasks.complete(uow.ctx(), task_id, g.user, data,
                               expected_version=_version(body), go_on=True)
    mine = humantasks.go_on(uow.ctx(), g.user, task.case_id)  # claimed for the caller
    following = humantasks.open_tasks(uow.ctx(), task.case_id)
    return jsonify({**task_json(task), "case_open_tasks": [task_json(t) for t in following],
                    "next_task": next((task_json(t) for t in following
                                       if mine is not None and t.id == mine.id), None),
                    "waiting_for": None if mine is not None else translate(
                        humantasks.waiting_for(uow.ctx(), task.case_id, following))})


@bp.get("/notices")
def list_notices():
    ctx = uow.ctx()
    notices = notice_board.open_for_user(ctx, g.user, rules.visible_notices(ctx, g.user))
    return jsonify({"notices": [notice_json(n) for n in notices]})


@bp.post("/notices/<dbid:notice_id>/ack")
def acknowledge(notice_id: int):
    ctx = uow.ctx()
    return jsonify(notice_json(notice_board.acknowledge(
        ctx, notice_id, g.user, rules.visible_notices(ctx, g.user))))


def version_json(version) -> dict:
    return {"process": version.process_key, "version": version.version, "name": version.name,
            "deployed_by": version.deployed_by, "deployed_at": _iso(version.deployed_at),
            "bundle_hash": version.bundle_hash}


@bp.get("/processes")
def list_processes():
    return jsonify({"processes": [
        {"key": p.key, "name": p.name, "newest_version": p.newest_version,
         "version_count": p.version_count, "running_cases": p.running_cases}
        for p in library.processes(uow.ctx(), g.user)]})


@bp.get("/processes/<key>/versions")
def list_versions(key: str):
    return jsonify({"process": key, "versions": [
        {"version": v.version, "name": v.name, "deployed_by": v.deployed_by,
         "deployed_at": _iso(v.deployed_at), "bundle_hash": v.bundle_hash,
         "running_instances": v.running_instances,
         "files": [{"name": f.name, "kind": f.kind, "content_hash": f.content_hash}
                   for f in v.files]}
        for v in library.versions(uow.ctx(), key, g.user)]})


@bp.post("/processes/<key>/versions")
def deploy_version(key: str):
    library.check_access(g.user)  # refuse before reading a body the user may not send
    limit = config.settings().max_upload_bytes
    sent = uploads.read_process_files(limit)
    if sent.too_many:
        raise BadRequest(N_("Høyst %(n)d filer om gangen"), n=uploads.FILES_MAX)
    if sent.too_large:
        return api_error(413, "too_large", _("%(name)s: filen er større enn grensen på %(limit)s "
                                             "byte", name=sent.too_large[0], limit=f"{limit:,}"))
    if not sent.files:
        raise BadRequest(N_("Last opp minst én fil (multipart/form-data)"))
    try:
        version, created = library.deploy_upload(uow.ctx(), g.user, key, sent.files)
    except DefinitionError as error:
        uow.abort()
        body = {"error": "invalid_definition", "message": translate(error.message),
                "problems": [problem_text(p) for p in error.problems]}
        return jsonify(body), 422
    except library.UploadRefused as error:
        uow.abort()
        return api_error(400, "bad_request", translate(error.message))
    return jsonify({**version_json(version), "created": created}), 201 if created else 200


#: At most this many cases in one preview answer (page with `offset`).
MIGRATION_PREVIEW_MAX = 1000


def _plan_json(plan) -> dict:
    changes = {k: v or [] for k, v in case_migration.describe(plan).items()}
    for problem in changes["data_problems"]:
        problem["message"] = translate(problem["message"])
    return {"case_id": plan.case_id, "case_number": plan.case_number,
            "instance_id": plan.instance_id, "from_version": plan.from_version,
            "to_version": plan.to_version, "compatible": plan.compatible,
            "reason": plan.reason and translate(plan.reason), "token": plan.token, **changes}


@bp.post("/processes/<key>/migrations")
def migrate_cases(key: str):
    """run=false (default): the preview; run=true: move `cases` (default: all compatible)."""
    library.check_access(g.user)  # 403 before looking at the body
    body = _body()
    to_version, run, case_ids = body.get("to_version"), body.get("run", False), body.get("cases")
    if to_version is not None:
        to_version = parsing.json_int(to_version, "to_version")
    if not isinstance(run, bool):
        raise BadRequest("«run» må være true eller false")
    if case_ids is not None and not isinstance(case_ids, list):
        raise BadRequest("«cases» må være en liste med saks-id-er (heltall)")
    case_ids = None if case_ids is None else [parsing.json_int(c, "cases") for c in case_ids]
    seen = body.get("seen") or {}
    if not isinstance(seen, dict) or not all(
            parsing.ascii_int(k) is not None and isinstance(v, str) for k, v in seen.items()):
        raise BadRequest("«seen» må være et objekt fra saks-id til «token» fra forhåndsvisningen")
    limit, offset = body.get("limit", case_migration.PREVIEW_LIMIT), body.get("offset", 0)
    limit, offset = parsing.json_int(limit, "limit"), parsing.json_int(offset, "offset", low=0)
    if not run:
        preview = case_migration.preview(uow.ctx(), g.user, key, to_version,
                                    limit=min(limit, MIGRATION_PREVIEW_MAX), offset=offset)
        return jsonify({"process": key, "to_version": preview.to_version,
                        "total": preview.total, "offset": offset,
                        "cases": [_plan_json(p) for p in preview.items]})
    result = case_migration.migrate(uow.ctx(), g.user, key, case_ids, to_version,
                               seen={int(k): v for k, v in seen.items()})
    return jsonify({"process": key, "to_version": result.to_version,
                    "migrated": [_plan_json(p) for p in result.migrated],
                    "refused": [{"case_id": r.case_id, "case_number": r.case_number,
                                 "instance_id": r.instance_id, "from_version": r.from_version,
                                 "reason": translate(r.reason)} for r in result.refused],
                    "unchanged": result.unchanged})
