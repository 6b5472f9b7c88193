"""The web UI's languages: bokmål (the source language), nynorsk and English, chosen in the
header (session or cookie); without a choice, the municipality's målform (SAMFLYT_MALFORM). And
`translate`, the one way an engine text (a Message, engine.core.messages) reaches a page."""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import current_app, request, session
from flask_babel import get_translations

from engine.core.messages import Message, fill_in

#: The languages the UI speaks; the first is the source language (the msgids are bokmål).
LANGUAGES = ("nb", "nn", "en")

#: The header's language switcher: each language named in itself.
LANGUAGE_NAMES = {"nb": "Norsk (bokmål)", "nn": "Nynorsk", "en": "English"}


def default_locale() -> str:
    """The language of a reader who has chosen none: the municipality's målform (the setting
    SAMFLYT_MALFORM, nb or nn); bokmål when it is anything else."""
    malform = current_app.extensions["samflyt_settings"].malform
    return malform if malform in ("nb", "nn") else LANGUAGES[0]


def select_locale() -> str:
    """The language chosen in the header (session or cookie); for the JSON API, whose clients
    have neither, the request's Accept-Language ("no", Norwegian without a målform, is the
    municipality's); else the municipality's målform (default_locale)."""
    for candidate in (session.get("lang"), request.cookies.get("samflyt_lang")):
        if candidate in LANGUAGES:
            return candidate
    if request.path.startswith("/api/"):
        best = request.accept_languages.best_match((*LANGUAGES, "no"))
        if best in LANGUAGES:
            return best
    return default_locale()


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


def problem_json(problem: Any) -> dict[str, str]:
    """A validation problem (engine.definitions.validation.Problem) for an editor's script,
    its message in the reader's language."""
    return {"file": problem.file, "element": problem.element,
            "message": translate(problem.message), "detail": getattr(problem, "detail", "")}


def problem_text(problem: Any) -> str:
    """A validation problem as one line ("file: element: message (detail)"), its message in
    the reader's language; any other value as `translate` gives it."""
    if not hasattr(problem, "element"):
        return translate(problem)
    detail = f" ({problem.detail})" if getattr(problem, "detail", "") else ""
    return f"{problem.file}: {problem.element}: {translate(problem.message)}{detail}"
