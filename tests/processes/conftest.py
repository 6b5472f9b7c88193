"""Fixtures for the scenario tests (helpers live in scenario_support.py)."""
from __future__ import annotations

import pytest

from scenario_support import People, make_people


@pytest.fixture
def people(make_user) -> People:
    return make_people(make_user)
