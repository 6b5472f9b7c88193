"""The Celery tasks: thin wrappers that take IDs (or nothing) and an optional business time,
and call one engine operation (engine/scheduler.py) with the worker's environment.

Every task is safe to run twice and at the same time as itself: the engine takes each item
in its own transaction and skips what another worker holds.
"""
from __future__ import annotations

import logging

from celery import signals

from engine.letters import outbox
from engine.scheduling import scheduler

from . import names, worker
from .celery_app import app

log = logging.getLogger(__name__)


def _log(report) -> dict:
    for line in report.lines():
        log.debug("%s", line)  # the engine logs each at INFO where it happens
    return report.as_dict()


@app.task(name=names.SWEEP, soft_time_limit=names.SWEEP_LIMITS[0],
          time_limit=names.SWEEP_LIMITS[1])
def sweep(now: str | None = None) -> dict:
    """Fire the due timers and raise the due deadline notices; e-mail what was raised."""
    report = scheduler.sweep(worker.environment(), worker.business_time(now))
    if report.notices and worker.sender() is not None:
        dispatch_notices.apply_async(kwargs={"now": now})
    return _log(report)


@app.task(name=names.DISPATCH_NOTICES, soft_time_limit=names.DISPATCH_LIMITS[0],
          time_limit=names.DISPATCH_LIMITS[1])
def dispatch_notices(now: str | None = None) -> dict:
    sender = worker.sender()
    if sender is None:
        return {}
    return _log(scheduler.dispatch(worker.environment(), sender, worker.business_time(now)))


@app.task(name=names.SEND_DIGESTS, soft_time_limit=names.DIGEST_LIMITS[0],
          time_limit=names.DIGEST_LIMITS[1])
def send_digests(now: str | None = None) -> dict:
    sender = worker.sender()
    if sender is None:
        return {}
    return _log(scheduler.digests(worker.environment(), sender, worker.business_time(now)))


@app.task(name=names.FIRE_TIMERS, soft_time_limit=names.ITEM_LIMITS[0],
          time_limit=names.ITEM_LIMITS[1])
def fire_timers(instance_id: int, now: str | None = None) -> dict:
    return _log(scheduler.fire_instance(worker.environment(), int(instance_id),
                                        worker.business_time(now)))


@app.task(name=names.RAISE_NOTICE, soft_time_limit=names.ITEM_LIMITS[0],
          time_limit=names.ITEM_LIMITS[1])
def raise_notice(notice_id: int, now: str | None = None) -> dict:
    return _log(scheduler.raise_notice(worker.environment(), int(notice_id),
                                       worker.business_time(now)))


@app.task(name=names.RAISE_UNCLAIMED, soft_time_limit=names.ITEM_LIMITS[0],
          time_limit=names.ITEM_LIMITS[1])
def raise_unclaimed(task_id: int, now: str | None = None) -> dict:
    return _log(scheduler.raise_unclaimed(worker.environment(), int(task_id),
                                          worker.business_time(now)))


@app.task(name=names.DELIVER_NOTICE, soft_time_limit=names.ITEM_LIMITS[0],
          time_limit=names.ITEM_LIMITS[1])
def deliver_notice(delivery_id: int) -> dict:
    sender = worker.sender()
    if sender is None:
        return {}
    return _log(scheduler.deliver(worker.environment(), sender, int(delivery_id)))


@app.task(name=names.AUDIT_PARTITIONS, soft_time_limit=names.AUDIT_PARTITION_LIMITS[0],
          time_limit=names.AUDIT_PARTITION_LIMITS[1])
def audit_partitions(now: str | None = None) -> dict:
    """Make the audit trail's month partitions ahead of time."""
    return {"made": scheduler.audit_partitions(worker.environment(),
                                               worker.business_time(now))}


@signals.worker_process_shutdown.connect
@signals.worker_shutdown.connect
def _dispose(**_kwargs) -> None:
    worker.dispose()


@app.task(name=names.SEND_LETTER, bind=True, soft_time_limit=names.LETTER_LIMITS[0],
          time_limit=names.LETTER_LIMITS[1], acks_late=True,
          autoretry_for=(outbox.SvarUtError,), max_retries=names.LETTER_RETRIES,
          retry_backoff=True, retry_backoff_max=names.LETTER_BACKOFF_MAX, retry_jitter=True)
def send_letter(self, recipient_id: int, now: str | None = None) -> dict:
    """Send one copy of a letter to SvarUt (its shipment id makes a retry send nothing
    twice)."""
    client = worker.svarut()
    if client is None:
        return {}
    shipped = scheduler.send_letter(worker.environment(), client, int(recipient_id),
                                    worker.business_time(now))
    return {"shipped": shipped}


@app.task(name=names.RENDER_LETTER, soft_time_limit=names.RENDER_LIMITS[0],
          time_limit=names.RENDER_LIMITS[1], acks_late=True)
def render_letter(letter_id: int, now: str | None = None) -> dict:
    """Render one approved letter's PDFs (a second run finds them rendered)."""
    return {"rendered": scheduler.render_letter(worker.environment(), int(letter_id),
                                                worker.business_time(now))}


@app.task(name=names.LETTERS, soft_time_limit=names.SWEEP_LIMITS[0],
          time_limit=names.SWEEP_LIMITS[1])
def letters(now: str | None = None) -> dict:
    """Queue a render for each approved letter not rendered yet; with digital mail, queue a
    send for each queued copy and ask SvarUt about the sent ones."""
    env = worker.environment()
    to_render = scheduler.letters_to_render(env)
    for letter_id in to_render:
        render_letter.apply_async(args=[letter_id], kwargs={"now": now})
    client = worker.svarut()
    if client is None:
        return {"rendering": len(to_render)}
    for recipient_id in scheduler.letters_waiting(env):
        send_letter.apply_async(args=[recipient_id], kwargs={"now": now})
    return {"rendering": len(to_render), **_log(scheduler.poll_letters(
        env, client, worker.business_time(now)))}
