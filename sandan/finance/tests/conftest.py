"""The 2010 year with the Changwon hub, its tree opened and 66.3 bn allocated to the total."""

from __future__ import annotations

from typing import Any

import pytest

from sandan.accounts.roles import Role
from sandan.accounts.tests.factories import user_with_role
from sandan.councils.tests.factories import hub_designation
from sandan.finance.models import BudgetLine
from sandan.finance.tests.factories import budget_year
from sandan.registry.tests.factories import ComplexFactory, province
from sandan.support.tests.factories import support_year


@pytest.fixture
def year() -> Any:
    return support_year()


@pytest.fixture
def hub(year: Any) -> Any:
    return hub_designation(ComplexFactory(name_ko="창원국가산업단지", province=province("48")))


@pytest.fixture
def root(year: Any, hub: Any) -> BudgetLine:
    return budget_year(year)


@pytest.fixture
def zone_line(root: BudgetLine, hub: Any) -> BudgetLine:
    return root.children.get(kind=BudgetLine.Kind.ZONE, zone=hub.zone)


@pytest.fixture
def hub_line(zone_line: BudgetLine) -> BudgetLine:
    return zone_line.children.get(kind=BudgetLine.Kind.HUB)


@pytest.fixture
def category_line(hub_line: BudgetLine) -> BudgetLine:
    return hub_line.children.get(category__code="MFG_EFFICIENCY")


@pytest.fixture
def hq() -> Any:
    return user_with_role(Role.HQ_STAFF)


@pytest.fixture
def ministry() -> Any:
    return user_with_role(Role.MINISTRY_OFFICER)


@pytest.fixture
def regional(hub: Any) -> Any:
    return user_with_role(Role.REGIONAL_STAFF, zone=hub.zone)
