"""JSON Schema forms rendered on the server, and posted fields parsed back into JSON.

A field's input name is its path in the data, dots between keys and list indexes
(`tiltak.1.hva`): the same paths the engine names in its validation errors, so each error
lands at its field. Parsing never rejects anything: a value that cannot be converted (a
number field holding "abc") is kept as typed, so the engine's validation names the field
and the form shows what was typed.

Widgets by schema:
  string → text; long text (see `is_long_text`) → textarea; format date → date input;
  integer/number → number input; boolean → yes/no radios, `const: true` → one checkbox;
  oneOf/enum of consts → radios (≤ 5 options) or a select; array of choices → checkboxes;
  array of objects → repeated fieldsets with add/remove; object → fieldset.
"""
from __future__ import annotations

import dataclasses
import json
import re
from datetime import date
from typing import Any

from .parsing import ascii_int

NULL = "__null__"
MAX_LIST_ITEMS = 100

#: Words in a field's path that make it long text (a textarea), unless the schema says
#: otherwise with `maxLength` ≤ 200 or `"x-widget": "text"`.
LONG_TEXT_WORDS = ("merknad", "vurdering", "begrunnelse", "funn", "grunnlag", "kommentar",
                   "oppsummering", "endringer", "overgangsplan", "ressurser", "samarbeid",
                   "iverksetting", "gjennomforing", "grunn", "hovedmal", "beskrivelse",
                   "koordineringsansvar", "bidrag", "forklaring", "notat", "arsak")


@dataclasses.dataclass
class Option:
    value: str      # as posted
    title: str
    checked: bool = False
    #: What a picker shows beside the title (e.g. a coordinator candidate), and whether the
    #: option cannot be chosen (shown with the reason the template gives).
    detail: Any = None
    disabled: bool = False


@dataclasses.dataclass
class Widget:
    name: str
    id: str
    # text textarea date number integer radio select checkboxes yesno confirm object list
    kind: str
    label: str
    description: str | None
    required: bool
    value: Any = None
    error: str | None = None
    options: list[Option] = dataclasses.field(default_factory=list)
    children: list[Widget] = dataclasses.field(default_factory=list)
    items: list[Widget] = dataclasses.field(default_factory=list)
    item_label: str = ""
    min_items: int = 0

    @property
    def text(self) -> str:
        if self.value is None:
            return ""
        if isinstance(self.value, bool):
            return "true" if self.value else "false"
        return str(self.value)

    @property
    def described_by(self) -> str:
        ids = []
        if self.description:
            ids.append(f"{self.id}-hint")
        if self.error:
            ids.append(f"{self.id}-error")
        return " ".join(ids)


@dataclasses.dataclass
class Form:
    title: str | None
    description: str | None
    widgets: list[Widget]
    errors: dict[str, str]          # every error, path -> message (for the summary)
    general_errors: list[str]       # errors of no field shown, each named by its label
    #: path -> its label from the form's titles («Tiltak 2 › Hva»), for an error whose
    #: field is not drawn itself (linked to the nearest field around it that is).
    path_labels: dict[str, str] = dataclasses.field(default_factory=dict)

    def error_links(self) -> list[tuple[str, str, str]]:
        """(anchor id, label, message) for the error summary: every error at a field drawn
        (itself or the group around it), named by the field's label."""
        index = {}

        def walk(widgets):
            for w in widgets:
                index[w.name] = w
                walk(w.children)
                walk(w.items)
        walk(self.widgets)
        links = []
        for path, message in self.errors.items():
            widget, label = index.get(path), None
            if widget is None:  # e.g. a list row's field not drawn: the group around it
                widget = next((index[p] for p in _ancestors(path) if p in index), None)
                label = self.path_labels.get(path)
            if widget is not None:
                choice_kinds = ("radio", "yesno", "checkboxes", "picker")
                target = widget.id if widget.kind not in (*choice_kinds, "object", "list") \
                    else f"{widget.id}-0" if widget.kind in choice_kinds \
                    and widget.options else widget.id
                links.append((target, label or widget.label, message))
        return links


def _ancestors(path: str) -> list[str]:
    """"a.1.b" -> ["a.1", "a"]: the paths around a field, nearest first."""
    parts = path.split(".")
    return [".".join(parts[:n]) for n in range(len(parts) - 1, 0, -1)]


def path_label(schema: dict, path: str) -> str | None:
    """A field's label from the form's titles, the groups around it first («Tiltak 2 › Hva»);
    None when the form does not know the path."""
    node, labels = schema, []
    for part in path.split(".") if path else []:
        if isinstance(node.get("items"), dict) and part.isascii() and part.isdigit():
            node = node["items"]
            if labels:
                labels[-1] = f"{labels[-1]} {int(part) + 1}"
            continue
        properties = node.get("properties")
        if not isinstance(properties, dict) or not isinstance(properties.get(part), dict):
            return None
        node = properties[part]
        labels.append(node.get("title") or part)
    return " › ".join(labels) or None


