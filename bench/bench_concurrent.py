"""50 officers at once over HTTP on the scaled set-up, then the web workers' memory after
10,000 cases.

Sets up the scaled deployment of docs/deployment.md on a fresh PostgreSQL database
(`samflyt init`, then `samflyt processes deploy` of tests/fixtures/bench/bench_two_user_tasks.bpmn
with its form), adds the officers (role saksbehandler) with an API token each, and starts
gunicorn exactly as the deployment guide does: `gunicorn --workers 2 --bind ...
'webui.wsgi:production_app()'` (sync workers; no sweep runs in the web workers in that mode).

1. Latency: --officers threads (50), one officer and token each, start together (a barrier)
   and each runs --cases-per-officer whole two-task cases through the JSON API (POST
   /api/v1/cases, then POST /api/v1/tasks/ID/complete twice with {"x": n} and the task's
   version). Every request's latency (client side: connect, queue in gunicorn, work, response)
   and status is recorded. Then the database is checked: every case started is closed, its
   two tasks completed by its officer, exactly one task_completed audit event per task, no
   case the client did not see, no errors (a 409 is counted and reported; a 5xx or a dropped
   connection is an error).
2. Memory: more cases (--memory-threads clients) until the two workers have handled
   --memory-cases cases in all (warm-up and part 1 included), sampling each gunicorn worker's
   resident set (VmRSS in /proc) at start, every 1,000 cases and at the end.

Targets (docs/benchmarks.md): 50 concurrent officers over HTTP (2 gunicorn workers): p95 under
250 ms, no error, nothing lost or done twice. A web worker stays under 300 MB resident after
10,000 cases; nothing grows without bound.

Before part 1, a warm-up of --warmup cases by 4 officers at once on the empty database; its
errors are reported (the first cases of a year race for the year's case-number counter).

    .venv/bin/python bench/bench_concurrent.py [--officers 50] [--cases-per-officer 20]
        [--warmup 20] [--memory-cases 10000] [--memory-threads 4] [--workers 2]
        [--postgres-url postgresql+psycopg://postgres@127.0.0.1:5432/postgres] [--keep-db]
"""
from __future__ import annotations

import argparse
import collections
import contextlib
import http.client
import json
import os
import secrets
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import create_engine, text

BENCH_DIR = ROOT / "tests" / "fixtures" / "bench"
PROCESS = "bench_two_user_tasks"
DB_NAME = "samflyt_bench_concurrent"
SAMFLYT = ROOT / ".venv" / "bin" / "samflyt"
GUNICORN = ROOT / ".venv" / "bin" / "gunicorn"
P95_TARGET_MS = 250.0
RSS_TARGET_MB = 300.0
SAMPLE_EVERY = 1000


# --- set-up -------------------------------------------------------------------------------------

def fresh_postgres(admin_url: str) -> str:
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)"))
        conn.execute(text(f"CREATE DATABASE {DB_NAME}"))
    admin.dispose()
    return admin_url.rsplit("/", 1)[0] + "/" + DB_NAME


def drop_postgres(admin_url: str) -> None:
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)"))
    admin.dispose()


def run_cli(environ: dict, *args: str) -> str:
    done = subprocess.run([str(SAMFLYT), *args], env=environ, cwd=ROOT, capture_output=True,
                          text=True)
    if done.returncode != 0:
        raise SystemExit(f"samflyt {' '.join(args)} failed:\n{done.stdout}{done.stderr}")
    return done.stdout


def add_officers(environ: dict, n: int) -> dict[str, str]:
    """n officers with role saksbehandler; returns {username: bearer token}.

    The same engine calls as `samflyt users add NAME --role saksbehandler` and `samflyt users
    token NAME`, in one process (50 CLI start-ups would take a minute on two cores)."""
    from engine.accounts import credentials, users
    from engine.core.settings import Settings
    from engine.environment import EngineEnvironment
    env = EngineEnvironment(Settings.from_env(environ))
    names = [f"officer{i:02d}" for i in range(1, n + 1)]
    with env.unit_of_work() as ctx:
        for name in names:
            users.add_user(ctx, name, ["saksbehandler"])
    with env.unit_of_work() as ctx:
        tokens = {name: credentials.issue_token(ctx, name) for name in names}
    env.dispose()
    return tokens


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# --- gunicorn's workers and their memory ---------------------------------------------------------

