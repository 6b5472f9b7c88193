"""Template filters: dates in the municipality's time zone, values of form fields."""
from __future__ import annotations

import json
from datetime import date, datetime

from flask_babel import format_date, format_datetime
from flask_babel import gettext as _

from .i18n import select_locale


def init_app(app) -> None:
    app.add_template_filter(when, "when")
    app.add_template_filter(day, "day")
    app.add_template_filter(field_value, "field_value")
    app.add_template_filter(days_text, "days_text")
    app.add_template_global(role_name)
    app.add_template_global(notice_text)
    app.add_template_global(severity_text)
    app.add_template_global(current_lang)


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
    if key is None:
        return ""
    names = {"saksbehandler": _("Saksbehandler"), "leder": _("Leder"),
             "koordinerende_enhet": _("Koordinerende enhet"), "koordinator": _("Koordinator"),
             "admin": _("Systemadministrator")}
    return names.get(key, key)


def current_lang() -> str:
    return select_locale()


def severity_text(severity: str) -> str:
    return {"info": _("Info"), "warning": _("Advarsel"),
            "escalation": _("Eskalering")}.get(severity, severity)


def notice_text(kind: str | None) -> str:
    """A notice kind (a key from the diagram) in words; the same kinds as
    engine.notices.KIND_LABELS (a test keeps the two in step)."""
    known = {
        "interim_reply_warning": _("Foreløpig svar må sendes snart"),
        "interim_reply_escalation": _("Verken vedtak eller foreløpig svar etter én måned"),
        "review_due": _("Evaluering av planen nærmer seg"),
        "review_overdue_reminder": _("Påminnelse: evaluering av planen er ikke gjort"),
        "review_overdue": _("Evaluering av planen er på overtid"),
        "appeal_reminder": _("Påminnelse: klagesaken venter på avgjørelse"),
        "child_turning_18": _("Barnekoordinator: barnet fyller snart 18 år"),
        "child_coordinator_ended": _("Barnekoordinator-oppdraget er avsluttet"),
        "coordinator_vacancy": _("Saken mangler koordinator"),
        "task_unclaimed": _("En oppgave er ikke tatt"),
        "task_overdue": _("En oppgave er på overtid"),
        "process_error": _("En sak står fast: prosessdiagrammet må rettes"),
    }
    if not kind:
        return ""
    return known.get(kind) or _("En sak trenger oppfølging")
