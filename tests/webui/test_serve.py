"""`samflyt serve` for real: a subprocess on a free port against a SQLite file, served by
waitress with the timer sweep in-process; and the secret-key check of every entry point
(`samflyt serve` off loopback, gunicorn's `webui.wsgi`, Celery worker and beat)."""
from __future__ import annotations

import http.client
import os
import secrets
import socket
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from engine.accounts import users
from engine.cases import casework
from engine.core.clock import FakeClock, SystemClock
from engine.core.settings import (
    DEFAULT_SECRET_KEY,
    Settings,
    UnsafeSecretKey,
    is_loopback,
    require_secret_key,
)
from engine.definitions import store
from engine.environment import EngineEnvironment

ROOT = Path(__file__).resolve().parents[2]
FRIST = ROOT / "tests" / "fixtures" / "engine"
BIN = Path(sys.executable).parent  # the venv's console scripts, beside its interpreter
START_SECONDS = 60


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def environment(**settings: str) -> dict[str, str]:
    """This process's environment without its SAMFLYT_ settings, plus `settings`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("SAMFLYT_")}
    env.update({f"SAMFLYT_{name.upper()}": value for name, value in settings.items()})
    return env


def wait_until_listening(process: subprocess.Popen, port: int) -> None:
    """Until `port` accepts a connection; fails when the process exits or the deadline passes.
    Between attempts it waits on the process itself, so an early exit ends the wait."""
    deadline = time.monotonic() + START_SECONDS
    while True:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            pass
        try:
            process.wait(timeout=0.1)
        except subprocess.TimeoutExpired:
            if time.monotonic() > deadline:
                pytest.fail(f"nothing listens on port {port} after {START_SECONDS} s")
        else:
            pytest.fail(f"the server exited with {process.returncode} before listening")


def get(port: int, path: str) -> tuple[int, dict[str, str], str]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request("GET", path)
        response = conn.getresponse()
        return response.status, dict(response.getheaders()), response.read().decode()
    finally:
        conn.close()


def stop(process: subprocess.Popen) -> tuple[str, str]:
    """SIGTERM, as a service manager stops it; its output once it has exited."""
    process.terminate()
    try:
        return process.communicate(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.communicate()
        raise


@pytest.fixture
def database(tmp_path) -> str:
    """A SQLite file with the schema."""
    url = f"sqlite:///{tmp_path / 'serve.sqlite3'}"
    env = EngineEnvironment(Settings.from_env(database_url=url))
    env.upgrade_schema()
    env.dispose()
    return url


@pytest.fixture
def database_with_a_due_timer(database) -> str:
    """The same with one case whose three-day timer fell due a week ago."""
    url = database
    ten_days_ago = FakeClock(SystemClock()() - timedelta(days=10))
    env = EngineEnvironment(Settings.from_env(database_url=url), clock=ten_days_ago)
    with env.unit_of_work() as ctx:
        store.deploy_files(ctx, store.read_directory(FRIST), "test")
        officer = users.add_user(ctx, "kari", ["saksbehandler"])
        casework.start_case(ctx, {}, officer, process_key="frist_test")
    env.dispose()
    return url


def timer_statuses(url: str) -> list[str]:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return [row[0] for row in conn.execute(text("SELECT status FROM timers"))]
    finally:
        engine.dispose()


def test_serve_runs_waitress_with_the_sweep_and_stops_cleanly(database_with_a_due_timer,
                                                              tmp_path):
    url, port = database_with_a_due_timer, free_port()
    assert timer_statuses(url) == ["waiting"]
    server = subprocess.Popen(
        [str(BIN / "samflyt"), "serve", "--port", str(port)],
        env=environment(database_url=url, sweep_interval="3600"), cwd=tmp_path,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        wait_until_listening(server, port)
        status, headers, body = get(port, "/login")
        assert status == 200
        assert headers["Server"] == "waitress"
        assert 'name="password"' in body
        # The in-process sweep's first round fires what is due as the server starts.
        deadline = time.monotonic() + START_SECONDS
        while timer_statuses(url) != ["fired"]:
            assert time.monotonic() < deadline, timer_statuses(url)
            with pytest.raises(subprocess.TimeoutExpired):
                server.wait(timeout=0.1)
    finally:
        out, err = stop(server)
    if os.name == "posix":
        assert server.returncode == 0, err
        assert out.rstrip().endswith("Samflyt stopped")
    assert f"Samflyt: http://127.0.0.1:{port}/" in out
    for stream in (out, err):
        assert "development server" not in stream.lower()
        assert "Traceback" not in stream


@pytest.mark.parametrize("host", ["0.0.0.0", "::", "samflyt.kommune.example"])  # noqa: S104
def test_serve_refuses_the_default_secret_key_off_loopback(tmp_path, host):
    result = subprocess.run(
        [str(BIN / "samflyt"), "serve", "--host", host, "--port", str(free_port())],
        env=environment(database_url=f"sqlite:///{tmp_path / 'x.sqlite3'}"), cwd=tmp_path,
        capture_output=True, text=True, timeout=START_SECONDS)
    assert result.returncode == 1
    assert "SAMFLYT_SECRET_KEY" in result.stderr and repr(host) in result.stderr
    assert not (tmp_path / "x.sqlite3").exists()  # refused before anything was opened


def test_serve_refuses_a_port_in_use(tmp_path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = subprocess.run(
            [str(BIN / "samflyt"), "serve", "--port", str(port)],
            env=environment(database_url=f"sqlite:///{tmp_path / 'x.sqlite3'}"), cwd=tmp_path,
            capture_output=True, text=True, timeout=START_SECONDS)
    assert result.returncode == 1
    assert f"cannot listen on 127.0.0.1:{port}" in result.stderr


# --- the secret-key rule ---------------------------------------------------------------------

@pytest.mark.parametrize(("host", "loopback"), [
    ("127.0.0.1", True), ("localhost", True), ("::1", True), ("[::1]", True),
    ("127.0.0.2", True), ("LOCALHOST", True),
    ("0.0.0.0", False), ("::", False),  # noqa: S104 ("", False), ("10.0.0.5", False),
    ("samflyt.kommune.example", False)])
def test_loopback_addresses(host, loopback):
    assert is_loopback(host) is loopback


@pytest.mark.parametrize("key", [DEFAULT_SECRET_KEY, "change-me-before-production", ""])
def test_placeholder_keys_are_refused_except_on_loopback(key):
    settings = Settings(secret_key=key)
    require_secret_key(settings, bind_host="127.0.0.1")
    with pytest.raises(UnsafeSecretKey, match=r"SAMFLYT_SECRET_KEY.*'0\.0\.0\.0'"):
        require_secret_key(settings, bind_host="0.0.0.0")  # noqa: S104 - refused
    with pytest.raises(UnsafeSecretKey, match=r"SAMFLYT_SECRET_KEY.*scaled set-up"):
        require_secret_key(settings)  # gunicorn, Celery: no loopback exception


def test_a_real_key_is_accepted_everywhere():
    settings = Settings(secret_key=secrets.token_hex(32))
    require_secret_key(settings)
    require_secret_key(settings, bind_host="0.0.0.0")  # noqa: S104 - accepted with a real key


# --- the scaled set-up's entry points --------------------------------------------------------

def test_gunicorn_refuses_the_default_secret_key(tmp_path):
    result = subprocess.run(
        [str(BIN / "gunicorn"), "--workers", "1", "--bind", f"127.0.0.1:{free_port()}",
         "webui.wsgi:production_app()"],
        env=environment(database_url=f"sqlite:///{tmp_path / 'x.sqlite3'}"), cwd=ROOT,
        capture_output=True, text=True, timeout=START_SECONDS)
    assert result.returncode != 0
    assert "SAMFLYT_SECRET_KEY is not set" in result.stderr


def test_gunicorn_serves_with_a_secret_key(database):
    port = free_port()
    server = subprocess.Popen(
        [str(BIN / "gunicorn"), "--workers", "1", "--bind", f"127.0.0.1:{port}",
         "webui.wsgi:production_app()"],
        env=environment(database_url=database, secret_key=secrets.token_hex(32)),
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        wait_until_listening(server, port)
        status, _headers, body = get(port, "/login")
        assert status == 200 and 'name="password"' in body
    finally:
        stop(server)


@pytest.mark.parametrize("command", [["worker", "--pool=solo"],
                                     ["beat", "--schedule", "celerybeat-schedule"]])
def test_celery_worker_and_beat_refuse_the_default_secret_key(tmp_path, command):
    # Refused as the process starts, before it connects to the broker (none listens here).
    result = subprocess.run(
        [sys.executable, "-m", "celery", "-A", "tasks.celery_app", *command],
        env=environment(database_url=f"sqlite:///{tmp_path / 'x.sqlite3'}",
                        broker_url=f"redis://127.0.0.1:{free_port()}/0")
        | {"PYTHONPATH": str(ROOT)},
        cwd=tmp_path, capture_output=True, text=True, timeout=START_SECONDS)
    assert result.returncode == 1
    assert "SAMFLYT_SECRET_KEY is not set" in result.stdout + result.stderr
