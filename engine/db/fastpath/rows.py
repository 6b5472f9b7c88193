"""The fast path's writes: a step's rows without the ORM's flush.

A step writes a handful of rows (the instance's state, the human tasks that became ready,
their deadline notices, timers, audit events). Letting the session's unit of work do it costs
about a millisecond per step in dependency sorting and bookkeeping, several times the
statements themselves; these write through driver.py and leave an ORM object as if it had
been loaded from the database, so the rest of the code keeps using ordinary model objects.

- `insert(ctx, obj)`: INSERT the object's column values (defaults filled in), take the new id,
  and make the object persistent in the session without the ORM writing it again.
- `insert_row(ctx, model, values)`: the same row from a dict, without an ORM object.
- `update(ctx, obj, **values)`: UPDATE by id, guarded by the object's version column when the
  model has one (`version_id_col`): a row someone else changed meanwhile raises ConflictError
  (at once on SQLite; on PostgreSQL from the server when the write is sent, see driver.py)
  and nothing of the transaction is kept.

All are part of the caller's transaction. Reached only through the interface
(engine/db/fastpath/__init__.py); orm.py writes the same rows through the session.
"""
from __future__ import annotations

import functools
from typing import Any

from sqlalchemy import bindparam, inspect
from sqlalchemy import update as sql_update
from sqlalchemy.orm import Mapper
from sqlalchemy.orm.attributes import set_committed_value

from engine.core.messages import N_
from engine.db.fastpath import driver

CONFLICT = N_("Saken ble endret av noen andre samtidig. Last siden på nytt.")


def row_values(model: type, values: dict) -> dict:
    """The columns of a new row of `model` from `values` (attribute names), defaults filled
    in and a version column at 1, as the ORM would insert it (without the id)."""
    _table, columns, version = _plan(model)
    row = {key: values[attribute] if attribute in values else default() if default else None
           for attribute, key, default in columns}
    if version is not None:  # as the ORM does: a new row is version 1
        row[version[1].key] = 1
    return row


def _model_of(obj) -> Any:
    return type(obj)


@functools.cache
def _plan(model: Any):
    """Per model: the table, (attribute, column, scalar default) triples, and the version
    attribute and column (or None)."""
    mapper: Mapper[Any] = inspect(model)
    table = mapper.local_table
    columns = []
    for column in table.columns:
        if column.primary_key:
            continue
        attribute = mapper.get_property_by_column(column).key
        default = None
        if column.default is not None and column.default.is_scalar:
            default = functools.partial(lambda value: value, column.default.arg)
        elif column.default is not None and column.default.is_callable:
            default = functools.partial(column.default.arg, None)  # e.g. dict, list
        columns.append((attribute, column.key, default))
    version = mapper.version_id_col
    version_attr = mapper.get_property_by_column(version).key if version is not None else None
    return table, columns, (version_attr, version) if version is not None else None


def insert(ctx, obj, attach: bool = True):
    """INSERT `obj` (a new, transient model object) and make it persistent in the session
    (`attach=False`: leave it detached, with its id, when nothing in this transaction reads it
    through the session again). Relationships are not followed: set the foreign-key columns
    (`case_id=...`), not the related objects."""
    _table, columns, _version = _plan(_model_of(obj))
    state = obj.__dict__
    row = insert_row(ctx, _model_of(obj), {attribute: state[attribute]
                                      for attribute, _key, _default in columns
                                      if attribute in state})
    for attribute, key, _default in columns:  # defaults, NULLs and the version, as stored
        state[attribute] = row[key]
    state["id"] = row["id"]
    driver.adopt(ctx.session if attach else None, obj)
    return obj


def insert_row(ctx, model: type, values: dict, need_id: bool = True) -> dict:
    """INSERT a row of `model` from `values` (attribute names; defaults filled in) without
    making an ORM object, for rows nothing in the transaction reads back through the session
    (a step's new human tasks, their deadline notices, audit events). Returns the row's
    values, id included (`need_id=False`: the id may be None; on PostgreSQL the row then
    takes its id from the table's sequence when it is sent, so ids follow the order rows
    were written in, as the audit trail's order needs)."""
    row = row_values(model, values)
    row["id"] = driver.insert(ctx, _plan(model)[0], row, need_id=need_id)
    return row


@functools.cache
def _update_statement(model: Any, attributes: tuple[str, ...]):
    """UPDATE of `attributes` by id (and version): built and compiled once per model and set
    of columns."""
    table, columns, version = _plan(model)
    keys = {attribute: key for attribute, key, _default in columns}
    query = sql_update(table).where(table.c.id == bindparam("row_id"))
    changes = {keys[attribute]: bindparam(f"new_{attribute}", type_=table.c[keys[attribute]].type)
               for attribute in attributes}
    if version is not None:
        query = query.where(version[1] == bindparam("row_version"))
        changes[version[1].key] = bindparam("new_row_version")
    return driver.Statement(query.values(changes))


@functools.cache
def _unversioned_update_statement(model: Any, attributes: tuple[str, ...]):
    """UPDATE of `attributes` by id alone (the version left as it is)."""
    table, columns, _version = _plan(model)
    keys = {attribute: key for attribute, key, _default in columns}
    return driver.Statement(sql_update(table).where(table.c.id == bindparam("row_id")).values({
        keys[attribute]: bindparam(f"new_{attribute}", type_=table.c[keys[attribute]].type)
        for attribute in attributes}))


def update(ctx, obj, versioned: bool = True, **values) -> None:
    """UPDATE `obj`'s row with `values` (attribute names), bumping and checking its version
    (`versioned=False`: by id alone, the version left as it is, for the engine's own
    bookkeeping on a row people edit)."""
    params = {f"new_{attribute}": value for attribute, value in values.items()}
    params["row_id"] = obj.id
    if not versioned:
        statement = _unversioned_update_statement(_model_of(obj), tuple(sorted(values)))
        driver.write(ctx, statement, params)
        for attribute, value in values.items():
            set_committed_value(obj, attribute, value)
        return
    statement = _update_statement(_model_of(obj), tuple(sorted(values)))
    version = _plan(_model_of(obj))[2]
    if version is not None:
        current = getattr(obj, version[0])
        params["row_version"], params["new_row_version"] = current, current + 1
        values = {**values, version[0]: current + 1}
    driver.write(ctx, statement, params, guard=CONFLICT)
    for attribute, value in values.items():
        set_committed_value(obj, attribute, value)
