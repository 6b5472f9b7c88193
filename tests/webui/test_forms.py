"""The server-side JSON Schema forms: every form in processes/forms renders every field with
a label, and what a browser would post from the rendered form parses back to the same data
(text, long text, number, date, choice, multiple choice, yes/no, lists of objects, objects)."""
import json
from html.parser import HTMLParser
from pathlib import Path

import pytest
from flask import render_template_string
from werkzeug.datastructures import MultiDict

from engine.worklist.forms import field_errors
from webui import forms

FORMS = sorted((Path(__file__).resolve().parents[2] / "processes" / "forms").glob("*.json"))
TEMPLATE = ('{% import "macros/form.html" as f %}'
            "<form>{{ f.error_summary(form) }}{{ f.fields(form) }}</form>")


class FormReader(HTMLParser):
    """What a browser posts from a form: named inputs, checked boxes, textareas, selects."""

    def __init__(self):
        super().__init__()
        self.fields, self.labels, self.ids, self._textarea, self._select = [], set(), {}, None, None
        self._selected = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if "id" in a:
            self.ids[a["id"]] = (tag, a)
        if tag == "label" and "for" in a:
            self.labels.add(a["for"])
        if tag == "input" and a.get("name"):
            if a.get("type") in ("radio", "checkbox"):
                if "checked" in a:
                    self.fields.append((a["name"], a.get("value", "on")))
            elif a.get("type") != "submit":
                self.fields.append((a["name"], a.get("value", "")))
        elif tag == "textarea":
            self._textarea = [a["name"], ""]
        elif tag == "select":
            self._select, self._selected = a["name"], None
        elif tag == "option" and self._select and "selected" in a:
            self._selected = a.get("value", "")

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea[1] += data

    def handle_endtag(self, tag):
        if tag == "textarea" and self._textarea:
            self.fields.append(tuple(self._textarea))
            self._textarea = None
        if tag == "select" and self._select:
            self.fields.append((self._select, self._selected or ""))
            self._select = None


def sample(schema, depth=0):
    """Valid data for a schema: every property filled, lists with two rows."""
    kind = forms.widget_kind("x", schema)
    choices = forms._choices(schema) if kind not in ("checkboxes", "list") else None
    if choices:
        values = [v for v, _ in choices]
        return values[-1] if None in values and depth % 2 else values[0]
    types = forms._types(schema)
    if "boolean" in types:
        return True
    if "integer" in types:
        return 7
    if "number" in types:
        return 2.5
    if "array" in types:
        items = schema.get("items", {})
        item_choices = forms._choices(items)
        if item_choices:
            return [v for v, _ in item_choices][:2]
        return [sample(items, depth + 1), sample(items, depth + 2)]
    if "object" in types or "properties" in schema:
        return {k: sample(p, depth + i)
                for i, (k, p) in enumerate(schema.get("properties", {}).items())}
    if schema.get("format") == "date":
        return "2026-03-0" + str(1 + depth % 9)
    return f"Tekst {depth}\nandre linje" if forms.is_long_text("x", schema) else f"Tekst {depth}"


def render(app, schema, values, errors=None):
    with app.test_request_context("/"):
        form = forms.build_form(schema, values, errors)
        return render_template_string(TEMPLATE, form=form), form


@pytest.fixture(scope="module")
def app():
    from engine.core.settings import Settings
    from engine.environment import EngineEnvironment
    from webui.app import create_app
    return create_app(Settings.from_env(database_url="sqlite://"),
                      env=EngineEnvironment(Settings.from_env(database_url="sqlite://")))


@pytest.mark.parametrize("path", FORMS, ids=[p.stem for p in FORMS])
def test_every_form_round_trips_through_the_browser(app, path):
    schema = json.loads(path.read_text())
    data = sample(schema)
    for branch in schema.get("allOf", []):    # satisfy conditional requirements
        for key in branch.get("then", {}).get("required", []):
            data.setdefault(key, sample(schema["properties"][key]))
    html, _form = render(app, schema, data)
    reader = FormReader()
    reader.feed(html)
    posted = MultiDict(reader.fields)
    assert forms.parse_form(schema, posted) == _without_empty(data)
    # every control has a label (or is inside a fieldset with a legend)
    for element_id, (tag, attrs) in reader.ids.items():
        if tag in ("input", "textarea", "select") and attrs.get("type") != "hidden":
            assert element_id in reader.labels, f"{path.stem}: #{element_id} has no label"


