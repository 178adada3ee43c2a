"""The people and places of the project page tests: the Changwon branch, hub, firm,
coordinator and dongnam regional staff come from the support tests' conftest; here a
capital-area staff member."""

from __future__ import annotations

from typing import Any

import pytest

from sandan.accounts.roles import Role
from sandan.accounts.tests.factories import user_with_role
from sandan.registry.tests.factories import province


@pytest.fixture
def capital_staff() -> Any:
    return user_with_role(Role.REGIONAL_STAFF, zone=province("41").zone)
