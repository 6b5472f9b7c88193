"""How Samflyt is served over WSGI, in both set-ups.

The embedded default: `samflyt serve` builds the app and runs it on waitress (a production
WSGI server in pure Python: the same on Linux, macOS and Windows) with SAMFLYT_SERVE_THREADS
request threads, until Ctrl-C or SIGTERM (`EmbeddedServer`).

The scaled set-up: gunicorn loads the app from `production_app`, which refuses a public
placeholder SAMFLYT_SECRET_KEY before it builds anything:

    gunicorn --workers 2 --bind 127.0.0.1:8000 'webui.wsgi:production_app()'
"""
from __future__ import annotations

import signal
import threading

from flask import Flask
from waitress import create_server

from engine.core import logs
from engine.core.settings import Settings, require_secret_key

from .app import create_app


def production_app(settings: Settings | None = None) -> Flask:
    """The app for gunicorn. Raises UnsafeSecretKey (the worker does not boot and gunicorn
    exits) when SAMFLYT_SECRET_KEY is a placeholder."""
    settings = settings or Settings.from_env()
    require_secret_key(settings)
    logs.configure(settings)
    return create_app(settings)


class EmbeddedServer:
    """waitress listening on `host`:`port`; the socket is bound when this is made, so a port
    in use fails here (OSError), before any background work starts."""

    def __init__(self, app: Flask, host: str, port: int, threads: int):
        # clear_untrusted_proxy_headers: no proxy is trusted, so X-Forwarded-* is dropped.
        self._server = create_server(app, host=host, port=port, threads=threads,
                                     clear_untrusted_proxy_headers=True)

    def run(self) -> None:
        """Serve until Ctrl-C (SIGINT) or SIGTERM. waitress then stops taking requests and
        gives those in progress up to five seconds to finish."""
        in_main_thread = threading.current_thread() is threading.main_thread()
        previous = signal.signal(signal.SIGTERM, _interrupt) if in_main_thread else None
        try:
            self._server.run()  # returns after KeyboardInterrupt/SystemExit, having shut down
        finally:
            if in_main_thread:
                signal.signal(signal.SIGTERM, previous)


def _interrupt(_signum, _frame) -> None:
    """SIGTERM stops the server as Ctrl-C does."""
    raise KeyboardInterrupt
