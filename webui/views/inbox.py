"""The inbox: views with counts, filters (savable), sorting, paging, bulk claim/reassign."""
from __future__ import annotations

from flask import Blueprint, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext

from engine.core.errors import InvalidInput
from engine.worklist import inbox_page, saved_filters
from webui import config, field_labels, inboxparams, parsing, uow
from webui.i18n import translate, translate_all

bp = Blueprint("inbox", __name__, url_prefix="/inbox")


@bp.get("/")
def index():
    ctx = uow.ctx()
    filter_errors = {}
    try:
        view, filters, page = inboxparams.parse(request.args, ctx.settings.timezone)
    except InvalidInput as error:
        filter_errors = translate_all(error.errors)
        safe = {k: v for k, v in request.args.items() if k not in error.errors}
        view, filters, page = inboxparams.parse(safe, ctx.settings.timezone)
    result = inbox_page.worklist(ctx, g.user, view, filters, page,
                                 config.settings().inbox_page_size,
                               config.settings().soon_due_days)
    return render_template("inbox.html", wl=result, args=request.args, filters=filters,
                           view_names={k: _(v) for k, v in inbox_page.VIEW_NAMES.items()},
                           priority_names={k: _(v) for k, v in inbox_page.PRIORITY_NAMES.items()},
                           filter_errors=filter_errors,
                           saved=saved_filters.for_user(ctx, g.user),
                           qs=lambda **c: inboxparams.query_string(request.args, **c))


def _back():
    target = request.form.get("back", "")
    return redirect(url_for("inbox.index") + (f"?{target}" if target else ""))


@bp.post("/bulk")
def bulk():
    ids = [parsing.require_int(value, "task") for value in request.form.getlist("task")]
    if not ids:
        flash(_("Velg minst én oppgave først."), "error")
        return _back()
    if request.form.get("bulk") == "assign":
        assignee = request.form.get("assignee", "")
        confirmed = request.form.get("confirm") == "yes"
        held = [] if confirmed or not assignee else inbox_page.held_by_colleagues(
            uow.ctx(), ids, g.user, assignee)
        if held:  # taking tasks from colleagues: confirmed first, on a page of its own
            return render_template(
                "task_takeover.html", tasks=held, assignee=assignee,
                action=url_for("inbox.bulk"),
                fields=[("task", str(i)) for i in ids] + [
                    ("bulk", "assign"), ("assignee", assignee),
                    ("back", request.form.get("back", ""))],
                back=url_for("inbox.index") + (f"?{request.form.get('back')}"
                                               if request.form.get("back") else ""))
        result = inbox_page.bulk_assign(uow.ctx(), ids, g.user, request.form.get("assignee", ""))
        done = ngettext("%(num)d oppgave er tildelt.", "%(num)d oppgaver er tildelt.",
                        len(result.done))
    else:
        result = inbox_page.bulk_claim(uow.ctx(), ids, g.user)
        done = ngettext("Du tok %(num)d oppgave.", "Du tok %(num)d oppgaver.", len(result.done))
    if result.done:
        flash(done, "success")
    for task_id, message in result.failed.items():
        if task_id in result.names:
            name, case_number = result.names[task_id]
            flash(_("«%(task)s» i sak %(case)s: %(message)s", task=name, case=case_number,
                    message=translate(message)), "error")
        else:
            flash(_("En av oppgavene finnes ikke lenger: %(message)s",
                    message=translate(message)), "error")
    return _back()


@bp.post("/filters")
def save_filter():
    name = request.form.get("name", "").strip()
    if not name or len(name) > saved_filters.NAME_LENGTH:
        flash(_("Gi filteret et navn på høyst %(n)d tegn.", n=saved_filters.NAME_LENGTH), "error")
        return _back()
    try:
        saved_filters.save(uow.ctx(), g.user, name, request.form.get("back", ""))
    except InvalidInput as error:
        uow.abort()
        flash(" ".join(field_labels.labelled_all(error.errors)) or translate(error.message),
              "error")
        return _back()
    flash(_("Filteret «%(name)s» er lagret.", name=name), "success")
    return _back()


@bp.post("/filters/delete")
def delete_filter():
    name = request.form.get("name", "")
    saved_filters.delete_named(uow.ctx(), g.user, name)
    flash(_("Filteret «%(name)s» er slettet.", name=name), "success")
    return redirect(url_for("inbox.index"))
