"""A letter as PDF (the case page and the task page link to it); the letter a task will
draft, previewed from the form as the officer has filled it in (nothing is saved); and a
correction of an approved letter, made, approved and sent from the case page (no process
drafts it)."""
from __future__ import annotations

from flask import Blueprint, Response, flash, g, redirect, request, url_for
from flask_babel import gettext as _

from engine.core.errors import ConflictError, EngineError, InvalidInput
from engine.letters import drafting, preview, sending
from webui import field_labels, uow
from webui.i18n import translate
from webui.parsing import form_date

bp = Blueprint("letters", __name__, url_prefix="/letters")


def pdf_response(pdf: bytes, filename: str, inline: bool = False) -> Response:
    disposition = "inline" if inline else "attachment"
    return Response(pdf, mimetype="application/pdf", headers={
        "Content-Disposition": f'{disposition}; filename="{filename}"',
        "Cache-Control": "no-store"})


@bp.get("/<dbid:letter_id>.pdf")
def pdf(letter_id: int):
    letter, content = drafting.pdf_of(uow.ctx(), letter_id, g.user)
    return pdf_response(content, f"brev-{letter.id}.pdf")


@bp.get("/<dbid:letter_id>/copies/<dbid:copy_id>.pdf")
def copy_pdf(letter_id: int, copy_id: int):
    """One copy: addressed to its recipient, in its language (for printing it)."""
    letter, copy, content = drafting.copy_pdf_of(uow.ctx(), letter_id, copy_id, g.user)
    return pdf_response(content, f"brev-{letter.id}-kopi-{copy.id}.pdf")


@bp.post("/<dbid:letter_id>/copies/<dbid:copy_id>/language")
def copy_language(letter_id: int, copy_id: int):
    """The written language of one copy of a draft."""
    drafting.readable(uow.ctx(), letter_id, g.user, "letter language")
    try:
        drafting.set_copy_language(uow.ctx(), letter_id, copy_id, g.user,
                                   request.form.get("malform", ""))
    except (ConflictError, InvalidInput) as error:
        return _refused(letter_id, error)
    flash(_("Målformen for kopien er endret."), "success")
    return _back(letter_id)


def task_preview(task_id: int, values: dict) -> Response:
    """The preview of a drafting task's letter (the task page's "Forhåndsvis brevet")."""
    return pdf_response(preview.preview_pdf(uow.ctx(), task_id, g.user, values),
                        f"utkast-oppgave-{task_id}.pdf", inline=True)


def _back(letter_id: int):
    case_id = drafting.readable(uow.ctx(), letter_id, g.user, "letter action").case_id
    return redirect(url_for("cases.show", case_id=case_id) + "#letters-title")


def _refused(letter_id: int, error: EngineError):
    """The case page again with the reason (nothing was changed)."""
    uow.abort()
    flash(" ".join([translate(error.message), *field_labels.labelled_all(
        getattr(error, "errors", None))]), "error")
    return _back(letter_id)


@bp.post("/<dbid:letter_id>/correct")
def correct(letter_id: int):
    try:
        letter = drafting.correct(uow.ctx(), letter_id, g.user)
    except (ConflictError, InvalidInput) as error:
        return _refused(letter_id, error)
    flash(_("Rettebrevet er laget som utkast. Det godkjennes før det sendes."), "success")
    return _back(letter.id)


@bp.post("/<dbid:letter_id>/approve")
def approve(letter_id: int):
    try:
        drafting.approve(uow.ctx(), letter_id, g.user)
    except (ConflictError, InvalidInput) as error:
        return _refused(letter_id, error)
    flash(_("Brevet er godkjent og kan ikke lenger endres."), "success")
    return _back(letter_id)


@bp.post("/<dbid:letter_id>/send")
def send(letter_id: int):
    errors: dict[str, str] = {}
    posted = form_date(request.form.get("sendt_dato", ""), errors, "sendt_dato")
    delivered = form_date(request.form.get("leveringsdato", ""), errors, "leveringsdato")
    if errors:
        flash(" ".join(field_labels.labelled_all(errors)), "error")
        return _back(letter_id)
    try:
        sending.send(uow.ctx(), letter_id, g.user, request.form.get("kanal", ""), posted,
                     delivered, correction_only=True)
    except (ConflictError, InvalidInput) as error:
        return _refused(letter_id, error)
    flash(_("Brevet er sendt."), "success")
    return _back(letter_id)


@bp.post("/<dbid:letter_id>/copies/<dbid:copy_id>/delivered")
def delivered(letter_id: int, copy_id: int):
    """A paper copy's known delivery date (the appeal clock counts from it)."""
    errors: dict[str, str] = {}
    day = form_date(request.form.get("leveringsdato", ""), errors, "leveringsdato")
    if day is None:
        flash(" ".join(field_labels.labelled_all(errors)) or _("Oppgi leveringsdatoen"),
              "error")
        return _back(letter_id)
    drafting.readable(uow.ctx(), letter_id, g.user, "letter delivery")
    try:
        sending.enter_delivery(uow.ctx(), letter_id, copy_id, g.user, day)
    except (ConflictError, InvalidInput) as error:
        return _refused(letter_id, error)
    flash(_("Leveringsdatoen er registrert; klagefristen regnes fra den."), "success")
    return _back(letter_id)
