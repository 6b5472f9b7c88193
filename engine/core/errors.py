"""Errors the engine raises for callers to turn into messages or HTTP statuses."""


class EngineError(Exception):
    """Base class; `str(error)` is a message fit for the user."""


class NotFound(EngineError):
    pass


class PermissionDenied(EngineError):
    pass


class ConflictError(EngineError):
    """Someone else changed the thing first (stale version, repeated completion)."""


class InvalidInput(EngineError):
    """Bad input; `errors` maps a field path ('' for the whole) to a message."""

    def __init__(self, message: str, errors: dict[str, str] | None = None):
        super().__init__(message)
        self.errors = errors or {}


class DefinitionError(EngineError):
    """A process definition was refused; `problems` lists `file: element: message` lines."""

    def __init__(self, message: str, problems: list | None = None):
        super().__init__(message)
        self.problems = problems or []


class ProcessError(EngineError):
    """A step of a diagram failed while running (a condition or script that cannot be
    evaluated on this case's data). Nothing of the step is saved; `element` names the BPMN
    element so the coordinating unit can fix the diagram."""

    def __init__(self, message: str, element: str | None = None):
        super().__init__(message)
        self.element = element
