"""A read (or a statement with RETURNING) that the workflow step or the sweep runs through
the persistence interface, declared once for both of its implementations."""
from __future__ import annotations

import functools
from collections.abc import Callable

from sqlalchemy import select

from engine.db.fastpath import driver


class Query:
    """`Query.rows(...)`: the whole rows of some models, as ORM objects in the session (None
    for a missing outer-joined one), then any further columns. `Query(clause)`: any
    statement's plain rows (a SELECT of columns, an UPDATE or INSERT ... RETURNING).

    `in_lists`: the statement has an expanding parameter (`bindparam(..., expanding=True)`,
    a list given at run time); the fast path then runs it through the session's connection
    rather than compiling it once."""

    def __init__(self, clause, in_lists: bool = False):
        self.models: tuple[type, ...] = ()
        #: The statement the session runs (SAMFLYT_FAST_PATH=off): ORM entities.
        self.orm_clause = clause
        #: The statement the fast path runs: the models' columns, in table order.
        self.columns_clause = clause
        self.in_lists = in_lists

    @classmethod
    def rows(cls, *models: type, shape: Callable = lambda query: query, columns=(),
             in_lists: bool = False) -> Query:
        """The rows of `models` (and `columns`), with `shape(select)` adding the FROM,
        joins, WHERE, order and locks."""
        query = cls(shape(select(*models, *columns)), in_lists)
        query.models = models
        query.columns_clause = shape(driver.select_rows(*models).add_columns(*columns))
        return query

    @functools.cached_property
    def statement(self) -> driver.Statement:
        """The fast path's statement, compiled once per dialect."""
        return driver.Statement(self.columns_clause)
