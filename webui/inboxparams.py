"""Inbox query parameters (web page and API alike) → the engine's InboxFilter."""
from __future__ import annotations

from datetime import date, datetime, time, timedelta
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from engine.core.errors import InvalidInput
from engine.core.messages import N_
from engine.worklist.humantasks import VIEWS, InboxFilter

from .parsing import ascii_int

FILTER_KEYS = ("view", "process", "task", "case", "due_from", "due_to", "priority", "sort")
SORTS = ("due", "priority")


def parse(args, tz: str) -> tuple[str | None, InboxFilter, int]:
    """(view, filter, page) from query args; InvalidInput names each bad parameter."""
    errors = {}
    view = args.get("view") or None  # None: the landing view (inbox_page.landing_view)
    if view is not None and view not in VIEWS:
        errors["view"] = N_("Velg en av fanene i innboksen")
    sort = args.get("sort", "due") or "due"
    if sort not in SORTS:
        errors["sort"] = N_("Sorter etter frist eller prioritet")
    priority = None
    if args.get("priority"):
        priority = ascii_int(args["priority"], 1, 5)
        if priority is None:
            errors["priority"] = N_("Prioritet er et tall fra 1 til 5")
    zone = ZoneInfo(tz)
    due_from = _date(args.get("due_from"), "due_from", errors)
    due_to = _date(args.get("due_to"), "due_to", errors)
    if due_from and due_to and due_from > due_to:
        errors["due_to"] = N_("Til-dato er før fra-dato")
    page = 1
    if args.get("page"):  # at most DB_INT_MAX, so the row offset fits the database's bigint
        number = ascii_int(args["page"])
        page = number or 1
        if number is None:
            errors["page"] = N_("Side er et positivt heltall")
    if errors:
        raise InvalidInput(N_("Ugyldig filter"), errors)
    filters = InboxFilter(
        process_key=args.get("process") or None, name=args.get("task") or None,
        case_number=(args.get("case") or "").strip() or None,
        due_from=datetime.combine(due_from, time.min, zone) if due_from else None,
        due_to=datetime.combine(due_to + timedelta(days=1), time.min, zone)
        - timedelta(microseconds=1) if due_to else None,
        priority=priority, sort=sort)
    return view, filters, page


def _date(value, name, errors) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        errors[name] = N_("Dato skrives ÅÅÅÅ-MM-DD")
        return None


def query_string(args, **changes) -> str:
    """The current filter as a query string, with `changes` applied (None drops a key)."""
    values = {k: args.get(k) for k in (*FILTER_KEYS, "page") if args.get(k)}
    for key, value in changes.items():
        if value is None:
            values.pop(key, None)
        else:
            values[key] = value
    return urlencode(values)
