"""The cost of completing a periodic review at cycle 1,000 against cycle 1.

Each review cycle of a plan is one short instance of `periodisk_evaluering` that starts the
next when it ends (docs/processes.md), so cost must not grow with history. This runs one plan
through N cycles under a fake clock: move the clock to the review date, sweep (the timer fires
and the review task appears), complete the review (timed), which starts the next cycle.

Usage: .venv/bin/python bench/bench_review_cycles.py [--cycles 1000] [--postgres-url URL]
Target (docs/benchmarks.md): mean completion time of the last 50 cycles <= 1.5 x the first 50.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from engine.accounts import users
from engine.cases import casework
from engine.core.clock import FakeClock
from engine.core.settings import Settings
from engine.definitions import store
from engine.environment import EngineEnvironment
from engine.worklist import humantasks

WINDOW = 50
INTERVAL_DAYS = 30


def run(url: str, cycles: int) -> list[float]:
    clock = FakeClock(datetime(2026, 1, 5, 8, tzinfo=UTC))
    env = EngineEnvironment(Settings.from_env(database_url=url), clock=clock)
    env.upgrade_schema()
    with env.unit_of_work() as ctx:
        store.deploy_directory(ctx, env.settings.processes_dir, "bench")
        users.add_user(ctx, "kim", ["koordinator"], trained_coordinator=True)
        first_review = date(2026, 2, 2)
        case = casework.start_case(ctx, {"neste_evaluering": first_review.isoformat(),
                                      "koordinator": "kim"}, "kim",
                                process_key="periodisk_evaluering")
        case_id = case.id
    review = first_review
    timings = []
    for cycle in range(1, cycles + 1):
        clock.set(datetime(review.year, review.month, review.day, 9, tzinfo=UTC))
        env.sweep()
        review = review + timedelta(days=INTERVAL_DAYS)
        t0 = time.perf_counter()
        with env.unit_of_work() as ctx:
            kim = users.get_user(ctx, "kim")
            [task] = [t for t in humantasks.open_tasks(ctx, case_id)
                      if t.name == "Gjennomføre evaluering"]
            humantasks.complete(ctx, task.id, kim, {
                "resultat": "fortsette", "neste_evaluering": review.isoformat(),
                "oppsummering": f"Evaluering {cycle}"})
        timings.append(time.perf_counter() - t0)
    with env.unit_of_work() as ctx:
        open_names = [t.name for t in humantasks.open_tasks(ctx, case_id)]
    env.dispose()
    if open_names:
        raise SystemExit(f"unexpected open tasks after the last cycle: {open_names}")
    return timings


def fresh_database(url: str) -> str:
    """The database named in `url`, dropped and created again empty (PostgreSQL)."""
    from sqlalchemy import create_engine, text
    server, name = url.rsplit("/", 1)
    admin = create_engine(f"{server}/postgres", isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return url


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--cycles", type=int, default=1000)
    parser.add_argument("--postgres-url", default=None,
                        help="e.g. postgresql+psycopg://postgres@127.0.0.1:5432/samflyt_bench "
                             "(dropped and created again); default: SQLite only")
    args = parser.parse_args()
    targets = [("sqlite", None)]
    if args.postgres_url:
        targets.append(("postgresql", fresh_database(args.postgres_url)))
    for name, url in targets:
        with tempfile.TemporaryDirectory() as tmp:
            timings = run(url or f"sqlite:///{tmp}/cycles.sqlite3", args.cycles)
        first = statistics.mean(timings[:WINDOW]) * 1000
        last = statistics.mean(timings[-WINDOW:]) * 1000
        print(f"{name}: {args.cycles} review cycles completed; completion at cycles 1-{WINDOW}: "
              f"{first:.2f} ms, at cycles {args.cycles - WINDOW + 1}-{args.cycles}: {last:.2f} ms; "
              f"ratio {last / first:.2f} (target <= 1.5)")


if __name__ == "__main__":
    main()
