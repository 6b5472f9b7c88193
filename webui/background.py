"""The embedded default's in-process timer sweep (the scaled set-up uses Celery beat)."""
from __future__ import annotations

import logging
import threading

log = logging.getLogger(__name__)


def start_sweeper(env, interval_seconds: int) -> threading.Event:
    """Sweep now and then every `interval_seconds` until the returned event is set."""
    stop = threading.Event()

    def loop():
        while not stop.is_set():
            try:
                result = env.sweep()
                for line in result.lines():
                    log.info("sweep: %s", line)
            except Exception:  # noqa: BLE001 - a failed sweep must not stop the next one
                log.exception("timer sweep failed")
            stop.wait(interval_seconds)

    threading.Thread(target=loop, name="samflyt-sweeper", daemon=True).start()
    return stop
