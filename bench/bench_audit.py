"""The audit trail at scale: one person's read report, and the cost of logging a read,
on the month-partitioned table beside a plain one.

Two fresh PostgreSQL databases: `samflyt_bench_audit` (migrated to head: audit_events
partitioned by month) and `samflyt_bench_audit_plain` (migrated to head, then the partition
migration undone: a plain table, given the same indexes as the partitioned one). Each is
filled with --rows audit events (default 50,000,000) spread over --months months ending this
month and --persons persons (default 1,000,000), generated in the server with
generate_series, a batch per statement, the indexes built after the load. Then:

1. the read report (`engine.audit.read_log.person_reads`) of --queries random persons over
   the last year, each in its own unit of work: p50 and p95, on both tables;
2. a case's history (`audit.case_history`: by case_id alone, so every month is asked; the
   generated events have no case, so this is the cost of asking each partition), p50/p95;
3. logging one read (`audit.record` of a `case_read` in a unit of work committed alone)
   --logs times, the two tables taking turns: p50 and p95 of each; once as configured
   (synchronous_commit on: the commit waits for the disk) and once with synchronous_commit
   off for the two databases, which leaves the insert's own cost and the round trip;
4. the insert alone in the server: 20,000 single-row INSERTs of a read in one PL/pgSQL loop
   (rolled back), per row, twice on each table.

Usage: .venv/bin/python bench/bench_audit.py [--rows 50000000] [--persons 1000000]
       [--months 60] [--queries 500] [--logs 500] [--plain-rows N] [--reuse]
       [--postgres-url ADMIN_URL]
Targets (issue 16): the read report p95 < 200 ms over 50M rows; logging a read < 1 ms p50.
"""
from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import psycopg
from alembic import command
from sqlalchemy import text

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.bench_intake import ADMIN_URL, bench_environment, p95
from engine.audit import partitions, read_log
from engine.cases import audit
from engine.core.settings import Settings
from engine.db.schema import alembic_config
from engine.environment import EngineEnvironment

PARTITIONED, PLAIN = "samflyt_bench_audit", "samflyt_bench_audit_plain"
BATCH = 1_000_000
#: One generated event: ids in time order, times spread evenly over the months with a
#: little jitter, kinds mostly reads, 3,000 readers, uniformly random persons.
FILL = """
INSERT INTO audit_events (id, case_id, at, actor, kind, details, person_id)
SELECT g, NULL,
       :start + ((g - 1 + random()) / :total) * (:end - :start),
       'user' || ((g * 7919) % 3000),
       CASE WHEN g % 100 < 70 THEN 'case_read' WHEN g % 100 < 80 THEN 'person_read'
            WHEN g % 100 < 85 THEN 'plan_read' WHEN g % 100 < 86 THEN 'read_refused'
            WHEN g % 100 < 93 THEN 'task_completed' ELSE 'case_updated' END,
       CASE WHEN g % 100 < 70 THEN '{"purpose": "case page", "why": "unit"}'::json
            ELSE '{"element": "behandle"}'::json END,
       1 + floor(random() * :persons)::int
FROM generate_series(CAST(:lo AS bigint), CAST(:hi AS bigint)) AS g
"""


def _migrate_down_to_plain(env: EngineEnvironment) -> None:
    config = alembic_config()
    with env.db_engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "0016")


def _drop_indexes(connection) -> None:
    connection.execute(text("ALTER TABLE audit_events DROP CONSTRAINT audit_events_pkey"))
    for name in ("ix_audit_case", "ix_audit_person", "ix_audit_actor", "ix_audit_kind"):
        connection.execute(text(f"DROP INDEX IF EXISTS {name}"))


def _build_indexes(connection, primary_key: str) -> None:
    connection.execute(text("SET maintenance_work_mem = '1GB'"))
    connection.execute(text(f"ALTER TABLE audit_events ADD CONSTRAINT audit_events_pkey "
                            f"PRIMARY KEY ({primary_key})"))
    for name, columns in partitions.INDEXES.items():
        started = time.perf_counter()
        connection.execute(text(f"CREATE INDEX {name} ON audit_events ({', '.join(columns)})"))
        print(f"  index {name} in {time.perf_counter() - started:.0f} s", flush=True)