def html_id(path: str) -> str:
    return "f-" + re.sub(r"[^A-Za-z0-9_-]", "-", path)


def _types(schema: dict) -> list[str]:
    kind = schema.get("type")
    if isinstance(kind, list):
        return [k for k in kind if k != "null"] or ["null"]
    return [kind] if kind else []


def _choices(schema: dict) -> list[tuple[Any, str]] | None:
    options = schema.get("oneOf") or schema.get("anyOf")
    if options and all(isinstance(o, dict) and "const" in o for o in options):
        return [(o["const"], o.get("title") or str(o["const"])) for o in options]
    if "enum" in schema:
        return [(v, str(v)) for v in schema["enum"]]
    return None


def encode(value: Any) -> str:
    if value is None:
        return NULL
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def is_long_text(path: str, schema: dict) -> bool:
    widget = schema.get("x-widget")
    if widget in ("textarea", "text"):
        return widget == "textarea"
    if isinstance(schema.get("maxLength"), int):
        return schema["maxLength"] > 200
    key = path.lower()
    return any(word in key for word in LONG_TEXT_WORDS)


def widget_kind(path: str, schema: dict) -> str:
    types = _types(schema)
    if _choices(schema) is not None and "array" not in types:
        return "radio" if len(_choices(schema)) <= 5 else "select"
    if "boolean" in types:
        return "confirm" if schema.get("const") is True else "yesno"
    if "integer" in types:
        return "integer"
    if "number" in types:
        return "number"
    if "array" in types:
        items = schema.get("items", {})
        if _choices(items) is not None:
            return "checkboxes"
        return "list"
    if "object" in types or "properties" in schema:
        return "object"
    if schema.get("format") == "date":
        return "date"
    return "textarea" if is_long_text(path, schema) else "text"


# --- building widgets -------------------------------------------------------------------------

def build_form(schema: dict | None, values: dict | None, errors: dict[str, str] | None = None,
               extra_rows: dict[str, int] | None = None) -> Form:
    schema = schema or {}
    errors = dict(errors or {})
    values = values if isinstance(values, dict) else {}
    widgets = _build_properties(schema, values, errors, "", extra_rows or {})
    known = set()

    def walk(ws):
        for w in ws:
            known.add(w.name)
            walk(w.children)
            walk(w.items)
    walk(widgets)
    labels = {path: label for path in errors if (label := path_label(schema, path))}
    general = [f"{labels[path]}: {message}" if path in labels else message
               for path, message in errors.items()
               if path not in known and not any(p in known for p in _ancestors(path))]
    return Form(schema.get("title"), schema.get("description"), widgets, errors, general,
                labels)


def _build_properties(schema, values, errors, prefix, extra_rows) -> list[Widget]:
    required = set(schema.get("required", []))
    for branch in schema.get("allOf", []):  # if/then requirements that already apply
        then = branch.get("then") if isinstance(branch, dict) else None
        if then and _matches(branch.get("if", {}), values):
            required |= set(then.get("required", []))
    widgets = []
    for key, prop in schema.get("properties", {}).items():
        path = f"{prefix}{key}"
        widgets.append(_build(prop, values.get(key), key in values, errors, path,
                              key in required, extra_rows))
    return widgets


def _matches(condition: dict, values: dict) -> bool:
    for key, prop in condition.get("properties", {}).items():
        if "const" in prop and values.get(key) != prop["const"]:
            return False
    return all(k in values for k in condition.get("required", []))


def _build(schema, value, present, errors, path, required, extra_rows) -> Widget:
    kind = widget_kind(path, schema)
    widget = Widget(name=path, id=html_id(path), kind=kind,
                    label=schema.get("title") or path.rsplit(".", 1)[-1],
                    description=schema.get("description"), required=required, value=value,
                    error=errors.get(path))
    if kind in ("radio", "select"):
        current = encode(value) if present else None
        widget.options = [Option(encode(v), t, encode(v) == current)
                          for v, t in _choices(schema)]
    elif kind == "yesno":
        widget.options = [Option("true", "Ja", value is True),
                          Option("false", "Nei", value is False)]
    elif kind == "checkboxes":
        chosen = {encode(v) for v in value} if isinstance(value, list) else set()
        widget.options = [Option(encode(v), t, encode(v) in chosen)
                          for v, t in _choices(schema.get("items", {}))]
    elif kind == "object":
        widget.children = _build_properties(schema, value if isinstance(value, dict) else {},
                                            errors, f"{path}.", extra_rows)
    elif kind == "list":
        items_schema = schema.get("items", {})
        rows = value if isinstance(value, list) else []
        widget.min_items = int(schema.get("minItems", 0) or 0)
        count = max(len(rows), widget.min_items, 1 if required else 0) + extra_rows.get(path, 0)
        count = min(count, MAX_LIST_ITEMS)
        widget.item_label = items_schema.get("title") or widget.label
        for index in range(count):
            row = rows[index] if index < len(rows) else None
            item = _build(items_schema, row, row is not None, errors, f"{path}.{index}", True,
                          extra_rows)
            item.label = f"{widget.item_label} {index + 1}"
            widget.items.append(item)
    return widget


