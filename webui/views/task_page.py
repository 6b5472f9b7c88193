"""The task page: the task's form rendered from its JSON Schema, errors at each field,
save as draft, complete; claim, unclaim and reassign."""
from __future__ import annotations

from flask import Blueprint, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy.exc import InterfaceError, OperationalError

from engine.core.errors import (
    ConflictError,
    InvalidInput,
    PermissionDenied,
    ProcessError,
)
from engine.worklist import humantasks, taskpage
from webui import config, errors, forms, parsing, uow
from webui.i18n import translate, translate_all
from webui.safe_redirect import safe_next
from webui.views import letters

bp = Blueprint("tasks", __name__, url_prefix="/tasks")


def _version() -> int | None:
    value = request.form.get("version", "")
    return parsing.require_int(value, "version", low=0) if value else None


def _soon() -> int:
    return config.settings().soon_due_days


def _render(task_id: int, values=None, errors=None, extra_rows=None, problem=None, status=200):
    page = taskpage.task_page(uow.ctx(), task_id, g.user, _soon())
    form = forms.build_form(page.schema, page.values if values is None else values, errors,
                            extra_rows)
    if page.coordinator_field:  # the coordinators to choose from, most suitable first
        forms.pick_from(form, page.coordinator_field, [
            forms.Option(c.username, c.display_name, detail=c, disabled=not c.trained)
            for c in page.candidates])
    return render_template("task.html", page=page, form=form, problem=problem), status


@bp.get("/<dbid:task_id>")
def show(task_id: int):
    return _render(task_id)


@bp.post("/<dbid:task_id>")
def submit(task_id: int):
    schema = taskpage.form_schema(uow.ctx(), task_id, g.user)
    data = forms.parse_form(schema, request.form)
    action, target = forms.form_action(request.form)
    if action == "add":
        extra = forms.posted_rows(request.form, target) - len(data.get(target, []) or []) + 1
        return _render(task_id, values=data, extra_rows={target: extra})
    if action == "remove":
        return _render(task_id, values=forms.remove_row(data, target))
    if action == "preview":
        try:
            return letters.task_preview(task_id, data)
        except InvalidInput as error:
            uow.abort()
            return _render(task_id, values=data, errors=translate_all(error.errors), status=422)
    try:
        if action == "draft":
            humantasks.save_draft(uow.ctx(), task_id, g.user, data, expected_version=_version())
            flash(_("Utkastet er lagret."), "success")
            return redirect(url_for("tasks.show", task_id=task_id))
        task = humantasks.complete(uow.ctx(), task_id, g.user, data, expected_version=_version(),
                                  go_on=True)
    except InvalidInput as error:
        uow.abort()
        return _render(task_id, values=data, errors=translate_all(error.errors), status=422)
    except (PermissionDenied, ConflictError, ProcessError) as error:
        uow.abort()  # what was typed is shown again; nothing of the step was kept
        return _render(task_id, values=data, problem=translate(error.message),
                       status=errors.status_of(error))
    following = humantasks.go_on(uow.ctx(), g.user, task.case_id)
    if following is not None:  # the case's next step is the officer's own: go on with it
        flash(_("Oppgaven «%(name)s» i sak %(case)s er fullført. Neste oppgave i saken: "
                "«%(next)s».", name=task.name, case=task.case_number,
                next=following.name), "success")
        return redirect(url_for("tasks.show", task_id=following.id))
    flash(_("Oppgaven «%(name)s» i sak %(case)s er fullført.", name=task.name,
            case=task.case_number), "success")
    # The step is saved first (its writes travel with the COMMIT), then whom the case waits
    # for is read; a database lost after the commit costs only that line.
    uow.commit()
    try:
        flash(translate(humantasks.waiting_for(uow.ctx(), task.case_id)), "info")
    except (OperationalError, InterfaceError):
        uow.abort()
    return redirect(url_for("inbox.index"))


def _after(task_id: int):
    return redirect(safe_next(request.form.get("next"), url_for("tasks.show", task_id=task_id)))


@bp.post("/<dbid:task_id>/claim")
def claim(task_id: int):
    task = humantasks.claim(uow.ctx(), task_id, g.user, expected_version=_version())
    flash(_("Du har tatt oppgaven «%(name)s».", name=task.name), "success")
    return _after(task_id)


@bp.post("/<dbid:task_id>/unclaim")
def unclaim(task_id: int):
    """Put the task back in its role's queue. A leader putting back a colleague's task
    confirms it first, as taking it over does."""
    if not confirmed():
        held = humantasks.held_by_colleague(uow.ctx(), task_id, g.user)
        if held is not None and humantasks.may_unclaim(g.user, held):  # else refused below
            return _confirmation(held, "tasks.unclaim", assignee=None, release=True)
    task = humantasks.unclaim(uow.ctx(), task_id, g.user, expected_version=_version())
    flash(_("Oppgaven «%(name)s» er lagt tilbake.", name=task.name), "success")
    return _after(task_id)


def confirmed() -> bool:
    """The form carries the explicit confirmation of taking a task from a colleague."""
    return request.form.get("confirm") == "yes"


def _confirmation(held, endpoint: str, assignee: str | None, release: bool = False,
                  fields: list[tuple[str, str]] | None = None):
    """The page that asks before a colleague's task `held` is taken, given away or put
    back; confirming posts the same form again to `endpoint`, with "confirm"."""
    form = request.form
    return render_template(
        "task_takeover.html", tasks=[held], assignee=assignee, release=release,
        action=url_for(endpoint, task_id=held.id),
        fields=[*(fields or []), ("version", form.get("version", "")),
                ("next", form.get("next", ""))],
        back=safe_next(form.get("next"), url_for("tasks.show", task_id=held.id)))


@bp.post("/<dbid:task_id>/assign")
def assign(task_id: int):
    """Give the task to someone (oneself: take it). Taking it from a colleague who holds it
    needs a confirmation first (a page with «Ja, ta over oppgaven fra X»); the API's assign
    is an explicit call and needs none."""
    assignee = request.form.get("assignee", "")
    if not confirmed():
        held = humantasks.held_by_colleague(uow.ctx(), task_id, g.user, assignee or None)
        if held is not None:
            return _confirmation(held, "tasks.assign", assignee=assignee or g.user.username,
                                 fields=[("assignee", assignee)])
    task = humantasks.assign(uow.ctx(), task_id, g.user, assignee, expected_version=_version())
    flash(_("Oppgaven «%(name)s» er tildelt %(user)s.", name=task.name, user=task.assignee),
          "success")
    return _after(task_id)
