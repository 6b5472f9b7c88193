"""Waiting for real external processes (a worker, beat, PostgreSQL): the only sleeps in the
suite, always polling state with a bounded deadline."""
from __future__ import annotations

import time

import pytest

#: The longest a test waits for a worker to do something before it fails.
WAIT_SECONDS = 90


def wait_for(condition, what: str, timeout: float = WAIT_SECONDS):
    """Poll `condition()` until it returns something truthy; fail after `timeout` seconds.
    Only for waiting on real external processes (a worker, beat, PostgreSQL)."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {timeout} s waiting for {what}")
        time.sleep(0.05)
