"""Writing the rows of a workflow step without the ORM's flush.

A step writes a handful of rows (the instance's state, the human tasks that became ready,
their deadline notices, timers). Letting the session's unit of work do it costs about a
millisecond per step in dependency sorting and bookkeeping, several times the statements
themselves; these helpers write through engine/driver.py and leave the ORM object as if it
had been loaded from the database, so the rest of the code keeps using ordinary model objects.

- `insert(ctx, obj)`: INSERT the object's column values (defaults filled in), take the new id,
  and make the object persistent in the session without the ORM writing it again.
- `update(ctx, obj, **values)`: UPDATE by id, guarded by the object's version column when the
  model has one (`version_id_col`): a row someone else changed meanwhile raises ConflictError
  (at once on SQLite; on PostgreSQL from the server when the write is sent, see
  engine/driver.py) and nothing of the transaction is kept.

Both are part of the caller's transaction.
"""
from __future__ import annotations

import functools

from sqlalchemy import bindparam, inspect
from sqlalchemy import update as sql_update
from sqlalchemy.orm.attributes import set_committed_value

from engine.core.messages import N_
from engine.db.fastpath import driver

CONFLICT = N_("Saken ble endret av noen andre samtidig. Last siden på nytt.")


@functools.cache
def _plan(model: type):
    """Per model: the table, (attribute, column, scalar default) triples, and the version
    attribute and column (or None)."""
    mapper = inspect(model)
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
    _table, columns, _version = _plan(type(obj))
    state = obj.__dict__
    row = insert_values(ctx, type(obj), {attribute: state[attribute]
                                         for attribute, _key, _default in columns
                                         if attribute in state})
    for attribute, key, _default in columns:  # defaults, NULLs and the version, as stored
        state[attribute] = row[key]
    state["id"] = row["id"]
    driver.adopt(ctx.session if attach else None, obj)
    return obj


def insert_values(ctx, model: type, values: dict) -> dict:
    """INSERT a row of `model` from `values` (attribute names; defaults filled in) without
    making an ORM object, for rows nothing in the transaction reads back through the session
    (a step's new human tasks and their deadline notices). Returns the row's values, id
    included."""
    table, columns, version = _plan(model)
    row = {key: values[attribute] if attribute in values else default() if default else None
           for attribute, key, default in columns}
    if version is not None:  # as the ORM does: a new row is version 1
        row[version[1].key] = 1
    row["id"] = driver.insert(ctx, table, row)
    return row


@functools.cache
def _update_statement(model: type, attributes: tuple[str, ...]):
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


def update(ctx, obj, **values) -> None:
    """UPDATE `obj`'s row with `values` (attribute names), bumping and checking its version."""
    statement = _update_statement(type(obj), tuple(sorted(values)))
    params = {f"new_{attribute}": value for attribute, value in values.items()}
    params["row_id"] = obj.id
    version = _plan(type(obj))[2]
    if version is not None:
        current = getattr(obj, version[0])
        params["row_version"], params["new_row_version"] = current, current + 1
        values = {**values, version[0]: current + 1}
    driver.write(ctx, statement, params, guard=CONFLICT)
    for attribute, value in values.items():
        set_committed_value(obj, attribute, value)


def attach(obj, **related) -> None:
    """Set relationship attributes (`case=case`) as loaded, without marking anything changed."""
    for attribute, value in related.items():
        set_committed_value(obj, attribute, value)
