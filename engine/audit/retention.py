"""How long the audit trail stays in the database, and the archive of what is older.

SAMFLYT_AUDIT_RETENTION_MONTHS (engine/core/settings.py) whole months are kept: on 5 December
2026 with 120, every month from December 2016 on. `archive` writes each older month, and
only whole months, to a compressed file in a directory:

    audit_events_2016_11.jsonl.gz          one event a line, in id order, as JSON:
                                           id, case_id, person_id, at (ISO 8601, UTC),
                                           actor, kind, details
    audit_events_2016_11.manifest.json     the month, its range of `at`, the row count, the
                                           first and last id, the file's SHA-256, when

The file is written to a temporary name, flushed to disk, read back and checked against the
database's count before it takes its name. Then, on PostgreSQL, the month's partition is
detached and dropped: rows are never updated or deleted one by one, and the archive file is
what remains of the month. The files are the municipality's to keep (with its archive
service, Noark/arkivloven), and must be backed up before they are the only copy.

On SQLite (the embedded demo, a single file with no partitions) `archive` writes the same
files and removes nothing: the table refuses DELETE, and a demo has no old months to shed.
"""
from __future__ import annotations

import dataclasses
import gzip
import hashlib
import json
import os
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

from sqlalchemy import func, select

from engine.audit import partitions
from engine.db.models import AuditEvent

FORMAT = "gzip JSON Lines: one audit event a line, in id order"
_CHUNK = 5000


@dataclasses.dataclass(frozen=True)
class ArchivedMonth:
    month: date
    file: Path
    manifest: Path
    rows: int
    sha256: str
    removed: bool         # the month's partition was dropped from the database


@dataclasses.dataclass(frozen=True)
class ArchiveResult:
    months: list[ArchivedMonth]
    #: The first month kept: nothing from it on was archived (the earlier of the month asked
    #: for and the first month within the retention).
    kept_from: date


def first_kept_month(ctx) -> date:
    """The oldest month within the retention (the current month counts as one)."""
    current = partitions.month_of(ctx.today())
    return partitions.add_months(current, 1 - ctx.settings.audit_retention_months)


def archive(ctx, before: date, directory: Path) -> ArchiveResult:
    """Archive every whole month before `before`'s month that is also older than the
    retention: write it to `directory` and, on PostgreSQL, drop its partition."""
    kept_from = min(partitions.month_of(before), first_kept_month(ctx))
    directory.mkdir(parents=True, exist_ok=True)
    partitioned = partitions.is_partitioned(ctx)
    if partitioned:
        months = [p.month for p in partitions.partitions(ctx)
                  if p.month is not None and p.month < kept_from]
    else:
        months = _months_with_rows(ctx, kept_from)
    done = []
    for month in months:
        done.append(_archive_month(ctx, month, directory, remove=partitioned))
    return ArchiveResult(done, kept_from)


def _months_with_rows(ctx, kept_from: date) -> list[date]:
    """The months before `kept_from` that have events (the table not partitioned)."""
    end = partitions.bounds(kept_from)[0]
    oldest = ctx.session.scalar(select(func.min(AuditEvent.at)).where(AuditEvent.at < end))
    if oldest is None:
        return []
    months, month = [], partitions.month_of(_utc(oldest).date())
    while month < kept_from:
        start, stop = partitions.bounds(month)
        if ctx.session.scalar(select(AuditEvent.id).where(
                AuditEvent.at >= start, AuditEvent.at < stop).limit(1)) is not None:
            months.append(month)
        month = partitions.add_months(month, 1)
    return months


def _archive_month(ctx, month: date, directory: Path, remove: bool) -> ArchivedMonth:
    name = partitions.partition_name(month)
    start, end = partitions.bounds(month)
    path, manifest_path = directory / f"{name}.jsonl.gz", directory / f"{name}.manifest.json"
    rows, first_id, last_id = _write(path, _lines(ctx, start, end))
    sha256, read_back = _digest(path)
    counted = ctx.session.scalar(select(func.count()).select_from(AuditEvent).where(
        AuditEvent.at >= start, AuditEvent.at < end))
    if not rows == read_back == counted:
        raise RuntimeError(f"archive of {name}: wrote {rows} rows, read back {read_back}, "
                           f"the database has {counted}; nothing was removed")
    manifest = {"table": AuditEvent.__tablename__, "month": month.strftime("%Y-%m"),
                "from": start.isoformat(), "to": end.isoformat(), "rows": rows,
                "first_id": first_id, "last_id": last_id, "file": path.name,
                "sha256": sha256, "format": FORMAT, "archived_at": _utc(ctx.now()).isoformat(),
                "removed_from_database": remove}
    _replace(manifest_path, (json.dumps(manifest, indent=2) + "\n").encode())
    if remove:
        partitions.drop_month(partitions.connection_of(ctx), month)
    return ArchivedMonth(month, path, manifest_path, rows, sha256, remove)


def _lines(ctx, start: datetime, end: datetime) -> Iterator[tuple[int, bytes]]:
    """(id, the event as one line of JSON), in id order, read in chunks from the server."""
    table = AuditEvent.__table__
    statement = (select(table).where(table.c.at >= start, table.c.at < end)
                 .order_by(table.c.id).execution_options(yield_per=_CHUNK))
    for row in ctx.session.connection().execute(statement):
        event = {"id": row.id, "case_id": row.case_id, "person_id": row.person_id,
                 "at": _utc(row.at).isoformat(), "actor": row.actor, "kind": row.kind,
                 "details": row.details}
        yield row.id, json.dumps(event, sort_keys=True, ensure_ascii=False,
                                 separators=(",", ":")).encode() + b"\n"


def _write(path: Path, lines: Iterator[tuple[int, bytes]]) -> tuple[int, int | None, int | None]:
    """Write the lines gzipped (no name or time in the header: the same month gives the same
    file) under a temporary name, flushed to disk, then under `path`."""
    temporary = path.with_name(path.name + ".tmp")
    rows, first_id, last_id = 0, None, None
    with open(temporary, "wb") as raw:
        with gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0) as zipped:
            for event_id, line in lines:
                zipped.write(line)
                rows += 1
                first_id = event_id if first_id is None else first_id
                last_id = event_id
        raw.flush()
        os.fsync(raw.fileno())
    os.replace(temporary, path)
    return rows, first_id, last_id


def _digest(path: Path) -> tuple[str, int]:
    """The file's SHA-256 and the number of lines it holds, read back from the disk."""
    sha = hashlib.sha256()
    with open(path, "rb") as raw:
        for block in iter(lambda: raw.read(1 << 20), b""):
            sha.update(block)
    with gzip.open(path, "rb") as zipped:
        lines = sum(1 for _ in zipped)
    return sha.hexdigest(), lines


def _replace(path: Path, content: bytes) -> None:
    temporary = path.with_name(path.name + ".tmp")
    with open(temporary, "wb") as raw:
        raw.write(content)
        raw.flush()
        os.fsync(raw.fileno())
    os.replace(temporary, path)


def _utc(moment: datetime) -> datetime:
    """SQLite keeps no offset: its times are UTC."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
