"""The process-wide objects a boundary (CLI, web app, Celery worker) builds once:
settings, database engine, session factory, spec cache and clock."""
from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable, Iterator
from datetime import date, datetime

from engine.accounts import roles
from engine.core.clock import SystemClock
from engine.core.context import EngineContext
from engine.core.settings import Settings
from engine.db.database import (
    make_db_engine,
    make_session_factory,
    start_wal_checkpointer,
)
from engine.db.schema import upgrade
from engine.scheduling import scheduler
from engine.workflow.specs import SpecCache
from engine.workflow.state import LiveWorkflows

#: SpiffWorkflow's loggers. Its per-task records are debugging detail; worse, while the
#: workflow logger has no level of its own, every workflow record lists all the workflow's
#: tasks (a walk of the whole task tree, several times a step).
SPIFF_LOGGERS = ("spiff.workflow", "spiff.task", "spiff.data", "spiff.dmn")


def quiet_spiff_logging() -> None:
    """WARNING for SpiffWorkflow's loggers, unless the application has set a level itself."""
    for name in SPIFF_LOGGERS:
        logger = logging.getLogger(name)
        if logger.level == logging.NOTSET:
            logger.setLevel(logging.WARNING)


class EngineEnvironment:
    def __init__(self, settings: Settings, clock: Callable[[], datetime] | None = None,
                 db_engine=None):
        quiet_spiff_logging()
        roles.require_role(settings.fallback_role, "SAMFLYT_FALLBACK_ROLE")
        self.settings = settings
        self.clock = clock or SystemClock()
        self.db_engine = db_engine or make_db_engine(settings.database_url,
                                                     fast_path=settings.fast_path)
        # only for an engine of its own (one passed in belongs to someone else)
        self.checkpointer = start_wal_checkpointer(self.db_engine) if db_engine is None else None
        self.session_factory = make_session_factory(self.db_engine)
        self.specs = SpecCache(settings.spec_cache_size)
        self.workflows = LiveWorkflows(settings.live_workflow_cache_size)
        #: The day this process last applied the plans' calendar rules (the sweep applies
        #: them once a day: engine/cases/plan_rules.py).
        self.plan_rules_day: date | None = None

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
        if self.checkpointer is not None:
            self.checkpointer.stop()
        self.db_engine.dispose()
