"""The persistence interface over the ORM session (SAMFLYT_FAST_PATH=off): the same reads,
rows, version guards and ids as the fast path, through SQLAlchemy's public API alone.

Slower (each write is a flush through the unit of work), and meant to be: it is what the fast
path is measured and tested against, and the way round it if a SQLAlchemy upgrade ever breaks
one of the internals it uses (internals.py)."""
from __future__ import annotations

from typing import Any

from sqlalchemy import inspect
from sqlalchemy import update as sql_update
from sqlalchemy.orm import Mapper
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.orm.exc import StaleDataError

from engine.core.errors import ConflictError
from engine.db.fastpath.query import Query
from engine.db.fastpath.rows import CONFLICT


def run(ctx, query: Query, **params) -> list[tuple]:
    return [tuple(row) for row in ctx.session.execute(query.orm_clause, params)]


def run_together(ctx, reads: list[tuple[Query, dict]]) -> list[list[tuple]]:
    return [run(ctx, query, **params) for query, params in reads]


def _flush(ctx) -> None:
    try:
        ctx.session.flush()
    except StaleDataError as error:  # a version guard: someone else changed the row
        raise ConflictError(CONFLICT) from error


def insert(ctx, obj, attach: bool = True):
    ctx.session.add(obj)
    _flush(ctx)
    if not attach:
        ctx.session.expunge(obj)
    return obj


def insert_row(ctx, model: type, values: dict, need_id: bool = True) -> dict:
    obj = model(**values)
    ctx.session.add(obj)
    if need_id:  # else written with the next flush, in the order rows were added
        _flush(ctx)
    mapper: Mapper[Any] = inspect(model)
    return {column.key: getattr(obj, mapper.get_property_by_column(column).key)
            for column in mapper.local_table.columns}


def update(ctx, obj, versioned: bool = True, **values) -> None:
    mapper: Mapper[Any] = inspect(type(obj))
    if versioned and inspect(obj).session is ctx.session:  # the unit of work checks the version
        for attribute, value in values.items():
            setattr(obj, attribute, value)
        _flush(ctx)
        return
    # by id alone (the ORM would bump the version), or an object of another session: a Core
    # UPDATE through the session, guarded by the version the object holds
    table = obj.__table__
    statement = sql_update(table).where(table.c.id == obj.id)
    version = mapper.version_id_col
    if versioned and version is not None:
        current = getattr(obj, mapper.get_property_by_column(version).key)
        statement = statement.where(version == current)
        values = {**values, mapper.get_property_by_column(version).key: current + 1}
    touched = ctx.session.execute(statement.values(
        {mapper.attrs[attribute].columns[0]: value for attribute, value in values.items()}))
    if versioned and touched.rowcount != 1:
        raise ConflictError(CONFLICT)
    for attribute, value in values.items():
        set_committed_value(obj, attribute, value)


def check_guards(ctx) -> None:
    """Nothing waits: every guarded write was checked when it was flushed."""
