"""Letters: rendering a decision letter, and 1,000 letters sent through Celery.

1. Render: the decision letter of a case (two decided items, bokmål) from its template to
   PDF/A-2a, as approval does (engine/letters: the HTML from the version's template, then
   WeasyPrint), N times after a warm-up; p50 and p95.
2. Through Celery: 1,000 approved letters not yet rendered, each with a copy queued for
   digital mail, rendered and sent by two `celery worker` processes (one task at a time
   each) to a local SvarUt stub (tests/svarut_stub.py, the endpoints of SvarUt's REST API
   v2): from queueing the `samflyt.render_letter` and `samflyt.send_letter` tasks, as beat's
   `samflyt.letters` does, until every copy is sent; letters per second.

Usage: .venv/bin/python bench/bench_letters.py [--renders 40] [--letters 1000]
       [--postgres-url ADMIN_URL] [--redis-url redis://127.0.0.1:6379/13]
Target (issue 15): a decision letter rendered p95 < 1 s.
"""
from __future__ import annotations

import argparse
import dataclasses
import os
import secrets
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import redis
from sqlalchemy import select, text

from bench.bench_intake import ADMIN_URL, bench_environment, p95
from engine.db.models import Letter
from engine.letters import drafting, render
from tasks import names
from tasks.celery_app import make_app
from tests.letter_cases import sent_digitally, svarut_settings
from tests.svarut_stub import SvarUtStub


def measure_render(env, letter_id: int, runs: int) -> list[float]:
    times = []
    with env.unit_of_work() as ctx:
        letter = ctx.session.get(Letter, letter_id)
        for i in range(runs + 3):
            started = time.perf_counter()
            render.to_pdf(drafting.preview_html(ctx, letter))
            if i >= 3:  # the first renders load WeasyPrint and its fonts
                times.append((time.perf_counter() - started) * 1000)
    return times


def clone_letters(env, letter_id: int, count: int) -> None:
    """`count` copies of the approved letter, not rendered yet, each with one copy queued
    for SvarUt."""
    with env.unit_of_work() as ctx:
        ctx.session.execute(text("""
            INSERT INTO letters (case_id, person_id, kind, template, version_id, language,
                                 status, facts, free_text, task_id, created_at, created_by,
                                 approved_at, approved_by, pdf, content_hash, version)
            SELECT case_id, person_id, kind, template, version_id, language, 'sent', facts,
                   free_text, task_id, created_at, created_by, approved_at, approved_by, NULL,
                   NULL, 1
            FROM letters, generate_series(1, :count) WHERE id = :id"""),
            {"count": count, "id": letter_id})
        ctx.session.execute(text("""
            INSERT INTO letter_recipients (letter_id, person_id, name, relation, channel,
                                           status, shipment_id, attempts)
            SELECT l.id, r.person_id, r.name, r.relation, 'svarut', 'queued',
                   gen_random_uuid()::text, 0
            FROM letters l, letter_recipients r
            WHERE l.id > :id AND r.letter_id = :id"""), {"id": letter_id})


def through_celery(env, stub, redis_url: str, count: int) -> float:
    settings = env.settings
    worker_env = {k: v for k, v in os.environ.items() if not k.startswith("SAMFLYT_")}
    worker_env.update(
        SAMFLYT_DATABASE_URL=settings.database_url, SAMFLYT_BROKER_URL=redis_url,
        SAMFLYT_RESULT_BACKEND="", SAMFLYT_SECRET_KEY=secrets.token_hex(32),
        SAMFLYT_LOG_LEVEL="WARNING", PYTHONPATH=str(ROOT), SAMFLYT_DIGITAL_CHANNEL="svarut",
        SAMFLYT_SVARUT_URL=settings.svarut_url,
        SAMFLYT_SVARUT_ACCOUNT_ID=settings.svarut_account_id,
        SAMFLYT_SVARUT_INTEGRATION_ID=settings.svarut_integration_id,
        SAMFLYT_SVARUT_INTEGRATION_PASSWORD=settings.svarut_integration_password,
        SAMFLYT_SVARUT_ACCESS_TOKEN=settings.svarut_access_token)
    workers = [subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "tasks.celery_app", "worker", "--pool=solo",
         "-Q", names.QUEUE, "-n", f"bench{n}@samflyt", "--without-gossip", "--without-mingle",
         "--without-heartbeat"], cwd=ROOT, env=worker_env, stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL) for n in (1, 2)]
    app = make_app(dataclasses.replace(settings, broker_url=redis_url, result_backend=""))
    try:
        with env.unit_of_work() as ctx:
            ids = list(ctx.session.scalars(text(
                "SELECT id FROM letter_recipients WHERE status = 'queued' ORDER BY id")))
            letters = list(ctx.session.scalars(text(
                "SELECT id FROM letters WHERE content_hash IS NULL ORDER BY id")))
        started = time.perf_counter()
        for letter_id in letters:
            app.send_task(names.RENDER_LETTER, args=[letter_id])
        for recipient_id in ids:
            app.send_task(names.SEND_LETTER, args=[recipient_id])
        while True:
            with env.unit_of_work() as ctx:
                sent = ctx.session.execute(text(
                    "SELECT count(*) FROM letter_recipients WHERE status = 'sent'")).scalar_one()
            if sent >= count:
                return time.perf_counter() - started
            time.sleep(0.2)  # polling the database while the workers run
    finally:
        for worker in workers:
            worker.terminate()
            worker.wait(timeout=30)
        app.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--renders", type=int, default=40)
    parser.add_argument("--letters", type=int, default=1000)
    parser.add_argument("--postgres-url", default=ADMIN_URL)
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/13")
    args = parser.parse_args()
    redis.Redis.from_url(args.redis_url).flushdb()
    env = bench_environment(args.postgres_url, "samflyt_bench_letters")
    with SvarUtStub() as stub:
        env.settings = svarut_settings(env.settings, stub)
        _case, _copy = sent_digitally(env)
        with env.unit_of_work() as ctx:
            letter_id = ctx.session.scalar(select(Letter.id).order_by(Letter.id))
        times = measure_render(env, letter_id, args.renders)
        print(f"decision letter rendered to PDF/A: p50 {statistics.median(times):.0f} ms  "
              f"p95 {p95(times):.0f} ms  ({len(times)} renders)")
        clone_letters(env, letter_id, args.letters - 1)
        elapsed = through_celery(env, stub, args.redis_url, args.letters)
        print(f"{args.letters:,} letters rendered and sent through Celery (2 workers) to the "
              f"SvarUt stub in "
              f"{elapsed:.1f} s: {args.letters / elapsed:.1f} letters/s; "
              f"shipments at the stub: {len(stub.shipments):,}")
    env.dispose()


if __name__ == "__main__":
    main()
