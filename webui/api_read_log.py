"""The person's read log (route on the API blueprint).

    GET /api/v1/persons/<id>/read-log?from=YYYY-MM-DD&to=YYYY-MM-DD
        who read the person's information in the period (default: the last twelve
        months): each read, refused read and emergency access, newest first
"""
from __future__ import annotations

from flask import g, jsonify, request

from engine.core.errors import InvalidInput
from engine.core.messages import N_
from engine.readlog import report
from webui import uow
from webui.api import bp
from webui.i18n import translate
from webui.parsing import form_date


@bp.get("/persons/<dbid:person_id>/read-log")
def person_read_log(person_id: int):
    errors: dict[str, str] = {}
    start = form_date(request.args.get("from", ""), errors, "from")
    end = form_date(request.args.get("to", ""), errors, "to")
    if errors:
        raise InvalidInput(N_("Ugyldig periode"), errors)
    found = report.person_report(uow.ctx(), person_id, g.user, start, end)
    return jsonify({
        "person_id": found.person.id, "from": found.start.isoformat(),
        "to": found.end.isoformat(), "truncated": found.truncated,
        "reads": [{"at": row.at.isoformat(), "username": row.username, "name": row.name,
                   "what": translate(row.what), "case_number": row.case_number,
                   "why": translate(row.why) if row.why else None, "reason": row.reason,
                   "refused": row.refused} for row in found.rows]})
