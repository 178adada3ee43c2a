"""The support world the service tests share: a program year, the Changwon hub and its
branch office, a firm of the hub, its company user, a coordinator and regional staff."""

from __future__ import annotations

from typing import Any

import pytest

from sandan.accounts.roles import Role
from sandan.accounts.tests.factories import user_with_role
from sandan.registry.models import Organisation
from sandan.registry.tests.factories import ComplexFactory, OfficeFactory, province
from sandan.support.tests.factories import firm_in_hub, hub_of_year, support_year

AS_OF = "2010-06-15"


@pytest.fixture(autouse=True)
def _as_of_2010(settings: Any) -> None:
    # The support world is program year 2010: work is filed on a day of that year, as the
    # demo's is (the site's clock, sandan.core.clock, reads this).
    settings.SANDAN_AS_OF = AS_OF


@pytest.fixture
def year() -> Any:
    return support_year()


@pytest.fixture
def branch() -> Any:
    return OfficeFactory(code="changwon", name_ko="창원지사")


@pytest.fixture
def hub(year: Any, branch: Any) -> Any:
    complex_ = ComplexFactory(
        name_ko="창원국가산업단지", kind="national", province=province("48"), office=branch
    )
    return hub_of_year(complex_)


@pytest.fixture
def firm(hub: Any) -> Organisation:
    return firm_in_hub(hub, name_ko="(주)창원정밀", contact_email="kim@cwprecision.example.kr")


@pytest.fixture
def company(firm: Organisation) -> Any:
    return user_with_role(Role.COMPANY_USER, organisation=firm)


@pytest.fixture
def coordinator(branch: Any) -> Any:
    return user_with_role(Role.COORDINATOR, office=branch)


@pytest.fixture
def regional(hub: Any) -> Any:
    return user_with_role(Role.REGIONAL_STAFF, zone=hub.zone)
