"""Task completions per second: raw SpiffWorkflow against the Samflyt engine with persistence.

Both run tests/fixtures/bench/bench_two_user_tasks.bpmn in the same process, same run:
- raw: SpiffWorkflow 3.2 alone, serialising and deserialising (spec included, as its
  serializer does) at every step, no database;
- engine: `casework.start_case` and `humantasks.complete`, each in its own committed
  transaction (the user read, form validation, task rows, deadline notices, timers, audit),
  on SQLite and on PostgreSQL. Each completion takes the task the step before created
  (`ctx.new_tasks`, what the web UI sends the officer on to), as raw SpiffWorkflow takes
  its ready task from the workflow.

The measurements alternate in rounds (raw, then each database, then raw again...), and each
round's ratio is the engine's rate over the raw rate of the same round, so that a machine
whose speed drifts during the run (a shared VM does) moves both sides alike. The median of the
rounds is reported, with the lowest and highest.

Usage: .venv/bin/python bench/bench_engine.py [--cases 300] [--rounds 5] [--postgres-url URL]
       [--no-postgres]
Target (docs/benchmarks.md): engine rate >= 0.5 x raw rate, on each database.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from SpiffWorkflow.bpmn.serializer.workflow import BpmnWorkflowSerializer
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.spiff.parser.process import SpiffBpmnParser
from SpiffWorkflow.spiff.serializer.config import SPIFF_CONFIG
from SpiffWorkflow.task import TaskState
from sqlalchemy import create_engine, text

from engine.accounts import users
from engine.cases import casework
from engine.core.settings import Settings
from engine.definitions import store
from engine.environment import EngineEnvironment
from engine.worklist import humantasks

BENCH_DIR = ROOT / "tests" / "fixtures" / "bench"
PROCESS = "bench_two_user_tasks"


def raw_rate(n_cases: int) -> float:
    """User tasks per second in raw SpiffWorkflow with (de)serialisation at every step."""
    parser = SpiffBpmnParser()
    parser.add_bpmn_file(str(BENCH_DIR / "bench_two_user_tasks.bpmn"))
    spec = parser.get_spec(PROCESS)
    serializer = BpmnWorkflowSerializer(BpmnWorkflowSerializer.configure(SPIFF_CONFIG))
    started = time.perf_counter()
    for i in range(n_cases):
        workflow = BpmnWorkflow(spec)
        workflow.do_engine_steps()
        state = serializer.serialize_json(workflow)
        for _ in range(2):
            workflow = serializer.deserialize_json(state)
            [task] = workflow.get_tasks(state=TaskState.READY, manual=True)
            task.data.update({"x": i})
            task.run()
            workflow.do_engine_steps()
            state = serializer.serialize_json(workflow)
    return 2 * n_cases / (time.perf_counter() - started)


def prepare(env: EngineEnvironment) -> None:
    env.upgrade_schema()
    with env.unit_of_work() as ctx:
        store.deploy_directory(ctx, BENCH_DIR, "bench")
        users.add_user(ctx, "bench", ["saksbehandler"])
    _run_cases(env, 5)  # warm the spec cache and the connection pool


def engine_rate(env: EngineEnvironment, n_cases: int) -> tuple[float, list[float]]:
    """User tasks per second through the engine, each completion its own transaction."""
    started = time.perf_counter()
    latencies = _run_cases(env, n_cases)
    return 2 * n_cases / (time.perf_counter() - started), latencies


def _run_cases(env, n_cases) -> list[float]:
    """Whole cases, as the web UI runs them: start, then the task each step created (the UI
    sends the officer on to it), each operation in its own committed transaction."""
    latencies = []
    for i in range(n_cases):
        with env.unit_of_work() as ctx:
            user = users.get_user(ctx, "bench")
            casework.start_case(ctx, {}, user, process_key=PROCESS)
            [task] = ctx.new_tasks
        for _ in range(2):
            t0 = time.perf_counter()
            with env.unit_of_work() as ctx:
                user = users.get_user(ctx, "bench")
                humantasks.complete(ctx, task.id, user, {"x": i}, expected_version=task.version)
                following = ctx.new_tasks
            task = following[0] if following else None
            latencies.append(time.perf_counter() - t0)
        assert task is None, "the case should have ended after its second task"
    return latencies


def fresh_postgres(url: str) -> str:
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text("DROP DATABASE IF EXISTS samflyt_bench WITH (FORCE)"))
        conn.execute(text("CREATE DATABASE samflyt_bench"))
    admin.dispose()
    return url.rsplit("/", 1)[0] + "/samflyt_bench"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--cases", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--postgres-url",
                        default="postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--no-postgres", action="store_true")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        envs = {"sqlite": EngineEnvironment(Settings(database_url=f"sqlite:///{tmp}/b.sqlite3"))}
        if not args.no_postgres:
            envs["postgresql"] = EngineEnvironment(
                Settings(database_url=fresh_postgres(args.postgres_url)))
        for env in envs.values():
            prepare(env)
        raw_rate(20)  # warm up
        raws, rates, latencies = [], {name: [] for name in envs}, {name: [] for name in envs}
        for _round in range(args.rounds):
            raws.append(raw_rate(args.cases))
            for name, env in envs.items():
                rate, round_latencies = engine_rate(env, args.cases)
                rates[name].append(rate)
                latencies[name].extend(round_latencies)
        for env in envs.values():
            env.dispose()

    print(f"raw SpiffWorkflow (serialise+deserialise every step): median "
          f"{statistics.median(raws):6.0f} tasks/s (rounds {min(raws):.0f}-{max(raws):.0f})")
    for name in envs:
        ratios = [rate / raw for rate, raw in zip(rates[name], raws, strict=True)]
        ms = sorted(v * 1000 for v in latencies[name])
        print(f"engine on {name:10s}: median {statistics.median(rates[name]):6.0f} tasks/s "
              f"(complete p50 {statistics.median(ms):.2f} ms, p95 {ms[int(len(ms) * 0.95)]:.2f} ms)"
              f"  ratio median {statistics.median(ratios):.2f} "
              f"(rounds {min(ratios):.2f}-{max(ratios):.2f})  target >= 0.5")


if __name__ == "__main__":
    main()
