"""A case's responsible unit: set when the case is registered (the registering user's home
unit, else SAMFLYT_DEFAULT_UNIT), changed only by a leader or the coordinating unit with a
stated reason, which the audit log keeps."""
from __future__ import annotations

from engine.access import rules
from engine.accounts.roles import NON_WORK_ROLES, SUPERVISOR_ROLES, holds_any
from engine.cases import audit
from engine.core.errors import InvalidInput, PermissionDenied
from engine.core.messages import N_, Message
from engine.db.models import Case, Unit, User

REASON_MAX = 500


def change(ctx, case_id: int, unit_id: int, reason: str, user: User) -> Case:
    """Make `unit_id` the case's responsible unit, for `reason`: a leader or the
    coordinating unit who reads the case in full."""
    case, level = rules.require_case(ctx, case_id, user)  # first: a refused read is logged
    if not holds_any(user.role_keys, SUPERVISOR_ROLES - NON_WORK_ROLES):
        raise PermissionDenied(N_("Bare en leder eller koordinerende enhet kan flytte saken "
                                  "til en annen enhet"))
    if level != rules.FULL:
        raise PermissionDenied(N_("Du har ikke tilgang til denne saken"))
    unit = ctx.session.get(Unit, unit_id)
    reason = (reason or "").strip()
    errors: dict[str, Message] = {}
    if unit is None or not unit.active:
        errors["unit"] = Message(N_("Velg en enhet"))
    if not reason or len(reason) > REASON_MAX:
        errors["reason"] = Message(N_("Oppgi hvorfor saken flyttes (høyst %(n)d tegn)"),
                                   n=REASON_MAX)
    if errors:
        raise InvalidInput(N_("Saken ble ikke flyttet"), errors)
    if case.responsible_unit_id == unit_id:
        return case
    before = case.responsible_unit_id
    case.responsible_unit_id = unit_id
    ctx.session.flush()
    audit.record(ctx, case, user.username, "responsible_unit_changed",
                 from_unit=before, to_unit=unit_id, reason=reason)
    return case
