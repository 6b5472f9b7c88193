"""A letter as PDF (the case page and the task page link to it), and the letter a task will
draft, previewed from the form as the officer has filled it in (nothing is saved)."""
from __future__ import annotations

from flask import Blueprint, Response, g

from engine.letters import drafting, preview
from webui import uow

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


def task_preview(task_id: int, values: dict) -> Response:
    """The preview of a drafting task's letter (the task page's "Forhåndsvis brevet")."""
    return pdf_response(preview.preview_pdf(uow.ctx(), task_id, g.user, values),
                        f"utkast-oppgave-{task_id}.pdf", inline=True)
