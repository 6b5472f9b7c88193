"""Search, the person page and the plan page at national scale, on PostgreSQL.

Fills a fresh database with N persons (default 1,000,000), 2N cases and N/2 plans (COPY),
plus one large plan (50 goals, 200 measures, 30 participants, 40 meetings), then measures:
- `search_cases` by a part of a name, two words of a name, a national number, each form of
  a case number, and the default list; `search_persons` by name and by number (the query);
- the same searches over HTTP (the JSON API through the app: sign-in by token, access,
  logging, JSON), and the person page and the plan page (HTML) over HTTP;
- the person page and the large plan page as engine reads.
Reports p50 and p95 per kind, and prints the EXPLAIN of the name and case-number searches.

Usage: .venv/bin/python bench/bench_search.py [--persons 1000000] [--runs 200]
       [--postgres-url ADMIN_URL]
Targets (issue 14): search p95 < 50 ms (query), < 100 ms (HTTP); person page and plan page
p95 < 100 ms.
"""
from __future__ import annotations

import argparse
import dataclasses
import io
import random
import statistics
import sys
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from bench_intake import ADMIN_URL, bench_environment, p95, persons
from sqlalchemy import text

from engine.accounts import credentials, users
from engine.persons import person_page, search
from engine.plans import plan_page

SERVICES = ("ip", "koordinator", "ip,koordinator", "barnekoordinator")


def copy(env, table: str, columns: str, rows) -> None:
    buffer = io.StringIO()
    for row in rows:
        buffer.write("\t".join("\\N" if v is None else str(v) for v in row) + "\n")
    raw = env.db_engine.raw_connection()
    try:
        with raw.cursor() as cursor, cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as cp:
            cp.write(buffer.getvalue())
        raw.commit()
    finally:
        raw.close()


