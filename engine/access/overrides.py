"""Emergency access (nødtilgang): a user who may not read a case states why they must, and
reads it for SAMFLYT_OVERRIDE_HOURS. The grant is written to the audit log with its reason
(the person's read log shows it), and the coordinating unit gets a notice that names the
case and the user, never the reason (a notice may be e-mailed; the reason may describe
health). The administrator never reads personal data, not even this way.
"""
from __future__ import annotations

from datetime import timedelta

from engine.access import rules
from engine.accounts.roles import COORDINATING_UNIT, NON_WORK_ROLES
from engine.cases import audit
from engine.core.errors import ConflictError, InvalidInput, NotFound, PermissionDenied
from engine.core.messages import N_, Message
from engine.db import fastpath
from engine.db.models import AccessOverride, Case, Notice, User
from engine.notices import notice_board

REASON_MIN, REASON_MAX = 10, 500
#: The audit kind of a grant; its reads are `case_read` events with `why` "override".
GRANTED = notice_board.ACCESS_OVERRIDE


def grant(ctx, case_id: int, user: User, reason: str) -> AccessOverride:
    """Emergency access to the case for `user`, for `reason`."""
    if not user.role_keys or user.role_keys <= NON_WORK_ROLES:
        raise PermissionDenied(N_("Administratoren leser ikke personopplysninger"))
    case = ctx.session.get(Case, case_id)
    if case is None:
        raise NotFound(N_("Fant ikke sak %(case)s"), case=case_id)
    reason = " ".join((reason or "").split())
    if not REASON_MIN <= len(reason) <= REASON_MAX:
        raise InvalidInput(N_("Oppgi hvorfor du trenger tilgang"), {"reason": Message(
            N_("Skriv begrunnelsen med %(min)d–%(max)d tegn"), min=REASON_MIN, max=REASON_MAX)})
    if rules.case_access(ctx, case, user) == rules.FULL:
        raise ConflictError(N_("Du har allerede tilgang til denne saken"))
    now = ctx.now()
    override = AccessOverride(username=user.username, case_id=case.id,
                              person_id=case.person_id, reason=reason, granted_at=now,
                              expires_at=now + timedelta(hours=ctx.settings.override_hours))
    ctx.session.add(override)
    ctx.session.flush()
    audit.record(ctx, case, user.username, GRANTED, reason=reason,
                 expires_at=override.expires_at.isoformat(), override=override.id)
    fastpath.insert(ctx, Notice(
        case_id=case.id, source_key=f"{GRANTED}:{override.id}", kind=GRANTED,
        severity="warning", role=COORDINATING_UNIT, username=None,
        case_number=case.case_number, status=notice_board.RAISED, created_at=now,
        raised_at=now, due_at=now))
    return override
