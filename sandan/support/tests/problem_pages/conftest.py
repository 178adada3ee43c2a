"""The people and places of the problem page tests: a Changwon hub with a firm, its
company user and coordinator, a capital-area firm and an expert with a login."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from sandan.accounts.roles import Role
from sandan.accounts.tests.factories import user_with_role
from sandan.registry.models import Organisation
from sandan.registry.tests.factories import (
    ComplexFactory,
    ExpertFactory,
    OfficeFactory,
    province,
)
from sandan.support.tests.factories import (
    firm_in_hub,
    hub_of_year,
    support_year,
)


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def hub() -> Any:
    support_year()
    branch = OfficeFactory(code="changwon", name_ko="창원지사")
    return hub_of_year(
        ComplexFactory(name_ko="창원국가산업단지", province=province("48"), office=branch)
    )


@pytest.fixture
def firm(hub: Any) -> Organisation:
    return firm_in_hub(hub, name_ko="(주)창원정밀", contact_email="kim@cwprecision.example.kr")


@pytest.fixture
def other_firm() -> Organisation:
    """A firm of another zone's hub (capital area)."""
    return firm_in_hub(hub_of_year(ComplexFactory(province=province("41"))), name_ko="(주)시화금속")


@pytest.fixture
def company(firm: Organisation) -> Any:
    return user_with_role(Role.COMPANY_USER, organisation=firm)


@pytest.fixture
def coordinator(hub: Any) -> Any:
    return user_with_role(Role.COORDINATOR, office=hub.complex.office)


@pytest.fixture
def expert_user() -> Any:
    expert = ExpertFactory(
        name_ko="정하늘", specialties="사출 성형 불량 분석, 금형 온도 제어, 성형 조건 최적화"
    )
    user = user_with_role(Role.EXPERT, organisation=expert.affiliation)
    expert.user = user
    expert.save()
    return user
