"""Reports (routes on the API blueprint).

    GET /api/v1/reports/kpr?year=2026&format=json|csv   the KPR extract of a year
"""
from __future__ import annotations

from flask import Response, g, jsonify, request

from engine.core.errors import InvalidInput
from engine.core.messages import N_
from engine.reports import kpr
from webui import uow
from webui.api import bp
from webui.parsing import ascii_int


@bp.get("/reports/kpr")
def kpr_extract():
    year = ascii_int(request.args.get("year", ""))
    fmt = request.args.get("format", "json")
    if year is None or fmt not in ("json", "csv"):
        raise InvalidInput(N_("Oppgi året (year) og eventuelt format json eller csv"),
                           {"year": N_("Året er et tall, for eksempel 2026")} if year is None
                           else {"format": N_("Formatet er json eller csv")})
    found = kpr.extract(uow.ctx(), g.user, year)
    if fmt == "csv":
        return Response(kpr.to_csv(found), mimetype="text/csv", headers={
            "Content-Disposition": f'attachment; filename="kpr-{year}.csv"',
            "Cache-Control": "no-store"})
    return jsonify(kpr.to_json(found, uow.ctx().now()))
