"""Persons: search (GET /persons/?q=) and the person page (GET /persons/<id>)."""
from __future__ import annotations

from flask import Blueprint, g, render_template, request

from engine.persons import person_page, search
from webui import uow

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
