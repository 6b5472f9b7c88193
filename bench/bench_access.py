"""Need-based access: what the access check and the logging of a read cost.

On PostgreSQL (a fresh database) with --cases cases of `ip_sak` registered by an officer of
the default unit, some with a task held by an officer of another unit, some coordinated:

1. the access check (`rules.case_basis`, a fresh unit of work each time, so nothing is
   cached) for each relation: the unit's officer (the first rule), a task holder, the
   coordinator, an officer of another unit (every rule asked, refused), the coordinating
   unit; p50 and p95;
2. the case page in the engine (`casepage.case_page`, which asks the check and logs the read)
   for each reader, with the check and with the check replaced by its known answer,
   alternated page by page in one run: the p50 difference is what the check adds to a page;
3. logging a read (`audit.record` of a `case_read`, committed alone), p50.

Usage: .venv/bin/python bench/bench_access.py [--cases 2000] [--runs 300]
       [--postgres-url ADMIN_URL]
Targets (issue 16): the access check adds < 1 ms p50 to a case page; logging a read < 1 ms p50.
"""
from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.bench_intake import ADMIN_URL, bench_environment, p95
from engine.access import rules
from engine.accounts import users
from engine.cases import audit, casepage, casework
from engine.db.models import Case
from engine.organisation import units
from engine.worklist import humantasks

APPLICATION = dict(soker_rolle="personen", onsker_ip=True, onsker_koordinator=True,
                   onsker_barnekoordinator=False, navn="Kari Nordmann", fodselsdato="1970-03-01",
                   mottatt_dato="2026-01-05", tjenester=["hjemmesykepleie"],
                   forventet_varighet_maneder=36, nav_basert=False)


def populate(env, count: int) -> list[int]:
    with env.unit_of_work() as ctx:
        units.add_unit(ctx, "hjemmetjenesten", "Hjemmetjenesten", "hjemmetjeneste")
        users.add_user(ctx, "bjorn", ["saksbehandler"], units=["hjemmetjenesten"])
        users.add_user(ctx, "tora", ["saksbehandler"], units=["hjemmetjenesten"])
        users.add_user(ctx, "kim", ["koordinerende_enhet"], units=[])
        users.add_user(ctx, "kari2", ["koordinator"], units=["hjemmetjenesten"])
    ids = []
    for n in range(count):
        with env.unit_of_work() as ctx:
            officer = users.get_user(ctx, "kari")
            case = casework.start_case(ctx, dict(APPLICATION), officer, "ip_sak")
            if n % 3 == 0:
                task = humantasks.open_tasks(ctx, case.id)[0]
                humantasks.assign(ctx, task.id, officer, "bjorn")
            if n % 5 == 0:
                case.coordinator = "kari2"
            ids.append(case.id)
    return ids


def timed(env, work, runs: int) -> list[float]:
    """`work(ctx)` timed inside a unit of work (its commit not counted)."""
    times = []
    for _ in range(runs):
        with env.unit_of_work() as ctx:
            started = time.perf_counter()
            work(ctx)
            times.append((time.perf_counter() - started) * 1000)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--cases", type=int, default=2000)
    parser.add_argument("--runs", type=int, default=300)
    parser.add_argument("--postgres-url", default=ADMIN_URL)
    args = parser.parse_args()
    env = bench_environment(args.postgres_url, "samflyt_bench_access")
    ids = populate(env, args.cases)
    rng = random.Random(16)  # noqa: S311 - which case to read, not a secret
    held = [i for n, i in enumerate(ids) if n % 3 == 0]
    coordinated = [i for n, i in enumerate(ids) if n % 5 == 0]

    def check(username, pool):
        """The check alone: the case and the user are loaded first, and nothing cached."""
        times = []
        for _ in range(args.runs):
            with env.unit_of_work() as ctx:
                case = ctx.session.get(Case, rng.choice(pool))
                user = users.get_user(ctx, username)
                started = time.perf_counter()
                rules.case_basis(ctx, case, user)
                times.append((time.perf_counter() - started) * 1000)
        return times

    print(f"PostgreSQL, {args.cases:,} cases, {args.runs} runs each (ms)")
    for label, username, pool in (("unit's officer (first rule)", "kari", ids),
                                  ("task holder, other unit", "bjorn", held),
                                  ("coordinator", "kari2", coordinated),
                                  ("other unit, refused (every rule)", "tora", ids),
                                  ("coordinating unit (limited)", "kim", ids)):
        times = check(username, pool)
        print(f"  access check, {label:34} p50 {statistics.median(times):6.3f}  "
              f"p95 {p95(times):6.3f}")

    real_basis = rules.case_basis

    def page_pair(username, pool) -> tuple[list[float], list[float]]:
        """The case page with the check and without it (its answer given), alternated."""
        checked, given = [], []
        for _ in range(args.runs):
            case_id = rng.choice(pool)
            with env.unit_of_work() as ctx:
                known = real_basis(ctx, ctx.session.get(Case, case_id),
                                   users.get_user(ctx, username))
            for times, basis in ((checked, real_basis),
                                 (given, lambda ctx, case, user, known=known: known)):
                rules.case_basis = basis
                try:
                    with env.unit_of_work() as ctx:
                        user = users.get_user(ctx, username)
                        started = time.perf_counter()
                        casepage.case_page(ctx, case_id, user, with_diagrams=False)
                        times.append((time.perf_counter() - started) * 1000)
                finally:
                    rules.case_basis = real_basis
        return checked, given

    for label, username, pool in (("unit's officer", "kari", ids),
                                  ("task holder, other unit", "bjorn", held),
                                  ("coordinator", "kari2", coordinated)):
        checked, given = page_pair(username, pool)
        print(f"  case page (engine, no diagram), {label:23} with the check p50 "
              f"{statistics.median(checked):6.3f}, without {statistics.median(given):6.3f}: "
              f"adds {statistics.median(checked) - statistics.median(given):6.3f}")

    def commit(with_read: bool) -> float:
        """A unit of work that reads a case, committed, with or without logging the read:
        the difference is what logging a read costs (the row goes with the COMMIT)."""
        with env.unit_of_work() as ctx:
            case = ctx.session.get(Case, rng.choice(ids))
            started = time.perf_counter()
            if with_read:
                audit.record(ctx, case, "kari", "case_read", purpose="case page", why="unit")
        return (time.perf_counter() - started) * 1000

    plain, logged = [], []
    for _ in range(args.runs):  # alternated, side by side
        plain.append(commit(False))
        logged.append(commit(True))
    print(f"  commit without a read logged            p50 {statistics.median(plain):6.3f}  "
          f"p95 {p95(plain):6.3f}")
    print(f"  commit with a read logged               p50 {statistics.median(logged):6.3f}  "
          f"p95 {p95(logged):6.3f}")
    print(f"  logging a read adds (p50 difference)        "
          f"{statistics.median(logged) - statistics.median(plain):6.3f}")
    env.dispose()


if __name__ == "__main__":
    main()
