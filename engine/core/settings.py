"""The one settings module. Every variable is read from the environment with the
``SAMFLYT_`` prefix; each field below documents its variable.

`Settings.from_env()` is called by the boundaries (CLI, web app factory, Celery app);
the engine only ever receives a `Settings` instance.
"""
from __future__ import annotations

import dataclasses
import ipaddress
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

PROJECT_ROOT = Path(__file__).resolve().parents[2]

#: The development secret key, and the placeholder docker-compose.yml falls back to: both are
#: public, so whoever knows them can forge a session or an API token.
DEFAULT_SECRET_KEY = "dev-only-change-me"  # noqa: S105 - refused except on loopback
PLACEHOLDER_SECRET_KEYS = frozenset({DEFAULT_SECRET_KEY, "change-me-before-production", ""})
#: Addresses only this machine can reach (`samflyt serve --host`).
LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})


class UnsafeSecretKey(ValueError):
    """SAMFLYT_SECRET_KEY is a public placeholder where others could reach the server."""


def is_loopback(host: str) -> bool:
    """True for an address only this machine can reach: localhost, 127.0.0.0/8, ::1."""
    host = host.strip().strip("[]").lower()
    if host in LOOPBACK_HOSTS:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:  # a host name other than localhost, or "" (every interface)
        return False


def require_secret_key(settings: Settings, bind_host: str | None = None) -> None:
    """Refuse a placeholder SAMFLYT_SECRET_KEY unless the server binds to `bind_host` and
    that is a loopback address (the embedded demo). The scaled set-up's entry points (gunicorn,
    Celery worker and beat) pass no host: they never serve this machine alone.

    Raises UnsafeSecretKey with a message naming the variable."""
    if settings.secret_key not in PLACEHOLDER_SECRET_KEYS:
        return
    if bind_host is not None and is_loopback(bind_host):
        return
    refused = (f"refusing to serve on {bind_host!r}" if bind_host is not None else
               "refusing to run the scaled set-up (gunicorn, Celery worker and beat)")
    raise UnsafeSecretKey(
        f"SAMFLYT_SECRET_KEY is not set (or is a public placeholder): {refused}. Set "
        "SAMFLYT_SECRET_KEY to a long random value, e.g. "
        "$(python3 -c 'import secrets; print(secrets.token_hex(32))')"
        + (", or serve on 127.0.0.1 for a local demo." if bind_host is not None else "."))


