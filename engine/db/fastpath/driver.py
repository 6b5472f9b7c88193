"""Statements run on the database driver's own cursor, inside the session's transaction.

A workflow step reads a few rows and writes a handful (the instance's state, new human tasks,
their deadline notices, audit events). Through SQLAlchemy's Connection or ORM each statement
costs 50-150 µs of Python before the database sees it; on the driver's cursor it costs a few.
The statements are still SQLAlchemy Core, compiled once per dialect (`Statement`), and values
pass through the column types' own processors, so what is written and read here is exactly
what the ORM writes and reads. Rows read here become ordinary ORM objects in the session
(`load`), so the rest of the engine keeps working with models.

On PostgreSQL every statement is also a round trip to the server. There, writes are queued
(`write`, `insert`) and sent together in psycopg's pipeline mode: with the next read this
module makes, before any statement SQLAlchemy runs, and with the COMMIT (see `install`). New
rows take their ids from blocks reserved from the table's sequence, so rows that refer to
each other can be queued in one step. On SQLite there is no round trip to save: writes run at
once and new rows take SQLite's next rowid.

A guarded write (an UPDATE that must touch exactly one row: an optimistic version check)
raises ConflictError when it touches none: on SQLite at once, on PostgreSQL from the server
when it is sent (then nothing of the transaction is kept). A step whose rows may have been
changed since it read them ends with `check_guards(ctx)`, so that a lost race is reported by
the operation itself rather than by the commit.
Driver errors are raised as SQLAlchemy's exceptions (IntegrityError, OperationalError...), as
if SQLAlchemy had run the statement, and a lost connection is invalidated.
"""
from __future__ import annotations

import contextlib
import functools
import threading
import weakref
from collections import deque

from sqlalchemy import event, inspect, select
from sqlalchemy import insert as sql_insert
from sqlalchemy.orm import configure_mappers
from sqlalchemy.orm.attributes import instance_state

from engine.core.errors import ConflictError
from engine.db.fastpath import internals

_QUEUE = "samflyt_write_queue"
#: The SQLSTATE samflyt_expect_one_row raises (engine/migrations/versions/0007).
GUARD_FAILED = "SF409"
_BEGIN = "samflyt_begin_due"
#: The pipeline that carries BEGIN with the transaction's first statement SQLAlchemy runs.
_PIPELINE = "samflyt_begin_pipeline"
#: Ids reserved per table at a time on PostgreSQL (unused ones are skipped, like any
#: sequence value of a rolled-back insert).
ID_BLOCK = 64


class Statement:
    """A Core statement compiled once per dialect into the driver's SQL and parameter plan."""

    def __init__(self, clause, column_keys: list[str] | None = None):
        self.clause = clause
        self.column_keys = column_keys
        self._compiled: dict[str, _Compiled] = {}

    def compiled(self, dialect) -> _Compiled:
        plan = self._compiled.get(dialect.name)
        if plan is None:
            plan = self._compiled[dialect.name] = _Compiled(self.clause, dialect, self.column_keys)
        return plan


class _Compiled:
    def __init__(self, clause, dialect, column_keys):
        compiled = clause.compile(dialect=dialect, column_keys=column_keys)
        # IN lists of constants are expanded into the SQL once (parameters given at run time
        # are single values)
        expanded = internals.expanded_statement(compiled)
        self.sql = expanded.statement
        self.positional = expanded.positiontup is not None and dialect.positional
        defaults = dict(expanded.parameters)
        processors = internals.bind_processors(compiled, expanded)
        names = list(expanded.positiontup) if self.positional else list(defaults)
        #: (name, value when not given, bind processor or None), in the driver's order
        self.binds = [(name, defaults[name], processors.get(name)) for name in names]
        results = internals.result_processors(compiled, dialect)
        self.results = [(index, process) for index, process in enumerate(results)
                        if process is not None]

    @functools.cached_property
    def guarded_sql(self) -> str:
        """PostgreSQL: the UPDATE/DELETE, failing in the server unless it touched one row."""
        # (self.sql is SQLAlchemy's compiled statement; values travel as parameters)
        return (f"WITH changed AS ({self.sql} RETURNING 1) SELECT samflyt_expect_one_row("  # noqa: S608
                f"(SELECT count(*) FROM changed), %(samflyt_guard)s)")

    def parameters(self, given: dict):
        get = given.get
        values = [(name, get(name, default) if process is None else process(get(name, default)))
                  for name, default, process in self.binds]
        if self.positional:
            return tuple(value for _name, value in values)
        return dict(values)

    def row(self, raw) -> tuple:
        if not self.results:
            return tuple(raw)
        row = list(raw)
        for index, process in self.results:
            row[index] = process(row[index])
        return tuple(row)


