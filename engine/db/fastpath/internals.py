"""Every private SQLAlchemy API the fast path uses, in one place, each with the reason.

Checked against SQLAlchemy 2.0.x (pyproject.toml pins the minor version). An upgrade that
moves one of these breaks the fast path's tests (tests/engine/test_driver.py and every step),
not silently the data: each function below either returns what SQLAlchemy itself would use,
or fails. With SAMFLYT_FAST_PATH=off none of this runs (engine/db/fastpath/orm.py).

Statement plans (engine/db/fastpath/driver.py compiles each statement once per dialect and
then runs it on the driver's cursor, so it needs what SQLAlchemy's own execution would use):
- `Compiled.construct_params(_check=False, _no_postcompile=True)`: the default values of
  the statement's parameters, without requiring them and before "post-compile" expansion;
- `Compiled._process_parameters_for_postcompile`: expands IN lists of constants into the SQL
  (what SQLAlchemy does per execution; done here once);
- `Compiled._bind_processors`: the column types' bind processors per parameter (JSON to
  text, datetimes to UTC text on SQLite...), so values are written exactly as the ORM would;
- `Compiled._result_columns` and `TypeEngine._cached_result_processor`: the result
  processors per column (text back to JSON, UTC datetimes...), so values read are the ORM's.

Loading rows as ORM objects without a query (`driver.adopt`):
- `ClassManager.new_instance`: a model object without running its constructor (as the ORM's
  loader makes one);
- `InstanceState.key / identity_token / session_id`, `IdentityMap._add_unpresent` and
  `InstanceState._commit_all`: what sqlalchemy/orm/loading.py does to make a loaded row a
  persistent object with no pending changes;
- `Session.hash_key`: the session's id that a state points back to.

Errors (a driver error raised as SQLAlchemy would raise it):
- `DBAPIError.instance`: SQLAlchemy's own wrapping of a DB-API exception (IntegrityError,
  OperationalError...), with `Dialect.is_disconnect` deciding whether the connection is lost.
"""
from __future__ import annotations

from sqlalchemy import exc as sa_exc
from sqlalchemy import inspect


def expanded_statement(compiled):
    """The statement's SQL with constant IN lists expanded, its parameter order and defaults
    (SQLAlchemy's ExpandedState)."""
    defaults = compiled.construct_params(_check=False, _no_postcompile=True)
    return compiled._process_parameters_for_postcompile(defaults)


def bind_processors(compiled, expanded) -> dict:
    """Parameter name -> the bind processor SQLAlchemy would apply to its value."""
    return {**compiled._bind_processors, **expanded.processors}


def result_processors(compiled, dialect) -> list:
    """Per result column, the result processor SQLAlchemy would apply (None: none)."""
    return [entry.type._cached_result_processor(dialect, None)
            for entry in (compiled._result_columns or ())]


def new_instance(model: type):
    """A model object made without its constructor, as the ORM's loader makes one."""
    return inspect(model).class_manager.new_instance()


def make_persistent(session, state, key) -> None:
    """Make `state` (its dict holding every column's value as stored) the persistent object
    of `key` in `session` (or detached, with session None), with nothing to flush."""
    state.key = key
    state.identity_token = None
    if session is not None:
        state.session_id = session.hash_key
        session.identity_map._add_unpresent(state, state.key)
    state._commit_all(state.dict, session.identity_map if session is not None else None)


def is_disconnect(dialect, error: Exception, dbapi_connection) -> bool:
    """Whether `error` means the connection is lost (SQLAlchemy then invalidates it)."""
    return dialect.is_disconnect(error, dbapi_connection, None)


def dbapi_error(dialect, sql: str, error: Exception, invalidated: bool) -> Exception:
    """The SQLAlchemy exception SQLAlchemy itself raises for this DB-API error."""
    return sa_exc.DBAPIError.instance(sql, None, error, dialect.loaded_dbapi.Error,
                                      connection_invalidated=invalidated, dialect=dialect)
