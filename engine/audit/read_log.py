"""One person's reads over a period: the query under the person's read log (engine/readlog).

It filters `person_id` and a range of `at`, which the index ix_audit_person (person_id, at)
answers; on PostgreSQL the range also prunes the month partitions outside the period, and
the rows come newest first from the index, so LIMIT stops the scan early."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from engine.db.models import AuditEvent

#: The audit kinds that are reads of a person's information, refused reads and emergency
#: access.
READ_KINDS = ("case_read", "person_read", "plan_read", "read_refused", "access_override")


def person_reads(ctx, person_id: int, start: datetime, end: datetime,
                 limit: int = 1000) -> list[AuditEvent]:
    """The read events concerning `person_id` with start <= at < end, newest first (at most
    `limit`). `start` and `end` must carry a time zone."""
    return list(ctx.session.scalars(
        select(AuditEvent)
        .where(AuditEvent.person_id == person_id, AuditEvent.at >= start, AuditEvent.at < end,
               AuditEvent.kind.in_(READ_KINDS))
        .order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
        .limit(limit)))