def _flag(key: str, raw: str) -> bool:
    """An on/off variable: on, 1, true, yes or off, 0, false, no (any case)."""
    value = raw.strip().lower()
    if value in ("on", "1", "true", "yes"):
        return True
    if value in ("off", "0", "false", "no"):
        return False
    raise ValueError(f"{key} must be on or off, not {raw!r}")


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
    #: SAMFLYT_FALLBACK_ROLE: role that receives a task with no lane (never a task nobody sees);
    #: a key of engine.accounts.roles.ROLES (checked when the engine environment is built).
    fallback_role: str = "koordinerende_enhet"
    #: SAMFLYT_CASE_NUMBER_PREFIX: prefix of readable case numbers, e.g. IP-2026-00042.
    case_number_prefix: str = "IP"
    #: SAMFLYT_SPEC_CACHE_SIZE: parsed process versions kept in memory per process.
    spec_cache_size: int = 64
    #: SAMFLYT_LIVE_WORKFLOW_CACHE_SIZE: running workflows kept in memory after a step, so
    #: the next step on the same case skips deserialising its state (0: none kept).
    live_workflow_cache_size: int = 256
    #: SAMFLYT_MAX_UPLOAD_BYTES: largest BPMN/DMN/form file accepted.
    max_upload_bytes: int = 5 * 1024 * 1024
    #: SAMFLYT_SWEEP_BATCH: most timers a sweep picks up at once.
    sweep_batch: int = 200
    #: SAMFLYT_SWEEP_CHUNK: due items (timers of an instance, a notice) a sweep handles in one
    #: transaction. One commit for many is the sweep's speed; a chunk in which one item fails
    #: or loses a race is done again an item at a time. 1: every item its own transaction.
    sweep_chunk: int = 50
    #: SAMFLYT_LOG_LEVEL: the least severe log records written (DEBUG, INFO, WARNING, ERROR),
    #: one line each with time, level and logger name, to standard error (engine/core/logs.py;
    #: set up by `samflyt` and the Celery worker and beat). INFO: one line per key operation
    #: (case started, task completed, sweep, deploy, sign-in, ...), identifiers only.
    log_level: str = "INFO"
    #: SAMFLYT_API_TOKEN_DAYS: how long an API token lasts unless its issuer says otherwise
    #: (1 to 365 days; `samflyt users token NAME --days N`, POST /api/v1/tokens).
    api_token_days: int = 90
    #: SAMFLYT_SCRIPT_CPU_MS: CPU time (milliseconds, the thread's own) one evaluation of a
    #: diagram's Python (a script task, a condition, a timer expression) may use; beyond it
    #: the step fails with a message naming the element (engine/workflow/script_limits.py).
    script_cpu_ms: int = 1000
    #: SAMFLYT_SCRIPT_MEMORY_MB: the largest value (megabytes, estimated before it is built)
    #: one operation of a diagram's Python may build.
    script_memory_mb: int = 50
    #: SAMFLYT_ALLOW_SYNTHETIC_IDS: accept synthetic national numbers (Skatteetaten's and
    #: Testnorge's test numbers: the month plus 80) besides real fødselsnummer and D-nummer.
    #: On for the demo (`make run`) and the tests only; off in production.
    allow_synthetic_ids: bool = False
    #: SAMFLYT_CONSENT_WARNING_DAYS: how many days before a consent expires the plan's
    #: coordinator is warned (on the day it expires, the access it gave ends).
    consent_warning_days: int = 30
    #: SAMFLYT_INTERIM_REPLY_WARNING_DAYS: how many days before the interim-reply deadline
    #: (foreløpig svar, forvaltningsloven § 11 a: one month from the date the application was
    #: received, moved to a working day) the officer is warned and asked for the reply; the
    #: leader's escalation comes on the deadline itself (engine/deadlines/legal.py, rule
    #: `forelopig_svar`).
    interim_reply_warning_days: int = 7
    #: SAMFLYT_DEFAULT_UNIT: the key of the unit a user joins when added without one, and
    #: that a case registered by someone of no unit is given (engine/organisation). Created
    #: by the migration as «Forvaltningskontoret»; empty: a user is added to no unit.
    default_unit: str = "forvaltningskontoret"
    #: SAMFLYT_OVERRIDE_HOURS: how long emergency access (nødtilgang) to a case lasts
    #: (engine/access/overrides.py); it is logged, reported to the coordinating unit and
    #: shown in the person's read log.
    override_hours: int = 24
    #: SAMFLYT_UNUSUAL_READING_PERSONS: the coordinating unit's audit view flags a user who
    #: opened the cases of this many different persons in the period shown without a task
    #: or the coordinator's role in them (engine/readlog/audit_view.py).
    unusual_reading_persons: int = 25
    #: SAMFLYT_AUDIT_RETENTION_MONTHS: how many whole months of the audit trail (reads, refused
    #: reads and every other event) stay in the database; older months may be archived to a
    #: file and removed (`samflyt audit archive`, engine/audit/retention.py). The log of who
    #: read a person's information belongs with the record (pasientjournalloven and the journal
    #: regulation, pasientjournalforskriften: the person may ask who has had access), so it is
    #: kept at least as long as the journal it concerns; 120 months (ten years) follows common
    #: Norwegian practice and is not a legal minimum: the municipality decides, with its
    #: archive.
    audit_retention_months: int = 120
    #: SAMFLYT_SWEEP_INTERVAL: seconds between timer sweeps in `samflyt serve` (embedded mode).
    sweep_interval: int = 60
    #: SAMFLYT_HOST / SAMFLYT_PORT: where `samflyt serve` listens.
    host: str = "127.0.0.1"
    port: int = 5000
    #: SAMFLYT_SERVE_THREADS: request threads of `samflyt serve` (waitress); requests beyond
    #: this many at once wait in its queue.
    serve_threads: int = 8
    #: SAMFLYT_SECRET_KEY: signs session cookies and API tokens. Set it in production (e.g.
    #: `python3 -c 'import secrets; print(secrets.token_hex(32))'`); the default is for the
    #: embedded demo only: `samflyt serve` accepts it only on a loopback address, and
    #: gunicorn (`webui.wsgi`), the Celery worker and beat refuse it (`require_secret_key`).
    secret_key: str = DEFAULT_SECRET_KEY

    # --- deadlines, notices, e-mail and the scaled set-up (engine/deadlines.py,
    # engine/notify.py, tasks/) -------------------------------------------------------------------
    #: SAMFLYT_BROKER_URL: the Celery broker (Redis), e.g. redis://127.0.0.1:6379/0. Empty: the
    #: embedded default, no Celery; `samflyt serve` sweeps and sends notices in-process. Set:
    #: `celery -A tasks.celery_app worker` and `celery -A tasks.celery_app beat` do it.
    broker_url: str = ""
    #: SAMFLYT_RESULT_BACKEND: where Celery keeps task results (e.g. the Redis URL). Empty:
    #: results are not kept (nothing reads them in production; the tests do).
    result_backend: str = ""
    #: SAMFLYT_BASE_URL: the address users open Samflyt at; links in e-mails start with it.
    base_url: str = "http://127.0.0.1:5000"
    #: SAMFLYT_SMTP_HOST: the mail server notices are sent through. Empty: no e-mail, notices
    #: are in-app only.
    smtp_host: str = ""
    #: SAMFLYT_SMTP_PORT: its port (25, or 587 with SAMFLYT_SMTP_STARTTLS=1).
    smtp_port: int = 25
    #: SAMFLYT_SMTP_FROM: the sender address of notice e-mails.
    smtp_from: str = "samflyt@localhost"
    #: SAMFLYT_SMTP_USERNAME / SAMFLYT_SMTP_PASSWORD: log in to the mail server (empty: don't).
    smtp_username: str = ""
    smtp_password: str = ""
    #: SAMFLYT_SMTP_STARTTLS: 1 = upgrade the connection with STARTTLS before logging in.
    smtp_starttls: int = 0
    #: SAMFLYT_SMTP_TIMEOUT: seconds to wait for the mail server.
    smtp_timeout: int = 10
    #: SAMFLYT_NOTICE_EMAIL_DEFAULT: e-mail preference of a user who has not chosen one:
    #: immediate (one e-mail per notice), digest (one e-mail a day) or none.
    notice_email_default: str = "immediate"
    #: SAMFLYT_DIGEST_HOUR: hour of the day (SAMFLYT_TIMEZONE) the daily digest is sent.
    digest_hour: int = 7
    #: SAMFLYT_NOTICE_BATCH: most notices or e-mails one sweep or dispatch handles at once.
    notice_batch: int = 200
    #: SAMFLYT_TASK_CLAIM_WITHIN: ISO 8601 duration; a user task nobody has claimed this long
    #: after it was created notifies its role (task_unclaimed). Empty: off. A diagram sets it
    #: per task with the property `claimWithin`.
    task_claim_within: str = "P2D"
    #: SAMFLYT_TASK_OVERDUE_NOTICE: 1 = a user task not completed by its due date notifies its
    #: assignee, or its role (task_overdue); 0 = off. Per task: `overdueNotice`.
    task_overdue_notice: int = 1
    #: SAMFLYT_TASK_REASSIGN_ON_OVERDUE: 1 = an overdue task also goes back to its role's
    #: shared queue, so that someone else can take it. Per task: `reassignOnOverdue`.
    task_reassign_on_overdue: int = 0
    #: SAMFLYT_WORKING_DAY_DEADLINES: 1 = a deadline that ends on a Saturday, Sunday or public
    #: holiday moves to the next working day (task and notice deadlines); 0 = calendar days.
    working_day_deadlines: int = 1
    #: SAMFLYT_HOLIDAY_COUNTRY: the public holidays, as a country code of the `holidays`
    #: library (NO: Norway).
    holiday_country: str = "NO"
    #: SAMFLYT_CLOSED_DAYS: further days the municipality is closed, comma-separated: MM-DD
    #: every year (12-24 for Christmas Eve) or YYYY-MM-DD once.
    closed_days: str = ""

    #: SAMFLYT_SESSION_IDLE_MINUTES: a signed-in web session ends after this long without a
    #: request.
    session_idle_minutes: int = 30
    #: SAMFLYT_SESSION_COOKIE_SECURE: "auto" (Secure, except for requests to localhost /
    #: 127.0.0.1 / ::1, i.e. local development), "always" or "never".
    session_cookie_secure: str = "auto"
    #: SAMFLYT_TRUSTED_PROXIES: how many reverse proxies stand in front of the web UI (0: none,
    #: the connection's address is the client's). With N, the client's address is taken from
    #: the N-th last X-Forwarded-For entry (and the scheme from X-Forwarded-Proto), as those
    #: proxies set them (werkzeug's ProxyFix); never set it higher than the proxies there are,
    #: or a client can choose its own address (the sign-in limit counts per address).
    trusted_proxies: int = 0
    #: SAMFLYT_SIGN_IN_MAX_FAILURES: after this many failed sign-ins for one user name within
    #: SAMFLYT_SIGN_IN_LOCK_MINUTES, that name cannot sign in until the oldest of them is that
    #: old; from one address, four times as many (guessing across user names) locks the address.
    sign_in_max_failures: int = 5
    #: SAMFLYT_SIGN_IN_LOCK_MINUTES: the window (and the wait) of the sign-in limit above.
    sign_in_lock_minutes: int = 15
    #: SAMFLYT_CASE_PROCESSES: comma-separated process keys an officer may start as a new case.
    case_processes: tuple[str, ...] = ("ip_sak",)
    #: SAMFLYT_SOON_DUE_DAYS: a task due within this many days is marked "due soon".
    soon_due_days: int = 3
    #: SAMFLYT_INBOX_PAGE_SIZE: rows per inbox page.
    inbox_page_size: int = 50
    #: SAMFLYT_FAST_PATH: on (default) = the workflow step and the sweep persist through the
    #: fast path (engine/db/fastpath: statements on the database driver's cursor, writes sent
    #: with the COMMIT on PostgreSQL); off = through the ORM session, the same rows (slower;
    #: for comparison, and the way round it should a SQLAlchemy upgrade break it). Also
    #: 1/0, true/false, yes/no.
    fast_path: bool = True

    #: SAMFLYT_MUNICIPALITY_NUMBER: the municipality's number (kommunenummer, four digits),
    #: in the KPR extract (engine/reports/kpr.py).
    municipality_number: str = "0000"

    # Letters (engine/letters)
    #: SAMFLYT_MUNICIPALITY_NAME: the municipality as its letters name it.
    municipality_name: str = "Samflyt kommune"
    #: SAMFLYT_MUNICIPALITY_UNIT: the unit that signs decisions and receives appeals.
    municipality_unit: str = "Tildelingskontoret"
    #: SAMFLYT_MUNICIPALITY_ADDRESS: the unit's postal address, lines separated by "|";
    #: appeals are sent there.
    municipality_address: str = "Postboks 1|0001 Samflyt"
    #: SAMFLYT_MALFORM: the municipality's written language, nb (bokmål) or nn (nynorsk):
    #: a letter's language unless the person has chosen the other, and the web UI's language
    #: for a user who has chosen none in the header (webui/i18n.py); unset, bokmål.
    malform: str = "nb"
    #: SAMFLYT_POST_DELIVERY_WORKING_DAYS: a letter sent by ordinary post counts as delivered
    #: this many working days after it was posted, unless the delivery date is known.
    post_delivery_working_days: int = 3
    #: SAMFLYT_PROTECTED_ROUTE: how a letter reaches a person with a strengt fortrolig address
    #: (printed without address and sent through the registry's protected forwarding, as
    #: the municipality has agreed); the case shows this text for such a copy.
    protected_route: str = "Papirbrev via Skatteetatens beskyttede videresending"
    #: SAMFLYT_DIGITAL_CHANNEL: the channel for digital mail: "svarut" (KS SvarUt, settings
    #: SAMFLYT_SVARUT_*) or "" (none: every letter is printed).
    digital_channel: str = ""
    #: SAMFLYT_SVARUT_URL: KS SvarUt's base URL (https://svarut.ks.no; test:
    #: https://test.svarut.ks.no). docs/svarut.md says how Samflyt uses its REST API v2.
    svarut_url: str = ""
    #: SAMFLYT_SVARUT_ACCOUNT_ID: the sending account (SvarUt's kontoId, a UUID).
    svarut_account_id: str = ""
    #: SAMFLYT_SVARUT_INTEGRATION_ID / SAMFLYT_SVARUT_INTEGRATION_PASSWORD: the Fiks
    #: integration with access to that account.
    svarut_integration_id: str = ""
    svarut_integration_password: str = ""
    #: SAMFLYT_SVARUT_ACCESS_TOKEN: a fixed bearer token sent to SvarUt instead of one from
    #: Maskinporten (SAMFLYT_MASKINPORTEN_*), for test set-ups and local stand-ins only.
    svarut_access_token: str = ""
    #: SAMFLYT_MASKINPORTEN_URL: Maskinporten's issuer, which SvarUt's access tokens come from
    #: (https://maskinporten.no/; test: https://test.maskinporten.no/); engine/letters/
    #: maskinporten.py signs a JWT grant and asks <issuer>token for a token with the scope below.
    maskinporten_url: str = ""
    #: SAMFLYT_MASKINPORTEN_CLIENT_ID: the municipality's Maskinporten client (the grant's iss),
    #: given the scope below.
    maskinporten_client_id: str = ""
    #: SAMFLYT_MASKINPORTEN_KEY_FILE: path to the unencrypted PEM RSA private key that signs the
    #: grant (the business certificate's, or a key registered on the client); a secret.
    maskinporten_key_file: str = ""
    #: SAMFLYT_MASKINPORTEN_CERTIFICATE_FILE: path to the business certificate (PEM, the key's
    #: certificate first, then its chain), sent as the grant's x5c. Either this or the key id.
    maskinporten_certificate_file: str = ""
    #: SAMFLYT_MASKINPORTEN_KEY_ID: the id (kid) under which the key is registered on the
    #: Maskinporten client; when set, sent instead of the certificate.
    maskinporten_key_id: str = ""
    #: SAMFLYT_MASKINPORTEN_SCOPE: the scopes asked for, space-separated (Fiks: ks:fiks).
    maskinporten_scope: str = "ks:fiks"
    #: SAMFLYT_LETTER_SEND_ATTEMPTS: how often a copy is tried at the digital channel before
    #: it is marked failed (the officer then sends it on paper).
    letter_send_attempts: int = 8

    @property
    def background_workers(self) -> bool:
        """Whether background workers (Celery) do the slow work, such as rendering approved
        letters; else it is done in the process that asks for it."""
        return bool(self.broker_url)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, **overrides: Any) -> Settings:
        environ = os.environ if environ is None else environ
        values: dict[str, Any] = {}
        for field in dataclasses.fields(cls):
            key = "SAMFLYT_" + field.name.upper()
            if key in environ:
                raw = environ[key]
                if field.type == "int":
                    values[field.name] = int(raw)
                elif field.type == "bool":
                    values[field.name] = _flag(key, raw)
                elif field.type.startswith("tuple"):
                    values[field.name] = tuple(v.strip() for v in raw.split(",") if v.strip())
                else:
                    values[field.name] = raw
        values.update(overrides)
        return cls(**values)
