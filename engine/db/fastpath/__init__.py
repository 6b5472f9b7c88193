"""How the workflow step and the sweep persist: one small interface, two implementations.

The rule (docs/architecture.md, "One persistence rule"): reads and ordinary edits go through
the SQLAlchemy session. Only the workflow step (start a case, complete a task, a timer step:
engine/workflow/step.py and what it calls) and the sweeps (engine/scheduling/sweep.py,
engine/deadlines/task_deadlines.py) write and read through the operations below, and only
through them: nothing outside this package imports `driver`, `rows`, `fast` or `orm`.

    Query                 declare a read: whole rows of models as ORM objects, or any
                          statement's plain rows (query.py)
    run / run_together    run one Query, or several (one round trip on PostgreSQL)
    insert                INSERT a new model object; it becomes persistent (or stays
                          detached) with its id
    insert_row            INSERT a row from a dict (defaults filled in), no ORM object
    update                UPDATE an object's row, guarded by its version: ConflictError
                          when someone else changed it (`versioned=False`: by id alone)
    check_guards          make a lost race this operation's ConflictError now
    attach                set loaded relationships without marking anything changed
    install               the transaction hooks on a new engine (BEGIN and the queued writes
                          with the first statement, the rest with the COMMIT; PostgreSQL)

Which implementation runs is the setting SAMFLYT_FAST_PATH (engine/core/settings.py):
on (default) `fast` (driver.py: SQLAlchemy Core compiled once, run on the driver's cursor;
rows.py: writes without the unit of work), off `orm` (the session, public API only). Both
write the same rows with the same guards, audit events and ids. Every private SQLAlchemy API
the fast path touches is in internals.py, with the reason.

Owns: `driver`, `rows`, `internals`, `query`, `fast`, `orm`. May import `engine.core` and
`engine.db`.
"""
from __future__ import annotations

from types import ModuleType

from sqlalchemy.orm.attributes import set_committed_value

from engine.db.fastpath import driver, fast, orm
from engine.db.fastpath.query import Query

__all__ = ["CONFLICT", "Query", "as_sqlalchemy_error", "attach", "check_guards", "insert",
           "insert_row", "install", "run", "run_together", "update"]

#: The message of a guarded write that lost its race.
CONFLICT = fast.rows.CONFLICT


def _path(ctx) -> ModuleType:
    return fast if ctx.settings.fast_path else orm


def run(ctx, query: Query, **params) -> list[tuple]:
    """The rows of `query` in the caller's transaction (on PostgreSQL after the writes
    queued so far)."""
    return _path(ctx).run(ctx, query, **params)


def run_together(ctx, reads: list[tuple[Query, dict]]) -> list[list[tuple]]:
    """The rows of several independent queries, in order."""
    return _path(ctx).run_together(ctx, reads)


def insert(ctx, obj, attach: bool = True):
    """INSERT `obj` (a new model object, foreign keys set as columns, not relationships) and
    return it with its id, persistent in the session (`attach=False`: detached, for a row
    nothing in the transaction reads back through the session)."""
    return _path(ctx).insert(ctx, obj, attach=attach)


def insert_row(ctx, model: type, values: dict, need_id: bool = True) -> dict:
    """INSERT a row of `model` from `values` (attribute names; defaults filled in, a version
    column at 1) and return its values, id included (`need_id=False`: the id may be None,
    and rows take ids in the order they were written: the audit trail)."""
    return _path(ctx).insert_row(ctx, model, values, need_id=need_id)


def update(ctx, obj, versioned: bool = True, **values) -> None:
    """UPDATE `obj`'s row with `values` (attribute names); a versioned model's row must still
    have the version `obj` holds (ConflictError otherwise; on PostgreSQL's fast path raised
    when the write is sent: see `check_guards`). The object then holds the new values."""
    _path(ctx).update(ctx, obj, versioned=versioned, **values)


def check_guards(ctx) -> None:
    """Raise now the ConflictError of a guarded write that lost its race (the fast path on
    PostgreSQL sends guarded writes here; unguarded ones wait for the commit). A step whose
    rows are locked since it read them cannot lose: it need not call this."""
    _path(ctx).check_guards(ctx)


def attach(obj, **related) -> None:
    """Set relationship attributes (`case=case`) as loaded, without marking anything changed."""
    for attribute, value in related.items():
        set_committed_value(obj, attribute, value)


def install(engine, fast_path: bool = True) -> None:
    """The transaction hooks of the fast path on a new engine (PostgreSQL; nothing with
    SAMFLYT_FAST_PATH=off, or on SQLite)."""
    if fast_path:
        driver.install(engine)


#: A driver error as the SQLAlchemy exception SQLAlchemy would raise (engine set-up uses it
#: for the statements it sends on the driver's connection itself).
as_sqlalchemy_error = driver.as_sqlalchemy_error
