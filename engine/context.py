"""What every engine operation receives: a session, a clock, the settings and the spec cache."""
from __future__ import annotations

import dataclasses
from datetime import datetime
from typing import Callable

from sqlalchemy.orm import Session

from .settings import Settings
from .specs import SpecCache
from .state import LiveWorkflows


@dataclasses.dataclass
class EngineContext:
    session: Session
    clock: Callable[[], datetime]
    settings: Settings
    specs: SpecCache
    #: Workflows kept in memory between steps (None: every step deserialises its state).
    workflows: LiveWorkflows | None = None

    def now(self) -> datetime:
        return self.clock()
