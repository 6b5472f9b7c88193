"""The Celery app of the scaled set-up, configured from engine/settings.py (SAMFLYT_*).

    celery -A tasks.celery_app worker --loglevel=INFO
    celery -A tasks.celery_app beat --loglevel=INFO --schedule instance/celerybeat-schedule

Both log to standard error as `samflyt` does, at SAMFLYT_LOG_LEVEL (Celery's --loglevel is
not used: engine/core/logs.py sets up logging).

The broker is Redis (SAMFLYT_BROKER_URL). Beat sends the sweep and the e-mail dispatch every
SAMFLYT_SWEEP_INTERVAL seconds and the digests daily; workers run them (tasks/jobs.py). Only
one beat may run; any number of workers may (the work is safe to do twice at once).
"""
from __future__ import annotations

import sys

from celery import Celery, signals
from celery.schedules import crontab

from engine.core import logs
from engine.core.settings import Settings, UnsafeSecretKey, require_secret_key

from . import names


def beat_schedule(settings: Settings) -> dict:
    interval = float(settings.sweep_interval)
    # A tick nobody picked up before the next one is dropped rather than piled up.
    expires = {"expires": max(interval - 1, 1.0)}
    return {
        "sweep": {"task": names.SWEEP, "schedule": interval, "options": expires},
        "dispatch-notices": {"task": names.DISPATCH_NOTICES, "schedule": interval,
                             "options": expires},
        "letters": {"task": names.LETTERS, "schedule": interval, "options": expires},
        "daily-digest": {"task": names.SEND_DIGESTS,
                         "schedule": crontab(hour=settings.digest_hour, minute=0),
                         "options": {"expires": 3600}},
        "audit-partitions": {"task": names.AUDIT_PARTITIONS,
                             "schedule": crontab(hour=3, minute=15),
                             "options": {"expires": 3600}},
    }


def make_app(settings: Settings | None = None) -> Celery:
    settings = settings or Settings.from_env()
    app = Celery("samflyt", include=["tasks.jobs"])
    app.conf.update(
        broker_url=settings.broker_url or None,
        result_backend=settings.result_backend or None,
        task_ignore_result=not settings.result_backend,
        result_expires=3600,
        task_serializer="json",
        result_serializer="json",
        accept_content=["json"],
        task_default_queue=names.QUEUE,
        timezone=settings.timezone,
        enable_utc=True,
        worker_prefetch_multiplier=1,
        broker_connection_retry_on_startup=True,
        worker_send_task_events=False,
        beat_schedule=beat_schedule(settings),
    )
    app.samflyt_settings = settings
    return app


app = make_app()


@signals.setup_logging.connect
def _configure_logging(**_kwargs) -> None:
    """Worker and beat log like `samflyt` does (engine/core/logs.py, SAMFLYT_LOG_LEVEL; a
    receiver here means Celery leaves the logging set-up to it, --loglevel included). The
    real standard error: Celery replaces sys.stderr with a proxy that logs what it is given."""
    logs.configure(app.samflyt_settings, stream=sys.__stderr__)


@signals.worker_init.connect
@signals.beat_init.connect
def _require_broker(sender=None, **_kwargs) -> None:
    if not app.samflyt_settings.broker_url:
        raise SystemExit("SAMFLYT_BROKER_URL is not set (e.g. redis://127.0.0.1:6379/0): the "
                         "scaled set-up needs Redis; without it, `samflyt serve` sweeps in-process")


@signals.worker_init.connect
@signals.beat_init.connect
def _require_secret_key(sender=None, **_kwargs) -> None:
    """Workers and beat run only in the scaled set-up, which never serves this machine alone:
    a public placeholder SAMFLYT_SECRET_KEY is refused (engine/core/settings.py)."""
    try:
        require_secret_key(app.samflyt_settings)
    except UnsafeSecretKey as error:
        raise SystemExit(str(error)) from None
