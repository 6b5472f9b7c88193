"""One Redis database for each test process, claimed so that two never share one.

Test runs side by side and the processes of one parallel run (pytest-xdist) each need a
database of their own for Celery's broker queues and results: two processes in the same
database would take each other's tasks from the queue of the same name. A process claims a
database by writing an owner key into it, atomically and only where no live owner's key is;
it empties the database as it claims it and again as it gives it back. A claim left by a
killed run expires, or is taken over at once when its process is gone from this machine.
Database 0 is left to whoever uses the default.
"""
from __future__ import annotations

import os
import socket

import redis

OWNER_KEY = "samflyt-test:owner"
DATABASES = range(1, 16)
#: A claim outlives any test run; a run killed without giving its database back frees it then.
CLAIM_SECONDS = 6 * 3600

# KEYS[1] the owner key; ARGV[1] this process, ARGV[2] a stale owner that may be replaced
# (or ""), ARGV[3] the claim's seconds. Returns 1 when the database is now this process's.
_CLAIM = """
local owner = redis.call('GET', KEYS[1])
if owner and owner ~= ARGV[2] then return 0 end
redis.call('FLUSHDB')
redis.call('SET', KEYS[1], ARGV[1], 'EX', tonumber(ARGV[3]))
return 1
"""
_RELEASE = """
if redis.call('GET', KEYS[1]) == ARGV[1] then redis.call('FLUSHDB') return 1 end
return 0
"""


def this_process() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def _gone(owner: str) -> bool:
    """True when `owner` was a process of this machine that no longer runs."""
    host, _sep, pid = owner.rpartition(":")
    if host != socket.gethostname() or not pid.isdigit():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


def claim(base_url: str, databases: range | list[int] = DATABASES) -> tuple[int, redis.Redis]:
    """Claim a free database at `base_url` (redis://host:port): its number and a client.
    Raises RuntimeError when all are taken, redis.RedisError when Redis cannot be reached."""
    me = this_process()
    start = os.getpid() % len(databases)  # processes side by side start at different ones
    for step in range(len(databases)):
        number = databases[(start + step) % len(databases)]
        client = redis.Redis.from_url(f"{base_url}/{number}")
        owner = client.get(OWNER_KEY)
        stale = owner.decode() if owner is not None and _gone(owner.decode()) else ""
        if client.eval(_CLAIM, 1, OWNER_KEY, me, stale, CLAIM_SECONDS) == 1:
            return number, client
        client.close()
    raise RuntimeError(f"the Redis databases {list(databases)} at {base_url} are all claimed "
                       "by other test processes")


def release(client: redis.Redis) -> bool:
    """Empty the database and give it back, if it is still this process's."""
    return client.eval(_RELEASE, 1, OWNER_KEY, this_process()) == 1
