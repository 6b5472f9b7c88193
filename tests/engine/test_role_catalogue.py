"""The role catalogue (engine/accounts/roles.py): every group names known roles, every role
has a name, and a setting that names a role is checked when the engine is built."""
import pytest

from engine.accounts import roles
from engine.core.settings import Settings
from engine.environment import EngineEnvironment

GROUPS = {name: value for name, value in vars(roles).items()
          if name.endswith("_ROLES") and isinstance(value, frozenset)}


def test_every_group_names_known_roles_and_every_role_has_a_name():
    assert set(GROUPS) >= {"INTAKE_ROLES", "CASEWORK_ROLES", "SUPERVISOR_ROLES",
                           "LIBRARY_ROLES"}
    for name, group in GROUPS.items():
        assert group and group <= set(roles.ROLES), name
    assert roles.PROCESS_ERROR_ROLE in roles.ROLES
    assert set(roles.ROLE_NAMES) == set(roles.ROLES)


def test_holds_any():
    assert roles.holds_any(["saksbehandler"], roles.INTAKE_ROLES)
    assert not roles.holds_any(["koordinator", "admin"], roles.INTAKE_ROLES)
    assert not roles.holds_any([], roles.SUPERVISOR_ROLES)


def test_a_fallback_role_that_is_no_role_is_refused_when_the_engine_is_built(tmp_path):
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'x.sqlite3'}",
                        fallback_role="rektor")
    with pytest.raises(ValueError, match="SAMFLYT_FALLBACK_ROLE='rektor' is not a role"):
        EngineEnvironment(settings)
    assert not (tmp_path / "x.sqlite3").exists()  # refused before anything was made
