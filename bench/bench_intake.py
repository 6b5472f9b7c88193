"""Registering an application for a person already registered, among a million persons.

Fills a fresh PostgreSQL database with N persons (synthetic national numbers, COPY), deploys
the shipped processes, then registers applications through `intake.register_application`
(the web UI's and the API's operation), each in its own committed transaction, for persons
drawn at random: chosen by id (the officer picked the person) and by national number (found
or registered: never a second person). Each registration starts `ip_sak` and runs it to its
first wait, as in production. Reports p50 and p95 per kind.

Usage: .venv/bin/python bench/bench_intake.py [--persons 1000000] [--registrations 300]
       [--postgres-url ADMIN_URL]
Target (issue 14): registering for an existing person p95 < 50 ms.
"""
from __future__ import annotations

import argparse
import io
import random
import statistics
import sys
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import create_engine, text

from engine.accounts import users
from engine.cases import intake
from engine.core.settings import Settings
from engine.definitions import store
from engine.environment import EngineEnvironment
from engine.persons import identity

ADMIN_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
FIRST = ("Kari", "Ola", "Ingrid", "Per", "Anne", "Nils", "Emma", "Jonas", "Sofie", "Lars",
         "Nora", "Aksel", "Liv", "Magnus", "Ida", "Henrik", "Maja", "Tor", "Eva", "Sindre")
LAST = ("Hansen", "Johansen", "Olsen", "Larsen", "Andersen", "Pedersen", "Nilsen",
        "Kristiansen", "Jensen", "Karlsen", "Johnsen", "Pettersen", "Eriksen", "Berg",
        "Haugen", "Hagen", "Johannessen", "Andreassen", "Jacobsen", "Dahl")


def fresh_database(admin_url: str, name: str) -> str:
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        conn.execute(text(f"CREATE DATABASE {name}"))
    admin.dispose()
    return admin_url.rsplit("/", 1)[0] + "/" + name


def persons(n: int, seed: int = 14):
    """(national number, name, birth date) for n persons, numbers unique."""
    rng = random.Random(seed)  # noqa: S311 - test data, not secrets
    seen: set[str] = set()
    serial = 0
    while len(seen) < n:
        born = date(1930, 1, 1) + timedelta(days=rng.randrange(0, 365 * 95))
        serial += 1
        try:
            number = identity.synthetic(born, serial)
        except ValueError:
            continue
        if number in seen:
            continue
        seen.add(number)
        yield number, f"{rng.choice(FIRST)} {rng.choice(LAST)}", born


def fill(env: EngineEnvironment, n: int) -> list[tuple[int, str, str, date]]:
    now = datetime.now(UTC).isoformat()
    buffer = io.StringIO()
    rows = []
    for i, (number, name, born) in enumerate(persons(n), start=1):
        buffer.write(f"{i}\t{number}\tsynthetic\t{name}\t{name.casefold()}\t{born}\tnone\t"
                     f"digital\t{now}\tbench\t{now}\t1\n")
        rows.append((i, number, name, born))
    buffer.seek(0)
    raw = env.db_engine.raw_connection()
    try:
        with raw.cursor() as cursor, cursor.copy(
                "COPY persons (id, national_id, id_kind, name, name_folded, birth_date, "
                "protection, preferred_channel, created_at, created_by, updated_at, version) "
                "FROM STDIN") as copy:
            copy.write(buffer.getvalue())
        with raw.cursor() as cursor:
            cursor.execute(f"SELECT setval(pg_get_serial_sequence('persons', 'id'), {n})")
            cursor.execute("ANALYZE persons")
        raw.commit()
    finally:
        raw.close()
    return rows


def application(name: str, born: date) -> dict:
    return dict(soker_rolle="personen", onsker_ip=False, onsker_koordinator=True,
                onsker_barnekoordinator=False, navn=name, fodselsdato=born.isoformat(),
                mottatt_dato=datetime.now(UTC).date().isoformat(), tjenester=["hjemmesykepleie"],
                forventet_varighet_maneder=24, nav_basert=False)


def measure(env, officer_name: str, sample, by: str) -> list[float]:
    times = []
    for person_id, number, name, born in sample:
        choice = intake.PersonChoice(person_id=person_id) if by == "id" \
            else intake.PersonChoice(national_id=number)
        started = time.perf_counter()
        with env.unit_of_work() as ctx:
            officer = users.get_user(ctx, officer_name)
            intake.register_application(ctx, application(name, born), officer, "ip_sak",
                                        ("ip_sak",), person=choice)
        times.append((time.perf_counter() - started) * 1000)
    return times


def bench_environment(admin_url: str, name: str) -> EngineEnvironment:
    """A fresh database `name`, migrated, with the shipped processes and an officer "kari"."""
    url = fresh_database(admin_url, name)
    env = EngineEnvironment(Settings.from_env(database_url=url, allow_synthetic_ids=True,
                                              log_level="WARNING"))
    env.upgrade_schema()
    with env.unit_of_work() as ctx:
        store.deploy_files(ctx, store.read_directory(ROOT / "processes"), "bench")
        users.add_user(ctx, "kari", ["saksbehandler"])
    return env


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[-1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--persons", type=int, default=1_000_000)
    parser.add_argument("--registrations", type=int, default=300)
    parser.add_argument("--postgres-url", default=ADMIN_URL)
    args = parser.parse_args()
    env = bench_environment(args.postgres_url, "samflyt_bench_intake")
    started = time.perf_counter()
    rows = fill(env, args.persons)
    print(f"{args.persons:,} persons loaded in {time.perf_counter() - started:.0f} s")
    rng = random.Random(7)  # noqa: S311 - which persons to register, not secrets
    measure(env, "kari", rng.sample(rows, 20), "id")  # warm the caches
    for by in ("id", "number"):
        times = measure(env, "kari", rng.sample(rows, args.registrations), by)
        print(f"register for an existing person (by {by:6}): p50 {statistics.median(times):6.1f}"
              f" ms  p95 {p95(times):6.1f} ms  ({len(times)} registrations)")
    with env.unit_of_work() as ctx:
        count = ctx.session.execute(text("SELECT count(*) FROM persons")).scalar_one()
    print(f"persons after: {count:,} (no second person for a number)")
    env.dispose()


if __name__ == "__main__":
    main()
