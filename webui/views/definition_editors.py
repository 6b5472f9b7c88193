"""Editors for the forms (JSON Schema) and decision tables (DMN) of a process, for the
coordinating unit and admin: edit, see the problems, keep drafts, deploy them as a version.

A form is edited as text beside a live preview that the task page's own renderer draws
(webui/forms.py and macros/form.html), so the preview is the real form; the text is checked
with the deploy validator (engine/validation.py). A decision table is edited in dmn-js.
Saving keeps a draft and reports the problems of the whole bundle (engine/drafts.py);
deploying turns the drafts into a new version. Every view starts with an engine call that
checks the role (engine/library.check_access), so other roles get 403.
"""
from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass, field

from flask import (
    Blueprint,
    flash,
    g,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import ngettext

from engine.core.errors import (
    ConflictError,
    DefinitionError,
    InvalidInput,
    NotFound,
    PermissionDenied,
)
from engine.definitions import drafts, library, store
from engine.definitions.validation import Problem, validate_files
from engine.letters import template_preview
from engine.workflow import parse_errors
from webui import config, errors, forms, uow
from webui.i18n import problem_json, translate
from webui.views import letters as letters_view

bp = Blueprint("definition_editors", __name__, url_prefix="/processes")

#: section of the URL -> (file suffix, template)
SECTIONS = {"forms": (".json", "form_editor.html"), "decisions": (".dmn", "dmn_editor.html"),
            "letters": (".j2", "letter_editor.html")}
#: What the form renderer may raise on a schema it cannot draw (it trusts its input).
RENDER_ERRORS = (AttributeError, TypeError, KeyError, ValueError, IndexError, RecursionError)


@dataclass(frozen=True)
class PreviewProblem:
    message: str
    pointer: str | None = None     # JSON pointer into the schema
    line: int | None = None        # of a JSON syntax error, from 1
    column: int | None = None
    position: int | None = None    # character offset, for the editor's cursor
    detail: str = ""               # the parser's own text (technical), beside the message


@dataclass
class Preview:
    form: forms.Form | None
    problems: list[PreviewProblem] = field(default_factory=list)
    warnings: list[PreviewProblem] = field(default_factory=list)


@dataclass
class Bundle:
    """What the editors show of process `key`: the files a deploy would use, and the drafts."""
    key: str
    name: str
    version: int
    files: dict[str, bytes]
    drafts: list

    def names(self, suffix: str) -> list[str]:
        return sorted(name for name in self.files if name.lower().endswith(suffix))

    @property
    def draft_names(self) -> set[str]:
        return {d.filename for d in self.drafts}


# --- the form preview -------------------------------------------------------------------------

def preview_schema(filename: str, text: str, max_bytes: int) -> Preview:
    """The form `text` would render as, or why it cannot be deployed or rendered."""
    try:
        schema = json.loads(text)
    except json.JSONDecodeError as err:
        headline, detail = parse_errors.json_syntax(err)
        return Preview(None, [PreviewProblem(translate(headline), line=err.lineno,
                                             column=err.colno, position=err.pos,
                                             detail=detail)])
    except RecursionError:
        return Preview(None, [PreviewProblem(_("Ikke gyldig JSON: nøstet for dypt"))])
    problems = [PreviewProblem(translate(p.message),
                               pointer=None if p.element == "-" else p.element, detail=p.detail)
                for p in validate_files({filename: text.encode("utf-8")}, max_bytes=max_bytes)]
    if problems:
        return Preview(None, problems)
    if not isinstance(schema, dict):
        return Preview(None, [PreviewProblem(
            _("Et oppgaveskjema må være et JSON-objekt med feltene under «properties»"))])
    try:
        form = forms.build_form(schema, {})
    except RENDER_ERRORS as err:
        return Preview(None, [PreviewProblem(
            _("Skjemaet er gyldig JSON Schema, men kan ikke vises som et skjema: %(reason)s",
              reason=f"{err.__class__.__name__}: {err}"))])
    return Preview(form, [], list(_required_without_field(schema, "")))


def _required_without_field(schema, pointer: str):
    """Required names with no property: the form has no field for them, so the task could
    never be completed (the validator accepts such a schema, so this is a warning)."""
    if not isinstance(schema, dict):
        return
    properties = schema.get("properties") if isinstance(schema.get("properties"), dict) else {}
    required = schema.get("required") if isinstance(schema.get("required"), list) else []
    for index, name in enumerate(required):
        if name not in properties:
            yield PreviewProblem(_("«%(name)s» må fylles ut, men har ikke noe felt under "
                                   "«properties»: oppgaven kan da ikke fullføres", name=name),
                                 pointer=f"{pointer}/required/{index}")
    for name, sub in properties.items():
        yield from _required_without_field(sub, f"{pointer}/properties/{_escape(name)}")
    if isinstance(schema.get("items"), dict):
        yield from _required_without_field(schema["items"], f"{pointer}/items")


def _escape(token: str) -> str:
    return str(token).replace("~", "~0").replace("/", "~1")


# --- helpers for the views --------------------------------------------------------------------

def _bundle(key: str) -> Bundle:
    files = drafts.bundle(uow.ctx(), g.user, key)  # checks the role first
    newest = store.latest_version(uow.ctx(), key)  # 404 for an unknown process
    return Bundle(key, newest.name, newest.version, files,
                  drafts.list_drafts(uow.ctx(), g.user, key))


def _filename(name: str, suffix: str) -> str:
    return name if name.lower().endswith(suffix) else name + suffix


def _member(bundle: Bundle, section: str, name: str) -> str:
    filename = _filename(name, SECTIONS[section][0])
    if filename not in bundle.files:
        raise NotFound(_("Prosessen «%(key)s» har ingen fil «%(name)s»", key=bundle.key,
                         name=filename))
    return filename


def _text(bundle: Bundle, filename: str) -> str:
    return bundle.files[filename].decode("utf-8", errors="replace")


def _posted_text(field_name: str) -> str:
    # Browsers send a textarea's line breaks as CRLF; keep the file's own LF.
    return request.form.get(field_name, "").replace("\r\n", "\n")


def _render(section: str, bundle: Bundle, filename: str | None = None, text: str | None = None,
            problems: list[Problem] | None = None, message: str | None = None,
            status: int = 200, base: str | None = None):
    """The editor page of `section`: the file list, the file being edited, the problems.
    `base`: the draft revision the page saves over (default: the file's draft now)."""
    if problems is None and bundle.drafts:
        problems = drafts.validate(uow.ctx(), g.user, bundle.key)
    if filename is not None and text is None:
        text = _text(bundle, filename)
    preview = None
    if section == "forms" and filename is not None:
        preview = preview_schema(filename, text, config.settings().max_upload_bytes)
    if base is None:
        base = drafts.revision(next((d for d in bundle.drafts if d.filename == filename), None))
    return render_template(SECTIONS[section][1], bundle=bundle, section=section, base=base,
                           files=bundle.names(SECTIONS[section][0]), filename=filename,
                           text=text, preview=preview, problems=problems, message=message,
                           problems_json=[problem_json(p) for p in problems or []]), status


# --- forms ------------------------------------------------------------------------------------

@bp.get("/<key>/forms")
def form_index(key: str):
    return _render("forms", _bundle(key))


@bp.get("/<key>/forms/<name>/edit")
def form_edit(key: str, name: str):
    bundle = _bundle(key)
    return _render("forms", bundle, _member(bundle, "forms", name))


@bp.post("/<key>/forms/<name>/preview")
def form_preview(key: str, name: str):
    try:
        library.check_access(g.user)
    except PermissionDenied as error:  # the editor's script reads JSON
        return errors.api_error(403, "forbidden", translate(error.message))
    result = preview_schema(_filename(name, ".json"), _posted_text("schema"),
                            config.settings().max_upload_bytes)
    if result.problems:
        status = ngettext("%(num)d feil i skjemaet", "%(num)d feil i skjemaet",
                          len(result.problems))
    else:
        status = _("Forhåndsvisningen er oppdatert")
    return jsonify({"valid": not result.problems, "status": status,
                    "html": render_template("form_preview.html", preview=result),
                    "problems": [dataclasses.asdict(p) for p in result.problems],
                    "warnings": [dataclasses.asdict(p) for p in result.warnings]})


@bp.post("/<key>/forms/<name>/draft")
def form_draft(key: str, name: str):
    return _save("forms", key, name, "schema")


# --- decision tables --------------------------------------------------------------------------

@bp.get("/<key>/decisions")
def decision_index(key: str):
    return _render("decisions", _bundle(key))


@bp.get("/<key>/decisions/<name>/edit")
def decision_edit(key: str, name: str):
    bundle = _bundle(key)
    return _render("decisions", bundle, _member(bundle, "decisions", name))


@bp.post("/<key>/decisions/<name>/draft")
def decision_draft(key: str, name: str):
    return _save("decisions", key, name, "xml")


def _save(section: str, key: str, name: str, field_name: str):
    bundle = _bundle(key)
    filename = _member(bundle, section, name)
    text = _posted_text(field_name)
    base = request.form.get("base")  # the draft the page was opened on ("" for none)
    try:
        saved = drafts.save(uow.ctx(), g.user, key, filename, text, base=base)
    except (drafts.DraftRefused, ConflictError) as error:
        uow.abort()  # what was typed is shown again, unsaved, with the reason
        return _render(section, _bundle(key), filename, text, message=translate(error.message),
                       status=409 if isinstance(error, ConflictError) else 422, base=base)
    if saved.problems:
        flash(ngettext("Utkastet er lagret, men har %(num)d feil som må rettes før det kan "
                       "installeres.", "Utkastet er lagret, men har %(num)d feil som må rettes "
                       "før det kan installeres.", len(saved.problems)), "error")
    else:
        flash(_("Utkastet er lagret. Ingen feil: det kan installeres."), "success")
    # The editor shows the draft and the bundle's problems again (they are recomputed there).
    return redirect(url_for(f"definition_editors.{_edit(section)}", key=key, name=filename))


# --- letter templates -------------------------------------------------------------------------

@bp.get("/<key>/letters")
def letter_index(key: str):
    return _render("letters", _bundle(key))


@bp.get("/<key>/letters/<name>/edit")
def letter_edit(key: str, name: str):
    bundle = _bundle(key)
    return _render("letters", bundle, _member(bundle, "letters", name))


@bp.post("/<key>/letters/<name>/draft")
def letter_draft(key: str, name: str):
    return _save("letters", key, name, "template")


@bp.post("/<key>/letters/<name>/preview")
def letter_preview(key: str, name: str):
    """The template as typed, rendered with an example case (nothing is saved)."""
    bundle = _bundle(key)
    filename = _member(bundle, "letters", name)
    files = {n: _text(bundle, n) for n in bundle.names(".j2")}
    try:
        pdf = template_preview.example_pdf(config.settings(), files, filename,
                                           _posted_text("template"))
    except InvalidInput as error:
        uow.abort()
        return _render("letters", _bundle(key), filename, _posted_text("template"),
                       message=translate(error.message), status=422)
    return letters_view.pdf_response(pdf, f"eksempel-{filename}.pdf", inline=True)


# --- deploy and discard (every draft of the process, whichever editor made it) ----------------

def _back(bundle: Bundle) -> tuple[str, str | None]:
    """The editor the request came from (section, file name or None)."""
    section, _sep, name = request.form.get("back", "").partition("/")
    if section not in SECTIONS:
        section = "forms"
    filename = _filename(name, SECTIONS[section][0]) if name else None
    return section, filename if filename in bundle.files else None


@bp.post("/<key>/definitions/deploy")
def deploy(key: str):
    try:
        version, created = drafts.deploy(uow.ctx(), g.user, key)
    except (DefinitionError, library.UploadRefused, NotFound) as error:
        uow.abort()  # the drafts were saved by earlier requests: they stay
        bundle = _bundle(key)
        section, filename = _back(bundle)
        problems = getattr(error, "problems", None)
        if isinstance(error, NotFound):
            return _render(section, bundle, filename, message=translate(error.message),
                           status=409)
        return _render(section, bundle, filename, problems=problems,
                       message=_("Utkastene ble ikke installert: %(reason)s. Utkastene er "
                                 "beholdt.", reason=translate(error.message)), status=422)
    if created:
        flash(_("Versjon %(version)d av «%(name)s» er installert. Nye saker bruker den; saker "
                "som kjører, blir på sin versjon.", version=version.version, name=version.name),
              "success")
    else:
        flash(_("Utkastene var like en installert versjon (%(version)d); ingen ny versjon.",
                version=version.version), "info")
    return redirect(url_for("library.show", key=key))


@bp.post("/<key>/definitions/discard")
def discard(key: str):
    bundle = _bundle(key)
    section, filename = _back(bundle)
    name = request.form.get("file", "")
    if drafts.discard(uow.ctx(), g.user, key, name):
        flash(_("Utkastet av «%(name)s» er forkastet.", name=name), "success")
    if filename is None:
        return redirect(url_for(f"definition_editors.{_index(section)}", key=key))
    return redirect(url_for(f"definition_editors.{_edit(section)}", key=key, name=filename))


def _index(section: str) -> str:
    return "form_index" if section == "forms" else "decision_index"


def _edit(section: str) -> str:
    return {"forms": "form_edit", "letters": "letter_edit"}.get(section, "decision_edit")
