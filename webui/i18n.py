"""The web UI's languages: bokmål by default, English selectable (session or cookie)."""
from __future__ import annotations

from flask import request, session

#: The languages the UI speaks; the first is the default and the source language.
LANGUAGES = ("nb", "en")


def select_locale() -> str:
    for candidate in (session.get("lang"), request.cookies.get("samflyt_lang")):
        if candidate in LANGUAGES:
            return candidate
    return LANGUAGES[0]