def worker_pids(master: int) -> list[int]:
    children: list[int] = []
    for task_dir in Path(f"/proc/{master}/task").iterdir():
        with contextlib.suppress(OSError):
            children += [int(p) for p in (task_dir / "children").read_text().split()]
    return sorted(children)


def rss_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


class MemoryLog:
    def __init__(self, master: int):
        self.master = master
        self.samples: list[tuple[int, dict[int, int]]] = []  # (cases so far, {pid: kB})

    def sample(self, cases_done: int) -> None:
        pids = worker_pids(self.master)
        self.samples.append((cases_done, {pid: rss_kb(pid) for pid in pids}))
        figures = "  ".join(f"worker {pid}: {kb / 1024:6.1f} MB" for pid, kb in
                            self.samples[-1][1].items())
        print(f"  RSS after {cases_done:6d} cases   {figures}", flush=True)


# --- where the CPU goes -------------------------------------------------------------------------

TICK = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of a process (0 if it is gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / TICK


def postgres_pids() -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if (entry / "comm").read_text().strip() == "postgres":
                    found.append(int(entry.name))
            except OSError:
                pass
    return found


def machine_busy_seconds() -> float:
    """CPU seconds all cores spent not idle, machine-wide."""
    values = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    return (sum(values[:8]) - values[3] - values[4]) / TICK


class CpuMeter:
    """CPU used by gunicorn's workers, PostgreSQL, this client and everything else."""

    def __init__(self, workers: list[int]):
        self.workers = workers
        self.began = self._snapshot()

    def _snapshot(self) -> dict[str, float]:
        times = os.times()
        pg = postgres_pids()
        return {"wall": time.perf_counter(), "workers": sum(map(cpu_seconds, self.workers)),
                "postgres": sum(map(cpu_seconds, pg)), "client": times.user + times.system,
                "machine": machine_busy_seconds()}

    def report(self, requests: int) -> None:
        requests = max(1, requests)
        end = self._snapshot()
        used = {k: end[k] - self.began[k] for k in end}
        cores = os.cpu_count() or 1
        capacity = used["wall"] * cores
        other = used["machine"] - used["workers"] - used["postgres"] - used["client"]
        print(f"  CPU of {cores} cores over {used['wall']:.1f} s: machine busy "
              f"{used['machine'] / capacity:.0%}: gunicorn workers "
              f"{used['workers'] / capacity:.0%} ({used['workers'] / requests * 1000:.2f} ms a "
              f"request), PostgreSQL {used['postgres'] / capacity:.0%} "
              f"({used['postgres'] / requests * 1000:.2f} ms a request), this client "
              f"{used['client'] / capacity:.0%}, other {max(0.0, other) / capacity:.0%}")


# --- the client ----------------------------------------------------------------------------------

class Record:
    """Everything the clients saw, shared by all threads (list.append is atomic)."""

    def __init__(self):
        self.latencies: dict[str, list[float]] = collections.defaultdict(list)
        self.statuses: collections.Counter = collections.Counter()
        self.errors: list[str] = []
        self.conflicts: list[str] = []
        self.cases: list[tuple[int, str]] = []       # (case id, officer) for every 201
        self.finished: list[int] = []                # case ids the client saw closed
        self.lock = threading.Lock()
        self.count = 0                               # whole cases done (for memory samples)


class Officer:
    def __init__(self, port: int, name: str, token: str, record: Record):
        self.port, self.name, self.record = port, name, record
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        self.headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}

    def request(self, kind: str, method: str, path: str, body: dict | None = None):
        payload = json.dumps(body) if body is not None else None
        started = time.perf_counter()
        try:
            self.conn.request(method, path, body=payload, headers=self.headers)
            response = self.conn.getresponse()
            data = response.read()
        except (OSError, http.client.HTTPException) as error:
            self.conn.close()
            self.record.statuses["connection error"] += 1
            self.record.errors.append(f"{self.name} {kind}: {type(error).__name__}: {error}")
            return None, None
        elapsed = time.perf_counter() - started
        self.record.latencies[kind].append(elapsed)
        self.record.statuses[response.status] += 1
        if response.will_close:
            self.conn.close()
        if response.status == 409:
            self.record.conflicts.append(f"{self.name} {kind} {path}: {data[:200]!r}")
        elif response.status >= 300:
            self.record.errors.append(f"{self.name} {kind} {path}: {response.status} "
                                      f"{data[:300]!r}")
        try:
            return response.status, json.loads(data)
        except ValueError:
            return response.status, None

    def one_case(self, n: int) -> bool:
        status, created = self.request("start a case", "POST", "/api/v1/cases",
                                       {"process": PROCESS, "data": {}})
        if status != 201:
            return False
        case_id = created["id"]
        self.record.cases.append((case_id, self.name))
        task = created["open_tasks"][0] if created["open_tasks"] else None
        for kind in ("complete task A", "complete task B"):
            if task is None:
                self.record.errors.append(f"{self.name}: case {case_id} has no task for {kind}")
                return False
            for _attempt in range(3):
                status, done = self.request(kind, "POST", f"/api/v1/tasks/{task['id']}/complete",
                                            {"data": {"x": n}, "version": task["version"]})
                if status != 409:
                    break
                # Someone changed the task: look at the case again and retry with what it shows.
                _status, page = self.request("read the case", "GET", f"/api/v1/cases/{case_id}")
                if not page or not page.get("open_tasks"):
                    break
                task = page["open_tasks"][0]
            if status != 200:
                return False
            task = done["case_open_tasks"][0] if done["case_open_tasks"] else None
        if task is not None:
            self.record.errors.append(f"{self.name}: case {case_id} still open after two tasks")
            return False
        self.record.finished.append(case_id)
        return True


