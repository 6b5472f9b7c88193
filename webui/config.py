"""Settings of the web UI that engine/settings.py does not have (yet).

Read from the environment with the SAMFLYT_ prefix, like every other setting. They are meant
to move into engine/settings.py (see the field comments there); until then they live here.
"""
from __future__ import annotations

import dataclasses
import os


@dataclasses.dataclass(frozen=True)
class WebSettings:
    #: SAMFLYT_SESSION_IDLE_MINUTES: a signed-in session ends after this long without a request.
    session_idle_minutes: int = 30
    #: SAMFLYT_SESSION_COOKIE_SECURE: "auto" (Secure, except for requests to localhost /
    #: 127.0.0.1 / ::1, i.e. local development), "always" or "never".
    session_cookie_secure: str = "auto"
    #: SAMFLYT_CASE_PROCESSES: comma-separated process keys an officer may start as a new case.
    case_processes: tuple[str, ...] = ("ip_sak",)
    #: SAMFLYT_SOON_DUE_DAYS: a task due within this many days is marked "due soon".
    soon_due_days: int = 3
    #: SAMFLYT_INBOX_PAGE_SIZE: rows per inbox page.
    inbox_page_size: int = 50

    @classmethod
    def from_env(cls, environ=None, **overrides) -> "WebSettings":
        environ = os.environ if environ is None else environ
        values: dict = {}
        for field in dataclasses.fields(cls):
            key = "SAMFLYT_" + field.name.upper()
            if key in environ:
                raw = environ[key]
                if field.type == "int":
                    values[field.name] = int(raw)
                elif field.name == "case_processes":
                    values[field.name] = tuple(p.strip() for p in raw.split(",") if p.strip())
                else:
                    values[field.name] = raw
        values.update(overrides)
        return cls(**values)
