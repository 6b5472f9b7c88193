"""What a script in a diagram may spend: CPU time and memory, per evaluation.

Every expression and script runs with a `Budget`. Time: the script's loops (`for` and
comprehensions through the `_getiter_` guard, `while` loops and the functions a script
defines through a `_tick_` call the compiler puts at the top of their bodies) tick it, and
every `CHECK_EVERY` ticks it reads the thread's CPU time (`time.thread_time`, so a busy
server does not make a fair script fail). Memory: the operations that build something in
proportion to an operand (`*`, `**`, `<<`, `+` of sequences, `%` formatting, the str
methods that take a width or a count, `join`, and materialising builtins such as `list`)
estimate the size of what they would build and refuse it beyond the limit, before building
it. Exceeding either raises `ScriptLimitExceeded`, which the step reports like any other
script error (naming the element), with no task data in its message.
"""
from __future__ import annotations

import operator
import re
import threading
import time
from collections.abc import Callable, Iterable
from typing import Any

#: Ticks between two reads of the CPU clock.
CHECK_EVERY = 1024
_SEQUENCES = (str, bytes, list, tuple)
_WIDTH = re.compile(r"\d+")


class ScriptLimitExceeded(Exception):
    """A script used more CPU time or memory than a script may."""


def _size(value: Any) -> int:
    """Bytes, roughly, that `value` holds (an int's digits, a sequence's items)."""
    if isinstance(value, bool):
        return 1
    if isinstance(value, int):
        return (value.bit_length() + 7) // 8
    if isinstance(value, str | bytes):
        return len(value)
    if isinstance(value, list | tuple | set | frozenset | dict | range):
        return 8 * len(value)
    return 0


