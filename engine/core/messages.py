"""Texts the engine hands its callers: bokmål, with a key the web UI translates.

`N_(text)` marks a text for extraction and returns it unchanged: pybabel reads `N_` as a
keyword (webui/babel.cfg), so every marked text in engine/ lands in the web UI's catalog.

`Message` is a marked text with its parameters filled in. It *is* a `str` (the bokmål words),
so code that prints, compares or joins it sees what it always saw; it also keeps `key` (the
msgid, with named ``%(name)s`` parameters) and `params`, from which the web UI builds the
text in the reader's language (webui.i18n.translate)::

    raise NotFound(N_("Fant ikke sak %(case_id)s"), case_id=7)
    # str(error) == "Fant ikke sak 7"; error.message.key == "Fant ikke sak %(case_id)s"

A parameter may itself be a Message (it is translated too), or a list or tuple of values
(shown joined by ", "). A text that was never marked (a database's own message, say) becomes a
Message without parameters: its key is the text.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any


def N_(text: str) -> str:
    """Mark `text` for translation; the text itself is returned unchanged."""
    return text


class Message(str):
    """The bokmål text of `key` with `params` filled in; see the module docstring."""

    key: str
    params: dict[str, Any]

    def __new__(cls, key: str, /, **params: Any) -> Message:
        message = super().__new__(cls, key % fill_in(params, str) if params else key)
        message.key = str(key)
        message.params = params
        return message

    def __reduce__(self) -> tuple[Any, ...]:  # key and params survive pickling (Celery)
        return _rebuild, (self.key, self.params)


def fill_in(params: dict[str, Any], text_of: Callable[[Any], str]) -> dict[str, Any]:
    """`params` ready for ``%``: each Message or text through `text_of`, lists joined."""
    def one(value: Any) -> Any:
        if isinstance(value, (list, tuple)):
            return ", ".join(text_of(item) for item in value)
        return text_of(value) if isinstance(value, str) else value
    return {name: one(value) for name, value in params.items()}


def _rebuild(key: str, params: dict[str, Any]) -> Message:
    return Message(key, **params)


def as_message(text: str) -> Message:
    """`text` as a Message: itself when it is one, else a Message whose key is the text."""
    return text if isinstance(text, Message) else Message(str(text))
