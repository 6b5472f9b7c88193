"""The one runner for background work done in chunks: SAMFLYT_SWEEP_CHUNK items to a
transaction.

One commit for many items is the sweep's speed; the chunk is only a shortcut. If anything
goes wrong in a chunk (an item loses a race, fails on its data, or meets a bug), the chunk
is rolled back with nothing of it kept, and its items are done again one at a time, each in
a transaction of its own, exactly as without chunks: a lost race costs only its own item,
an expected failure is handled for its own item, and anything else is raised from its own
item, with the items before it kept. A chunk of one item goes straight to the item path.

A worker killed half-way leaves whole chunks or nothing of one (a chunk is one
transaction); what it had not committed is done by the next run.

The runner knows nothing of timers or notices: the sweep (engine.scheduling.sweep) and the
scheduler (engine.scheduling.scheduler) say what a chunk and an item are.
"""
from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Sequence
from typing import Any, TypeVar

from sqlalchemy.exc import OperationalError
from sqlalchemy.orm.exc import StaleDataError

from engine.core.context import EngineContext
from engine.core.errors import ConflictError

log = logging.getLogger(__name__)

#: Lost races: another sweeper, sender or officer changed the same rows first.
RACES: tuple[type[BaseException], ...] = (ConflictError, StaleDataError, OperationalError)

Item = TypeVar("Item")
Outcome = TypeVar("Outcome")


def chunks(items: Sequence[Item], size: int) -> Iterator[list[Item]]:
    """`items` in order, `size` at a time (at least one)."""
    size = max(1, size)
    for start in range(0, len(items), size):
        yield list(items[start:start + size])


def attempt(session_factory: Callable[[], Any], make_ctx: Callable[[Any], EngineContext],
            work: Callable[[EngineContext], Outcome],
            failures: tuple[type[BaseException], ...] = RACES) -> tuple[bool, Outcome | None]:
    """Run `work(ctx)` in a transaction of its own and commit it: (True, its outcome). When
    it raises one of `failures`, the transaction is rolled back: (False, None). Anything
    else is raised, with the transaction rolled back."""
    with session_factory() as session:
        try:
            outcome = work(make_ctx(session))
            session.commit()
        except failures:
            session.rollback()
            return False, None
    return True, outcome


def run(session_factory: Callable[[], Any], make_ctx: Callable[[Any], EngineContext],
        items: Sequence[Item], size: int, *,
        together: Callable[[EngineContext, list[Item]], Outcome],
        keep: Callable[[Outcome], None],
        alone: Callable[[Item], None]) -> None:
    """Do `items`, `size` to a transaction.

    `together(ctx, chunk)` does a whole chunk in the given context (flushes only); when it
    returns, the chunk is committed and `keep(outcome)` records what it did. When it raises
    (anything at all), the chunk is rolled back and `alone(item)` does each of its items in
    a transaction of its own, deciding for itself what a failure of that item means.
    """
    for chunk in chunks(items, size):
        if len(chunk) > 1 and _at_once(session_factory, make_ctx, chunk, together, keep):
            continue
        for item in chunk:
            alone(item)


def _at_once(session_factory: Callable[[], Any], make_ctx: Callable[[Any], EngineContext],
             chunk: list[Item], together: Callable[[EngineContext, list[Item]], Outcome],
             keep: Callable[[Outcome], None]) -> bool:
    """The chunk in one transaction, committed and kept; False (nothing kept) if it raised."""
    with session_factory() as session:
        try:
            outcome = together(make_ctx(session), chunk)
            session.commit()
        except Exception as error:  # noqa: BLE001 - the caller does each item on its own
            session.rollback()
            log.info("chunk rolled back, redoing it item by item items=%d error=%s",
                     len(chunk), type(error).__name__)
            return False
    keep(outcome)
    return True
