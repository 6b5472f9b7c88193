"""The BPMN editor of the coordinating unit: the page with the bpmn-js modeler, the raw files it
loads, saving drafts (validated; problems name the elements to mark) and deploying them as a
new version. Thin: one engine call per view; engine/library.check_access answers 403 for
everyone but the coordinating unit and admin. The JSON endpoints answer errors in JSON."""
from __future__ import annotations

from flask import Blueprint, Response, g, jsonify, render_template, request, url_for
from flask_babel import gettext as _

from engine.core.errors import DefinitionError, EngineError
from engine.definitions import drafts, editing, library
from webui import config, errors, parsing, uow
from webui.i18n import problem_json, translate

bp = Blueprint("editor", __name__, url_prefix="/processes")
JSON_ENDPOINTS = frozenset({"editor.save_draft", "editor.discard", "editor.deploy"})


@bp.errorhandler(EngineError)
def engine_error(error: EngineError):
    uow.abort()
    status = errors.status_of(error)
    if request.endpoint in JSON_ENDPOINTS:
        return errors.api_error(status, errors.ERROR_NAMES[status], translate(error.message))
    return errors.page(status, translate(error.message))


@bp.get("/<key>/edit")
def edit(key: str):
    page = editing.editor_page(uow.ctx(), g.user, key)
    return render_template("editor.html", page=page, timezone=config.settings().timezone)


@bp.get("/<key>/files/<name>")
def file(key: str, name: str):
    version = request.args.get("version", "")
    number = parsing.ascii_int(version)
    if version and number is None:
        return errors.page(400, _("Ugyldig versjonsnummer."))
    text = editing.file_content(uow.ctx(), g.user, key, name, number)
    return Response(text, mimetype="text/plain",
                    headers={"Content-Disposition": "inline", "Cache-Control": "no-store"})


@bp.post("/<key>/drafts/<name>")
def save_draft(key: str, name: str):
    library.check_access(g.user)  # refuse before reading a body the user may not send
    body = request.get_json(silent=True)
    if not isinstance(body, dict) or not isinstance(body.get("content"), str):
        return errors.api_error(400, "bad_request", _("Send JSON med filens innhold i «content»."))
    try:
        base = body.get("base") if isinstance(body.get("base"), str) else None
        saved = editing.save(uow.ctx(), g.user, key, name, body["content"], base=base)
    except drafts.DraftRefused as error:
        uow.abort()
        message = translate(error.message)
        return jsonify({"saved": False, "error": "refused", "message": message,
                        "problems": [{"file": name, "element": "-", "message": message}]}), 422
    return jsonify({"saved": True, "file": saved.draft.filename,
                    "revision": drafts.revision(saved.draft),
                    "problems": [_problem(p) for p in saved.problems],
                    "warnings": [_problem(p) for p in saved.warnings]})


@bp.post("/<key>/drafts/discard")
def discard(key: str):
    removed = drafts.discard(uow.ctx(), g.user, key)
    return jsonify({"discarded": removed})


@bp.post("/<key>/deploy")
def deploy(key: str):
    try:
        warnings = drafts.warnings(uow.ctx(), g.user, key)
        version, created = drafts.deploy(uow.ctx(), g.user, key)
    except DefinitionError as error:
        uow.abort()  # the drafts were committed when they were saved: they stay
        return jsonify({"deployed": False, "error": "invalid_definition",
                        "message": translate(error.message),
                        "problems": [_problem(p) for p in error.problems]}), 422
    except library.UploadRefused as error:
        uow.abort()
        return jsonify({"deployed": False, "error": "refused", "message": translate(error.message),
                        "problems": []}), 422
    return jsonify({"deployed": True, "created": created, "version": version.version,
                    "warnings": [_problem(p) for p in warnings],
                    "library_url": url_for("library.show", key=key),
                    "migrations_url": f"{url_for('library.show', key=key)}/migrations"
                                      f"?to={version.version}"}), 201 if created else 200


def _problem(problem) -> dict:
    return problem_json(problem)