def fill(env: EngineEnvironment, rows: int, persons: int, start: datetime, end: datetime,
         primary_key: str) -> None:
    began = time.perf_counter()
    with env.db_engine.begin() as connection:
        _drop_indexes(connection)
    for lo in range(1, rows + 1, BATCH):
        hi = min(lo + BATCH - 1, rows)
        with env.db_engine.begin() as connection:
            connection.execute(text(FILL), {"start": start, "end": end, "total": rows,
                                            "persons": persons, "lo": lo, "hi": hi})
        elapsed = time.perf_counter() - began
        print(f"  {hi:>12,} rows  {elapsed:6.0f} s  ({hi / elapsed:,.0f} rows/s)", flush=True)
    with env.db_engine.begin() as connection:
        _build_indexes(connection, primary_key)
        connection.execute(text("SELECT setval('audit_events_id_seq', :n)"), {"n": rows})
    # VACUUM runs outside a transaction: on a driver connection of its own
    url = env.db_engine.url.set(drivername="postgresql")
    with psycopg.connect(url.render_as_string(hide_password=False), autocommit=True) as raw:
        raw.execute("VACUUM ANALYZE audit_events")
    print(f"  filled in {time.perf_counter() - began:.0f} s", flush=True)


def reports(env: EngineEnvironment, rng: random.Random, persons: int, queries: int,
            now: datetime) -> tuple[list[float], int]:
    times, found = [], 0
    for _ in range(queries):
        person = rng.randint(1, persons)
        with env.unit_of_work() as ctx:
            started = time.perf_counter()
            events = read_log.person_reads(ctx, person, now - timedelta(days=365), now)
            times.append((time.perf_counter() - started) * 1000)
        found += len(events)
    return times, found


def histories(env: EngineEnvironment, rng: random.Random, queries: int) -> list[float]:
    """`audit.case_history` of a case: by case_id alone, no period (every month is asked)."""
    times = []
    for _ in range(queries):
        with env.unit_of_work() as ctx:
            started = time.perf_counter()
            audit.case_history(ctx, rng.randint(1, 100_000))
            times.append((time.perf_counter() - started) * 1000)
    return times


def log_read(env: EngineEnvironment, person: int) -> float:
    started = time.perf_counter()
    with env.unit_of_work() as ctx:
        audit.record(ctx, None, "kari", "case_read", person_id=person, purpose="case page",
                     why="unit")
    return (time.perf_counter() - started) * 1000


SERVER_INSERTS = """
DO $$ BEGIN FOR i IN 1..%(n)s LOOP
  INSERT INTO audit_events (at, actor, kind, details, person_id) VALUES (now(), 'kari',
    'case_read', '{"purpose": "case page", "why": "unit"}',
    1 + floor(random() * %(persons)s)::int);
END LOOP; END $$
"""


def server_inserts(env: EngineEnvironment, persons: int, n: int) -> float:
    """Milliseconds a row of `n` single-row INSERTs run in the server (no round trips, no
    commit): the table's and its indexes' own cost, where the pages they touch live."""
    url = env.db_engine.url.set(drivername="postgresql")
    with psycopg.connect(url.render_as_string(hide_password=False)) as raw:
        started = time.perf_counter()
        raw.execute(SERVER_INSERTS % {"n": int(n), "persons": int(persons)})
        took = time.perf_counter() - started
        raw.rollback()
    return took * 1000 / n


def _plan(env: EngineEnvironment, person: int, now: datetime) -> str:
    with env.db_engine.connect() as connection:
        return "\n".join(row[0] for row in connection.execute(text(
            "EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) SELECT * FROM audit_events WHERE "
            "person_id = :p AND at >= :s AND at < :e AND kind IN ('case_read', 'person_read',"
            " 'plan_read', 'read_refused', 'access_override') ORDER BY at DESC, id DESC "
            "LIMIT 1000"), {"p": person, "s": now - timedelta(days=365), "e": now}))


def _synchronous_commit(admin_url: str, value: str | None) -> None:
    """Set (None: reset) synchronous_commit for new connections to both databases."""
    with psycopg.connect(admin_url.replace("+psycopg", ""), autocommit=True) as raw:
        for name in (PARTITIONED, PLAIN):
            raw.execute(f"ALTER DATABASE {name} SET synchronous_commit = {value}" if value
                        else f"ALTER DATABASE {name} RESET synchronous_commit")


