"""The people and places of the project page tests: the Changwon branch and hub, a firm,
the coordinator, the dongnam regional staff and a capital-area staff member."""

from __future__ import annotations

from typing import Any

import pytest

from sandan.accounts.roles import Role
from sandan.accounts.tests.factories import user_with_role
from sandan.registry.models import Organisation
from sandan.registry.tests.factories import (
    ComplexFactory,
    OfficeFactory,
    province,
)
from sandan.support.tests.factories import (
    firm_in_hub,
    hub_of_year,
    support_year,
)


@pytest.fixture
def branch() -> Any:
    return OfficeFactory(code="changwon", name_ko="창원지사")


@pytest.fixture
def hub(branch: Any) -> Any:
    support_year()
    complex_ = ComplexFactory(
        name_ko="창원국가산업단지", kind="national", province=province("48"), office=branch
    )
    return hub_of_year(complex_)


@pytest.fixture
def firm(hub: Any) -> Organisation:
    return firm_in_hub(hub, name_ko="(주)창원정밀", contact_email="kim@cwprecision.example.kr")


@pytest.fixture
def coordinator(branch: Any) -> Any:
    return user_with_role(Role.COORDINATOR, office=branch)


@pytest.fixture
def regional(hub: Any) -> Any:
    return user_with_role(Role.REGIONAL_STAFF, zone=hub.zone)


@pytest.fixture
def capital_staff() -> Any:
    return user_with_role(Role.REGIONAL_STAFF, zone=province("41").zone)
