"""The project list, the outcome dashboard and its export, and the service levels; query
counts of the list and the project page are pinned."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import openpyxl
import pytest
from django.test import Client
from django.urls import reverse

from sandan.accounts.roles import Role
from sandan.accounts.tests.factories import user_with_role
from sandan.core import clock
from sandan.registry.models import Organisation
from sandan.registry.tests.factories import (
    ComplexFactory,
    ExpertFactory,
    province,
)
from sandan.support import services
from sandan.support.models import (
    BudgetLine,
    Milestone,
    Participant,
)
from sandan.support.tests.factories import (
    ProblemFactory,
    ProjectFactory,
    firm_in_hub,
    hub_of_year,
    ready_project,
)
from sandan.support.tests.project_pages.helpers import (
    _submitted,
    _url,
    as_user,
)

pytestmark = pytest.mark.django_db


# Lists, dashboards, exports and query counts -----------------------------------------


def test_project_list_filters_and_shows_the_budget_totals(
    client: Client, coordinator: Any, hub: Any
) -> None:
    project = ready_project(hub=hub, title="금형 수명 연장", public=30_000_000, cash=9_000_000)
    ProjectFactory(hub=hub, title="해외 전시회 공동관", type="marketing")
    as_user(client, coordinator)
    body = client.get(_url("project_list"), {"type": "mentoring"}).content.decode()
    assert "금형 수명 연장" in body and "해외 전시회 공동관" not in body
    # a list shows money in 백만원 (the unit rule in sandan.core.money): 30,000,000원 and
    # cash 9M + in kind 2M
    assert "정부지원금(백만원)" in body and "기업부담금(백만원)" in body
    assert '<td class="num">30.0</td>' in body and '<td class="num">11.0</td>' in body
    body = client.get(_url("project_list"), {"q": "전시회"}).content.decode()
    assert "해외 전시회 공동관" in body and "금형 수명 연장" not in body
    bad = client.get(_url("project_list"), {"hub": "abc"})
    assert bad.status_code == 200 and "잘못된 조건은 빼고" in bad.content.decode()
    assert project.title in bad.content.decode()


def test_project_list_query_count_is_constant(
    client: Client, coordinator: Any, hub: Any, django_assert_max_num_queries: Any
) -> None:
    ready_project(hub=hub)
    as_user(client, coordinator)
    url = _url("project_list")
    client.get(url)
    with django_assert_max_num_queries(9) as base:
        client.get(url)
    for _n in range(8):
        ready_project(hub=hub)
    with django_assert_max_num_queries(len(base.captured_queries)):
        response = client.get(url)
    assert len(response.context["page"].object_list) == 9


def test_project_detail_query_count_is_constant(
    client: Client,
    coordinator: Any,
    hub: Any,
    firm: Organisation,
    django_assert_max_num_queries: Any,
) -> None:
    project = services.approve_project(None, _submitted(hub, lead=firm))
    services.start_project(None, project)
    services.record_outcome(None, project, firm, patents_filed=1)
    as_user(client, coordinator)
    url = _url("project_detail", project.pk)
    client.get(url)
    # 16: the page's 15 and the project's ledger transactions (its money section).
    with django_assert_max_num_queries(16) as base:
        client.get(url)
    for n in range(5):
        partner = firm_in_hub(hub)
        Participant.objects.create(project=project, organisation=partner, role="firm")
        Participant.objects.create(project=project, expert=ExpertFactory(), role="expert")
        Milestone.objects.create(project=project, title=f"단계 {n}", due_date=dt.date(2010, 6, 1))
        BudgetLine.objects.create(
            project=project, kind="firm_in_kind", organisation=partner, amount_krw=1_000_000
        )
        services.record_outcome(None, project, partner, prototypes=1)
    with django_assert_max_num_queries(len(base.captured_queries)):
        response = client.get(url)
    assert len(response.context["outcome_rows"]) == 6


def test_the_outcome_export_is_an_xlsx_that_runs_no_formula(
    client: Client, hub: Any, firm: Organisation
) -> None:
    evil = ComplexFactory(name_ko='=HYPERLINK("http://x")', province=province("48"))
    evil_hub = hub_of_year(evil)
    project = services.approve_project(None, _submitted(evil_hub, lead=firm_in_hub(evil_hub)))
    services.start_project(None, project)
    lead = project.participants.get(role="lead_firm").organisation
    services.record_outcome(None, project, lead, patents_filed=3)
    as_user(client, user_with_role(Role.HQ_STAFF))
    response = client.get(_url("outcome_dashboard"), {"year": "2010", "format": "xlsx"})
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    workbook = openpyxl.load_workbook(io.BytesIO(response.content))
    assert workbook.sheetnames == ["분야별", "거점단지별", "권역별", "만족도"]
    hubs = [[cell.value for cell in row] for row in workbook["거점단지별"].iter_rows()]
    assert hubs[1][0] == '\'=HYPERLINK("http://x")' and hubs[1][2] == 3
    assert workbook["거점단지별"].cell(row=2, column=1).data_type == "s"
    # HQ narrows the dashboard to a zone.
    other_zone = client.get(_url("outcome_dashboard"), {"year": "2010", "zone": "capital"})
    assert other_zone.context["overall"]["patents_filed"] == 0
    own_zone = client.get(_url("outcome_dashboard"), {"year": "2010", "zone": "dongnam"})
    assert own_zone.context["overall"]["patents_filed"] == 3


def test_a_regional_user_sees_the_dashboard_of_their_zone_only(
    client: Client, capital_staff: Any, regional: Any, hub: Any, firm: Organisation
) -> None:
    project = services.approve_project(None, _submitted(hub, lead=firm))
    services.start_project(None, project)
    services.record_outcome(None, project, firm, new_hires=4)
    as_user(client, capital_staff)
    response = client.get(_url("outcome_dashboard"), {"year": "2010"})
    assert response.context["overall"]["new_hires"] == 0
    assert "zone" not in response.context["form"].fields
    as_user(client, regional)
    assert client.get(_url("outcome_dashboard")).context["overall"]["new_hires"] == 4


def test_service_levels_show_the_overdue_problem(
    client: Client, coordinator: Any, firm: Organisation
) -> None:
    late = ProblemFactory(
        organisation=firm,
        title="도금 폐수 처리 비용이 너무 큽니다",
        submitted_at=clock.now() - dt.timedelta(days=12),
    )
    ProblemFactory(organisation=firm, title="어제 접수한 애로과제")
    as_user(client, coordinator)
    response = client.get(_url("service_levels"), {"year": "2010"})
    body = response.content.decode()
    assert response.status_code == 200
    assert late.title in body and "분류 지연" in body and "어제 접수한 애로과제" not in body
    assert response.context["levels"]["overall"].problems == 2
    assert 'data-source="levels-chart-data"' in body and "<script>" not in body
    # No problem was triaged yet: those stages show a dash, not "– 일(중앙값)".
    assert '<span class="value">–</span>' in body and '–<span class="unit">' not in body


def test_service_levels_show_the_oldest_overdue_and_link_to_all_of_them(
    client: Client, coordinator: Any, firm: Organisation, monkeypatch: Any
) -> None:
    from sandan.support.views import outcomes as views

    monkeypatch.setattr(views, "OVERDUE_ON_PAGE", 2)
    for days in (30, 20, 10):
        ProblemFactory(
            organisation=firm,
            title=f"{days}일 전 접수",
            submitted_at=clock.now() - dt.timedelta(days=days),
        )
    as_user(client, coordinator)
    body = client.get(_url("service_levels"), {"year": "2010"}).content.decode()
    assert "처리 기한이 지난 애로과제 3건" in body
    assert "30일 전 접수" in body and "20일 전 접수" in body and "10일 전 접수" not in body
    link = reverse("support:problem_list") + "?overdue=on"
    assert link in body
    listed = client.get(link).content.decode()
    assert all(f"{days}일 전 접수" in listed for days in (30, 20, 10))


def test_service_levels_query_count_does_not_grow_with_problems(
    client: Client, coordinator: Any, firm: Organisation, django_assert_num_queries: Any
) -> None:
    def add(n: int) -> None:
        for days in range(n):
            ProblemFactory(
                organisation=firm, submitted_at=clock.now() - dt.timedelta(days=10 + days)
            )

    add(2)
    as_user(client, coordinator)
    url = _url("service_levels")
    # session, user, memberships and the branch's offices, the years for the form, the
    # selected year, the year's problems, hub and category names, the years' rules and the
    # oldest overdue rows (their count is the rows' when fewer than a page): none per problem.
    with django_assert_num_queries(SERVICE_LEVEL_QUERIES):
        client.get(url, {"year": "2010"})
    add(12)
    with django_assert_num_queries(SERVICE_LEVEL_QUERIES):
        body = client.get(url, {"year": "2010"}).content.decode()
    assert "처리 기한이 지난 애로과제 14건" in body


SERVICE_LEVEL_QUERIES = 10
