"""Escalation notices: what is open for a user, per case, and acknowledging one."""
from __future__ import annotations

from sqlalchemy import or_, select

from . import audit
from .errors import NotFound, PermissionDenied
from .models import Case, Notice, User


def for_case(ctx, case_id: int) -> list[Notice]:
    return list(ctx.session.scalars(select(Notice).where(Notice.case_id == case_id)
                                    .order_by(Notice.id)))


def open_for_user(ctx, user: User) -> list[Notice]:
    """Raised notices addressed to the user or to one of the user's roles."""
    return list(ctx.session.scalars(select(Notice).where(
        Notice.status == "raised",
        or_(Notice.username == user.username, Notice.role.in_(user.role_keys)))
        .order_by(Notice.created_at.desc(), Notice.id.desc())))


def acknowledge(ctx, notice_id: int, user: User) -> Notice:
    notice = ctx.session.get(Notice, notice_id)
    if notice is None:
        raise NotFound(f"Fant ikke varsel {notice_id}")
    if notice.username != user.username and notice.role not in user.role_keys:
        raise PermissionDenied("Varselet er ikke til deg")
    if notice.status == "raised":
        notice.status, notice.acknowledged_at, notice.acknowledged_by = (
            "acknowledged", ctx.now(), user.username)
        audit.record(ctx, ctx.session.get(Case, notice.case_id), user.username,
                     "notice_acknowledged", notice=notice.id, kind=notice.kind)
    return notice
