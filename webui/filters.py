"""Template filters: dates in the municipality's time zone, values of form fields, and the
engine's texts (role names, notice kinds, messages) in the reader's language."""
from __future__ import annotations

import json
from datetime import date, datetime
from urllib.parse import urlencode

from flask_babel import format_date, format_datetime
from flask_babel import gettext as _

from engine.accounts import roles
from engine.notices import notice_board
from engine.persons import catalogue as person_catalogue
from engine.plans import sections as plan_sections

from .i18n import problem_json, select_locale, translate


def init_app(app) -> None:
    app.add_template_filter(when, "when")
    app.add_template_filter(day, "day")
    app.add_template_filter(field_value, "field_value")
    app.add_template_filter(days_text, "days_text")
    app.add_template_filter(urlencode_with, "urlencode_with")
    app.add_template_filter(problem_json, "problem_json")
    app.add_template_global(role_name)
    app.add_template_global(notice_text)
    app.add_template_global(translate)
    app.add_template_global(roles, "roles")
    app.add_template_global(roles.holds_any, "holds_any")
    app.add_template_global(severity_text)
    app.add_template_global(current_lang)
    app.add_template_global(person_catalogue, "person_catalogue")
    app.add_template_global(plan_sections, "plan_sections")


def when(value: datetime | None) -> str:
    return format_datetime(value, "dd.MM.yyyy HH:mm") if value else ""


def day(value) -> str:
    if not value:
        return ""
    if isinstance(value, str):
        try:
            value = date.fromisoformat(value[:10])
        except ValueError:
            return value
    if isinstance(value, datetime):
        return format_datetime(value, "dd.MM.yyyy")
    return format_date(value, "dd.MM.yyyy")


def field_value(field) -> str:
    """A read-only field (engine.pagefields.Field) as text."""
    value = field.value
    if field.parts:
        return "; ".join(", ".join(f"{part.title}: {field_value(part)}" for part in fields)
                         for fields in field.parts) or "–"
    if isinstance(value, bool):
        return _("Ja") if value else _("Nei")
    if value is None:
        return field.choices.get("null", "–")
    if isinstance(value, list):
        return ", ".join(_one(field, v) for v in value) or "–"
    if isinstance(value, dict):
        return "; ".join(f"{k}: {v}" for k, v in value.items())
    if field.format == "date":
        return day(value)
    return _one(field, value)


def _one(field, value) -> str:
    if isinstance(value, dict):
        return "; ".join(f"{v}" for v in value.values() if v not in (None, ""))
    return field.choices.get(json.dumps(value), str(value))


def days_text(days: int | None) -> str:
    if days is None:
        return ""
    if days < 0:
        return _("%(n)d dager på overtid", n=-days) if days < -1 else _("1 dag på overtid")
    if days == 0:
        return _("i dag")
    if days == 1:
        return _("1 dag igjen")
    return _("%(n)d dager igjen", n=days)


def role_name(key: str | None) -> str:
    """A role's name (engine.accounts.roles.ROLE_NAMES) in the reader's language; a key that
    names no role as it is."""
    if key is None:
        return ""
    return _(roles.ROLE_NAMES[key]) if key in roles.ROLE_NAMES else key


def current_lang() -> str:
    return select_locale()


def severity_text(severity: str) -> str:
    return {"info": _("Info"), "warning": _("Advarsel"),
            "escalation": _("Eskalering")}.get(severity, severity)


def notice_text(kind: str | None) -> str:
    """A notice kind in words (engine.notices.notice_board.KIND_LABELS, the generic text for a
    kind it does not list) in the reader's language."""
    return translate(notice_board.label(kind)) if kind else ""


def urlencode_with(args, **changes) -> str:
    """The request's query parameters with `changes` (a page link keeps the filters)."""
    values = {key: value for key, value in args.items() if key not in changes}
    values.update({key: str(value) for key, value in changes.items()})
    return urlencode(values)
