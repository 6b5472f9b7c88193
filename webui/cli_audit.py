"""`samflyt audit ...`: the audit trail's storage (engine/audit, docs/audit.md)."""
from __future__ import annotations

import sys
from datetime import date
from pathlib import Path

import click

from engine.audit import partitions, retention
from engine.core.settings import Settings
from engine.environment import EngineEnvironment


def _run(work):
    env = EngineEnvironment(Settings.from_env())
    try:
        with env.unit_of_work() as ctx:
            return work(ctx)
    finally:
        env.dispose()


def _month(_ctx, _param, value: str) -> date:
    try:
        year, month = value.split("-")
        return date(int(year), int(month), 1)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a month (YYYY-MM)") from None


@click.group("audit")
def audit_group() -> None:
    """The audit trail: its month partitions and the archive of old months."""


@audit_group.command("partitions")
def audit_partitions() -> None:
    """Every partition of the audit trail with its row count (PostgreSQL)."""
    def show(ctx):
        if not partitions.is_partitioned(ctx):
            click.echo("audit_events is not partitioned (SQLite, or before migration 0017)")
            return
        for partition in partitions.partitions(ctx, count_rows=True):
            month = partition.month.strftime("%Y-%m") if partition.month else "DEFAULT"
            click.echo(f"{partition.name}\t{month}\t{partition.rows}")
    _run(show)


@audit_group.command("archive")
@click.option("--before", required=True, callback=_month, metavar="YYYY-MM",
              help="Archive the months before this one (never a month within "
                   "SAMFLYT_AUDIT_RETENTION_MONTHS).")
@click.option("--directory", type=click.Path(file_okay=False, path_type=Path),
              default=Path("instance/audit-archive"), show_default=True,
              help="Where the archive files and their manifests are written.")
def audit_archive(before: date, directory: Path) -> None:
    """Write each whole month before --before and older than the retention to a gzip JSON
    Lines file with a manifest (row count, SHA-256); on PostgreSQL, then drop its
    partition."""
    result = _run(lambda ctx: retention.archive(ctx, before, directory))
    for month in result.months:
        removed = "partition dropped" if month.removed else "kept in the database (SQLite)"
        click.echo(f"{month.month:%Y-%m}\t{month.rows} rows\t{month.file}\tsha256 "
                   f"{month.sha256}\t{removed}")
    if result.kept_from < before.replace(day=1):
        click.echo(f"kept: the months from {result.kept_from:%Y-%m} on are within the "
                   "retention (SAMFLYT_AUDIT_RETENTION_MONTHS)", err=True)
    if not result.months:
        click.echo("nothing to archive")
    sys.stdout.flush()
