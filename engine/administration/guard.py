"""Who may use an administration page: a role of the page's group (engine/accounts/roles.py)."""
from __future__ import annotations

from collections.abc import Iterable

from engine.accounts.roles import holds_any
from engine.core.errors import PermissionDenied
from engine.core.messages import N_
from engine.db.models import User


def require(user: User, group: Iterable[str]) -> None:
    """Refuse `user` unless they hold a role of `group`."""
    if not holds_any(user.role_keys, group):
        raise PermissionDenied(N_("Du har ikke tilgang til denne administrasjonssiden"))
