"""Database engine and sessions for SQLite (embedded) and PostgreSQL (scaled)."""
from __future__ import annotations

import logging
import sqlite3
import threading
import time
from pathlib import Path

from sqlalchemy import create_engine, event
from sqlalchemy import exc as sa_exc
from sqlalchemy.engine import Engine
from sqlalchemy.orm import sessionmaker

from engine.db import fastpath

log = logging.getLogger(__name__)


def make_db_engine(url: str, fast_path: bool = True, **kwargs) -> Engine:
    """The engine for `url`; `fast_path` (SAMFLYT_FAST_PATH) installs the fast path's
    transaction hooks (engine/db/fastpath)."""
    if url.startswith("sqlite"):
        path = url.split("///", 1)[-1]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": 15}, **kwargs)
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin)
        return engine
    engine = create_engine(url, **kwargs)
    _ping_when_idle(engine)
    fastpath.install(engine, fast_path)
    return engine


#: A pooled server connection idle for longer than this is checked before use (a server
#: restart or an idle timeout ends it). One in use moments ago is not: a ping is a round
#: trip, as much as a whole statement. A connection lost mid-request is invalidated by the
#: error itself (the request answers 503, nothing saved) and the next request gets a new one.
PING_AFTER_IDLE_SECONDS = 5.0
_CHECKED_IN = "samflyt_checked_in_at"


def _ping_when_idle(engine: Engine) -> None:
    dialect = engine.dialect

    @event.listens_for(engine, "checkin")
    def _note_checkin(_dbapi_connection, record):
        record.info[_CHECKED_IN] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _ping_if_idle(dbapi_connection, record, _proxy):
        checked_in = record.info.get(_CHECKED_IN)
        if checked_in is not None and time.monotonic() - checked_in < PING_AFTER_IDLE_SECONDS:
            return
        try:
            dialect.do_ping(dbapi_connection)
        except dialect.loaded_dbapi.Error as error:
            # the pool drops this connection and checks out a new one
            raise sa_exc.DisconnectionError(str(error)) from error


#: SQLite copies its write-ahead log into the database file in a commit once the log holds
#: this many pages (about 80 MB); the WalCheckpointer below normally does it long before.
WAL_AUTOCHECKPOINT_PAGES = 20000
#: How often the WalCheckpointer copies the log.
CHECKPOINT_INTERVAL_SECONDS = 1.0


class WalCheckpointer:
    """SQLite: copies the write-ahead log into the database file from a thread of its own,
    once a second, rather than in the commit of whichever request crosses SQLite's threshold
    (with SQLite's default of 1,000 pages, one commit in forty took about 5 ms more: over half
    of all the time spent committing). A passive checkpoint never blocks a writer."""

    def __init__(self, path: str):
        self._path = path
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="samflyt-wal-checkpoint",
                                        daemon=True)
        self._thread.start()

    def _run(self) -> None:
        connection = sqlite3.connect(self._path, timeout=15, isolation_level=None,
                                     check_same_thread=False)
        try:
            while not self._stop.wait(CHECKPOINT_INTERVAL_SECONDS):
                try:
                    connection.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
                except sqlite3.Error as error:  # tried again at the next interval
                    log.warning("WAL checkpoint of %s failed: %s", self._path, error)
        finally:
            connection.close()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=15)


def start_wal_checkpointer(engine: Engine) -> WalCheckpointer | None:
    """A WalCheckpointer for an SQLite database file; None for anything else."""
    path = engine.url.database
    if engine.dialect.name != "sqlite" or not path or path == ":memory:":
        return None
    return WalCheckpointer(path)


def _sqlite_pragmas(dbapi_connection, _record):
    # Let SQLAlchemy, not pysqlite, decide where transactions begin, so that SAVEPOINTs
    # work (SQLAlchemy's documented recipe for pysqlite).
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute(f"PRAGMA wal_autocheckpoint={WAL_AUTOCHECKPOINT_PAGES}")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=15000")
    cursor.close()


def _sqlite_begin(connection):
    # SQLite has one writer at a time. Taking the write lock when the transaction begins
    # serialises writers cleanly: the second officer to submit waits, then reads the state
    # the first one wrote and gets a clear conflict, instead of failing on a stale snapshot.
    # (on the driver's connection: through SQLAlchemy the statement costs ten times more)
    try:
        connection.connection.driver_connection.execute("BEGIN IMMEDIATE")
    except connection.dialect.loaded_dbapi.Error as error:  # "database is locked"
        raise fastpath.as_sqlalchemy_error(connection, error, "BEGIN IMMEDIATE") from error


def make_session_factory(engine: Engine) -> sessionmaker:
    return sessionmaker(bind=engine, expire_on_commit=False)


def is_postgres(session) -> bool:
    return session.get_bind().dialect.name == "postgresql"