def run_officers(port: int, tokens: dict[str, str], record: Record, per_officer: int) -> float:
    """Every officer starts at the barrier and runs `per_officer` cases; returns wall time."""
    barrier = threading.Barrier(len(tokens) + 1)
    officers = [Officer(port, name, token, record) for name, token in tokens.items()]

    def work(officer: Officer, seed: int) -> None:
        barrier.wait()
        for i in range(per_officer):
            try:
                officer.one_case(seed * 1000 + i)
            except Exception as error:  # noqa: BLE001 - reported, never swallowed
                record.errors.append(f"{officer.name}: {type(error).__name__}: {error}")
            with record.lock:
                record.count += 1

    threads = [threading.Thread(target=work, args=(o, i), daemon=True)
               for i, o in enumerate(officers)]
    for thread in threads:
        thread.start()
    barrier.wait()
    began = time.perf_counter()
    for thread in threads:
        thread.join()
    return time.perf_counter() - began


def run_until(port: int, tokens: dict[str, str], record: Record, target: int) -> None:
    """len(tokens) clients run cases until record.count reaches `target`."""
    claim_lock = threading.Lock()
    claimed = [record.count]

    def work(officer: Officer) -> None:
        while True:
            with claim_lock:
                if claimed[0] >= target:
                    return
                claimed[0] += 1
                n = claimed[0]
            try:
                officer.one_case(n)
            except Exception as error:  # noqa: BLE001
                record.errors.append(f"{officer.name}: {type(error).__name__}: {error}")
            with record.lock:
                record.count += 1

    threads = [threading.Thread(target=work, args=(Officer(port, name, token, record),),
                                daemon=True) for name, token in tokens.items()]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


# --- checks in the database ----------------------------------------------------------------------

