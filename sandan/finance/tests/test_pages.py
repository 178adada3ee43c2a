"""Budget pages: the tree with its figures, a line's transactions, a project's money, the
approval page's refusal, scope and constant query counts."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from sandan.accounts.roles import Role
from sandan.accounts.tests.factories import user_with_role
from sandan.finance import services
from sandan.finance.models import BudgetLine
from sandan.registry.tests.factories import ComplexFactory, province
from sandan.support import services as support
from sandan.support.models import Project
from sandan.support.tests.factories import hub_of_year, ready_project

pytestmark = pytest.mark.django_db


def _as(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_tree_shows_every_figure_of_the_ledger(
    hq: Any, zone_line: BudgetLine, hub_line: BudgetLine
) -> None:
    services.allocate(None, zone_line, 3_000_000_000)
    services.allocate(None, hub_line, 1_200_000_000)
    body = _as(hq).get(reverse("finance:budget_tree"), {"year": 2010}).content.decode()
    assert "66,300,000,000" in body and "63,300,000,000" in body  # total and what it has left
    assert "3,000,000,000" in body and "1,800,000,000" in body  # the zone and its rest
    assert zone_line.name in body and "budget-chart-data" in body


def test_staff_of_a_zone_see_only_their_lines(
    regional: Any, zone_line: BudgetLine, root: BudgetLine
) -> None:
    client = _as(regional)
    body = client.get(reverse("finance:budget_tree")).content.decode()
    assert zone_line.name in body and root.name not in body
    other = _as(user_with_role(Role.REGIONAL_STAFF, zone=province("41").zone))
    assert other.get(reverse("finance:line_detail", args=[zone_line.pk])).status_code == 404
    assert client.get(reverse("finance:line_detail", args=[root.pk])).status_code == 404


def test_a_company_has_no_budget_page_in_its_menu(zone_line: BudgetLine) -> None:
    from sandan.registry.tests.factories import OrganisationFactory

    company = user_with_role(Role.COMPANY_USER, organisation=OrganisationFactory())
    body = _as(company).get(reverse("finance:budget_tree")).content.decode()
    assert 'href="/finance/"' not in body
    assert "볼 수 있는 예산 항목이 없습니다" in body


def test_a_line_lists_its_transactions_and_children(
    hq: Any, zone_line: BudgetLine, hub_line: BudgetLine
) -> None:
    services.allocate(hq, zone_line, 2_000_000_000, reason="1차 배정")
    services.allocate(hq, hub_line, 500_000_000)
    body = _as(hq).get(reverse("finance:line_detail", args=[zone_line.pk])).content.decode()
    assert "1차 배정" in body and "2,000,000,000" in body
    assert hub_line.name in body and "1,500,000,000" in body  # what the zone has left


def test_the_tree_costs_the_same_queries_however_many_lines(
    hq: Any, year: Any, zone_line: BudgetLine
) -> None:
    client = _as(hq)
    client.get(reverse("finance:budget_tree"))
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("finance:budget_tree"))
    hub_of_year(ComplexFactory(province=province("46")))  # another hub: a zone, a hub, categories
    with CaptureQueriesContext(connection) as many:
        client.get(reverse("finance:budget_tree"))
    assert BudgetLine.objects.count() > 40
    assert len(many) == len(few)


def test_a_project_page_shows_its_money_and_an_overspend_is_refused_on_approval() -> None:
    hub = hub_of_year(ComplexFactory(name_ko="창원국가산업단지", province=province("48")))
    regional = user_with_role(Role.REGIONAL_STAFF, zone=hub.zone)
    project = support.submit_project(None, ready_project(hub=hub, public=40_000_000))
    support.approve_project(regional, project)
    body = _as(regional).get(reverse("support:project_detail", args=[project.pk])).content
    assert "예산 집행" in body.decode() and "40,000,000" in body.decode()

    big = support.submit_project(
        None, ready_project(hub=hub, public=600_000_000, cash=150_000_000, in_kind=0)
    )
    flags = {
        f"override_{pk}": "전략 과제" for pk in big.duplicate_flags.values_list("pk", flat=True)
    }
    answer = _as(regional).post(reverse("support:project_approve", args=[big.pk]), flags)
    assert answer.status_code == 400
    assert "460,000,000원" in answer.content.decode()
    big.refresh_from_db()
    assert big.status == Project.Status.SUBMITTED


def test_a_line_page_allocates_to_a_child_and_refuses_beyond_what_is_left(
    regional: Any, hq: Any, zone_line: BudgetLine, hub_line: BudgetLine
) -> None:
    services.allocate(hq, zone_line, 1_000_000_000)
    client = _as(regional)
    url = reverse("finance:line_detail", args=[zone_line.pk])
    too_much = client.post(url, {"child": hub_line.pk, "amount_krw": 1_000_000_001})
    assert too_much.status_code == 400
    assert "1,000,000,000원" in too_much.content.decode()
    done = client.post(url, {"child": hub_line.pk, "amount_krw": 400_000_000, "reason": "상반기"})
    assert done.status_code == 302
    entry = hub_line.transactions.get()
    assert (entry.amount_krw, entry.reason, entry.actor) == (400_000_000, "상반기", regional)


def test_who_may_not_move_a_lines_money_gets_no_form(
    regional: Any, root: BudgetLine, zone_line: BudgetLine
) -> None:
    coordinator = user_with_role(Role.COORDINATOR, complex=zone_line.children.get().hub.complex)
    hub_line = zone_line.children.get()
    body = _as(coordinator).get(reverse("finance:line_detail", args=[hub_line.pk])).content
    assert "하위 항목에 배정" not in body.decode()
    answer = _as(coordinator).post(
        reverse("finance:line_detail", args=[hub_line.pk]),
        {"child": hub_line.children.first().pk, "amount_krw": 1},  # type: ignore[union-attr]
    )
    assert answer.status_code == 200 and not hub_line.children.first().transactions.exists()  # type: ignore[union-attr]


def test_hq_opens_the_tree_of_a_year_from_the_budget_page(hq: Any, year: Any, hub: Any) -> None:
    client = _as(hq)
    body = client.get(reverse("finance:budget_tree")).content.decode()
    assert "2010년 예산 항목 편성" in body
    answer = client.post(reverse("finance:open_tree", args=[2010]))
    assert answer.status_code == 302
    assert BudgetLine.objects.filter(kind="hub", hub=hub).exists()
    regional = user_with_role(Role.REGIONAL_STAFF, zone=hub.zone)
    assert _as(regional).post(reverse("finance:open_tree", args=[2010])).status_code == 403


def test_the_tree_names_its_lines_in_the_pages_language(
    hq: Any, zone_line: BudgetLine, hub_line: BudgetLine
) -> None:
    client = _as(hq)
    korean = client.get(reverse("finance:budget_tree"), {"year": 2010}).content.decode()
    english = client.get(
        reverse("finance:budget_tree"), {"year": 2010}, HTTP_ACCEPT_LANGUAGE="en"
    ).content.decode()
    assert zone_line.name in korean
    assert zone_line.zone.name_en in english and zone_line.name not in english
    assert "2010 program budget" in english