def fill(env, n: int) -> list[tuple]:
    now = datetime.now(UTC).isoformat()
    people = list(persons(n))
    copy(env, "persons", "id, national_id, id_kind, name, name_folded, birth_date, protection, "
         "preferred_channel, created_at, created_by, updated_at, version",
         ((i, number, "synthetic", name, name.casefold(), born, "none", "digital", now,
           "bench", now, 1) for i, (number, name, born) in enumerate(people, start=1)))
    rng = random.Random(3)  # noqa: S311 - test data
    copy(env, "plans", "person_id, opened_by_case_id, status, contributions, "
         "approved_version, created_at, created_by, lock_version, next_review",
         ((i, i * 2 - 1, "aktiv", "{}", 1, now, "bench", 1,
           date(2026, 1, 1) + timedelta(days=rng.randrange(0, 400)))
          for i in range(1, n // 2 + 1)))
    counters: dict[int, int] = {}

    def cases():
        for i in range(1, 2 * n + 1):
            person = (i + 1) // 2
            year = 2018 + i % 9
            counters[year] = counters.get(year, 0) + 1
            _number, name, _born = people[person - 1]
            received = date(year, 1, 1) + timedelta(days=i % 360)
            yield (i, f"IP-{year}-{counters[year]:05d}", "ip_sak",
                   "open" if i % 3 else "closed", person, name, received,
                   SERVICES[i % 4], "f", person if person <= n // 2 and i % 2 else None,
                   "{}", "{}", now, "bench")
    copy(env, "cases", "id, case_number, process_key, status, person_id, person_name, "
         "received_on, services, applicant_without_fullmakt, plan_id, data, facts, "
         "created_at, created_by", cases())
    with env.db_engine.begin() as conn:
        for year, last in counters.items():
            conn.execute(text("INSERT INTO case_number_counters (year, last) VALUES (:y, :l)"),
                         {"y": year, "l": last})
        for table in ("persons", "plans", "cases"):
            conn.execute(text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "  # noqa: S608
                              f"(SELECT max(id) FROM {table}))"))
        conn.execute(text("ANALYZE"))
    return people


def big_plan(env) -> int:
    """Plan 1 made large: 50 goals, 200 measures, 30 participants, 40 meetings."""
    now = datetime.now(UTC)
    with env.db_engine.begin() as conn:
        conn.execute(text("UPDATE plans SET main_goal = 'Bo hjemme', resources = 'Mye' "
                          "WHERE id = 1"))
        conn.execute(text("INSERT INTO plan_goals (plan_id, position, text) "
                          "SELECT 1, g, 'Delmål ' || g FROM generate_series(1, 50) g"))
        conn.execute(text("INSERT INTO plan_measures (plan_id, position, what, extent, "
                          "responsible, how, status) SELECT 1, g, 'Tiltak ' || g, '2 t/uke',"
                          " 'Tjeneste ' || g, 'Slik', 'i_gang' FROM generate_series(1, 200) g"))
        conn.execute(text("INSERT INTO plan_participants (plan_id, name, role, added_at, "
                          "added_by) SELECT 1, 'Deltaker ' || g, 'Rolle', :now, 'bench' "
                          "FROM generate_series(1, 30) g"), {"now": now})
        conn.execute(text("INSERT INTO plan_meetings (plan_id, held_on, attendees, minutes, "
                          "recorded_by, recorded_at) SELECT 1, DATE '2025-01-01' + g, "
                          "'[\"A\", \"B\", \"C\"]', 'Referat fra møtet', 'bench', :now "
                          "FROM generate_series(1, 40) g"), {"now": now})
        conn.execute(text("INSERT INTO plan_action_items (meeting_id, plan_id, what, "
                          "responsible_name, due_on) SELECT m.id, 1, 'Punkt', 'Noen', "
                          "DATE '2026-01-01' FROM plan_meetings m, generate_series(1, 3)"))
        conn.execute(text("INSERT INTO plan_coordinators (plan_id, username, from_on, "
                          "appointed_by) VALUES (1, 'kari', DATE '2025-01-01', 'bench')"))
        conn.execute(text("ANALYZE"))
    return 1


def timed(fn, runs: int) -> tuple[float, float]:
    times = []
    for i in range(runs):
        started = time.perf_counter()
        fn(i)
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times), p95(times)


def report(label: str, figures: tuple[float, float], target: float) -> None:
    p50, p95 = figures
    print(f"  {label:44} p50 {p50:6.1f} ms  p95 {p95:6.1f} ms  "
          f"({'ok' if p95 < target else 'OVER'} < {target:.0f})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--persons", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--postgres-url", default=ADMIN_URL)
    args = parser.parse_args()
    env = bench_environment(args.postgres_url, "samflyt_bench_search")
    started = time.perf_counter()
    people = fill(env, args.persons)
    plan_id = big_plan(env)
    print(f"{args.persons:,} persons, {2 * args.persons:,} cases, {args.persons // 2:,} plans "
          f"loaded in {time.perf_counter() - started:.0f} s")
    rng = random.Random(11)  # noqa: S311 - which persons to look for
    sample = [people[rng.randrange(len(people))] for _ in range(args.runs)]
    with env.unit_of_work() as ctx:
        years = [r[0] for r in ctx.session.execute(text(
            "SELECT year FROM case_number_counters"))]
    queries = {
        "name fragment (surname, 4 letters)": lambda i: sample[i][1].split()[1][:4],
        "two words of a name": lambda i: sample[i][1],
        "national number": lambda i: sample[i][0],
        "case number IP-YYYY-NNNNN": lambda i: f"IP-{years[i % len(years)]}-{i + 1:05d}",
        "case number ip-yyyy-n": lambda i: f"ip-{years[i % len(years)]}-{i + 1}",
        "case number NNNNN (every year)": lambda i: f"{i + 1:05d}",
        "the default list (no text)": lambda i: "",
    }
    print("the query (engine, PostgreSQL):")
    with env.unit_of_work() as ctx:
        kari = users.get_user(ctx, "kari")
        for label, make in queries.items():
            report(label, timed(lambda i, make=make: search.search_cases(
                ctx, kari, search.CaseQuery(text=make(i), status="all")), args.runs), 50)
        report("persons by name", timed(lambda i: search.search_persons(
            ctx, kari, sample[i][1].split()[1]), args.runs), 50)
        report("persons by number", timed(lambda i: search.search_persons(
            ctx, kari, sample[i][0]), args.runs), 50)
        report("person page (engine read)", timed(lambda i: person_page.person_page(
            ctx, rng.randrange(1, args.persons), kari), args.runs), 100)
        report("large plan page (engine read)", timed(lambda i: plan_page.plan_page(
            ctx, plan_id, kari), args.runs), 100)
        for label, query in (("name", "berg"), ("case number", f"IP-{years[0]}-00042")):
            explain(ctx, kari, label, query)
        token = credentials.issue_token(ctx, "kari")
    http(env, token, queries, sample, plan_id, args)
    env.dispose()


def explain(ctx, user, label: str, query: str) -> None:
    from sqlalchemy.dialects import postgresql
    captured = {}
    original = ctx.session.execute

    def capture(statement, *a, **k):
        captured.setdefault("sql", statement.compile(dialect=postgresql.dialect(),
                                                     compile_kwargs={"literal_binds": True}))
        return original(statement, *a, **k)
    ctx.session.execute = capture
    try:
        search.search_cases(ctx, user, search.CaseQuery(text=query))
    finally:
        ctx.session.execute = original
    plan = ctx.session.execute(text(f"EXPLAIN (ANALYZE, BUFFERS) {captured['sql']}")).all()
    print(f"EXPLAIN of the {label} search ({query!r}):")
    for (line,) in plan:
        print("    " + line)


def http(env, token, queries, sample, plan_id, args) -> None:
    from webui.app import create_app
    app = create_app(dataclasses.replace(env.settings, session_idle_minutes=600), env=env)
    client = app.test_client()
    headers = {"Authorization": f"Bearer {token}"}
    print("over HTTP (the app's full request: token, access, audit, JSON or HTML):")
    for label, make in queries.items():
        report(f"GET /api/v1/cases?q= {label}", timed(
            lambda i, make=make: _ok(client.get("/api/v1/cases", query_string={
                "q": make(i), "status": "all"}, headers=headers)), args.runs), 100)
    with env.unit_of_work() as ctx:
        users.get_user(ctx, "kari").password_hash = credentials.hash_password(
            "bench-passord-lang")
    web = app.test_client()
    _login(web)
    report("GET /persons/<id> (HTML)", timed(lambda i: _ok(web.get(
        f"/persons/{(i * 7919) % args.persons + 1}")), args.runs), 100)
    report("GET /plans/<large plan> (HTML)", timed(lambda i: _ok(web.get(
        f"/plans/{plan_id}")), args.runs), 100)
    report("GET /cases/?q=<name> (HTML)", timed(lambda i: _ok(web.get(
        "/cases/", query_string={"q": sample[i][1].split()[1][:4]})), args.runs), 100)


def _login(client) -> None:
    import re
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    response = client.post("/login", data={"username": "kari",
                                           "password": "bench-passord-lang",
                                           "csrf_token": token})
    assert response.status_code == 302, response.status_code


def _ok(response):
    assert response.status_code == 200, (response.status_code, response.get_data()[:300])
    return response


if __name__ == "__main__":
    main()