_CONNECTION = "samflyt_driver_connection"


def _connection(session):
    """The session's Connection for its current transaction (looked up once per transaction
    and savepoint: `Session.connection()` costs more than most statements here, and it is
    what emits a savepoint the session has begun)."""
    transaction = session.get_nested_transaction() or session.get_transaction()
    cached = session.info.get(_CONNECTION)
    if cached is not None and transaction is not None and cached[0] is transaction:
        return cached[1]
    connection = session.connection()
    session.info[_CONNECTION] = (session.get_nested_transaction() or session.get_transaction(),
                                 connection)
    return connection


# --- reading ---------------------------------------------------------------------------------

def fetch_all(ctx, statement: Statement, **params) -> list[tuple]:
    """The rows of a SELECT (values processed as the ORM would), after any queued writes."""
    [rows] = fetch_together(ctx, [(statement, params)])
    return rows


def fetch_first(ctx, statement: Statement, **params) -> tuple | None:
    rows = fetch_all(ctx, statement, **params)
    return rows[0] if rows else None


def fetch_together(ctx, reads: list[tuple[Statement, dict]]) -> list[list[tuple]]:
    """Several independent SELECTs; on PostgreSQL sent with the queued writes in one round trip."""
    connection = _connection(ctx.session)
    dialect = connection.dialect
    plans = [(statement.compiled(dialect), params) for statement, params in reads]
    if dialect.name == "postgresql":
        cursors = _round_trip(connection, plans)
    else:
        cursors = [_execute_now(connection, plan.sql, plan.parameters(params))
                   for plan, params in plans]
    return [[plan.row(r) for r in cursor.fetchall()]
            for (plan, _params), cursor in zip(plans, cursors, strict=True)]


def select_rows(*models):
    """SELECT of the whole rows of `models` (every column, in table order), for `load_all`;
    add the joins and the WHERE clause."""
    return select(*[column for model in models for column in inspect(model).local_table.columns])


@functools.cache
def _layout(models: tuple) -> list[tuple[type, list[str]]]:
    # Objects are made here without a query: the mappers must be configured first (a query or
    # a model's constructor would do it), or a process whose first read is this one breaks.
    configure_mappers()
    layout = []
    for model in models:
        mapper = inspect(model)
        layout.append((model, [mapper.get_property_by_column(column).key
                               for column in mapper.local_table.columns]))
    return layout


def load_all(ctx, statement: Statement, models: tuple, **params) -> list[tuple]:
    """Run a `select_rows(*models)` statement; per row, a tuple of ORM objects (None for a
    model whose outer-joined row is missing)."""
    return [split_row(ctx, row, models) for row in fetch_all(ctx, statement, **params)]


def split_row(ctx, row: tuple, models: tuple) -> tuple:
    """A row of `select_rows(*models)` (read with `fetch_all`/`fetch_together`) as a tuple of
    ORM objects (None for a missing outer-joined one), followed by the values of any columns
    added after the models' own."""
    objects, start = [], 0
    for model, keys in _layout(models):
        part = row[start:start + len(keys)]
        start += len(keys)
        objects.append(None if part[0] is None
                       else load(ctx, model, dict(zip(keys, part, strict=True))))
    return (*objects, *row[start:])


def load_row(ctx, model: type, row: tuple):
    """The ORM object for a row of `select_rows(model)`."""
    [(_model, keys)] = _layout((model,))
    return load(ctx, model, dict(zip(keys, row, strict=True)))


def load(ctx, model: type, values: dict):
    """The ORM object for a row read here (`values`: every column, by attribute name): the
    session's own when it has one, else a new one, persistent in the session as if the ORM
    had loaded it."""
    session = ctx.session
    key = (model, (values["id"],), None)
    existing = session.identity_map.get(key)
    if existing is not None:
        return existing
    obj = internals.new_instance(model)
    obj.__dict__.update(values)
    adopt(session, obj, key)
    return obj


def adopt(session, obj, key=None) -> None:
    """Make `obj`, whose __dict__ holds every column's value as stored, persistent in
    `session` (or, with session None, detached) with nothing to flush: what the ORM's loader
    does for a row it read (sqlalchemy/orm/loading.py), without its per-query setup.
    Relationships not set are loaded lazily on first use, as usual."""
    internals.make_persistent(session, instance_state(obj), key or (type(obj), (obj.id,), None))


