"""A lost race as the ConflictError an officer can be shown."""
from __future__ import annotations

import contextlib
import functools

from sqlalchemy.exc import OperationalError
from sqlalchemy.orm.exc import StaleDataError

from engine.core.errors import ConflictError
from engine.core.messages import N_


@contextlib.contextmanager
def lost_race_is_conflict(message: str = N_("Saken ble endret av noen andre samtidig. "
                                            "Last siden på nytt.")):
    """A lost race (a stale version, or SQLite's lock) anywhere inside, flushes included,
    becomes a ConflictError the caller can show."""
    try:
        yield
    except StaleDataError as exc:
        raise ConflictError(message) from exc
    except OperationalError as exc:
        if "locked" in str(exc).lower():
            raise ConflictError(message) from exc
        raise


def conflict_safe(operation):
    """Decorator for engine operations that write: see `lost_race_is_conflict`."""
    @functools.wraps(operation)
    def wrapper(*args, **kwargs):
        with lost_race_is_conflict():
            return operation(*args, **kwargs)
    return wrapper
