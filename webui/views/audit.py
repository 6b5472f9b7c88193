"""The coordinating unit's audit view: who read what, filtered by user, person, period and
emergency access, and who read unusually many persons' cases (engine/readlog/audit_view)."""
from __future__ import annotations

from flask import Blueprint, g, render_template, request

from engine.readlog import audit_view
from webui import config, uow
from webui.parsing import ascii_int, form_date

bp = Blueprint("audit", __name__, url_prefix="/audit")


@bp.get("/")
def index():
    args = request.args
    errors: dict[str, str] = {}
    ctx = uow.ctx()
    start = form_date(args.get("from", ""), errors, "from")
    end = form_date(args.get("to", ""), errors, "to")
    end = end or ctx.today()
    start = start or end.replace(day=1)
    query = audit_view.AuditQuery(
        start=start, end=end, username=(args.get("user") or "").strip()[:80] or None,
        person_id=ascii_int(args.get("person", "")), overrides_only=args.get("nodtilgang") == "1",
        offset=ascii_int(args.get("offset", ""), low=0) or 0)
    rows, more = audit_view.reads(ctx, g.user, query)
    threshold = config.settings().unusual_reading_persons
    unusual = audit_view.unusual(ctx, g.user, start, end, threshold)
    return render_template("audit.html", query=query, rows=rows, more=more, errors=errors,
                           unusual=unusual, threshold=threshold), 400 if errors else 200