def _without_empty(data):
    return {k: v for k, v in data.items() if v not in ("", [], {})}


def test_widget_kinds_cover_the_shipped_forms():
    kinds = set()

    def walk(schema, path=""):
        for key, prop in schema.get("properties", {}).items():
            kinds.add(forms.widget_kind(f"{path}{key}", prop))
            walk(prop, f"{path}{key}.")
            walk(prop.get("items", {}), f"{path}{key}.0.")
    for path in FORMS:
        walk(json.loads(path.read_text()))
    assert {"text", "textarea", "date", "integer", "radio", "checkboxes", "yesno",
            "confirm", "list", "object"} <= kinds


def test_errors_at_fields_keep_what_was_typed(app):
    schema = json.loads((FORMS[0].parent / "utarbeide_plan.json").read_text())
    posted = MultiDict([("hovedmal", "Bo hjemme"), ("tiltak.0.hva", "Hjemmesykepleie"),
                        ("tiltak.0.omfang", ""), ("tiltak.0.ansvarlig", "Hjemmetjenesten"),
                        ("planperiode_fra", "1. februar")])
    data = forms.parse_form(schema, posted)
    assert data["tiltak"] == [{"hva": "Hjemmesykepleie", "ansvarlig": "Hjemmetjenesten"}]
    errors = field_errors(schema, data)
    assert {"tiltak.0.omfang", "planperiode_fra", "samtykke", "deltakere"} <= set(errors)
    html, _form = render(app, schema, data, errors)
    assert 'id="f-tiltak-0-omfang" name="tiltak.0.omfang"' in html
    assert 'aria-describedby="f-tiltak-0-omfang-error" aria-invalid="true"' in html
    assert 'id="f-planperiode_fra-error"' in html and 'value="1. februar"' in html
    assert 'value="Hjemmesykepleie"' in html
    assert '<a href="#f-tiltak-0-omfang">Omfang: Feltet må fylles ut</a>' in html


def test_null_choice_and_number_kept_as_typed(app):
    schema = json.loads((FORMS[0].parent / "kartlegging.json").read_text())
    data = forms.parse_form(schema, MultiDict([("konklusjon_barnekoordinator", forms.NULL),
                                               ("konklusjon_ip", "innvilge")]))
    assert data == {"konklusjon_barnekoordinator": None, "konklusjon_ip": "innvilge"}
    html, _ = render(app, schema, data)
    assert 'value="__null__" checked' in html and 'value="innvilge" checked' in html
    assert 'name="konklusjon_koordinator" value="__null__" checked' not in html  # unanswered
    soknad = json.loads((FORMS[0].parent / "soknad.json").read_text())
    data = forms.parse_form(soknad, MultiDict([("forventet_varighet_maneder", "tre")]))
    assert data == {"forventet_varighet_maneder": "tre"}
    assert field_errors(soknad, data)["forventet_varighet_maneder"] == "Skriv et helt tall"


def test_conditional_requirement_is_marked(app):
    soknad = json.loads((FORMS[0].parent / "soknad.json").read_text())
    _html, form = render(app, soknad, {"soker_rolle": "parorende"})
    [navn] = [w for w in form.widgets if w.name == "soker_navn"]
    assert navn.required
    _html, form = render(app, soknad, {"soker_rolle": "personen"})
    [navn] = [w for w in form.widgets if w.name == "soker_navn"]
    assert not navn.required


def test_rows_can_be_added_and_removed():
    schema = json.loads((FORMS[0].parent / "utarbeide_plan.json").read_text())
    posted = MultiDict([("tiltak.0.hva", "A"), ("tiltak.1.hva", ""), ("tiltak.2.hva", "C")])
    data = forms.parse_form(schema, posted)
    assert data["tiltak"] == [{"hva": "A"}, {"hva": "C"}]
    assert forms.posted_rows(posted, "tiltak") == 3
    assert forms.remove_row(data, "tiltak.0")["tiltak"] == [{"hva": "C"}]
    form = forms.build_form(schema, {}, extra_rows={"delmal": 2})
    [delmal] = [w for w in form.widgets if w.name == "delmal"]
    assert [i.label for i in delmal.items] == ["Delmål 1", "Delmål 2"]
    assert forms.form_action(MultiDict([("_action", "add:delmal")])) == ("add", "delmal")
    assert forms.form_action(MultiDict([("_action", "nonsense")])) == ("complete", None)
