"""The plan: its page (a document under the headings (a)–(i), printable), its PDF, what
changed between two versions, a coordinator's plans and the overview of all plans."""
from __future__ import annotations

from flask import Blueprint, Response, g, render_template, request

from engine.plans import plan_page
from webui import plan_pdf, uow
from webui.parsing import ascii_int

bp = Blueprint("plans", __name__, url_prefix="/plans")


@bp.get("/<dbid:plan_id>")
def show(plan_id: int):
    doc = plan_page.plan_page(uow.ctx(), plan_id, g.user)
    return render_template("plan.html", doc=doc)


@bp.get("/<dbid:plan_id>.pdf")
def pdf(plan_id: int):
    doc = plan_page.plan_page(uow.ctx(), plan_id, g.user, purpose="plan pdf")
    return Response(plan_pdf.render(doc), mimetype="application/pdf", headers={
        "Content-Disposition": f'attachment; filename="plan-{plan_id}.pdf"'})


@bp.get("/<dbid:plan_id>/versions/<dbid:older>/compare/<dbid:newer>")
def compare(plan_id: int, older: int, newer: int):
    comparison = plan_page.compare_versions(uow.ctx(), plan_id, older, newer, g.user)
    return render_template("plan_compare.html", c=comparison)


@bp.get("/mine")
def mine():
    return render_template("plan_list.html", rows=plan_page.coordinated_by(uow.ctx(), g.user),
                           mine=True, only_overdue=False, offset=0, has_more=False)


@bp.get("/")
def index():
    only_overdue = request.args.get("overdue") == "1"
    offset = ascii_int(request.args.get("offset", "0"), 0, 10_000_000) or 0
    rows = plan_page.overview(uow.ctx(), g.user, only_overdue, offset, PAGE + 1)
    return render_template("plan_list.html", rows=rows[:PAGE], mine=False,
                           only_overdue=only_overdue, offset=offset, has_more=len(rows) > PAGE)


PAGE = 100
