"""The support scope world of the API tests (see helpers.py)."""

from __future__ import annotations

from typing import Any

import pytest

from sandan.core.tests.world import World
from sandan.support.tests.scope_world import build_support_world


@pytest.fixture
def world(db: Any) -> World:
    return build_support_world()