def verify(database_url: str, record: Record) -> list[str]:
    """What the database says about the cases the clients started; [] when all is well."""
    problems: list[str] = []
    started = dict(record.cases)
    ids = list(started)
    if len(ids) != len(record.cases):
        problems.append(f"{len(record.cases) - len(ids)} case id(s) returned twice")
    engine = create_engine(database_url)
    with engine.connect() as conn:
        in_db = conn.execute(text("SELECT count(*) FROM cases WHERE process_key = :p"),
                             {"p": PROCESS}).scalar()
        if in_db != len(ids):
            problems.append(f"{in_db} {PROCESS} cases in the database, the clients got "
                            f"{len(ids)} (201)")
        not_closed = conn.execute(text(
            "SELECT id, status FROM cases WHERE id = ANY(:ids) AND status <> 'closed'"),
            {"ids": ids}).all()
        if not_closed:
            problems.append(f"{len(not_closed)} case(s) not closed, e.g. {not_closed[:5]}")
        instances = conn.execute(text(
            "SELECT status, count(*) FROM process_instances WHERE case_id = ANY(:ids) "
            "GROUP BY status"), {"ids": ids}).all()
        if dict(instances) != {"completed": len(ids)}:
            problems.append(f"process instances by status: {dict(instances)} "
                            f"(expected {len(ids)} completed)")
        tasks = conn.execute(text(
            "SELECT id, case_id, status, completed_by FROM human_tasks "
            "WHERE case_id = ANY(:ids)"), {"ids": ids}).all()
        per_case = collections.Counter(t.case_id for t in tasks)
        wrong_count = [c for c in ids if per_case[c] != 2]
        if wrong_count:
            problems.append(f"{len(wrong_count)} case(s) without exactly two tasks, "
                            f"e.g. {[(c, per_case[c]) for c in wrong_count[:5]]}")
        not_done = [(t.id, t.status) for t in tasks if t.status != "completed"]
        if not_done:
            problems.append(f"{len(not_done)} task(s) not completed, e.g. {not_done[:5]}")
        wrong_officer = [(t.id, t.completed_by, started[t.case_id]) for t in tasks
                         if t.status == "completed" and t.completed_by != started[t.case_id]]
        if wrong_officer:
            problems.append(f"{len(wrong_officer)} task(s) completed by another officer, "
                            f"e.g. {wrong_officer[:5]}")
        events = collections.Counter(dict(conn.execute(text(
            "SELECT (details->>'task')::int, count(*) FROM audit_events "
            "WHERE kind = 'task_completed' AND case_id = ANY(:ids) GROUP BY 1"),
            {"ids": ids}).all()))
        not_once = [(t.id, events[t.id]) for t in tasks if events[t.id] != 1]
        if not_once:
            problems.append(f"{len(not_once)} task(s) without exactly one task_completed "
                            f"event, e.g. {not_once[:5]}")
        stray = set(events) - {t.id for t in tasks}
        if stray:
            problems.append(f"task_completed events for unknown tasks: {sorted(stray)[:5]}")
        summary = (len(ids), len(tasks), sum(events.values()))
    engine.dispose()
    print(f"  database: {summary[0]} cases, {summary[1]} tasks, {summary[2]} task_completed "
          f"events checked")
    return problems


# --- figures -------------------------------------------------------------------------------------

def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))] * 1000