def pick_from(form: Form, field: str, options: list[Option]) -> None:
    """The top-level text field `field` becomes a picker (kind `picker`: radios whose
    labels carry each option's details); what is posted stays the option's value. A value
    the field holds is checked; without options the field stays as it was."""
    for widget in form.widgets:
        if widget.name == field and options:
            current = widget.text
            widget.kind = "picker"
            widget.options = [dataclasses.replace(o, checked=o.value == current)
                              for o in options]
            return


def template_item(schema: dict, path: str) -> Widget:
    """An empty row of the list at `path`, with `__i__` where the index goes (for JS)."""
    node = schema
    for part in path.split("."):
        node = node.get("properties", {}).get(part, {})
    items = node.get("items", {})
    item = _build(items, None, False, {}, f"{path}.__i__", True, {})
    item.label = f"{items.get('title') or node.get('title') or path} __n__"
    return item


# --- parsing posted fields --------------------------------------------------------------------

def parse_form(schema: dict | None, form) -> dict:
    """Posted fields (a werkzeug MultiDict) → data for the schema."""
    return _parse_properties(schema or {}, form, "") if schema else {}


def _parse_properties(schema, form, prefix) -> dict:
    data = {}
    for key, prop in schema.get("properties", {}).items():
        present, value = _parse(prop, form, f"{prefix}{key}")
        if present:
            data[key] = value
    return data


def _parse(schema, form, path) -> tuple[bool, Any]:
    kind = widget_kind(path, schema)
    if kind == "object":
        value = _parse_properties(schema, form, f"{path}.")
        return bool(value), value
    if kind == "list":
        rows = []
        for index in _indexes(form, path):
            present, value = _parse(schema.get("items", {}), form, f"{path}.{index}")
            if present and value not in ({}, None, ""):
                rows.append(value)
        return bool(rows), rows
    if kind == "checkboxes":
        choices = {encode(v): v for v, _t in _choices(schema.get("items", {}))}
        values = [choices.get(v, v) for v in form.getlist(path)]
        return bool(values), values
    raw = form.get(path)
    if raw is None:
        return False, None
    if kind in ("radio", "select"):
        if raw == "":
            return False, None
        choices = {encode(v): v for v, _t in _choices(schema)}
        return True, choices.get(raw, raw)
    if kind in ("yesno", "confirm"):
        if raw in ("true", "false"):
            return True, raw == "true"
        return False, None
    text = raw.strip()
    if text == "":
        return False, None
    if kind == "date":  # the date field sends yyyy-mm-dd; typed by hand, dd.mm.yyyy is taken
        return True, _iso_date(text)
    if kind == "integer":
        try:
            return True, int(text)
        except ValueError:
            return True, raw
    if kind == "number":
        try:
            number = float(text.replace(",", "."))
            return True, int(number) if number.is_integer() else number
        except ValueError:
            return True, raw
    return True, text.replace("\r\n", "\n")


_NORWEGIAN_DATE = re.compile(r"([0-9]{1,2})\.([0-9]{1,2})\.([0-9]{4})")


def _iso_date(text: str) -> str:
    """A date typed as dd.mm.åååå (d.m.åååå) as yyyy-mm-dd; anything else as it is (the
    form's check then says how to write it)."""
    found = _NORWEGIAN_DATE.fullmatch(text)
    if found is None:
        return text
    try:
        return date(int(found[3]), int(found[2]), int(found[1])).isoformat()
    except ValueError:
        return text


def posted_rows(form, path) -> int:
    return len(_indexes(form, path))


def _indexes(form, path) -> list[int]:
    found = set()
    prefix = f"{path}."
    for name in form:
        if name.startswith(prefix):
            head = name[len(prefix):].split(".", 1)[0]
            index = ascii_int(head, low=0)
            if index is not None:
                found.add(index)
    return sorted(found)[:MAX_LIST_ITEMS]


def form_action(form) -> tuple[str, str | None]:
    """The button pressed: ('complete'|'draft'|'preview'|'add'|'remove', list path or row
    path)."""
    action = form.get("_action", "complete")
    if ":" in action:
        verb, target = action.split(":", 1)
        if verb in ("add", "remove"):
            return verb, target
    return (action if action in ("complete", "draft", "preview") else "complete"), None


def remove_row(data: dict, row_path: str) -> dict:
    """The data without the list row at `row_path` (e.g. `tiltak.1`)."""
    *parents, index = row_path.split(".")
    node = data
    for part in parents[:-1]:
        node = node.get(part, {}) if isinstance(node, dict) else {}
    rows = node.get(parents[-1]) if isinstance(node, dict) and parents else None
    number = ascii_int(index, low=0)
    if isinstance(rows, list) and number is not None and number < len(rows):
        rows.pop(number)
    return data


def as_json(value) -> str:
    return json.dumps(value, ensure_ascii=False)
