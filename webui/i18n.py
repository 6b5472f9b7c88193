"""The web UI's languages: bokmål by default, English selectable (session or cookie); and
`translate`, the one way an engine text (a Message, engine.core.messages) reaches a page."""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import request, session
from flask_babel import get_translations

from engine.core.messages import Message, fill_in

#: The languages the UI speaks; the first is the default and the source language.
LANGUAGES = ("nb", "en")


def select_locale() -> str:
    """The language chosen in the header (session or cookie); for the JSON API, whose clients
    have neither, the request's Accept-Language; else bokmål."""
    for candidate in (session.get("lang"), request.cookies.get("samflyt_lang")):
        if candidate in LANGUAGES:
            return candidate
    if request.path.startswith("/api/"):
        return request.accept_languages.best_match(LANGUAGES, default=LANGUAGES[0])
    return LANGUAGES[0]


def translate(text: Any) -> str:
    """An engine text in the reader's language: a Message is looked up by its key and filled
    in with its parameters (translated too when they are Messages; lists joined by ", ");
    any other text is shown as it is. A key the catalog lacks is shown in bokmål."""
    if not isinstance(text, Message):
        return "" if text is None else str(text)
    translated = get_translations().gettext(text.key)
    if not text.params:
        return translated
    try:
        return translated % fill_in(text.params, translate)
    except (KeyError, TypeError, ValueError):  # a translation that does not fit its key
        return str(text)


def translate_all(texts: Mapping[str, Any] | None) -> dict[str, str]:
    """`translate` for each value of a field -> message mapping (InvalidInput.errors)."""
    return {field: translate(text) for field, text in (texts or {}).items()}
