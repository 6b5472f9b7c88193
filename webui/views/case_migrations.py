"""Moving running cases to another version of a process (the coordinating unit and admin):
a preview of every case on another version with what changes for it, and a POST that moves
the chosen ones (or all that can move). Thin: engine/migration.py checks the role."""
from __future__ import annotations

from flask import Blueprint, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _

from engine.definitions import case_migration
from webui import errors, parsing, uow

bp = Blueprint("migrations", __name__, url_prefix="/processes")


def _to_version(source) -> int | None:
    value = (source.get("to") or "").strip()
    if not value:
        return None
    number = parsing.ascii_int(value)
    if number is None:
        raise ValueError(value)
    return number


@bp.get("/<key>/migrations")
def show(key: str):
    try:
        to_version = _to_version(request.args)
    except ValueError:
        return errors.page(400, _("Velg en gyldig versjon."))
    result = case_migration.preview(uow.ctx(), g.user, key, to_version)
    return render_template("migration.html", preview=result,
                           tokens=case_migration.case_tokens(result.items))


@bp.post("/<key>/migrations")
def run(key: str):
    try:
        to_version = _to_version(request.form)
    except ValueError:
        return errors.page(400, _("Velg en gyldig versjon."))
    everything = request.form.get("action") == "all"
    raw = request.form.getlist("case")
    case_ids = [parsing.ascii_int(value) for value in raw]
    if None in case_ids:
        return errors.page(400, _("Ugyldig sak i utvalget."))
    if not everything and not case_ids:
        flash(_("Velg minst én sak først."), "error")
        return redirect(url_for("migrations.show", key=key, to=to_version))
    seen = {number: value for name, value in request.form.items()
            if name.startswith("seen-") and (number := parsing.ascii_int(name[5:])) is not None}
    result = case_migration.migrate(uow.ctx(), g.user, key, None if everything else case_ids,
                               to_version, seen=seen)
    return render_template("migration_result.html", result=result)
