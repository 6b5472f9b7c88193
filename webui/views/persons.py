"""Persons: search (GET /persons/?q=) and the person page (GET /persons/<id>)."""
from __future__ import annotations

from flask import Blueprint, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _

from engine.core.errors import InvalidInput
from engine.persons import person_page, registry, relations_form, search
from webui import parsing, uow
from webui.i18n import translate_all

bp = Blueprint("persons", __name__, url_prefix="/persons")


@bp.get("/")
def index():
    text = (request.args.get("q") or "").strip()[:200]
    hits = search.search_persons(uow.ctx(), g.user, text) if text else []
    return render_template("persons.html", text=text, hits=hits)


@bp.get("/<dbid:person_id>")
def show(person_id: int):
    page = person_page.person_page(uow.ctx(), person_id, g.user)
    return render_template("person.html", page=page)


#: The fields the person form changes (national number and birth date come from the
#: register and from `record_birth`).
EDITABLE = ("name", "address", "postal_code", "postal_place", "protection",
            "preferred_channel", "written_language")


@bp.post("/<dbid:person_id>")
def update(person_id: int):
    form = request.form
    # a field the form did not show (a hidden address) is left as it is
    changes = {key: form[key].strip()[:300] or None for key in EDITABLE if key in form}
    if "name" in changes:
        changes["name"] = changes["name"] or ""
    version = parsing.ascii_int(form.get("version", ""))
    try:
        person_page.require_reader(uow.ctx(), person_id, g.user)
        registry.require_registrar(g.user)
        registry.update(uow.ctx(), person_id, changes, g.user.username, version)
    except InvalidInput as error:
        uow.abort()
        page = person_page.person_page(uow.ctx(), person_id, g.user)
        return render_template("person.html", page=page, person_form=form,
                               person_errors=translate_all(error.errors)), 422
    flash(_("Personopplysningene er lagret."), "success")
    return redirect(url_for("persons.show", person_id=person_id))


@bp.post("/<dbid:person_id>/relations")
def add_relation(person_id: int):
    form = request.form
    errors: dict[str, str] = {}
    try:
        new = relations_form.NewRelation(
            kind=form.get("kind", ""), related_name=form.get("related_name", "")[:200],
            related_national_id=form.get("related_national_id", "").strip()[:20] or None,
            related_birth_date=parsing.form_date(form.get("related_birth_date", ""), errors,
                                     "related_birth_date"),
            parental_responsibility=form.get("parental_responsibility") == "1",
            fullmakt_scope=tuple(form.getlist("fullmakt_scope"))[:10],
            fullmakt_signed_on=parsing.form_date(form.get("fullmakt_signed_on", ""), errors,
                                     "fullmakt_signed_on"),
            fullmakt_document=form.get("fullmakt_document", "").strip()[:200] or None)
        if errors:
            raise InvalidInput(_("Relasjonen kan ikke registreres"), errors)
        relations_form.add(uow.ctx(), person_id, new, g.user)
    except InvalidInput as error:
        uow.abort()
        page = person_page.person_page(uow.ctx(), person_id, g.user)
        return render_template("person.html", page=page, relation_form=form,
                               relation_errors=translate_all(error.errors)), 422
    flash(_("Relasjonen er registrert."), "success")
    return redirect(url_for("persons.show", person_id=person_id) + "#relations-title")
