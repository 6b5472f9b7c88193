"""Samflyt's workflow engine: SpiffWorkflow with durable state in SQLAlchemy.

Nothing here knows Flask or Celery. Every operation takes an `EngineContext`
(database session, clock, settings, spec cache) and flushes; the caller commits.

Packages (docs/architecture.md is the map):
    core         settings, clock, errors, the context every operation receives
    db           models, schema and migrations, connections, the fast path
    workflow     running BPMN: a step from a task or a timer to its rows
    definitions  deployed versions, validation, library, editors' drafts, case migration
    cases        cases, intake, the case page, the audit log, demo data
    worklist     human tasks, the inbox, the task page, form checking
    deadlines    calendar arithmetic, working days, task deadlines
    notices      notices and their e-mail
    accounts     users, roles, sign-in, tokens
    scheduling   the sweep and its chunked runner

`engine.environment` builds the process-wide objects a boundary needs (the composition root).
"""
