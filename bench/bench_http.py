"""Over HTTP, on the embedded default: start a case, complete a task, whole two-task cases
per second, for one client.

Runs the real `samflyt serve` (SQLite file, in-process timer sweep) on a free local port with
tests/fixtures/bench/bench_two_user_tasks.bpmn deployed, and drives the JSON API with one
keep-alive connection. Targets (docs/benchmarks.md): complete p50 <= 10 ms, start p50 <= 12 ms,
>= 30 whole two-task cases per second.

    .venv/bin/python bench/bench_http.py [--cases 300] [--warmup 30]
"""
from __future__ import annotations

import argparse
import http.client
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH_DIR = ROOT / "tests" / "fixtures" / "bench"
PROCESS = "bench_two_user_tasks"
TARGETS = {"complete_p50_ms": 10.0, "start_p50_ms": 12.0, "cases_per_second": 30.0}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def prepare(database_url: str) -> str:
    """Schema, the benchmark process, one officer; returns the officer's API token."""
    sys.path.insert(0, str(ROOT))
    from engine.accounts import credentials, users
    from engine.core.settings import Settings
    from engine.definitions import store
    from engine.environment import EngineEnvironment
    env = EngineEnvironment(Settings.from_env(database_url=database_url))
    env.upgrade_schema()
    with env.unit_of_work() as ctx:
        store.deploy_files(ctx, store.read_directory(BENCH_DIR), "bench")
        users.add_user(ctx, "bench", ["saksbehandler"],
                       password_hash=credentials.hash_password("bench"))
    with env.unit_of_work() as ctx:
        token = credentials.issue_token(ctx, "bench")
    env.dispose()
    return token


class Client:
    def __init__(self, port: int, token: str):
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        self.headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}

    def post(self, path: str, body: dict) -> tuple[float, dict]:
        payload = json.dumps(body)
        started = time.perf_counter()
        self.conn.request("POST", path, body=payload, headers=self.headers)
        response = self.conn.getresponse()
        data = response.read()
        elapsed = time.perf_counter() - started
        if response.status >= 300:
            raise RuntimeError(f"{path}: {response.status} {data[:300]!r}")
        return elapsed, json.loads(data)

    def get(self, path: str) -> int:
        self.conn.request("GET", path, headers=self.headers)
        response = self.conn.getresponse()
        response.read()
        return response.status


def one_case(client: Client, starts: list, completes: list) -> None:
    elapsed, created = client.post("/api/v1/cases", {"process": PROCESS, "data": {}})
    starts.append(elapsed)
    task = created["open_tasks"][0]
    for value in (1, 2):
        elapsed, done = client.post(f"/api/v1/tasks/{task['id']}/complete",
                                    {"data": {"x": value}, "version": task["version"]})
        completes.append(elapsed)
        task = done["case_open_tasks"][0] if done["case_open_tasks"] else None
    assert task is None, "the case should be closed after two tasks"


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))] * 1000


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=300)
    parser.add_argument("--warmup", type=int, default=30)
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="samflyt-bench-http-"))
    database_url = f"sqlite:///{workdir / 'bench.sqlite3'}"
    token = prepare(database_url)
    port = free_port()
    environ = {**os.environ, "SAMFLYT_DATABASE_URL": database_url,
               "SAMFLYT_CASE_PROCESSES": PROCESS, "SAMFLYT_PORT": str(port),
               "SAMFLYT_HOST": "127.0.0.1"}
    samflyt = ROOT / ".venv" / "bin" / "samflyt"
    server = subprocess.Popen([str(samflyt), "serve"], env=environ, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1):
                    break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise SystemExit("samflyt serve did not start") from None
                time.sleep(0.1)
        client = Client(port, token)
        assert client.get("/healthz") == 200
        for _ in range(args.warmup):
            one_case(client, [], [])
        starts, completes = [], []
        began = time.perf_counter()
        for _ in range(args.cases):
            one_case(client, starts, completes)
        total = time.perf_counter() - began
    finally:
        server.terminate()
        server.wait(timeout=10)
    figures = {
        "start_p50_ms": pct(starts, 0.50), "start_p95_ms": pct(starts, 0.95),
        "complete_p50_ms": pct(completes, 0.50), "complete_p95_ms": pct(completes, 0.95),
        "cases_per_second": args.cases / total,
    }
    print(f"samflyt serve (embedded default: SQLite, in-process sweep), one client, "
          f"{args.cases} two-task cases of {PROCESS} after {args.warmup} warm-up")
    print(f"  start a case      p50 {figures['start_p50_ms']:6.2f} ms   p95 "
          f"{figures['start_p95_ms']:6.2f} ms   (target p50 <= {TARGETS['start_p50_ms']:.0f} ms)")
    print(f"  complete a task   p50 {figures['complete_p50_ms']:6.2f} ms   p95 "
          f"{figures['complete_p95_ms']:6.2f} ms   "
          f"(target p50 <= {TARGETS['complete_p50_ms']:.0f} ms)")
    print(f"  whole cases/s     {figures['cases_per_second']:6.1f}   (target >= "
          f"{TARGETS['cases_per_second']:.0f}); "
          f"mean {statistics.mean(starts) * 1000:.2f} ms start, "
          f"{statistics.mean(completes) * 1000:.2f} ms complete")
    ok = (figures["start_p50_ms"] <= TARGETS["start_p50_ms"]
          and figures["complete_p50_ms"] <= TARGETS["complete_p50_ms"]
          and figures["cases_per_second"] >= TARGETS["cases_per_second"])
    print("targets met" if ok else "targets NOT met")
    return 0


if __name__ == "__main__":
    sys.exit(main())
