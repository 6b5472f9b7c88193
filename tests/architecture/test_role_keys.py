"""Roles have one source, engine/accounts/roles.py: no other module of engine/, webui/ or
tasks/ writes a role key (in a tuple, set, dict, comparison, template or script). Everything
else names the roles module's constants and groups."""
from __future__ import annotations

import ast
import re
from pathlib import Path

from engine.accounts.roles import ROLES

ROOT = Path(__file__).resolve().parents[2]

#: The only places besides the roles module that may write a role key, and why.
ALLOWED = {
    # the demo users and the demo cases' form data (a field named "koordinator")
    "engine/cases/demo.py",
    # SAMFLYT_FALLBACK_ROLE's default: settings imports nothing of accounts; the value is
    # checked against roles.ROLES when the engine environment is built (roles.require_role)
    "engine/core/settings.py",
    # the service "koordinator" (pbrl § 2-5 b) an application asks for: a service key that
    # shares its name with the role; the migration fills it in for existing cases
    "engine/persons/catalogue.py",
    "engine/db/alembic/versions/0013_persons_and_plans.py",
    # a migration is frozen at its date: the work roles then, who joined the default unit
    "engine/db/alembic/versions/0016_organisation.py",
}


def _python_role_literals(source: str, name: str) -> list[str]:
    """Lines with a string constant that is a role key, except a subscript (`data["koordinator"]`
    names a data field of a process, not the role)."""
    tree = ast.parse(source, name)
    indexes = {id(node.slice) for node in ast.walk(tree) if isinstance(node, ast.Subscript)}
    return sorted(f"{name}:{node.lineno}: {node.value!r}" for node in ast.walk(tree)
                  if isinstance(node, ast.Constant) and node.value in ROLES
                  and id(node) not in indexes)


def test_no_module_but_the_roles_module_writes_a_role_key():
    found = []
    for folder in ("engine", "webui", "tasks"):
        for path in sorted((ROOT / folder).rglob("*.py")):
            relative = path.relative_to(ROOT).as_posix()
            if relative != "engine/accounts/roles.py" and relative not in ALLOWED:
                found += _python_role_literals(path.read_text(), relative)
    quoted = re.compile(r"""['"](%s)['"]""" % "|".join(ROLES))
    pages = [*(ROOT / "webui" / "templates").rglob("*.html"),
             *(path for path in (ROOT / "webui" / "static").rglob("*.js")
               if "vendor" not in path.parts)]
    for path in sorted(pages):
        found += [f"{path.relative_to(ROOT)}:{number}: {line.strip()}"
                  for number, line in enumerate(path.read_text().splitlines(), 1)
                  if quoted.search(line)]
    assert found == [], "name a constant or group of engine.accounts.roles instead"


def test_the_scan_finds_a_role_key_where_one_is_written():
    """The scan itself: a set of role keys is reported, a process's data field is not."""
    source = 'SUPERVISORS = {"leder", "admin"}\nseed["koordinator"] = case.coordinator\n'
    assert _python_role_literals(source, "sample.py") == ["sample.py:1: 'admin'",
                                                          "sample.py:1: 'leder'"]
