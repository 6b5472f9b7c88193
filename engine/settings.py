"""The one settings module. Every variable is read from the environment with the
``SAMFLYT_`` prefix; each field below documents its variable.

`Settings.from_env()` is called by the boundaries (CLI, web app factory, Celery app);
the engine only ever receives a `Settings` instance.
"""
from __future__ import annotations

import dataclasses
import os
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent

ROLES = ("saksbehandler", "leder", "koordinerende_enhet", "koordinator", "admin")


def _default_database_url() -> str:
    return f"sqlite:///{PROJECT_ROOT / 'instance' / 'samflyt.sqlite3'}"


@dataclasses.dataclass(frozen=True)
class Settings:
    #: SAMFLYT_DATABASE_URL: SQLAlchemy URL. Default: a SQLite file under instance/.
    #: PostgreSQL: postgresql+psycopg://user@host/dbname
    database_url: str = dataclasses.field(default_factory=_default_database_url)
    #: SAMFLYT_PROCESSES_DIR: the BPMN/DMN/form files `samflyt init` deploys.
    processes_dir: str = str(PROJECT_ROOT / "processes")
    #: SAMFLYT_TIMEZONE: the municipality's time zone, for dates in forms and timers.
    timezone: str = "Europe/Oslo"
    #: SAMFLYT_FALLBACK_ROLE: role that receives a task with no lane (never a task nobody sees).
    fallback_role: str = "koordinerende_enhet"
    #: SAMFLYT_CASE_NUMBER_PREFIX: prefix of readable case numbers, e.g. IP-2026-00042.
    case_number_prefix: str = "IP"
    #: SAMFLYT_SPEC_CACHE_SIZE: parsed process versions kept in memory per process.
    spec_cache_size: int = 64
    #: SAMFLYT_MAX_UPLOAD_BYTES: largest BPMN/DMN/form file accepted.
    max_upload_bytes: int = 5 * 1024 * 1024
    #: SAMFLYT_SWEEP_BATCH: most timers a sweep picks up at once.
    sweep_batch: int = 200
    #: SAMFLYT_SWEEP_INTERVAL: seconds between timer sweeps in `samflyt serve` (embedded mode).
    sweep_interval: int = 60
    #: SAMFLYT_HOST / SAMFLYT_PORT: where `samflyt serve` listens.
    host: str = "127.0.0.1"
    port: int = 5000
    #: SAMFLYT_SECRET_KEY: signs session cookies. Set it in production; the default is for
    #: the embedded demo only.
    secret_key: str = "dev-only-change-me"

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None, **overrides) -> "Settings":
        environ = os.environ if environ is None else environ
        values = {}
        for field in dataclasses.fields(cls):
            key = "SAMFLYT_" + field.name.upper()
            if key in environ:
                raw = environ[key]
                values[field.name] = int(raw) if field.type == "int" else raw
        values.update(overrides)
        return cls(**values)
