"""The plan: its page (a document under the headings (a)–(i), printable), its PDF, what
changed between two versions, a coordinator's plans and the overview of all plans."""
from __future__ import annotations

from flask import Blueprint, Response, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _

from engine.cases import action_items
from engine.core.errors import InvalidInput
from engine.plans import editing, meetings, plan_page
from webui import plan_pdf, uow
from webui.i18n import translate_all
from webui.parsing import ascii_int, form_date

#: Rows for action items on the meeting form.
ITEM_ROWS = 3

bp = Blueprint("plans", __name__, url_prefix="/plans")


@bp.get("/<dbid:plan_id>")
def show(plan_id: int):
    doc = plan_page.plan_page(uow.ctx(), plan_id, g.user)
    return render_template("plan.html", doc=doc)


@bp.post("/<dbid:plan_id>/meetings")
def record_meeting(plan_id: int):
    form = request.form
    errors: dict[str, str] = {}
    held_on = form_date(form.get("held_on", ""), errors, "held_on")
    items = []
    for row in range(ITEM_ROWS):
        what = form.get(f"item_what_{row}", "").strip()
        if not what:
            continue
        items.append(meetings.ActionItem(
            what=what[:2000], responsible_name=form.get(f"item_name_{row}", "").strip()[:200],
            responsible_username=form.get(f"item_user_{row}", "").strip()[:80] or None,
            due_on=form_date(form.get(f"item_due_{row}", ""), errors, f"item_due_{row}")))
    attendees = [line.strip()[:200] for line in form.get("attendees", "").splitlines()
                 if line.strip()]
    try:
        if errors or held_on is None:
            raise InvalidInput(_("Møtet kan ikke registreres"), errors or {
                "held_on": _("Oppgi datoen møtet ble holdt.")})
        action_items.record_meeting(uow.ctx(), plan_id, g.user, held_on, attendees,
                                    form.get("minutes", ""), items)
    except InvalidInput as error:
        uow.abort()
        doc = plan_page.plan_page(uow.ctx(), plan_id, g.user)
        return render_template("plan.html", doc=doc, meeting_errors=translate_all(error.errors),
                               meeting_form=form), 422
    flash(_("Møtet er registrert."), "success")
    return redirect(url_for("plans.show", plan_id=plan_id) + "#section-moter")


@bp.post("/<dbid:plan_id>/participants")
def add_participant(plan_id: int):
    """A participant, with the consent to what they may see (or none yet)."""
    form = request.form
    scope = form.get("scope", "")
    try:
        participant = editing.add_participant(
            uow.ctx(), plan_id, g.user, name=form.get("name", "").strip()[:200],
            role=form.get("role", "").strip()[:200],
            username=form.get("username", "").strip()[:80] or None)
        if scope:
            editing.give_consent(
                uow.ctx(), plan_id, g.user, participant_id=participant.id, scope=scope,
                given_by_name=form.get("given_by_name", "").strip()[:200],
                given_by_role=form.get("given_by_role", ""), given_on=uow.ctx().today())
    except InvalidInput as error:
        uow.abort()
        doc = plan_page.plan_page(uow.ctx(), plan_id, g.user)
        return render_template("plan.html", doc=doc, participant_errors=translate_all(
            error.errors), participant_form=form), 422
    flash(_("Deltakeren er lagt til."), "success")
    return redirect(url_for("plans.show", plan_id=plan_id) + "#section-deltakere")


@bp.post("/<dbid:plan_id>/consents/<dbid:consent_id>/withdraw")
def withdraw_consent(plan_id: int, consent_id: int):
    editing.withdraw_consent(uow.ctx(), plan_id, consent_id, g.user)
    flash(_("Samtykket er trukket: deltakeren har ikke lenger tilgang."), "success")
    return redirect(url_for("plans.show", plan_id=plan_id) + "#section-deltakere")


@bp.get("/<dbid:plan_id>.pdf")
def pdf(plan_id: int):
    doc = plan_page.plan_page(uow.ctx(), plan_id, g.user, purpose="plan pdf")
    return Response(plan_pdf.render(doc), mimetype="application/pdf", headers={
        "Content-Disposition": f'attachment; filename="plan-{plan_id}.pdf"'})


@bp.get("/<dbid:plan_id>/versions/<dbid:older>/compare/<dbid:newer>")
def compare(plan_id: int, older: int, newer: int):
    comparison = plan_page.compare_versions(uow.ctx(), plan_id, older, newer, g.user)
    return render_template("plan_compare.html", c=comparison)


@bp.get("/<dbid:plan_id>/versions/<dbid:number>")
def version(plan_id: int, number: int):
    view = plan_page.plan_version_view(uow.ctx(), plan_id, number, g.user)
    return render_template("plan_version.html", view=view)


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
