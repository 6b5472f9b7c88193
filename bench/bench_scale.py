"""The inbox and the sweep with 100,000 open cases in PostgreSQL.

Fills a fresh database with N open cases (one open task and one waiting timer each), of
which 100 are real instances of `frist_test` whose timer is due; the rest are rows written
in bulk (the queries under test read rows only). Then measures:
- the inbox's first page (100 rows) for an officer, per view: the engine query and its p95;
- one sweep that fires the 100 due timers (loading, stepping and saving those instances).

Usage: .venv/bin/python bench/bench_scale.py [--cases 100000] [--postgres-url ADMIN_URL]
Targets (docs/benchmarks.md): inbox query p95 < 30 ms; sweep of 100 due among 100,000 < 100 ms.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import create_engine, insert, select, text

from engine.accounts import users
from engine.cases import casework
from engine.core.clock import FakeClock
from engine.core.settings import Settings
from engine.db.models import Case, HumanTask, ProcessInstance, Timer
from engine.definitions import store
from engine.environment import EngineEnvironment
from engine.worklist import humantasks

DUE = 100
BATCH = 5000


def fresh_database(admin_url: str, name: str) -> str:
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        conn.execute(text(f"CREATE DATABASE {name}"))
    admin.dispose()
    return admin_url.rsplit("/", 1)[0] + "/" + name


def fill(env: EngineEnvironment, clock: FakeClock, n_cases: int) -> None:
    """N - 100 bulk cases waiting a year, then 100 real cases whose timer is due in 3 days."""
    with env.unit_of_work() as ctx:
        files = store.read_directory(ROOT / "tests" / "fixtures" / "engine")
        store.deploy_files(ctx, files, "bench")
        version_id = store.latest_version(ctx, "frist_test").id
        for name, role in (("kari", "saksbehandler"), ("ola", "saksbehandler")):
            users.add_user(ctx, name, [role])
    now = clock()
    bulk = n_cases - DUE
    with env.db_engine.begin() as conn:
        for start in range(0, bulk, BATCH):
            ids = range(start + 1, min(start + BATCH, bulk) + 1)
            conn.execute(insert(Case.__table__), [dict(
                id=i, case_number=f"IP-2025-{i:06d}", process_key="frist_test", status="open",
                data={}, facts={}, created_at=now, created_by="bench") for i in ids])
            conn.execute(insert(ProcessInstance.__table__), [dict(
                id=i, case_id=i, process_version_id=version_id, process_key="frist_test",
                status="running", state=None, lock_version=1, has_timers=True, started_at=now,
                started_by="bench") for i in ids])
            conn.execute(insert(HumanTask.__table__), [dict(
                case_id=i, instance_id=i, spiff_task_id=str(uuid.uuid4()), element_id="behandle",
                name="Behandle", process_key="frist_test", case_number=f"IP-2025-{i:06d}",
                candidate_role="saksbehandler", assignee="kari" if i % 10 == 0 else None,
                priority=1 + i % 5, due_at=now + timedelta(days=i % 60 - 20), status="open",
                created_at=now, version=1) for i in ids])
            conn.execute(insert(Timer.__table__), [dict(
                case_id=i, instance_id=i, spiff_task_id=str(uuid.uuid4()), element_id="frist",
                name="Tre dager", fire_at=now + timedelta(days=365), status="waiting")
                for i in ids])
        for table in ("cases", "process_instances"):
            conn.execute(text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), {bulk})"))
        conn.execute(text("ANALYZE"))
    for _ in range(DUE):
        with env.unit_of_work() as ctx:
            casework.start_case(ctx, {}, "kari", process_key="frist_test")


def measure_inbox(env, runs: int = 200) -> dict[str, list[float]]:
    timings: dict[str, list[float]] = {}
    with env.unit_of_work() as ctx:
        officer = users.get_user(ctx, "ola")
        for view in ("mine", "roles", "unassigned", "overdue"):
            samples = []
            for _ in range(runs):
                t0 = time.perf_counter()
                rows = humantasks.inbox(ctx, officer, view)
                samples.append(time.perf_counter() - t0)
            timings[view] = samples
            assert view == "mine" or len(rows) == 100, (view, len(rows))
    return timings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--postgres-url",
                        default="postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
    args = parser.parse_args()
    clock = FakeClock(datetime(2026, 1, 5, 8, tzinfo=UTC))
    url = fresh_database(args.postgres_url, "samflyt_bench_scale")
    env = EngineEnvironment(Settings.from_env(database_url=url), clock=clock)
    env.upgrade_schema()
    t0 = time.perf_counter()
    fill(env, clock, args.cases)
    print(f"filled {args.cases} open cases in {time.perf_counter() - t0:.0f} s")
    for view, samples in measure_inbox(env).items():
        ms = sorted(s * 1000 for s in samples)
        print(f"inbox {view:10s}: p50 {statistics.median(ms):6.2f} ms  "
              f"p95 {ms[int(len(ms) * 0.95)]:6.2f} ms  (target p95 < 30 ms)")
    clock.advance(days=3)
    t0 = time.perf_counter()
    result = env.sweep()
    elapsed = (time.perf_counter() - t0) * 1000
    print(f"sweep: {len(result.fired)} timers fired among {args.cases} waiting cases in "
          f"{elapsed:.0f} ms (target < 100 ms); it also raised {len(result.notices)} notices "
          f"(the diagram's reminders and the task deadlines now due)")
    with env.unit_of_work() as ctx:
        waiting = ctx.session.scalar(select(Timer.id).where(Timer.status == "waiting",
                                                             Timer.fire_at <= clock()).limit(1))
    assert waiting is None and len(result.fired) == DUE
    env.dispose()


if __name__ == "__main__":
    main()
