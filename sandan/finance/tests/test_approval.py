"""Approving a project commits its public grant on the ledger, or is refused."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ValidationError

from sandan.accounts.roles import Role
from sandan.accounts.tests.factories import user_with_role
from sandan.finance import selectors
from sandan.finance.models import BudgetLine, LedgerTransaction
from sandan.finance.services import Overspend
from sandan.registry.tests.factories import ComplexFactory, OfficeFactory, province
from sandan.support import services
from sandan.support.models import Project
from sandan.support.tests.factories import hub_of_year, ready_project, support_year

pytestmark = pytest.mark.django_db


@pytest.fixture
def hub() -> Any:
    support_year()
    branch = OfficeFactory(code="changwon", name_ko="창원지사")
    return hub_of_year(
        ComplexFactory(name_ko="창원국가산업단지", province=province("48"), office=branch)
    )


@pytest.fixture
def coordinator(hub: Any) -> Any:
    return user_with_role(Role.COORDINATOR, office=hub.complex.office)


@pytest.fixture
def regional(hub: Any) -> Any:
    return user_with_role(Role.REGIONAL_STAFF, zone=hub.zone)


def _submitted(coordinator: Any, hub: Any, **kwargs: Any) -> Project:
    return services.submit_project(coordinator, ready_project(hub=hub, **kwargs))


def _line(project: Project) -> BudgetLine:
    return BudgetLine.objects.get(transactions__project=project, transactions__kind="commit")


def test_approval_commits_the_grant_on_the_hubs_category_line(
    coordinator: Any, regional: Any, hub: Any
) -> None:
    project = _submitted(coordinator, hub, public=40_000_000)
    services.approve_project(regional, project)
    line = _line(project)
    assert line.parent.hub == hub and line.category == project.category  # type: ignore[union-attr]
    assert selectors.balance_of(line).committed_krw == 40_000_000
    assert selectors.balance_of(line).available_krw == 460_000_000


def test_a_linkage_project_is_paid_from_the_national_linkage_line(
    coordinator: Any, regional: Any, hub: Any
) -> None:
    project = _submitted(coordinator, hub, scope=Project.Scope.INTER_ZONE)
    services.approve_project(regional, project)
    line = _line(project)
    assert line.parent.purpose == BudgetLine.Purpose.LINKAGE  # type: ignore[union-attr]


def test_a_70_bn_grant_is_refused_with_the_available_amount(
    coordinator: Any, regional: Any, hub: Any
) -> None:
    """The case of issue 13: a grant larger than the whole year, its over-cap flag
    overridden with a reason, must still not be approved: no override creates money."""
    project = _submitted(coordinator, hub, public=70_000_000_000, cash=17_500_000_000, in_kind=0)
    with pytest.raises(ValidationError) as flagged:
        services.approve_project(regional, project)
    flags = project.duplicate_flags.values_list("pk", flat=True)
    assert "overrides" in flagged.value.message_dict and flags
    with pytest.raises(Overspend) as refused:
        services.approve_project(regional, project, {pk: "전략 과제" for pk in flags})
    assert refused.value.available_krw == 500_000_000
    assert "500,000,000원" in refused.value.message_dict["budget_lines"][0]
    project.refresh_from_db()
    assert project.status == Project.Status.SUBMITTED
    assert not LedgerTransaction.objects.filter(project=project).exists()
    assert not project.duplicate_flags.filter(overridden_at__isnull=False).exists()


def test_cancelling_an_approved_project_releases_its_commitment(
    coordinator: Any, regional: Any, hub: Any
) -> None:
    project = _submitted(coordinator, hub, public=40_000_000)
    services.approve_project(regional, project)
    services.cancel_project(coordinator, project, "기업 사정으로 포기")
    line = _line(project)
    assert selectors.balance_of(line).committed_krw == 0
    assert selectors.balance_of(line).available_krw == 500_000_000
