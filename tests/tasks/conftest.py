"""Real Redis, real Celery workers (subprocesses), the PostgreSQL test database.

Each test process (each xdist worker too) claims a Redis database of its own
(tests/tasks/redis_databases.py), emptied before and after.
With CI=true a missing Redis fails the run instead of skipping. Workers are started with
`celery -A tasks.celery_app worker` and stopped (or killed) by the test; waiting for one is
polling the database (or Redis) with a bounded deadline: the only sleeps in the suite.
"""
from __future__ import annotations

import os
import secrets
import signal
import subprocess
import sys
from pathlib import Path

import pytest
import redis

from engine.core.settings import PROJECT_ROOT, Settings
from tasks.celery_app import make_app
from tests.tasks import redis_databases

IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
REDIS_BASE_URL = os.environ.get("SAMFLYT_TEST_REDIS_URL", "redis://127.0.0.1:6379")


@pytest.fixture(scope="session")
def redis_url():
    """The URL of this test process's own Redis database (claimed, empty)."""
    try:
        number, client = redis_databases.claim(REDIS_BASE_URL)
    except (redis.exceptions.RedisError, RuntimeError) as error:
        message = f"No Redis database for the tests at {REDIS_BASE_URL}: {error}"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    yield f"{REDIS_BASE_URL}/{number}"
    redis_databases.release(client)
    client.close()


@pytest.fixture
def scaled_env(postgres_committed_env):
    """The PostgreSQL test database, committing for real; emptied after the test."""
    return postgres_committed_env


@pytest.fixture
def celery_client(redis_url):
    """A Celery app for sending tasks by name and reading their results."""
    app = make_app(Settings(broker_url=redis_url, result_backend=redis_url))
    yield app
    app.close()


class Workers:
    """Celery worker and beat subprocesses of one test, with their logs in tmp_path."""

    def __init__(self, redis_url: str, database_url: str, logs: Path):
        self.redis_url, self.database_url, self.logs = redis_url, database_url, logs
        self.processes: list[subprocess.Popen] = []

    def _env(self, extra: dict[str, str]) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("SAMFLYT_")}
        env.update(SAMFLYT_DATABASE_URL=self.database_url, SAMFLYT_BROKER_URL=self.redis_url,
                   SAMFLYT_RESULT_BACKEND=self.redis_url, PYTHONPATH=str(PROJECT_ROOT),
                   SAMFLYT_SECRET_KEY=secrets.token_hex(32))  # workers refuse the default
        env.update(extra)
        return env

    def _spawn(self, name: str, args: list[str], extra: dict[str, str]) -> subprocess.Popen:
        log = open(self.logs / f"{name}.log", "wb")  # noqa: SIM115 - closed with the process
        process = subprocess.Popen([sys.executable, "-m", "celery", "-A", "tasks.celery_app",
                                    *args],
                                   cwd=PROJECT_ROOT, env=self._env(extra), stdout=log,
                                   stderr=subprocess.STDOUT)
        process.log_file = log
        process.name = name
        self.processes.append(process)
        return process

    def worker(self, name: str, queue: str = "samflyt", **extra: str) -> subprocess.Popen:
        """`celery worker` consuming `queue`, one task at a time in its main process (so that
        killing the process kills the task in hand)."""
        return self._spawn(name, ["worker", "--pool=solo", "-Q", queue,
                                  "-n", f"{name}-{os.getpid()}@samflyt-test", "--without-gossip",
                                  "--without-mingle", "--without-heartbeat", "--loglevel=INFO"],
                           extra)

    def beat(self, **extra: str) -> subprocess.Popen:
        return self._spawn("beat", ["beat", "--loglevel=INFO", "--schedule",
                                    str(self.logs / "celerybeat-schedule")], extra)

    def kill(self, process: subprocess.Popen) -> None:
        """SIGKILL: no shutdown, no acknowledgement, nothing committed."""
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=30)

    def stop(self, process: subprocess.Popen) -> None:
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=30)
        process.log_file.close()

    def log(self, process: subprocess.Popen) -> str:
        process.log_file.flush()
        return (self.logs / f"{process.name}.log").read_text(errors="replace")


@pytest.fixture
def workers(redis_url, scaled_env, tmp_path):
    started = Workers(redis_url, scaled_env.settings.database_url, tmp_path)
    yield started
    for process in started.processes:
        started.stop(process)
