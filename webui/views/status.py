"""The status page: what is deployed and how much work is open (signed-in users only; no
personal data), and the liveness checks a load balancer may call without signing in:
`/status/live` (the process answers) and `/healthz` (it reaches the database)."""
from __future__ import annotations

from flask import Blueprint, g, render_template_string
from sqlalchemy import func, select

from engine.db.models import Case, HumanTask, ProcessVersion

bp = Blueprint("status", __name__)

PAGE = """<!doctype html>
<html lang="nb"><head><meta charset="utf-8"><title>Samflyt</title>
<style>body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;
color:#1a1a1a}
table{border-collapse:collapse}
td,th{border-bottom:1px solid #ccc;padding:.3rem .8rem;text-align:left}</style>
</head><body>
<h1>Samflyt</h1>
<p>Individuell plan, koordinator og barnekoordinator. {{ open_cases }} åpne saker.</p>
<h2>Åpne oppgaver per rolle</h2>
<table><tr><th>Rolle</th><th>Oppgaver</th></tr>
{% for role, count in per_role %}<tr><td>{{ role }}</td><td>{{ count }}</td></tr>{% endfor %}
</table>
<h2>Prosesser</h2>
<table><tr><th>Prosess</th><th>Navn</th><th>Versjon</th><th>Installert</th></tr>
{% for v in versions %}<tr><td>{{ v.process_key }}</td><td>{{ v.name }}</td><td>{{ v.version }}</td>
<td>{{ v.deployed_at.strftime('%Y-%m-%d %H:%M') }}</td></tr>{% endfor %}
</table>
</body></html>"""


@bp.get("/status")
def index():
    session = g.ctx.session
    latest = (select(ProcessVersion.process_key, func.max(ProcessVersion.version).label("v"))
              .group_by(ProcessVersion.process_key).subquery())
    versions = session.scalars(select(ProcessVersion).join(
        latest, (ProcessVersion.process_key == latest.c.process_key)
        & (ProcessVersion.version == latest.c.v)).order_by(ProcessVersion.process_key)).all()
    per_role = session.execute(select(HumanTask.candidate_role, func.count(HumanTask.id))
                               .where(HumanTask.status == "open")
                               .group_by(HumanTask.candidate_role)).all()
    open_cases = session.scalar(select(func.count(Case.id)).where(Case.status == "open"))
    return render_template_string(PAGE, versions=versions, per_role=per_role,
                                  open_cases=open_cases)


@bp.get("/healthz")
def healthz():
    g.ctx.session.execute(select(1))
    return {"status": "ok"}


@bp.get("/status/live")
def live():
    return "ok", 200, {"Content-Type": "text/plain; charset=utf-8"}
