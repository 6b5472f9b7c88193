"""The person's read log, «Hvem har lest opplysningene mine»: a page and a PDF for one person
over a period (engine/readlog), to hand to the person on request."""
from __future__ import annotations

from flask import Blueprint, Response, g, render_template, request

from engine.readlog import report
from webui import pdf, uow
from webui.parsing import form_date

bp = Blueprint("read_log", __name__, url_prefix="/persons")


def _report(person_id: int):
    errors: dict[str, str] = {}
    start = form_date(request.args.get("from", ""), errors, "from")
    end = form_date(request.args.get("to", ""), errors, "to")
    return report.person_report(uow.ctx(), person_id, g.user, start, end), errors


@bp.get("/<dbid:person_id>/read-log")
def show(person_id: int):
    found, errors = _report(person_id)
    return render_template("read_log.html", report=found, errors=errors), \
        400 if errors else 200


@bp.get("/<dbid:person_id>/read-log.pdf")
def document(person_id: int):
    found, _errors = _report(person_id)
    content = pdf.from_template("read_log_pdf.html", report=found)
    return Response(content, mimetype="application/pdf", headers={
        "Content-Disposition": f'attachment; filename="hvem-har-lest-{person_id}.pdf"',
        "Cache-Control": "no-store"})
