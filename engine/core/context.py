"""What every engine operation receives: a session, a clock, the settings and the spec cache."""
from __future__ import annotations

import contextlib
import dataclasses
import functools
from collections.abc import Callable, Iterator
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from engine.core.settings import Settings
from engine.workflow.specs import SpecCache
from engine.workflow.state import LiveWorkflows


@dataclasses.dataclass(frozen=True)
class NewTask:
    """A human task a step created (its row's values when it was inserted)."""
    id: int
    version: int
    case_id: int
    name: str
    candidate_role: str
    assignee: str | None


@dataclasses.dataclass(frozen=True)
class GoesOn:
    """The officer who goes on with a case's next step: its first new task whose role they
    hold, and nobody else has, is made claimed for them (no claim request, no extra write).
    `case_id` None: the case the operation starts."""
    username: str
    role_keys: frozenset[str]
    case_id: int | None = None


@dataclasses.dataclass
class EngineContext:
    session: Session
    clock: Callable[[], datetime]
    settings: Settings
    specs: SpecCache
    #: Workflows kept in memory between steps (None: every step deserialises its state).
    workflows: LiveWorkflows | None = None
    #: The human tasks the operations on this context created, oldest first: what an officer
    #: who just completed a task may go on with, known without a query.
    new_tasks: list[NewTask] = dataclasses.field(default_factory=list)
    #: Set by an operation whose officer goes on with the case (`humantasks.complete`,
    #: `intake.register_application` with `go_on=True`); spent by the first task it claims.
    goes_on: GoesOn | None = None

    def now(self) -> datetime:
        return self.clock()

    @contextlib.contextmanager
    def going_on(self, going: GoesOn | None) -> Iterator[None]:
        """`goes_on` is `going` for the operation inside, spent or not after it."""
        self.goes_on = going
        try:
            yield
        finally:
            self.goes_on = None

    def today(self) -> date:
        """The clock's date in the municipality's time zone (birthdays, consents, plans)."""
        return self.clock().astimezone(_zone(self.settings.timezone)).date()


@functools.lru_cache(maxsize=4)
def _zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)
