"""Logging set-up, called once by each boundary (the `samflyt` command, the Celery worker and
beat); the engine itself only writes to per-module loggers (`logging.getLogger(__name__)`).

A record is one line: time, level, logger name, then a short phrase with `key=value`
identifiers, e.g.

    2026-03-02 09:14:03,117 INFO engine.worklist.humantasks: task completed
    case=IP-2026-00042 task=1234 element=vurdering user=saksbehandler1

(one line in the log). Records carry identifiers only (case numbers, task ids and names,
element ids, usernames, process keys, counts): never form data, names of people, birth
numbers or plan content, which are health information.
"""
from __future__ import annotations

import logging
import sys
from typing import TextIO

from engine.core.settings import Settings

#: time, level, logger name, message
FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"

#: Marks the handler `configure` installs, so that calling it again replaces it.
_HANDLER_NAME = "samflyt"


def level_of(settings: Settings) -> int:
    """SAMFLYT_LOG_LEVEL as a `logging` level (a name such as INFO, or a number)."""
    name = settings.log_level.strip().upper()
    if name.isdigit():
        return int(name)
    level = logging.getLevelName(name)
    if not isinstance(level, int):
        raise ValueError(f"SAMFLYT_LOG_LEVEL: unknown level {settings.log_level!r} "
                         "(DEBUG, INFO, WARNING, ERROR or CRITICAL)")
    return level


class StandardErrorHandler(logging.StreamHandler[TextIO]):
    """Writes to whatever `sys.stderr` is when a record comes, not the stream it was when
    the handler was made (a test runner, or a daemon, may replace it)."""

    def __init__(self) -> None:
        super().__init__(sys.stderr)

    @property  # read on every record, never stored
    def stream(self) -> TextIO:
        return sys.stderr

    @stream.setter
    def stream(self, _value: TextIO) -> None:
        pass


#: Libraries whose INFO records say nothing an operator needs.
QUIET_LOGGERS = ("weasyprint", "fontTools")


def configure(settings: Settings, stream: TextIO | None = None) -> None:
    """One handler on the root logger writing to `stream` (default: standard error) at
    SAMFLYT_LOG_LEVEL. Calling it again replaces the handler instead of adding another."""
    level = level_of(settings)  # an unknown level fails before anything changes
    root = logging.getLogger()
    for handler in list(root.handlers):
        if handler.get_name() == _HANDLER_NAME:
            root.removeHandler(handler)
    handler = (logging.StreamHandler(stream) if stream is not None
               else StandardErrorHandler())
    handler.set_name(_HANDLER_NAME)
    handler.setFormatter(logging.Formatter(FORMAT))
    root.addHandler(handler)
    root.setLevel(level)
    # WeasyPrint reports each rendering step at INFO; only its warnings are worth a line
    for chatty in QUIET_LOGGERS:
        logging.getLogger(chatty).setLevel(max(level, logging.WARNING))
