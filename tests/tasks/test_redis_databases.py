"""Each test process's own Redis database (tests/tasks/redis_databases.py), on the real Redis.

These tests work on the database this process has claimed (the `redis_url` fixture) and
leave it claimed by this process again, so that the worker tests after them keep it."""
from __future__ import annotations

import socket
import subprocess
import sys

import pytest
import redis

from tests.tasks.redis_databases import OWNER_KEY, claim, release, this_process


@pytest.fixture
def own(redis_url):
    """(base URL, number, client) of this process's database."""
    base, number = redis_url.rsplit("/", 1)
    client = redis.Redis.from_url(redis_url)
    yield base, int(number), client
    client.set(OWNER_KEY, this_process())  # ours again, whatever the test did
    client.close()


def _finished_process_id() -> str:
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait()
    return f"{socket.gethostname()}:{process.pid}"


def test_a_live_owners_database_is_not_given_to_another_claim(own):
    base, number, client = own
    assert client.get(OWNER_KEY).decode() == this_process()
    client.set("celery", "queued task")
    with pytest.raises(RuntimeError, match="all claimed"):
        claim(base, [number])  # its owner (this process) runs
    client.set(OWNER_KEY, "another-machine:1")  # on another machine: cannot tell, kept
    with pytest.raises(RuntimeError, match="all claimed"):
        claim(base, [number])
    assert client.get("celery") == b"queued task"


def test_the_claim_of_a_process_that_is_gone_is_taken_over_emptied(own):
    base, number, client = own
    client.set(OWNER_KEY, _finished_process_id())
    client.set("celery", "left behind by a killed run")
    taken, new_client = claim(base, [number])
    assert taken == number
    assert client.get(OWNER_KEY).decode() == this_process()
    assert client.get("celery") is None
    new_client.close()


def test_release_empties_only_the_owners_own_database(own):
    _base, _number, client = own
    client.set(OWNER_KEY, "another-machine:1")
    client.set("celery", "someone else's")
    assert release(client) is False
    assert client.get("celery") == b"someone else's"
    client.set(OWNER_KEY, this_process())
    assert release(client) is True
    assert client.dbsize() == 0
