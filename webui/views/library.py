"""The process library of the coordinating unit: processes, versions, what changed between
two versions, and the heat map of where cases wait. Thin: one engine call per view
(engine/library.py and engine/heatmap.py check the role)."""
from __future__ import annotations

import math

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

from engine.core.errors import DefinitionError, EngineError
from engine.definitions import heatmap, library, process_page
from webui import config, errors, parsing, uow, uploads
from webui.i18n import problem_text, translate

bp = Blueprint("library", __name__, url_prefix="/processes")
#: Colour steps of the heat map, by share of the busiest element's count.
HEAT_LEVELS = 4


@bp.get("/")
def index():
    return render_template("library.html", processes=library.processes(uow.ctx(), g.user))


@bp.post("/upload")
def upload():
    """A diagram made elsewhere (any bpmn-js modeler), with its tables and forms, deployed
    from the library page: validated like every deploy; problems listed, nothing deployed."""
    library.check_access(g.user)  # before reading a body the user may not send
    limit = config.settings().max_upload_bytes
    sent = uploads.read_process_files(limit)
    files = sent.files
    problems = [_("%(name)s: filen er større enn grensen på %(limit)s byte", name=name,
                  limit=f"{limit:,}") for name in sent.too_large]
    if sent.too_many:
        problems.append(_("Høyst %(n)d filer om gangen.", n=uploads.FILES_MAX))
    if not files and not problems:
        problems.append(_("Velg minst én fil."))
    typed = request.form.get("key", "").strip()
    key = typed
    if not problems:
        try:
            key = typed or library.upload_key(files, limit)
            version, created = library.deploy_upload(uow.ctx(), g.user, key, files)
        except DefinitionError as error:
            problems = [problem_text(p) for p in error.problems] or [translate(error.message)]
        except library.UploadRefused as error:
            problems = [translate(error.message)]
    if problems:
        uow.abort()
        return render_template("library.html", processes=library.processes(uow.ctx(), g.user),
                               upload_problems=problems, upload_key=typed), 422
    flash(_("Versjon %(n)d av «%(key)s» er installert.", n=version.version, key=key)
          if created else _("Ingen endring: innholdet er det samme som versjon %(n)d.",
                            n=version.version), "success")
    return redirect(url_for("library.show", key=key))


@bp.get("/<key>")
def show(key: str):
    page = process_page.process_page(uow.ctx(), key, g.user)
    return render_template("library_process.html", key=key, versions=page.versions,
                           heat=page.heatmap, badges=badges(page.heatmap.elements),
                           wait_text=wait_text)


@bp.get("/<key>/heatmap.json")
def heatmap_json(key: str):
    """{"process", "version" (null: all), "elements": {id: {count, median_wait_seconds,
    working, watching, watcher}}}: a deadline watcher's element is marked, never counted as
    cases waiting for work (engine/definitions/heatmap.py)."""
    text = request.args.get("version", "")
    number = parsing.ascii_int(text)
    if text and number is None:
        return errors.api_error(400, "bad_request", _("Versjonen er et heltall."))
    try:
        figures = heatmap.waiting_by_element(uow.ctx(), g.user, key, number)
    except EngineError as error:
        uow.abort()
        status = errors.status_of(error)
        return errors.api_error(status, errors.ERROR_NAMES[status], translate(error.message))
    return jsonify({"process": key, "version": number,
                    "elements": figures})


@bp.get("/<key>/diff")
def diff(key: str):
    numbers = [parsing.ascii_int(request.args.get(name, "")) for name in ("from", "to")]
    if numbers[0] is None or numbers[1] is None:
        return errors.page(400, _("Velg to versjoner å sammenligne."))
    result = library.diff(uow.ctx(), key, numbers[0], numbers[1], g.user)
    return render_template("library_diff.html", diff=result)


def badges(elements) -> list[dict]:
    """What the diagram shows on each element: its text and colour step (1-4) by the cases
    waiting there for work; where only deadline watchers wait, a smaller badge of its own
    ("watch") with the deadlines watched."""
    busiest = max((e.working for e in elements), default=0)
    shown = []
    for e in elements:
        if not e.drawn:
            continue
        if e.watcher:
            shown.append({"id": e.element_id, "count": e.watching, "level": "watch",
                          "label": ngettext("%(num)d frist overvåkes",
                                            "%(num)d frister overvåkes", e.watching)})
            continue
        shown.append({"id": e.element_id, "count": e.working,
                      "level": max(1, math.ceil(HEAT_LEVELS * e.working / max(busiest, 1))),
                      "label": badge_text(e.working, e.median_wait_seconds)})
    return shown


def badge_text(count: int, median: float | None) -> str:
    cases = ngettext("%(num)d sak", "%(num)d saker", count)
    if median is None:
        return cases
    return _("%(cases)s · median %(wait)s", cases=cases, wait=wait_text(median, short=True))


def wait_text(seconds: float | None, short: bool = False) -> str:
    """A waiting time in the unit that reads best: days, else hours, else minutes."""
    if seconds is None:
        return _("ukjent")
    if seconds >= 86400:
        n = _rounded(seconds / 86400)
        return _("%(n)d d", n=n) if short else ngettext("%(num)d dag", "%(num)d dager", n)
    if seconds >= 3600:
        n = _rounded(seconds / 3600)
        return _("%(n)d t", n=n) if short else ngettext("%(num)d time", "%(num)d timer", n)
    n = max(0, _rounded(seconds / 60))
    return _("%(n)d min", n=n) if short else ngettext("%(num)d minutt", "%(num)d minutter", n)


def _rounded(value: float) -> int:
    return math.floor(value + 0.5)  # half up: 2.5 days reads "3 d" (round() gives 2)
