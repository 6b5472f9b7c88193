"""Strict input at the web boundary, in one place (issue 13).

- Ids in paths: the `dbid` URL converter (`/tasks/<dbid:task_id>`) takes ASCII digits from 1 to
  2**31 - 1 (an Integer column on PostgreSQL); anything else is no route, so 404.
- Numbers in queries, forms and JSON bodies: `ascii_int` (None when not an ASCII-digit number in
  range, for views that word their own error) and `require_int` (400 naming the parameter).
  `str.isdigit()` and `int()` are not used on input: both take digits such as «²» or «٣».
- Text: a NUL byte or a lone surrogate in the path, the query, a form or a JSON body is refused
  with 400 before any view runs (PostgreSQL cannot store either).
- JSON bodies: parsed by the app's JSON provider, which refuses nesting deeper than
  JSON_DEPTH_MAX (and a body nested so deep that the parser itself gives up) with 400.
"""
from __future__ import annotations

import re
from datetime import date
from typing import Any

from flask import Flask, request
from flask.json.provider import DefaultJSONProvider
from flask_babel import gettext as _
from werkzeug.exceptions import BadRequest
from werkzeug.routing import BaseConverter, ValidationError

#: The largest value of an Integer column on PostgreSQL: ids, versions, row counts.
DB_INT_MAX = 2**31 - 1
#: How deep a JSON body may nest (a form's data is a few levels deep).
JSON_DEPTH_MAX = 64
_ASCII_DIGITS = re.compile(r"[0-9]{1,19}")


class InputRefused(BadRequest):
    """400 with a message for the reader (already translated) saying what was wrong."""


def _up_to(limit: int) -> str:
    """A regular expression for the decimal numbers 1 .. `limit`, without leading zeros."""
    digits = str(limit)
    shorter = f"[1-9][0-9]{{0,{len(digits) - 2}}}" if len(digits) > 1 else ""
    same_length = []
    for i, digit in enumerate(digits):  # the first i digits as in limit, then a smaller one
        low = "1" if i == 0 else "0"
        if int(digit) > int(low):
            rest = len(digits) - i - 1
            same_length.append(f"{digits[:i]}[{low}-{int(digit) - 1}]"
                               + (f"[0-9]{{{rest}}}" if rest else ""))
    return "|".join(filter(None, (shorter, *same_length, digits)))


class DbIdConverter(BaseConverter):
    """A database id in a path: ASCII digits, 1 .. DB_INT_MAX; otherwise the route does not
    match (404). The range is in the regular expression, because a converter that refuses a
    value after its rule matched turns into 405 when the path has a rule for another method."""

    regex = f"(?:{_up_to(DB_INT_MAX)})"
    part_isolating = True

    def to_python(self, value: str) -> int:
        number = int(value)
        if not 1 <= number <= DB_INT_MAX:
            raise ValidationError()
        return number

    def to_url(self, value: Any) -> str:
        return str(int(value))


def ascii_int(value: Any, low: int = 1, high: int = DB_INT_MAX) -> int | None:
    """`value` (text) as an int if it is ASCII digits between `low` and `high`, else None."""
    if not isinstance(value, str) or not _ASCII_DIGITS.fullmatch(value):
        return None
    number = int(value)
    return number if low <= number <= high else None


def require_int(value: Any, name: str, low: int = 1, high: int = DB_INT_MAX) -> int:
    """`ascii_int`, or 400 naming the parameter `name`."""
    number = ascii_int(value, low, high)
    if number is None:
        raise InputRefused(_("«%(name)s» må være et heltall fra %(low)d til %(high)d.",
                             name=name, low=low, high=high))
    return number


def json_int(value: Any, name: str, low: int = 1, high: int = DB_INT_MAX) -> int:
    """A number from a JSON body: an integer (not a boolean) between `low` and `high`, else
    400 naming the field `name`."""
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise InputRefused(_("«%(name)s» må være et heltall fra %(low)d til %(high)d.",
                             name=name, low=low, high=high))
    return value


def form_date(raw: str, errors: dict[str, str], field: str) -> date | None:
    """A date field of a form (yyyy-mm-dd, as `<input type=date>` sends it), or None when
    empty; a malformed one adds an error for `field`."""
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        errors[field] = _("Skriv datoen som åååå-mm-dd.")
        return None


def is_clean_text(text: str) -> bool:
    """False for text with a NUL byte or a lone surrogate (neither can be stored)."""
    if "\x00" in text:
        return False
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _refuse_text() -> InputRefused:
    return InputRefused(_("Teksten inneholder tegn som ikke kan lagres (NUL-tegn eller "
                          "ufullstendige Unicode-tegn)."))


def check_json(value: Any) -> None:
    """400 if `value` (parsed JSON) nests deeper than JSON_DEPTH_MAX or holds unclean text."""
    pending = [(value, 1)]
    while pending:
        node, depth = pending.pop()
        if isinstance(node, str):
            if not is_clean_text(node):
                raise _refuse_text()
            continue
        if not isinstance(node, (dict, list)):
            continue
        if depth > JSON_DEPTH_MAX:
            raise InputRefused(_("JSON-kroppen er nøstet dypere enn %(n)d nivåer.",
                                 n=JSON_DEPTH_MAX))
        if isinstance(node, dict):
            pending.extend((key, depth) for key in node)
            pending.extend((item, depth + 1) for item in node.values())
        else:
            pending.extend((item, depth + 1) for item in node)


class StrictJSONProvider(DefaultJSONProvider):
    """Flask's JSON provider, whose `loads` (every request.get_json) refuses hostile JSON with
    400 rather than a RecursionError; InputRefused is no ValueError, so `silent=True` does not
    hide it."""

    sort_keys = False

    def loads(self, s: str | bytes, **kwargs: Any) -> Any:
        try:
            value = super().loads(s, **kwargs)
        except RecursionError:
            raise InputRefused(_("JSON-kroppen er nøstet dypere enn %(n)d nivåer.",
                                 n=JSON_DEPTH_MAX)) from None
        check_json(value)
        return value


def refuse_unclean_text() -> None:
    """Before each view: the path's values, the query and the form hold no NUL or lone
    surrogate. A multipart body to the API is left to its view (it checks access first)."""
    texts: list[str] = [v for v in (request.view_args or {}).values() if isinstance(v, str)]
    for key, value in request.args.items(multi=True):
        texts += (key, value)
    if request.mimetype == "application/x-www-form-urlencoded" or (
            request.mimetype == "multipart/form-data" and request.blueprint != "api"):
        for key, value in request.form.items(multi=True):
            texts += (key, value)
    if not all(is_clean_text(text) for text in texts):
        raise _refuse_text()


def init_app(app: Flask) -> None:
    """Register the `dbid` converter (before the blueprints), the JSON provider and the text
    check."""
    app.url_map.converters["dbid"] = DbIdConverter
    app.json = StrictJSONProvider(app)
    app.before_request(refuse_unclean_text)