# --- writing ---------------------------------------------------------------------------------

def write(ctx, statement: Statement, params: dict, guard: str | None = None) -> None:
    """Run an INSERT/UPDATE/DELETE in the transaction (queued on PostgreSQL). With `guard`,
    it must touch exactly one row, else ConflictError(guard): at once on SQLite; on
    PostgreSQL the server checks it (migration 0007) when the write is sent."""
    connection = _connection(ctx.session)
    plan = statement.compiled(connection.dialect)
    parameters = plan.parameters(params)
    if connection.dialect.name == "postgresql":
        sql = plan.sql
        if guard is not None:
            sql = plan.guarded_sql
            parameters["samflyt_guard"] = guard
        connection.info.setdefault(_QUEUE, []).append((sql, parameters, guard is not None))
        return
    touched = _execute_now(connection, plan.sql, parameters).rowcount
    if guard is not None and touched != 1:
        raise ConflictError(guard)


@functools.cache
def _insert_statement(table, with_id: bool = True) -> Statement:
    return Statement(sql_insert(table), column_keys=[column.key for column in table.columns
                                                     if with_id or not column.primary_key])


def insert(ctx, table, values: dict, need_id: bool = True) -> int | None:
    """INSERT one row (all columns given in `values` but the id) and return its new id
    (`need_id=False`, PostgreSQL: None; the row takes the sequence's next value when the
    write is sent, rather than one from a block reserved earlier)."""
    connection = _connection(ctx.session)
    statement = _insert_statement(table)
    if connection.dialect.name == "postgresql":
        if not need_id:
            write(ctx, _insert_statement(table, with_id=False), values)
            return None
        new_id = _id_blocks(connection.engine).next_id(connection, table.name)
        write(ctx, statement, {**values, "id": new_id})
        return new_id
    plan = statement.compiled(connection.dialect)
    return _execute_now(connection, plan.sql, plan.parameters({**values, "id": None})).lastrowid


def _execute_now(connection, sql: str, parameters):
    """SQLite: run one statement on the driver's connection; its cursor."""
    try:
        return connection.connection.driver_connection.execute(sql, parameters)
    except connection.dialect.loaded_dbapi.Error as error:
        raise as_sqlalchemy_error(connection, error, sql) from error


def check_guards(ctx) -> None:
    """Send the queued writes now if any of them is guarded (PostgreSQL), so that a lost race
    is raised by the operation that lost it; unguarded writes wait for the commit. (A step
    whose rows are locked since it read them cannot lose: it need not call this.)"""
    connection = _connection(ctx.session)
    if any(guarded for _sql, _params, guarded in connection.info.get(_QUEUE, ())):
        _round_trip(connection)


def _round_trip(connection, reads=(), commit: bool = False) -> list:
    """PostgreSQL: one pipeline with, in order, the transaction's BEGIN if it is still to be
    sent, the queued writes, the reads (their cursors are returned) and, with `commit`, the
    COMMIT. A guarded write that touched no row fails in the server, so nothing after it in
    the pipeline is applied, COMMIT included."""
    info = connection.info
    begin, queued = info.pop(_BEGIN, False), info.pop(_QUEUE, None)
    if not (begin or queued or reads or commit):
        return []
    if commit and begin and not queued:
        return []  # nothing was sent in this transaction: nothing to commit
    raw = connection.connection.driver_connection
    cursors = []
    try:
        with raw.pipeline():
            if begin:
                raw.execute("BEGIN")
            _send(raw, queued or ())
            for plan, params in reads:
                cursor = raw.cursor()
                cursor.execute(plan.sql, plan.parameters(params))
                cursors.append(cursor)
            if commit:
                raw.execute("COMMIT")
    except connection.dialect.loaded_dbapi.Error as error:
        if getattr(error, "sqlstate", None) == GUARD_FAILED:
            raise ConflictError(error.diag.message_primary) from error
        sql = queued[0][0] if queued else reads[0][0].sql if reads else "COMMIT"
        raise as_sqlalchemy_error(connection, error, sql) from error
    return cursors


def _send(raw, items) -> None:
    """Execute the queued items on the driver connection; consecutive runs of the same
    unguarded statement go as one executemany."""
    index, items = 0, list(items)
    while index < len(items):
        sql, params, guarded = items[index]
        end = index + 1
        while (not guarded and end < len(items) and items[end][0] == sql
               and not items[end][2]):
            end += 1
        if end - index > 1:
            raw.cursor().executemany(sql, [item[1] for item in items[index:end]])
        else:
            raw.execute(sql, params)
        index = end


