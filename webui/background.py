"""The embedded default's background work, in a thread of `samflyt serve`: the same engine
operations the scaled set-up runs on Celery (engine/scheduler.py): the sweep (timers and
deadline notices), letters (any approved letter not yet rendered; sending the digital
copies when SvarUt is set up) and the immediate e-mails every
`interval_seconds`, the digests once a day from SAMFLYT_DIGEST_HOUR, and the audit trail's
month partitions once a day (PostgreSQL; nothing on SQLite)."""
from __future__ import annotations

import logging
import threading
from datetime import date, datetime
from zoneinfo import ZoneInfo

from engine.letters import outbox
from engine.notices import mailing
from engine.scheduling import scheduler

log = logging.getLogger(__name__)


class BackgroundWork:
    """One round of background work; `run_once` is what the thread calls every interval."""

    def __init__(self, env, sender=None):
        self.env = env
        self.sender = sender if sender is not None else mailing.sender_from_settings(env.settings)
        self.last_digest: date | None = None
        self.last_partitions: date | None = None
        self.svarut = outbox.client_for(env.settings)

    def digest_due(self, now: datetime) -> bool:
        local = now.astimezone(ZoneInfo(self.env.settings.timezone))
        return local.hour >= self.env.settings.digest_hour and self.last_digest != local.date()

    def run_once(self, now: datetime | None = None) -> scheduler.Report:
        now = now or self.env.clock()
        report = scheduler.sweep(self.env, now)
        today = now.astimezone(ZoneInfo(self.env.settings.timezone)).date()
        if self.last_partitions != today:
            scheduler.audit_partitions(self.env, now)
            self.last_partitions = today
        scheduler.render_letters(self.env, now)  # approved under workers that are gone
        if self.svarut is not None:  # digital letters: send the queued, ask about the sent
            scheduler.letters(self.env, self.svarut, now)
        if self.sender is not None:
            sent = scheduler.dispatch(self.env, self.sender, now)
            report.sent, report.failed = sent.sent, sent.failed
            if self.digest_due(now):
                digests = scheduler.digests(self.env, self.sender, now)
                report.sent += digests.sent
                report.failed += digests.failed
                self.last_digest = now.astimezone(ZoneInfo(self.env.settings.timezone)).date()
        return report


class Sweeper:
    """The thread that does the background work every interval; `stop` ends it."""

    def __init__(self, work: BackgroundWork, interval_seconds: int):
        self._work, self._interval = work, interval_seconds
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="samflyt-sweeper", daemon=True)

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                for line in self._work.run_once().lines():
                    log.debug("sweep: %s", line)  # the engine logs the sweep itself
            except Exception:  # a failed round must not stop the next one
                log.exception("background work failed")
            self._stop.wait(self._interval)

    def start(self) -> Sweeper:
        self._thread.start()
        return self

    def stop(self, timeout: float = 10.0) -> bool:
        """Ask the thread to stop and wait up to `timeout` seconds for a round in progress to
        finish; True when it has. A round cut short by the process ending loses nothing: what
        it had not committed is rolled back."""
        self._stop.set()
        self._thread.join(timeout)
        return not self._thread.is_alive()


def start_sweeper(env, interval_seconds: int, sender=None) -> Sweeper:
    """Do the background work now and then every `interval_seconds` until `stop()`."""
    return Sweeper(BackgroundWork(env, sender), interval_seconds).start()
