"""The case list and search (GET /cases/): by name or part of it, fødselsnummer, birth date
or case number in any common form, with filters and sorting, for the roles that work on
cases. A case with no open task is found like any other."""
from __future__ import annotations

from flask import Blueprint, g, render_template, request
from flask_babel import gettext as _

from engine.core.messages import N_
from engine.persons import catalogue, search
from webui import uow
from webui.parsing import ascii_int

bp = Blueprint("case_search", __name__, url_prefix="/cases")

#: The sort keys as the page offers them.
SORT_LABELS = {"received": N_("Mottatt (nyeste først)"), "case_number": N_("Saksnummer"),
               "name": N_("Navn"), "due": N_("Neste frist")}
STATUS_LABELS = {"open": N_("Åpne"), "closed": N_("Avsluttede"), "all": N_("Alle")}


def _query(args) -> tuple[search.CaseQuery, dict[str, str]]:
    """The query the parameters ask for, and an error per parameter that is not valid."""
    errors: dict[str, str] = {}
    text = (args.get("q") or "").strip()
    if len(text) > 200:
        errors["q"] = _("Søket er på høyst %(n)d tegn.", n=200)
        text = text[:200]
    status = args.get("status") or "open"
    if status not in search.STATUSES:
        errors["status"], status = _("Velg åpne, avsluttede eller alle saker."), "open"
    service = args.get("service") or None
    if service is not None and service not in catalogue.SERVICES:
        errors["service"], service = _("Velg en av sakstypene i listen."), None
    sort = args.get("sort") or "received"
    if sort not in search.SORTS:
        errors["sort"], sort = _("Velg en av sorteringene i listen."), "received"
    responsible = (args.get("responsible") or "").strip() or None
    if responsible == "mine":
        responsible = g.user.username
    if responsible is not None and len(responsible) > 80:
        errors["responsible"], responsible = _("Brukernavnet er for langt."), None
    overdue = args.get("overdue") or ""
    if overdue not in ("", "1"):
        errors["overdue"], overdue = _("«Bare saker med frist på overtid» er 1 eller tom."), ""
    offset = 0
    if args.get("offset"):
        number = ascii_int(args["offset"], 0, 10_000_000)
        if number is None:
            errors["offset"] = _("Ugyldig side.")
        else:
            offset = number
    return search.CaseQuery(text=text, status=status, service=service, responsible=responsible,
                            overdue=overdue == "1", sort=sort, offset=offset,
                            limit=search.PAGE_SIZE), errors


@bp.get("/")
def index():
    query, errors = _query(request.args)
    page = search.find_cases(uow.ctx(), g.user, query)
    return render_template("case_list.html", query=query, page=page, errors=errors,
                           args=request.args, sort_labels=SORT_LABELS,
                           status_labels=STATUS_LABELS, services=catalogue.SERVICES,
                           page_size=search.PAGE_SIZE, name_cap=search.NAME_MATCH_CAP), \
        400 if errors else 200
