"""The persistence interface on the database driver's cursor (SAMFLYT_FAST_PATH=on, the
default): statements compiled once, rows adopted as ORM objects without a query, writes
queued to travel with the COMMIT on PostgreSQL (driver.py, rows.py)."""
from __future__ import annotations

from engine.db.fastpath import driver, rows
from engine.db.fastpath.query import Query


def _objects(ctx, query: Query, found: list[tuple]) -> list[tuple]:
    if not query.models:
        return found
    return [driver.split_row(ctx, row, query.models) for row in found]


def _fetch(ctx, query: Query, params: dict) -> list[tuple]:
    if query.in_lists:  # a list parameter: SQLAlchemy expands it per call
        return [tuple(row) for row in ctx.session.execute(query.columns_clause, params)]
    return driver.fetch_all(ctx, query.statement, **params)


def run(ctx, query: Query, **params) -> list[tuple]:
    return _objects(ctx, query, _fetch(ctx, query, params))


def run_together(ctx, reads: list[tuple[Query, dict]]) -> list[list[tuple]]:
    if any(query.in_lists for query, _params in reads):
        return [run(ctx, query, **params) for query, params in reads]
    found = driver.fetch_together(ctx, [(query.statement, params) for query, params in reads])
    return [_objects(ctx, query, rows_of)
            for (query, _params), rows_of in zip(reads, found, strict=True)]


def insert(ctx, obj, attach: bool = True):
    return rows.insert(ctx, obj, attach=attach)


def insert_row(ctx, model: type, values: dict, need_id: bool = True) -> dict:
    return rows.insert_row(ctx, model, values, need_id=need_id)


def update(ctx, obj, versioned: bool = True, **values) -> None:
    rows.update(ctx, obj, versioned=versioned, **values)


def check_guards(ctx) -> None:
    driver.check_guards(ctx)