def _environment(admin_url: str, name: str, reuse: bool) -> EngineEnvironment:
    if reuse:
        url = admin_url.rsplit("/", 1)[0] + "/" + name
        return EngineEnvironment(Settings.from_env(database_url=url, log_level="WARNING"))
    return bench_environment(admin_url, name)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=50_000_000)
    parser.add_argument("--plain-rows", type=int, default=None,
                        help="rows of the plain table (default: --rows)")
    parser.add_argument("--persons", type=int, default=1_000_000)
    parser.add_argument("--months", type=int, default=60)
    parser.add_argument("--queries", type=int, default=500)
    parser.add_argument("--logs", type=int, default=500)
    parser.add_argument("--reuse", action="store_true",
                        help="measure the databases of an earlier run without filling them")
    parser.add_argument("--postgres-url", default=ADMIN_URL)
    args = parser.parse_args()
    plain_rows = args.plain_rows if args.plain_rows is not None else args.rows
    now = datetime.now(UTC)
    this_month = partitions.month_of(now.date())
    first = partitions.add_months(this_month, 1 - args.months)
    start = partitions.bounds(first)[0]

    table = _environment(args.postgres_url, PARTITIONED, args.reuse)
    plain = _environment(args.postgres_url, PLAIN, args.reuse)
    if not args.reuse:
        with table.unit_of_work() as ctx:
            made = partitions.ensure_partitions(ctx, partitions.add_months(this_month, 3),
                                                start=first)
        print(f"{PARTITIONED}: {len(made)} partitions; filling {args.rows:,} rows", flush=True)
        fill(table, args.rows, args.persons, start, now, "id, at")
        _migrate_down_to_plain(plain)
        print(f"{PLAIN}: filling {plain_rows:,} rows", flush=True)
        fill(plain, plain_rows, args.persons, start, now, "id")

    rng = random.Random(16)  # noqa: S311 - which persons to look up, not secrets
    print(_plan(table, rng.randint(1, args.persons), now))
    # the two tables take turns, query by query, so that neither has the page cache to itself;
    # the first pass reads pages the other database's load pushed out of the cache
    envs = {"partitioned": table, "plain": plain}
    for _ in range(10):  # the pools' connections
        for env in envs.values():
            reports(env, rng, args.persons, 1, now)
    for label in ("first pass", "second pass"):
        times: dict[str, list[float]] = {name: [] for name in envs}
        found = dict.fromkeys(envs, 0)
        for _ in range(args.queries):
            for name, env in envs.items():
                [took], events = reports(env, rng, args.persons, 1, now)
                times[name].append(took)
                found[name] += events
        for name in envs:
            print(f"read report, one person, last 12 months, {label} ({name:11}): p50 "
                  f"{statistics.median(times[name]):6.2f} ms  p95 {p95(times[name]):6.2f} ms  "
                  f"max {max(times[name]):6.2f} ms  ({args.queries} queries, "
                  f"{found[name] / args.queries:.1f} events each)", flush=True)
    for name, env in (("partitioned", table), ("plain", plain)):
        histories(env, rng, 50)  # warm
        times = histories(env, rng, args.queries)
        print(f"a case's history, no period ({name:11}): p50 {statistics.median(times):6.2f} ms"
              f"  p95 {p95(times):6.2f} ms  ({len(times)} queries)", flush=True)
    for env in (table, plain):
        for _ in range(30):
            log_read(env, rng.randint(1, args.persons))
    for durability in ("on", "off"):
        if durability == "off":
            # the insert's own cost: the commit does not wait for the WAL to reach the disk
            _synchronous_commit(args.postgres_url, "off")
            table.db_engine.dispose()
            plain.db_engine.dispose()
            for env in (table, plain):
                for _ in range(30):
                    log_read(env, rng.randint(1, args.persons))
        logged: dict[str, list[float]] = {"partitioned": [], "plain": []}
        for _ in range(args.logs):
            logged["partitioned"].append(log_read(table, rng.randint(1, args.persons)))
            logged["plain"].append(log_read(plain, rng.randint(1, args.persons)))
        for name, times in logged.items():
            print(f"log a read, committed alone, synchronous_commit {durability:3} ({name:11}):"
                  f" p50 {statistics.median(times):5.2f} ms  p95 {p95(times):5.2f} ms  "
                  f"({len(times)} reads)", flush=True)
    _synchronous_commit(args.postgres_url, None)
    for round_ in (1, 2):
        for name, env in (("partitioned", table), ("plain", plain)):
            per_row = server_inserts(env, args.persons, 20_000)
            print(f"insert one read in the server, round {round_} ({name:11}): "
                  f"{per_row * 1000:6.1f} µs a row (20,000 single-row INSERTs in one "
                  "transaction)", flush=True)
    table.dispose()
    plain.dispose()


if __name__ == "__main__":
    main()
