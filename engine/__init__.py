"""Samflyt's workflow engine: SpiffWorkflow with durable state in SQLAlchemy.

Nothing here knows Flask or Celery. Every operation takes an `EngineContext`
(database session, clock, settings, spec cache) and flushes; the caller commits.
"""
