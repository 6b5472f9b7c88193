"""Documents for people: a page template rendered to PDF/A-2a with WeasyPrint
(engine/letters/render.py: the archival form, tagged for screen readers)."""
from __future__ import annotations

from flask import render_template

from engine.letters import render


def from_template(template: str, **values) -> bytes:
    return render.to_pdf(render_template(template, **values))
