"""Issue 17: every error a user reads names its field by the label the page shows (or sits at
the field): the form's error summary, errors of fields not drawn themselves, the error page
and the flashed refusals; the per-keyword messages say what to write."""
from __future__ import annotations

import json
import re
from pathlib import Path

from flask import render_template_string
from werkzeug.datastructures import MultiDict

from engine.accounts.users import get_user
from engine.cases import casework
from engine.worklist.forms import field_errors
from webui import field_labels, forms

FORMS = Path(__file__).resolve().parents[2] / "processes" / "forms"
SUMMARY = '{% import "macros/form.html" as f %}{{ f.error_summary(form) }}'


def _summary(app, schema, data, errors) -> list[str]:
    with app.test_request_context():
        html = render_template_string(SUMMARY, form=forms.build_form(schema, data, errors))
    return [re.sub(r"<[^>]+>", "", item).strip()
            for item in re.findall(r"<li>(.*?)</li>", html, re.S)]


def test_the_messages_say_what_to_write():
    schema = {"type": "object", "properties": {
        "antall": {"type": "integer", "title": "Antall", "minimum": 0},
        "belop": {"type": "number", "title": "Beløp", "maximum": 2.5},
        "dato": {"type": "string", "format": "date", "title": "Dato"},
        "ok": {"type": "boolean", "title": "Bekreftet", "const": True}}}
    assert field_errors(schema, {"antall": "tre", "belop": "mye", "dato": "1.3.70",
                                 "ok": False}) == {
        "antall": "Skriv et helt tall", "belop": "Skriv et tall",
        "dato": "Skriv en dato som dd.mm.åååå", "ok": "Kryss av for å bekrefte"}
    assert field_errors(schema, {"antall": -1, "belop": 3}) == {
        "antall": "Skriv et tall som er minst 0", "belop": "Skriv et tall som er høyst 2,5"}


def test_a_date_typed_as_dd_mm_yyyy_is_taken():
    schema = {"type": "object", "properties": {"dato": {"type": "string", "format": "date"}}}
    assert forms.parse_form(schema, MultiDict([("dato", "05.01.2026")])) == {
        "dato": "2026-01-05"}
    assert forms.parse_form(schema, MultiDict([("dato", "5.1.2026")])) == {"dato": "2026-01-05"}
    assert forms.parse_form(schema, MultiDict([("dato", "31.02.2026")])) == {
        "dato": "31.02.2026"}  # no such day: kept, and the check says how to write it
    assert field_errors(schema, {"dato": "2026-01-05"}) == {}


def test_the_error_summary_names_every_field_by_its_label(app):
    schema = json.loads((FORMS / "utarbeide_plan.json").read_text())
    data = forms.parse_form(schema, MultiDict([("tiltak.0.hva", "Hjemmesykepleie"),
                                               ("planperiode_fra", "1. februar")]))
    errors = {key: str(message) for key, message in field_errors(schema, data).items()}
    # an error of a field no widget draws (a row not shown): named through its group
    errors["tiltak.4.hva"] = "Feltet må fylles ut"
    # and one the form knows no field of: shown with the message alone
    errors[""] = "Ugyldige data"
    lines = _summary(app, schema, data, errors)
    keys = {key.rsplit(".", 1)[-1] for key in errors if key}
    assert "Planperiode fra: Skriv en dato som dd.mm.åååå" in lines
    assert "Tiltak 5 › Hva: Feltet må fylles ut" in lines
    assert "Ugyldige data" in lines
    for line in lines:
        if line != "Ugyldige data":
            label = line.split(": ", 1)[0]
            assert label and label not in keys, line  # the label, never the key


def test_labels_for_errors_away_from_their_fields(app):
    with app.test_request_context():
        assert field_labels.labelled_all({"reason": "Oppgi hvorfor", "0": "Et problem"}) == [
            "Begrunnelse: Oppgi hvorfor", "Et problem"]


def test_a_refused_move_flashes_the_fields_by_label(browser, engine_do):
    case_id = engine_do(lambda ctx: casework.start_case(
        ctx, {}, get_user(ctx, "saksbehandler1"), process_key="stafett").id)
    unit = browser("koordinerende1")
    response = unit.post(f"/cases/{case_id}/unit", {"unit": "", "reason": ""})
    assert response.status_code == 302
    page = unit.get(f"/cases/{case_id}").get_data(as_text=True)
    assert "Enhet: Velg en enhet" in page
    assert "Begrunnelse: Oppgi hvorfor saken flyttes" in page
