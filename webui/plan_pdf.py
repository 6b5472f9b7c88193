"""The plan as PDF: the plan page's document rendered with WeasyPrint as PDF/A-2a (the
archival form a Noark 5 archive takes, tagged so that screen readers can follow it)."""
from __future__ import annotations

from flask import render_template

#: PDF/A-2, level a (accessible: tagged structure, language, Unicode text).
PDF_VARIANT = "pdf/a-2a"


def render(doc) -> bytes:
    # imported when the first PDF is made: WeasyPrint parses its stylesheets on import,
    # which no process that never makes a PDF (a Celery worker, the CLI) should pay for
    from weasyprint import HTML
    html = render_template("plan_pdf.html", doc=doc)
    return HTML(string=html).write_pdf(pdf_variant=PDF_VARIANT)
