"""Administration in the browser, part two: units and their members, and officers'
absences with a stand-in (engine/administration: unit_admin, absences)."""
from __future__ import annotations

from flask import Blueprint, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _

from engine.administration import absences, unit_admin
from engine.core.errors import InvalidInput
from engine.organisation.kinds import UNIT_KINDS
from webui import uow
from webui.i18n import translate_all
from webui.parsing import form_date

bp = Blueprint("admin_org", __name__, url_prefix="/admin")


def _units_page(status: int = 200, **extra):
    rows = unit_admin.list_units(uow.ctx(), g.user)
    return render_template("admin/units.html", rows=rows, kinds=UNIT_KINDS,
                           **{"unit_form": {}, "unit_errors": {}, "member_unit": None,
                              "member_form": {}, "member_errors": {}, **extra}), status


@bp.get("/units")
def units():
    return _units_page()


@bp.post("/units")
def add_unit():
    form = request.form
    key, name = form.get("key", "").strip()[:60], form.get("name", "")[:200]
    try:
        unit_admin.add_unit(uow.ctx(), g.user, key, name, form.get("kind", ""))
    except InvalidInput as error:
        uow.abort()
        return _units_page(422, unit_form=form, unit_errors=translate_all(error.errors))
    flash(_("Enheten %(name)s er lagt til.", name=name.strip()), "success")
    return redirect(url_for("admin_org.units") + f"#unit-{key}")


@bp.post("/units/<key>/members")
def add_member(key: str):
    form = request.form
    username = form.get("username", "").strip()[:80]
    try:
        unit_admin.add_member(uow.ctx(), g.user, key, username, home=form.get("home") == "1")
    except InvalidInput as error:
        uow.abort()
        return _units_page(422, member_unit=key, member_form=form,
                           member_errors=translate_all(error.errors))
    flash(_("%(username)s er lagret i enheten.", username=username), "success")
    return redirect(url_for("admin_org.units") + f"#unit-{key}")


@bp.post("/units/<key>/members/remove")
def remove_member(key: str):
    form = request.form
    username = form.get("username", "").strip()[:80]
    try:
        unit_admin.remove_member(uow.ctx(), g.user, key, username)
    except InvalidInput as error:
        uow.abort()
        return _units_page(422, member_unit=key, member_errors=translate_all(error.errors))
    flash(_("%(username)s er fjernet fra enheten.", username=username), "success")
    return redirect(url_for("admin_org.units") + f"#unit-{key}")


def _absences_page(status: int = 200, form=None, errors=None):
    ctx = uow.ctx()
    include_past = request.args.get("all") == "1"
    rows = absences.list_absences(ctx, g.user, include_past)
    return render_template("admin/absences.html", rows=rows, include_past=include_past,
                           people=absences.candidates(ctx, g.user), form=form or {},
                           errors=errors or {}), status


@bp.get("/absences")
def absence_list():
    return _absences_page()


@bp.post("/absences")
def add_absence():
    form = request.form
    errors: dict[str, str] = {}
    starts_on = form_date(form.get("starts_on", "").strip(), errors, "starts_on")
    ends_on = form_date(form.get("ends_on", "").strip(), errors, "ends_on")
    try:
        if errors:
            raise InvalidInput(_("Fraværet kan ikke registreres"), errors)
        absences.add_absence(uow.ctx(), g.user, form.get("username", "")[:80],
                             form.get("stand_in", "")[:80], starts_on, ends_on)
    except InvalidInput as error:
        uow.abort()
        return _absences_page(422, form, translate_all(error.errors))
    flash(_("Fraværet er registrert."), "success")
    return redirect(url_for("admin_org.absence_list"))


@bp.post("/absences/<dbid:absence_id>/end")
def end_absence(absence_id: int):
    absences.end_absence(uow.ctx(), g.user, absence_id)
    flash(_("Fraværet er avsluttet."), "success")
    return redirect(url_for("admin_org.absence_list"))