class Budget:
    """The limits of one evaluation, and what it has spent."""

    __slots__ = ("_started", "_ticks", "cpu_seconds", "memory_bytes")

    def __init__(self, cpu_seconds: float, memory_mb: int):
        self.cpu_seconds = cpu_seconds
        self.memory_bytes = memory_mb * 1024 * 1024
        self._started = 0.0  # read at the first tick: an evaluation without loops never reads
        self._ticks = 0

    # --- time ------------------------------------------------------------------------------
    def tick(self) -> None:
        self._ticks += 1
        if self._ticks % CHECK_EVERY == 0:
            self.check_time()
        elif self._ticks == 1:
            self._started = time.thread_time()

    def check_time(self) -> None:
        if time.thread_time() - self._started > self.cpu_seconds:
            raise ScriptLimitExceeded(
                f"the script used more than {self.cpu_seconds:g} s of CPU time")

    def iterate(self, iterable: Iterable) -> Iterable:
        """`_getiter_`: every item of a loop or comprehension is a tick."""
        tick = self.tick
        for item in iter(iterable):
            tick()
            yield item

    # --- memory ----------------------------------------------------------------------------
    def refuse_beyond(self, estimate: int) -> None:
        if estimate > self.memory_bytes:
            raise ScriptLimitExceeded(f"the script would build a value of more than "
                                      f"{self.memory_bytes // (1024 * 1024)} MB")

    def binop(self, op: str, left: Any, right: Any) -> Any:
        """`_binop_`: the arithmetic that can build something huge, checked first."""
        if op == "Mult":
            if isinstance(left, _SEQUENCES) and isinstance(right, int):
                self.refuse_beyond(_size(left) * max(right, 0))
            elif isinstance(right, _SEQUENCES) and isinstance(left, int):
                self.refuse_beyond(_size(right) * max(left, 0))
            elif isinstance(left, int) and isinstance(right, int):
                self.refuse_beyond(_size(left) + _size(right))
            return left * right
        if op == "Pow":
            if isinstance(left, int) and isinstance(right, int) and right > 0 and abs(left) > 1:
                self.refuse_beyond(left.bit_length() * right // 8)
            return left ** right
        if op == "LShift":
            if isinstance(left, int) and isinstance(right, int) and right > 0:
                self.refuse_beyond(_size(left) + right // 8)
            return left << right
        if op == "Add":
            if isinstance(left, _SEQUENCES) and isinstance(right, _SEQUENCES):
                self.refuse_beyond(_size(left) + _size(right))
            return left + right
        if op == "Mod":
            if isinstance(left, str):
                self._check_format(left, right if isinstance(right, tuple | dict) else (right,))
            return left % right
        raise ValueError(op)

    def _check_format(self, template: str, args: Any) -> None:
        """Widths and precisions in a format string (and `*` or nested widths from the
        arguments) within the limit."""
        widest = max((int(w) for w in _WIDTH.findall(template) if len(w) < 20), default=0)
        if any(len(w) >= 20 for w in _WIDTH.findall(template)):
            widest = self.memory_bytes + 1
        values = args.values() if isinstance(args, dict) else args
        if "*" in template or "{" in template:
            widest = max([widest, *(v for v in values if isinstance(v, int)
                                    and not isinstance(v, bool))])
        self.refuse_beyond(widest)

    def guard_method(self, obj: Any, name: str, method: Callable) -> Callable:
        """str methods that take a width or a count: their result's size is checked first."""
        if not isinstance(obj, str):
            return method
        if name in ("ljust", "rjust", "center", "zfill"):
            def padded(width, *rest):
                self.refuse_beyond(width if isinstance(width, int) else 0)
                return method(width, *rest)
            return padded
        if name == "expandtabs":
            def expanded(tabsize=8):
                self.refuse_beyond(obj.count("\t") * max(tabsize, 0) + len(obj))
                return method(tabsize)
            return expanded
        if name == "replace":
            def replaced(old, new, count=-1):
                times = obj.count(old) if old else len(obj) + 1
                if count >= 0:
                    times = min(times, count)
                self.refuse_beyond(len(obj) + times * len(new))
                return method(old, new, count)
            return replaced
        if name == "format":
            def formatted(*args, **kwargs):
                self._check_format(obj, (*args, *kwargs.values()))
                return method(*args, **kwargs)
            return formatted
        if name == "join":
            def joined(items):
                items = list(self.iterate(items))
                self.refuse_beyond(sum(_size(i) for i in items) + len(obj) * len(items))
                return method(items)
            return joined
        return method


# --- the guards a script's namespace holds: module functions bound to the running budget -----
# (one set for every evaluation, so an evaluation costs a Budget and two attribute writes)

_running = threading.local()


def run_limited(cpu_seconds: float, memory_mb: int, run: Callable, *args) -> Any:
    """`run(*args)` on a new budget (a nested evaluation gets its own)."""
    outer = getattr(_running, "budget", None)
    _running.budget = Budget(cpu_seconds, memory_mb)
    try:
        return run(*args)
    finally:
        _running.budget = outer


def _budget() -> Budget:
    budget = getattr(_running, "budget", None)
    if budget is None:  # only `limited` runs scripts; anything else gets the defaults
        budget = _running.budget = Budget(1.0, 50)
    return budget


def tick() -> None:
    _budget().tick()


def iterate(iterable: Iterable) -> Iterable:
    return _budget().iterate(iterable)


def binop(op: str, left: Any, right: Any) -> Any:
    return _budget().binop(op, left, right)


def guard_method(obj: Any, name: str, method: Callable) -> Callable:
    return _budget().guard_method(obj, name, method) if isinstance(obj, str) else method


def materialise(kind: Callable) -> Callable:
    """`kind` (a builtin such as `list`) checking the running budget first."""
    def build(*args, **kwargs):
        if args and hasattr(args[0], "__len__"):
            _budget().refuse_beyond(8 * len(args[0]))
        return kind(*args, **kwargs)
    build.__name__ = getattr(kind, "__name__", "build")
    return build


#: The AST operator classes `binop` guards, by name.
GUARDED_OPERATORS = {"Mult": operator.mul, "Pow": operator.pow, "LShift": operator.lshift,
                     "Add": operator.add, "Mod": operator.mod}
#: The builtins that build a container from an argument.
MATERIALISING = ("list", "tuple", "set", "sorted", "dict", "frozenset", "bytes", "bytearray")
