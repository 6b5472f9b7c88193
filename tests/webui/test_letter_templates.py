"""The coordinating unit edits a letter template in the browser like a form: a draft, its
problems, a preview with an example case, and a deploy that makes a new version whose new
cases' letters use the new text (running cases keep theirs)."""
from __future__ import annotations

import io

from pypdf import PdfReader

from engine.definitions import store

EDIT = "/processes/ip_sak/letters/vedtak.nb.html.j2"


def _text(pdf: bytes) -> str:
    return " ".join(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages).split())


def test_edit_preview_and_deploy_a_letter_template(browser, engine_do):
    unit = browser("koordinerende1")
    page = unit.get("/processes/ip_sak/letters").get_data(as_text=True)
    assert f'href="{EDIT}/edit"' in page and "brev_ramme.html.j2" in page
    assert "klage_oversendt.nn.html.j2" in unit.get("/processes/klage/letters").get_data(
        as_text=True)
    original = unit.get(EDIT + "/edit").get_data(as_text=True)
    assert "Du kan klage" in original
    template = engine_do(lambda ctx: next(
        f.content for f in store.latest_version(ctx, "ip_sak").files
        if f.filename == "vedtak.nb.html.j2"))
    changed = template.replace("<h2>Du kan klage</h2>",
                               "<h2>Du kan klage</h2><p>Ring oss gjerne først.</p>")

    preview = unit.post(EDIT + "/preview", {"template": changed})
    assert preview.status_code == 200 and preview.mimetype == "application/pdf"
    text = _text(preview.get_data())
    assert "Ring oss gjerne først." in text and "Kari Eksempel" in text

    broken = unit.post(EDIT + "/preview", {"template": changed + "{% if %}"})
    assert broken.status_code == 422 and "Brevmalen kan ikke vises" in broken.get_data(
        as_text=True)
    saved = unit.post(EDIT + "/draft", {"template": changed + "{% endfor %}"})
    assert saved.status_code == 302
    problems = unit.get(EDIT + "/edit").get_data(as_text=True)
    assert "Brevmalen kan ikke leses: en ukjent eller overflødig tagg (linje" in problems
    assert "template syntax" in problems  # Jinja's own text as the detail

    before = engine_do(lambda ctx: store.latest_version(ctx, "ip_sak").version)
    assert unit.post(EDIT + "/draft", {"template": changed}).status_code == 302
    assert unit.post("/processes/ip_sak/definitions/deploy").status_code == 302
    newest = engine_do(lambda ctx: (store.latest_version(ctx, "ip_sak").version, next(
        f.content for f in store.latest_version(ctx, "ip_sak").files
        if f.filename == "vedtak.nb.html.j2")))
    assert newest[0] == before + 1 and "Ring oss gjerne først." in newest[1]
    assert browser("saksbehandler1").get(EDIT + "/edit").status_code == 403
