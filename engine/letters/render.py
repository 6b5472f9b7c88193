"""A letter's HTML to PDF with WeasyPrint: PDF/A-2a, the archival form a Noark 5 archive
takes, tagged (structure, language, Unicode text) so that screen readers can follow it."""
from __future__ import annotations

#: PDF/A-2, level a (accessible: tagged structure, language, Unicode text).
PDF_VARIANT = "pdf/a-2a"


def to_pdf(html: str) -> bytes:
    # imported when the first PDF is made: WeasyPrint parses its stylesheets on import,
    # which no process that never makes a PDF should pay for
    from weasyprint import HTML
    return HTML(string=html).write_pdf(pdf_variant=PDF_VARIANT)
