"""Letters of a case (routes on the API blueprint). Each read of a letter is a read of the
case and is logged.

    GET /api/v1/cases/<id>/letters     the case's letters: kind, status, copies, dates
    GET /api/v1/letters/<id>/pdf       one letter as PDF (as approved; a draft is marked)
    GET /api/v1/letters/<id>/copies/<copy id>/pdf
                                       one copy, addressed to its recipient in its language
"""
from __future__ import annotations

from flask import Response, g, jsonify

from engine.letters import drafting, letter_list
from webui import uow
from webui.api import bp


@bp.get("/cases/<dbid:case_id>/letters")
def case_letters(case_id: int):
    rows = letter_list.readable_case_letters(uow.ctx(), case_id, g.user)
    return jsonify({"letters": [letter_list.as_json(row) for row in rows]})


@bp.get("/letters/<dbid:letter_id>/pdf")
def letter_pdf(letter_id: int):
    letter, pdf = drafting.pdf_of(uow.ctx(), letter_id, g.user)
    return Response(pdf, mimetype="application/pdf", headers={
        "Content-Disposition": f'attachment; filename="brev-{letter.id}.pdf"'})


@bp.get("/letters/<dbid:letter_id>/copies/<dbid:copy_id>/pdf")
def letter_copy_pdf(letter_id: int, copy_id: int):
    letter, copy, pdf = drafting.copy_pdf_of(uow.ctx(), letter_id, copy_id, g.user)
    return Response(pdf, mimetype="application/pdf", headers={
        "Content-Disposition": f'attachment; filename="brev-{letter.id}-kopi-{copy.id}.pdf"'})