def print_latencies(record: Record) -> float:
    """Prints p50/p95/p99/max per kind of request; returns the worst p95 (ms)."""
    every = [v for values in record.latencies.values() for v in values]
    worst = 0.0
    for kind, values in [*record.latencies.items(), ("all requests", every)]:
        if not values:
            continue
        p95 = pct(values, 0.95)
        worst = max(worst, p95) if kind != "read the case" else worst
        print(f"  {kind:16s} n={len(values):6d}  p50 {pct(values, 0.50):7.1f} ms  "
              f"p95 {p95:7.1f} ms  p99 {pct(values, 0.99):7.1f} ms  max "
              f"{max(values) * 1000:7.1f} ms")
    return worst


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--officers", type=int, default=50)
    parser.add_argument("--workers", type=int, default=2,
                        help="gunicorn workers (the target is for 2)")
    parser.add_argument("--cases-per-officer", type=int, default=20)
    parser.add_argument("--warmup", type=int, default=20,
                        help="cases before part 1 (4 officers at once)")
    parser.add_argument("--memory-cases", type=int, default=10000,
                        help="cases the workers have handled in all at the end of part 2")
    parser.add_argument("--memory-threads", type=int, default=4)
    parser.add_argument("--postgres-url",
                        default="postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--keep-db", action="store_true", help="do not drop the database")
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="samflyt-bench-concurrent-"))
    database_url = fresh_postgres(args.postgres_url)
    port = free_port()
    environ = {**os.environ,
               "SAMFLYT_DATABASE_URL": database_url,
               "SAMFLYT_BROKER_URL": "redis://127.0.0.1:6379/0",
               "SAMFLYT_SECRET_KEY": secrets.token_hex(32),
               "SAMFLYT_BASE_URL": f"http://127.0.0.1:{port}",
               "SAMFLYT_CASE_PROCESSES": PROCESS}
    server = None
    ok = True
    warmup_errors = 0
    try:
        run_cli(environ, "init")
        print(run_cli(environ, "processes", "deploy", "--by", "bench",
                      str(BENCH_DIR / "bench_two_user_tasks.bpmn"),
                      str(BENCH_DIR / "bench_form.json")).strip())
        tokens = add_officers(environ, args.officers)
        log = open(workdir / "gunicorn.log", "wb")  # noqa: SIM115 - closed with the server
        server = subprocess.Popen(
            [str(GUNICORN), "--workers", str(args.workers), "--bind", f"127.0.0.1:{port}",
             "webui.wsgi:production_app()"], env=environ, cwd=ROOT, stdout=log, stderr=log)
        deadline = time.monotonic() + 60
        while True:
            try:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
                conn.request("GET", "/healthz")
                if (conn.getresponse().status == 200
                        and len(worker_pids(server.pid)) == args.workers):
                    break
            except OSError:
                pass
            if time.monotonic() > deadline or server.poll() is not None:
                raise SystemExit(f"gunicorn did not start; see {workdir / 'gunicorn.log'}")
            time.sleep(0.2)
        memory = MemoryLog(server.pid)
        first_pids = worker_pids(server.pid)
        print(f"gunicorn --workers {args.workers} (sync), master {server.pid}, workers "
              f"{first_pids}, PostgreSQL database {DB_NAME}")
        memory.sample(0)

        # warm-up: both workers load the process and the code paths. Four officers start at
        # once on the empty database, so the first cases of the year race for its counter.
        warm = Record()
        few = dict(list(tokens.items())[:4])
        run_officers(port, few, warm, max(1, args.warmup // len(few)))
        print(f"warm-up: {warm.count} cases by {len(few)} officers at once on the empty "
              f"database: statuses {dict(sorted(warm.statuses.items(), key=str))}")
        for line in warm.errors[:5]:
            print(f"    warm-up error: {line}")
        warmup_errors = len(warm.errors)
        memory.sample(warm.count)

        # part 1: all officers at once
        record = Record()
        cpu = CpuMeter(first_pids)
        wall = run_officers(port, tokens, record, args.cases_per_officer)
        n_requests = sum(len(v) for v in record.latencies.values())
        n_cases = args.officers * args.cases_per_officer
        print(f"\n1. {args.officers} officers at once, {args.cases_per_officer} two-task cases "
              f"each ({n_cases} cases, {n_requests} requests) in {wall:.1f} s: "
              f"{len(record.finished) / wall:.1f} cases/s, {n_requests / wall:.0f} requests/s")
        worst_p95 = print_latencies(record)
        cpu.report(n_requests)
        print(f"  statuses: {dict(sorted(record.statuses.items(), key=str))}; "
              f"409 conflicts: {len(record.conflicts)}; errors: {len(record.errors)}")
        for line in (record.conflicts + record.errors)[:10]:
            print(f"    {line}")
        so_far = Record()
        so_far.cases = warm.cases + record.cases  # the database holds the warm-up's too
        problems = verify(database_url, so_far)
        for problem in problems:
            print(f"  PROBLEM: {problem}")
        part1_ok = (worst_p95 < P95_TARGET_MS and not record.errors and not problems
                    and len(record.finished) == n_cases)
        print(f"  target (p95 < {P95_TARGET_MS:.0f} ms for every kind, no error, nothing lost "
              f"or done twice): {'met' if part1_ok else 'NOT met'} (worst p95 "
              f"{worst_p95:.1f} ms, {len(record.errors)} error(s), {len(problems)} problem(s) "
              f"in the database)")
        ok &= part1_ok

        # part 2: on to --memory-cases in all, a sample every 1,000
        done = warm.count + record.count
        memory.sample(done)
        if args.memory_cases <= done:
            print(f"\n2. memory: skipped (--memory-cases {args.memory_cases} <= {done} cases "
                  f"already done)")
        else:
            ok &= memory_part(args, port, tokens, memory, first_pids, database_url,
                              done, warm.cases + record.cases)
    finally:
        if server is not None:
            server.terminate()
            try:
                server.wait(timeout=20)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()
        if not args.keep_db:
            drop_postgres(args.postgres_url)
    failures = server_exceptions(workdir / "gunicorn.log")
    print(f"\nexceptions in gunicorn's log ({workdir / 'gunicorn.log'}): "
          f"{sum(failures.values())}")
    for line, count in failures.most_common(5):
        print(f"  {count} x {line[:200]}")
    if warmup_errors:
        print(f"warm-up (the first cases on an empty database, 4 officers at once): "
              f"{warmup_errors} error(s)")
        ok = False
    print("\nall targets met" if ok else "\ntargets NOT met")
    return 0


def server_exceptions(log: Path) -> collections.Counter:
    """The exception that ended each traceback in the server's log (the outermost of a
    chain), counted."""
    found: collections.Counter = collections.Counter()
    if not log.exists():
        return found
    in_traceback, last = False, None
    for line in log.read_text(errors="replace").splitlines():
        if line.startswith("Traceback"):
            in_traceback = True
        elif line.startswith(("During handling", "The above exception")):
            if last is not None:  # chained: only the outermost exception is counted
                found[last] -= 1
                last = None
        elif in_traceback and line and not line[0].isspace():
            found[line] += 1
            in_traceback, last = False, line
    return +found


def memory_part(args, port: int, tokens: dict[str, str], memory: MemoryLog,
                first_pids: list[int], database_url: str, done: int,
                earlier_cases: list[tuple[int, str]]) -> bool:
    """Part 2: cases with a few clients until --memory-cases in all, RSS every 1,000."""
    more = Record()
    more.count = done
    clients = dict(list(tokens.items())[:args.memory_threads])
    began = time.perf_counter()
    cpu = CpuMeter(first_pids)
    next_sample = (done // SAMPLE_EVERY + 1) * SAMPLE_EVERY
    while more.count < args.memory_cases:
        run_until(port, clients, more, min(next_sample, args.memory_cases))
        memory.sample(more.count)
        next_sample += SAMPLE_EVERY
    wall = time.perf_counter() - began
    print(f"\n2. memory: {more.count - done} more cases with {len(clients)} clients in "
          f"{wall:.1f} s ({(more.count - done) / wall:.1f} cases/s), {more.count} cases in all")
    print_latencies(more)
    cpu.report(sum(len(v) for v in more.latencies.values()))
    print(f"  statuses: {dict(sorted(more.statuses.items(), key=str))}; "
          f"409 conflicts: {len(more.conflicts)}; errors: {len(more.errors)}")
    for line in (more.conflicts + more.errors)[:10]:
        print(f"    {line}")
    combined = Record()
    combined.cases = earlier_cases + more.cases
    problems = verify(database_url, combined)
    for problem in problems:
        print(f"  PROBLEM: {problem}")
    pids_now = worker_pids(memory.master)
    if pids_now != first_pids:
        print(f"  PROBLEM: the workers changed ({first_pids} -> {pids_now}): a worker "
              f"was restarted, so its memory was reset")
    return (memory_verdict(memory, first_pids) and not more.errors and not problems
            and pids_now == first_pids)


def memory_verdict(memory: MemoryLog, pids: list[int]) -> bool:
    """Under 300 MB at every sample, and no growth over the second half of the run."""
    print("  RSS per worker (MB) by cases handled:")
    samples = memory.samples
    print("    cases  " + "".join(f"{n:>8d}" for n, _ in samples))
    ok = True
    for pid in pids:
        series = [s.get(pid, 0) / 1024 for _, s in samples]
        print(f"    {pid:<7d}" + "".join(f"{v:8.1f}" for v in series))
        peak = max(series)
        # growth over the second half of the cases (from the sample nearest half way)
        half = samples[-1][0] / 2
        mid = min(range(len(samples)), key=lambda i: abs(samples[i][0] - half))
        late = series[-1] - series[mid]
        per_1000 = late / max(1, samples[-1][0] - samples[mid][0]) * 1000
        flat = late <= 2.0
        print(f"    worker {pid}: peak {peak:.1f} MB (target < {RSS_TARGET_MB:.0f}); "
              f"{samples[mid][0]} -> {samples[-1][0]} cases: {late:+.1f} MB "
              f"({per_1000:+.2f} MB per 1,000 cases): {'flat' if flat else 'STILL GROWING'}")
        ok &= peak < RSS_TARGET_MB and flat
    print(f"  target (< {RSS_TARGET_MB:.0f} MB after {samples[-1][0]:,} cases, no growth "
          f"without bound): "
          f"{'met' if ok else 'NOT met'}")
    return ok


if __name__ == "__main__":
    sys.exit(main())
