"""The process library of the coordinating unit: processes, versions, and what changed
between two versions. Thin: one engine call per view (engine/library.py checks the role)."""
from __future__ import annotations

from flask import Blueprint, g, render_template, request
from flask_babel import gettext as _

from engine import library

from . import errors, uow

bp = Blueprint("library", __name__, url_prefix="/processes")


@bp.get("/")
def index():
    return render_template("library.html", processes=library.processes(uow.ctx(), g.user))


@bp.get("/<key>")
def show(key: str):
    return render_template("library_process.html", key=key,
                           versions=library.versions(uow.ctx(), key, g.user))


@bp.get("/<key>/diff")
def diff(key: str):
    numbers = [request.args.get(name, "") for name in ("from", "to")]
    if not all(n.isdigit() for n in numbers):
        return errors.page(400, _("Velg to versjoner å sammenligne."))
    result = library.diff(uow.ctx(), key, int(numbers[0]), int(numbers[1]), g.user)
    return render_template("library_diff.html", diff=result)
