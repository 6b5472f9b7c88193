"""The process-wide objects a boundary (CLI, web app, Celery worker) builds once:
settings, database engine, session factory, spec cache and clock."""
from __future__ import annotations

import contextlib
from datetime import datetime
from typing import Callable, Iterator

from . import scheduler
from .clock import SystemClock
from .context import EngineContext
from .db import make_db_engine, make_session_factory
from .schema import upgrade
from .settings import Settings
from .specs import SpecCache
from .state import LiveWorkflows


class EngineEnvironment:
    def __init__(self, settings: Settings, clock: Callable[[], datetime] | None = None,
                 db_engine=None):
        self.settings = settings
        self.clock = clock or SystemClock()
        self.db_engine = db_engine or make_db_engine(settings.database_url)
        self.session_factory = make_session_factory(self.db_engine)
        self.specs = SpecCache(settings.spec_cache_size)
        self.workflows = LiveWorkflows(settings.live_workflow_cache_size)

    def context(self, session) -> EngineContext:
        return EngineContext(session=session, clock=self.clock, settings=self.settings,
                             specs=self.specs, workflows=self.workflows)

    @contextlib.contextmanager
    def unit_of_work(self) -> Iterator[EngineContext]:
        """One transaction: committed when the block ends, rolled back if it raises."""
        with self.session_factory() as session:
            try:
                yield self.context(session)
                session.commit()
            except BaseException:
                session.rollback()
                raise

    def upgrade_schema(self) -> None:
        upgrade(self.db_engine)

    def sweep(self, now: datetime | None = None) -> scheduler.Report:
        """Fire due timers, raise due notices, resolve finished ones (engine.scheduler)."""
        return scheduler.sweep(self, now)

    def dispose(self) -> None:
        self.db_engine.dispose()
