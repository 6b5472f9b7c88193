"""New case (an officer registers an application) and the case page.

Registering starts with finding the person (`?finn=` searches by number, name or birth date;
`?person=` chooses one): the page then shows the person's cases and plan, and says when the
application will join that plan. A person not found is registered with the application (its
national number, when given, is checked and never registered twice).

The empty new-case form carries a fresh idempotency token; re-rendering it (an added row, a
validation error) keeps the token, so a resubmit or the back button returns the first case.
"""
from __future__ import annotations

import secrets

from flask import Blueprint, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _

from engine.access import overrides
from engine.cases import casepage, intake
from engine.core.errors import InvalidInput
from engine.organisation import responsibility
from engine.worklist import humantasks
from webui import config, errors, field_labels, forms, parsing, uow
from webui.filters import when
from webui.i18n import translate, translate_all

bp = Blueprint("cases", __name__, url_prefix="/cases")


def _process() -> str:
    allowed = config.settings().case_processes
    return (request.values.get("process") or (allowed[0] if allowed else "")).strip()


def _render_new(process_key: str, values=None, errors=None, extra_rows=None, status=200):
    ctx = uow.ctx()
    application = intake.application_form(ctx, g.user, process_key,
                                          config.settings().case_processes)
    person_id = _person_id()
    chosen = intake.person_at_intake(ctx, g.user, person_id) if person_id else None
    values = dict(values or {})
    if chosen is not None and not values:
        values.update(_person_values(chosen.person))
    search_text = request.args.get("finn", "").strip()[:200]
    hits = intake.find_persons(ctx, g.user, search_text) \
        if search_text and chosen is None else []
    form = forms.build_form(application.schema, values, errors, extra_rows)
    return render_template("case_new.html", application=application, form=form,
                           processes=intake.process_choices(
                               ctx, config.settings().case_processes), chosen=chosen,
                           hits=hits, search_text=search_text,
                           national_id=request.form.get("fodselsnummer", "")[:20],
                           errors=errors or {},
                           start_token=_start_token() or secrets.token_urlsafe(24)), status


def _person_id() -> int | None:
    raw = request.values.get("person")
    return parsing.require_int(raw, "person") if raw not in (None, "") else None


def _person_values(person) -> dict:
    """The application form's fields the person already gives."""
    values = {"navn": person.name}
    if person.birth_date is not None:
        values["fodselsdato"] = person.birth_date.isoformat()
    elif person.due_date is not None:
        values.update(fodselsdato=person.due_date.isoformat(), barn_forventet=True)
    return values


def _choice() -> intake.PersonChoice:
    number = request.form.get("fodselsnummer", "").strip()
    return intake.PersonChoice(person_id=_person_id(), national_id=number[:20] or None)


def _start_token() -> str | None:
    """The form's idempotency token as posted (None when missing or malformed)."""
    token = request.form.get("start_token", "")
    return token if 0 < len(token) <= intake.KEY_LENGTH and token.isascii() \
        and token.isprintable() else None


@bp.get("/new")
def new():
    return _render_new(_process())


@bp.post("/new")
def create():
    process_key = _process()
    application = intake.application_form(uow.ctx(), g.user, process_key,
                                          config.settings().case_processes)
    data = forms.parse_form(application.schema, request.form)
    action, target = forms.form_action(request.form)
    if action == "add":
        extra = forms.posted_rows(request.form, target) - len(data.get(target, []) or []) + 1
        return _render_new(process_key, data, extra_rows={target: extra})
    if action == "remove":
        return _render_new(process_key, forms.remove_row(data, target))
    try:
        registration = uow.start_case_idempotently(
            lambda key: intake.register_application(uow.ctx(), data, g.user, process_key,
                                                    config.settings().case_processes, key,
                                                    person=_choice(), go_on=True),
            _start_token())
    except InvalidInput as error:
        uow.abort()
        return _render_new(process_key, data, translate_all(error.errors), status=422)
    case = registration.case
    if registration.created and case.process_key == intake.PLAN_JOIN_PROCESS:
        flash(_("Søknaden er registrert som sak %(number)s og knyttet til personens plan: "
                "koordinatoren legger til deltakeren og reviderer planen.",
                number=case.case_number), "success")
    elif registration.created and (following := humantasks.go_on(uow.ctx(), g.user,
                                                                   case.id)) is not None:
        flash(_("Søknaden er registrert som sak %(number)s. Neste oppgave i saken: "
                "«%(next)s».", number=case.case_number, next=following.name), "success")
        return redirect(url_for("tasks.show", task_id=following.id))
    elif registration.created:
        flash(_("Søknaden er registrert som sak %(number)s.", number=case.case_number),
              "success")
    else:
        flash(_("Søknaden var allerede registrert som sak %(number)s; ingen ny sak ble laget.",
                number=case.case_number), "info")
    return redirect(url_for("cases.show", case_id=case.id))


@bp.get("/<dbid:case_id>")
def show(case_id: int):
    page = casepage.case_page(uow.ctx(), case_id, g.user, config.settings().soon_due_days)
    return render_template("case.html", page=page)


@bp.get("/<dbid:case_id>/appeal")
def appeal(case_id: int):
    return _render_appeal(case_id)


@bp.post("/<dbid:case_id>/appeal")
def register_appeal(case_id: int):
    application = intake.appeal_form(uow.ctx(), g.user, case_id)
    data = forms.parse_form(application.schema, request.form)
    try:
        intake.register_appeal(uow.ctx(), case_id, data, g.user)
    except InvalidInput as error:
        uow.abort()
        return _render_appeal(case_id, data, translate_all(error.errors), status=422)
    flash(_("Klagen er registrert; den vurderes i saken."), "success")
    return redirect(url_for("cases.show", case_id=case_id))


def _render_appeal(case_id: int, values=None, errors=None, status=200):
    ctx = uow.ctx()
    page = casepage.case_page(ctx, case_id, g.user, config.settings().soon_due_days,
                              with_diagrams=False)
    application = intake.appeal_form(ctx, g.user)
    form = forms.build_form(application.schema, values or {}, errors)
    return render_template("case_appeal.html", page=page, form=form), status


@bp.post("/<dbid:case_id>/override")
def emergency_access(case_id: int):
    """Emergency access (nødtilgang) with a stated reason (engine/access/overrides.py)."""
    try:
        granted = overrides.grant(uow.ctx(), case_id, g.user, request.form.get("reason", ""))
    except InvalidInput as error:
        uow.abort()
        return errors.page(422, translate(error.message), translate_all(error.errors),
                           override_case=case_id, reason=request.form.get("reason", ""))
    flash(_("Du har nødtilgang til saken til %(when)s. Koordinerende enhet er varslet, og "
            "personen kan se at du har lest saken.", when=when(granted.expires_at)),
          "warning")
    return redirect(url_for("cases.show", case_id=case_id))


@bp.post("/<dbid:case_id>/unit")
def move(case_id: int):
    """Another responsible unit, with a reason (engine/organisation/responsibility.py)."""
    unit_id = parsing.ascii_int(request.form.get("unit", ""))
    try:
        responsibility.change(uow.ctx(), case_id, unit_id or 0, request.form.get("reason", ""),
                              g.user)
    except InvalidInput as error:
        uow.abort()
        flash(" ".join(field_labels.labelled_all(error.errors)) or translate(error.message),
              "error")
        return redirect(url_for("cases.show", case_id=case_id))
    flash(_("Saken er flyttet til en annen enhet."), "success")
    return redirect(url_for("cases.show", case_id=case_id))
