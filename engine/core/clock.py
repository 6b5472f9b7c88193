"""Clocks. Business time always comes from an injected clock, never from
`datetime.now()` or the database server: tests move a `FakeClock` instead of sleeping."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta


class SystemClock:
    def __call__(self) -> datetime:
        return datetime.now(UTC)


class FakeClock:
    """A clock that stands still until moved."""

    def __init__(self, start: datetime):
        if start.tzinfo is None:
            raise ValueError("FakeClock needs an aware datetime")
        self.current = start.astimezone(UTC)

    def __call__(self) -> datetime:
        return self.current

    def advance(self, **delta: float) -> datetime:
        self.current += timedelta(**delta)
        return self.current

    def set(self, moment: datetime) -> datetime:
        self.current = moment.astimezone(UTC)
        return self.current
