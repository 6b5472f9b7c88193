"""Errors the engine raises for callers to turn into messages or HTTP statuses.

Each error carries a `Message` (engine.core.messages): `str(error)` is its bokmål text, fit for
the user; `error.message.key` and `.params` let the web UI show it in the reader's language::

    raise NotFound(N_("Fant ikke sak %(case_id)s"), case_id=case_id)
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from engine.core.messages import Message, as_message


class EngineError(Exception):
    """Base class; `str(error)` is a message fit for the user, `error.message` its Message.

    `message` is a key marked with N_ (filled in with `params`) or a ready Message."""

    def __init__(self, message: str, /, **params: Any):
        self.message = Message(message, **params) if params else as_message(message)
        super().__init__(str(self.message))


class NotFound(EngineError):
    pass


class PermissionDenied(EngineError):
    """Not allowed. A refused read names what was refused (`refused_case`, `refused_task`,
    `refused_person` for a person or their plan) so the boundary can write the refusal to
    the audit log after rolling back."""
    refused_case: int | None = None
    refused_task: int | None = None
    refused_person: int | None = None


class ConflictError(EngineError):
    """Someone else changed the thing first (stale version, repeated completion)."""


class InvalidInput(EngineError):
    """Bad input; `errors` maps a field path ('' for the whole) to a Message."""

    def __init__(self, message: str, /, errors: Mapping[str, str] | None = None,
                 **params: Any):
        super().__init__(message, **params)
        self.errors: dict[str, Message] = {field: as_message(text)
                                           for field, text in (errors or {}).items()}


class DefinitionError(EngineError):
    """A process definition was refused; `problems` lists `file: element: message` lines."""

    def __init__(self, message: str, /, problems: list[Any] | None = None, **params: Any):
        super().__init__(message, **params)
        self.problems = problems or []


class ProcessError(EngineError):
    """A step of a diagram failed while running (a condition or script that cannot be
    evaluated on this case's data). Nothing of the step is saved; `element` names the BPMN
    element so the coordinating unit can fix the diagram."""

    def __init__(self, message: str, /, element: str | None = None, **params: Any):
        super().__init__(message, **params)
        self.element = element
