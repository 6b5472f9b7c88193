"""The embedded default's background work, in a thread of `samflyt serve`: the same engine
operations the scaled set-up runs on Celery (engine/scheduler.py): the sweep (timers and
deadline notices) and the immediate e-mails every `interval_seconds`, the digests once a day
from SAMFLYT_DIGEST_HOUR."""
from __future__ import annotations

import logging
import threading
from datetime import date, datetime
from zoneinfo import ZoneInfo

from engine.notices import mailing
from engine.scheduling import scheduler

log = logging.getLogger(__name__)


class BackgroundWork:
    """One round of background work; `run_once` is what the thread calls every interval."""

    def __init__(self, env, sender=None):
        self.env = env
        self.sender = sender if sender is not None else mailing.sender_from_settings(env.settings)
        self.last_digest: date | None = None

    def digest_due(self, now: datetime) -> bool:
        local = now.astimezone(ZoneInfo(self.env.settings.timezone))
        return local.hour >= self.env.settings.digest_hour and self.last_digest != local.date()

    def run_once(self, now: datetime | None = None) -> scheduler.Report:
        now = now or self.env.clock()
        report = scheduler.sweep(self.env, now)
        if self.sender is not None:
            sent = scheduler.dispatch(self.env, self.sender, now)
            report.sent, report.failed = sent.sent, sent.failed
            if self.digest_due(now):
                digests = scheduler.digests(self.env, self.sender, now)
                report.sent += digests.sent
                report.failed += digests.failed
                self.last_digest = now.astimezone(ZoneInfo(self.env.settings.timezone)).date()
        return report


def start_sweeper(env, interval_seconds: int, sender=None) -> threading.Event:
    """Do the background work now and then every `interval_seconds` until the returned event
    is set."""
    stop = threading.Event()
    work = BackgroundWork(env, sender)

    def loop():
        while not stop.is_set():
            try:
                for line in work.run_once().lines():
                    log.info("sweep: %s", line)
            except Exception:  # noqa: BLE001 - a failed round must not stop the next one
                log.exception("background work failed")
            stop.wait(interval_seconds)

    threading.Thread(target=loop, name="samflyt-sweeper", daemon=True).start()
    return stop
