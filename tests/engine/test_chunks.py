"""The chunked runner of the background work (engine/scheduling/chunks.py) on a real database:
a chunk is one transaction; a chunk that raises is rolled back whole and its items are done
again one at a time; an error nobody handles is raised from its own item with the items
before it kept. The items here are rows of a small table, so what was committed can be read
back."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from engine.core.errors import ConflictError
from engine.db.models import SignInFailure
from engine.scheduling import chunks


class Bug(Exception):
    """An error neither the chunk nor the item expects."""


class Work:
    """Items are numbers; doing one writes a row named after it. `refuse` are items whose
    work loses a race (ConflictError) and `bugs` items whose work raises Bug, in a chunk or
    alone."""

    def __init__(self, env, clock, refuse=(), bugs=()):
        self.env, self.clock = env, clock
        self.refuse, self.bugs = set(refuse), set(bugs)
        self.chunks_tried: list[list[int]] = []
        self.kept: list[list[int]] = []
        self.alone: list[int] = []
        self.skipped: list[int] = []

    def _write(self, ctx, item: int, how: str) -> None:
        ctx.session.add(SignInFailure(username=f"item-{item}", address=how, at=self.clock()))
        ctx.session.flush()  # the row is really sent before a later item fails
        if item in self.refuse:
            raise ConflictError("lost a race")
        if item in self.bugs:
            raise Bug(f"a bug at {item}")

    def together(self, ctx, chunk: list[int]) -> list[int]:
        self.chunks_tried.append(chunk)
        for item in chunk:
            self._write(ctx, item, "chunk")
        return chunk

    def one(self, item: int) -> None:
        self.alone.append(item)
        done, _ = chunks.attempt(self.env.session_factory, self.env.context,
                                 lambda ctx: self._write(ctx, item, "alone"))
        if not done:
            self.skipped.append(item)

    def run(self, items: list[int], size: int) -> None:
        chunks.run(self.env.session_factory, self.env.context, items, size,
                   together=self.together, keep=self.kept.append, alone=self.one)

    def committed(self) -> dict[int, str]:
        with self.env.unit_of_work() as ctx:
            return {int(name.split("-")[1]): how for name, how in ctx.session.execute(
                select(SignInFailure.username, SignInFailure.address))}


def test_items_go_a_chunk_to_a_transaction(committed_env, clock):
    work = Work(committed_env, clock)
    work.run(list(range(10)), 4)
    assert work.chunks_tried == [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]]
    assert work.kept == work.chunks_tried and work.alone == []
    assert work.committed() == dict.fromkeys(range(10), "chunk")


def test_a_chunk_with_a_lost_race_is_rolled_back_and_done_again_item_by_item(committed_env,
                                                                            clock):
    work = Work(committed_env, clock, refuse={5})
    work.run(list(range(10)), 4)
    assert work.kept == [[0, 1, 2, 3], [8, 9]]
    assert work.alone == [4, 5, 6, 7] and work.skipped == [5]
    # nothing of the failed chunk was kept: 4 (written before 5 failed in it) is there once,
    # from its own transaction
    assert work.committed() == {0: "chunk", 1: "chunk", 2: "chunk", 3: "chunk", 4: "alone",
                                6: "alone", 7: "alone", 8: "chunk", 9: "chunk"}


def test_an_unexpected_error_is_raised_from_its_own_item_with_those_before_it_kept(
        committed_env, clock):
    work = Work(committed_env, clock, bugs={6})
    with pytest.raises(Bug, match="a bug at 6"):
        work.run(list(range(10)), 4)
    assert work.kept == [[0, 1, 2, 3]] and work.alone == [4, 5, 6]
    assert work.committed() == {0: "chunk", 1: "chunk", 2: "chunk", 3: "chunk", 4: "alone",
                                5: "alone"}


def test_a_chunk_of_one_goes_straight_to_the_item_and_a_size_below_one_means_one(
        committed_env, clock):
    work = Work(committed_env, clock)
    work.run([1, 2, 3], 0)
    assert work.chunks_tried == [] and work.alone == [1, 2, 3]
    assert work.committed() == {1: "alone", 2: "alone", 3: "alone"}


def test_attempt_rolls_back_on_the_failures_it_is_told_and_raises_the_rest(committed_env,
                                                                            clock):
    work = Work(committed_env, clock, refuse={1}, bugs={2})
    write = lambda item: lambda ctx: work._write(ctx, item, "alone")  # noqa: E731
    assert chunks.attempt(committed_env.session_factory, committed_env.context, write(0)) == (
        True, None)
    assert chunks.attempt(committed_env.session_factory, committed_env.context, write(1)) == (
        False, None)
    with pytest.raises(ConflictError):  # not among the failures it was told: raised
        chunks.attempt(committed_env.session_factory, committed_env.context, write(1),
                       failures=())
    with pytest.raises(Bug):
        chunks.attempt(committed_env.session_factory, committed_env.context, write(2))
    assert work.committed() == {0: "alone"}


def test_chunks_keep_the_order_and_cover_every_item():
    assert list(chunks.chunks([1, 2, 3, 4, 5], 2)) == [[1, 2], [3, 4], [5]]
    assert list(chunks.chunks([], 3)) == []
    assert list(chunks.chunks([1, 2], -5)) == [[1], [2]]
