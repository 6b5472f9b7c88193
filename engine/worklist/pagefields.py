"""Data fields with the titles their forms give them, for pages that show data read-only."""
from __future__ import annotations

import dataclasses
import json
from datetime import UTC, date, datetime, timedelta
from typing import Any, overload
from zoneinfo import ZoneInfo


@dataclasses.dataclass
class Field:
    key: str
    title: str
    value: Any
    #: const value (as JSON text) -> title, for choice fields
    choices: dict[str, str] = dataclasses.field(default_factory=dict)
    format: str | None = None
    #: An object (one part) or a list of objects (a part per item), each part its fields
    #: with their titles: never shown as raw keys and values.
    parts: list[list[Field]] = dataclasses.field(default_factory=list)


def choice_titles(schema: dict) -> dict[str, str]:
    """For a choice field (oneOf of consts, enum, or an array of those): JSON(value) -> title."""
    target = schema.get("items", schema) if schema.get("type") == "array" else schema
    titles = {}
    for option in target.get("oneOf", []) or target.get("anyOf", []):
        if isinstance(option, dict) and "const" in option:
            titles[json.dumps(option["const"])] = option.get("title") or str(option["const"])
    for value in target.get("enum", []):
        titles.setdefault(json.dumps(value), str(value))
    return titles


def field_specs(forms: dict[str, str] | list[dict]) -> dict[str, dict]:
    """Top-level property schemas by key, gathered from every form (first title wins)."""
    specs: dict[str, dict] = {}
    schemas = forms if isinstance(forms, list) else [json.loads(t) for t in forms.values()]
    for schema in schemas:
        for key, prop in (schema or {}).get("properties", {}).items():
            specs.setdefault(key, prop)
    return specs


def labelled(data: dict, specs: dict[str, dict], only: list[str] | None = None,
             skip: set[str] | None = None) -> list[Field]:
    """The data's fields that a form knows, in the order of `only` (or of the data)."""
    keys = only if only is not None else list(data)
    fields = []
    for key in keys:
        if key not in data or key not in specs or (skip and key in skip):
            continue
        spec = specs[key]
        value = data[key]
        if value in (None, "", [], {}) and key not in data:
            continue
        fields.append(Field(key=key, title=spec.get("title") or key, value=value,
                            choices=choice_titles(spec), format=spec.get("format"),
                            parts=_parts(spec, value)))
    return fields


def _parts(spec: dict, value: Any) -> list[list[Field]]:
    """The fields of an object value, or of each object in a list, titled by the schema."""
    if isinstance(value, dict) and spec.get("properties"):
        return [labelled(value, spec["properties"], only=list(spec["properties"]))]
    items = spec.get("items") or {}
    if isinstance(value, list) and items.get("properties"):
        return [labelled(item, items["properties"], only=list(items["properties"]))
                for item in value if isinstance(item, dict)]
    return []


def local_today(now: datetime, tz: str) -> date:
    return now.astimezone(ZoneInfo(tz)).date()


@overload
def days_left(due: datetime | date, now: datetime, tz: str) -> int: ...
@overload
def days_left(due: None, now: datetime, tz: str) -> None: ...
def days_left(due: datetime | date | None, now: datetime, tz: str) -> int | None:
    """Whole calendar days from today to the due date (negative when overdue)."""
    if due is None:
        return None
    due_date = due.astimezone(ZoneInfo(tz)).date() if isinstance(due, datetime) else due
    return (due_date - local_today(now, tz)).days


def urgency(due: datetime | None, now: datetime, soon_days: int) -> str | None:
    """'overdue' when past due, 'soon' when due within `soon_days` days, else None."""
    if due is None:
        return None
    if due < now:
        return "overdue"
    if due - now <= timedelta(days=soon_days):
        return "soon"
    return None


def utc(moment: datetime) -> datetime:
    return moment.astimezone(UTC)
