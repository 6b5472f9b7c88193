"""The password policy: what a person may choose as a password.

At least `MIN_LENGTH` characters (a passphrase of a few words is simply a long password), at
least `MIN_DISTINCT` different characters, not the user's own name, and not on the list of
common passwords (zxcvbn's list of the 30,000 most common, compared case-insensitively).
Applied wherever a person sets a password (`credentials.set_password`). The embedded demo's
published password is set by `samflyt demo` alone, for the demo's own users.
"""
from __future__ import annotations

import functools

from engine.core.errors import InvalidInput
from engine.core.messages import N_, Message

MIN_LENGTH = 12
MIN_DISTINCT = 5


@functools.cache
def _common() -> frozenset[str]:
    from zxcvbn.frequency_lists import (  # type: ignore[import-untyped]  # 30,000 words
        FREQUENCY_LISTS,
    )
    return frozenset(FREQUENCY_LISTS["passwords"])


def problem(password: str, username: str = "") -> Message | None:
    """Why `password` may not be chosen, or None when it may."""
    if not isinstance(password, str) or len(password) < MIN_LENGTH:
        return Message(N_("Passordet må ha minst %(n)d tegn; en setning av flere ord er lett "
                          "å huske"), n=MIN_LENGTH)
    folded = password.casefold()
    if len(set(folded)) < MIN_DISTINCT:
        return Message(N_("Passordet må ha minst %(n)d forskjellige tegn"), n=MIN_DISTINCT)
    if folded in _common() or folded.strip() in _common():
        return Message(N_("Passordet er blant de vanligste passordene; velg et annet"))
    if username and username.casefold() in folded:
        return Message(N_("Passordet kan ikke inneholde brukernavnet"))
    return None


def check(password: str, username: str = "") -> None:
    """InvalidInput (on the field `password`) when `password` may not be chosen."""
    why = problem(password, username)
    if why is not None:
        raise InvalidInput(N_("Passordet kan ikke brukes"), {"password": why})