def as_sqlalchemy_error(connection, error, sql: str) -> Exception:
    """The SQLAlchemy exception SQLAlchemy itself would raise for this driver error (a lost
    connection is invalidated, so the pool replaces it)."""
    dialect = connection.dialect
    disconnected = internals.is_disconnect(dialect, error, connection.connection.dbapi_connection)
    if disconnected:
        connection.invalidate(error)
    return internals.dbapi_error(dialect, sql, error, disconnected)


# --- ids from sequence blocks (PostgreSQL) ---------------------------------------------------

class _IdBlocks:
    def __init__(self):
        self._lock = threading.Lock()
        self._free: dict[str, deque] = {}

    def next_id(self, connection, table: str) -> int:
        with self._lock:
            free = self._free.setdefault(table, deque())
            if not free:
                raw = connection.connection.driver_connection
                sql = ("SELECT nextval(pg_get_serial_sequence(%s, 'id')) "
                       "FROM generate_series(1, %s)")
                try:
                    with raw.cursor() as cursor:
                        cursor.execute(sql, (table, ID_BLOCK))
                        free.extend(row[0] for row in cursor.fetchall())
                except connection.dialect.loaded_dbapi.Error as error:
                    # as every driver error here: SQLAlchemy's own (a lost connection is
                    # invalidated and the web UI says the database is unavailable)
                    raise as_sqlalchemy_error(connection, error, sql) from error
            return free.popleft()


_BLOCKS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
_BLOCKS_LOCK = threading.Lock()


def _id_blocks(engine) -> _IdBlocks:
    with _BLOCKS_LOCK:
        blocks = _BLOCKS.get(engine)
        if blocks is None:
            blocks = _BLOCKS[engine] = _IdBlocks()
        return blocks


# --- the queue's place in the transaction ----------------------------------------------------

def install(engine) -> None:
    """PostgreSQL: the transaction's own statements travel together.

    The driver runs in autocommit mode and this module sends BEGIN and COMMIT itself: BEGIN
    with the transaction's first statement, COMMIT with its last writes (psycopg on its own
    would wait for BEGIN alone, and send COMMIT alone). SQLAlchemy still runs the transaction:
    its `begin` marks BEGIN as due, anything it executes first sends BEGIN and the queued
    writes (savepoints included), its `commit` sends the rest with COMMIT, its `rollback`
    drops them (and rolls back what was sent)."""
    if engine.dialect.name != "postgresql":
        return

    @event.listens_for(engine, "connect")
    def _autocommit(dbapi_connection, _record):
        dbapi_connection.autocommit = True

    @event.listens_for(engine, "begin")
    def _begin_is_due(connection):
        connection.info[_BEGIN] = True

    @event.listens_for(engine, "before_cursor_execute")
    def _before_statement(connection, *_args):
        info = connection.info
        if info.get(_QUEUE):
            _round_trip(connection)
        elif info.get(_BEGIN):  # BEGIN alone: in one round trip with this statement
            del info[_BEGIN]
            raw = connection.connection.driver_connection
            pipeline = raw.pipeline()
            pipeline.__enter__()
            info[_PIPELINE] = pipeline
            raw.execute("BEGIN")

    @event.listens_for(engine, "after_cursor_execute")
    def _after_statement(connection, *_args):
        pipeline = connection.info.pop(_PIPELINE, None)
        if pipeline is not None:  # sends BEGIN and the statement, and waits for both
            pipeline.__exit__(None, None, None)

    @event.listens_for(engine, "handle_error")
    def _close_pipeline(context):
        connection = context.connection
        pipeline = connection.info.pop(_PIPELINE, None) if connection is not None else None
        if pipeline is not None:
            error = context.original_exception
            with contextlib.suppress(Exception):  # the statement's own error is raised
                pipeline.__exit__(type(error), error, error.__traceback__)

    @event.listens_for(engine, "commit")
    def _with_commit(connection):
        _round_trip(connection, commit=True)

    @event.listens_for(engine, "rollback")
    def _drop(connection):
        connection.info.pop(_QUEUE, None)
        connection.info.pop(_BEGIN, None)

    @event.listens_for(engine, "rollback_savepoint")
    def _drop_since_savepoint(connection, _name, _context):
        connection.info.pop(_QUEUE, None)

    @event.listens_for(engine.pool, "checkin")
    def _drop_on_return(_dbapi_connection, record):
        record.info.pop(_QUEUE, None)
        record.info.pop(_BEGIN, None)
