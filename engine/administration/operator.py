"""Who acts at the server's command line (`samflyt users ...`, `samflyt units ...`): the
operator, trusted as the owner of the database, who may do what every administration page
does. Their changes go through the same operations as the browser's and are audited under
`cli:<their login>`, so the administration's log shows every change, wherever it was made."""
from __future__ import annotations

import getpass

from engine.accounts.roles import ROLES
from engine.db.models import User

#: The actor names of command-line changes start with this.
PREFIX = "cli:"


def command_line_operator(login: str | None = None) -> User:
    """The operator as a user the administration's operations accept (never stored)."""
    try:
        login = login or getpass.getuser()
    except (KeyError, OSError):  # no name for the process's uid (a bare container)
        login = "unknown"
    return User(username=f"{PREFIX}{login}"[:80], display_name=login, roles=list(ROLES),
                active=True, trained_coordinator=False)
