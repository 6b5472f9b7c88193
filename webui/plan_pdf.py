"""The plan as PDF: the plan page's document rendered as PDF/A-2a (webui/pdf.py: the archival
form a Noark 5 archive takes, tagged so that screen readers can follow it)."""
from __future__ import annotations

from webui import pdf


def render(doc) -> bytes:
    return pdf.from_template("plan_pdf.html", doc=doc)
