"""The problem and project lists have one filter each (`selectors.ProblemFilter`,
`selectors.ProjectFilter`): the same query gives the same rows on the list page and in the
API, for every filter, and the filter means what a user expects (a problem's category is
its confirmed one, or the suggestion while none is confirmed; the text search finds a firm's
problems by its name)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from sandan.accounts.roles import Role
from sandan.accounts.tests.factories import user_with_role
from sandan.core import clock
from sandan.registry.tests.factories import ComplexFactory, OfficeFactory, province
from sandan.support.models import Problem, Project
from sandan.support.selectors import ProblemFilter, filter_problems
from sandan.support.tests.factories import (
    ProblemFactory,
    ProjectFactory,
    TriagedProblemFactory,
    category,
    firm_in_hub,
    hub_of_year,
    support_year,
)

pytestmark = pytest.mark.django_db

PROBLEM_QUERIES: list[dict[str, str]] = [
    {},
    {"year": "2010"},
    {"year": "2011"},
    {"zone": "dongnam"},
    {"zone": "capital"},
    {"hub": "148001"},
    {"status": "submitted"},
    {"status": "triaged"},
    {"category": "TOTAL_MARKETING"},
    {"category": "MFG_EFFICIENCY"},
    {"urgency": "urgent"},
    {"source": "import"},
    {"q": "전시회"},
    {"q": "창원정밀"},  # the firm's name
    {"q": "  금형  "},
    {"category": "MFG_EFFICIENCY", "zone": "dongnam", "status": "triaged"},
]
PROJECT_QUERIES: list[dict[str, str]] = [
    {},
    {"year": "2010"},
    {"zone": "capital"},
    {"hub": "148001"},
    {"status": "draft"},
    {"status": "submitted"},
    {"type": "prototype"},
    {"category": "TOTAL_MARKETING"},
    {"scope": "inter_complex"},
    {"q": "전시회"},
    {"q": "공동관"},  # in the summary
    {"category": "MFG_EFFICIENCY", "zone": "dongnam"},
]


@pytest.fixture
def hq(client: Client) -> Client:
    """A national user (sees every zone and hub), logged in: the page and the API (by
    session) answer the same user."""
    client.force_login(user_with_role(Role.HQ_STAFF))
    return client


@pytest.fixture
def world() -> dict[str, Any]:
    support_year()
    support_year(2011)  # a year without problems
    changwon = hub_of_year(
        ComplexFactory(
            kicox_id="148001",
            name_ko="창원국가산업단지",
            province=province("48"),
            office=OfficeFactory(code="changwon", name_ko="창원지사"),
        )
    )
    banwol = hub_of_year(ComplexFactory(name_ko="반월국가산업단지", province=province("41")))
    precision = firm_in_hub(changwon, name_ko="(주)창원정밀")
    metal = firm_in_hub(banwol, name_ko="(주)시화금속")
    problems = {
        # Not triaged yet: only the suggestion says "marketing".
        "fair": ProblemFactory(
            organisation=precision,
            title="해외 전시회 참가 지원",
            suggested_category=category("TOTAL_MARKETING"),
            urgency=Problem.Urgency.URGENT,
        ),
        # Triaged as manufacturing although the suggestion said marketing.
        "mould": TriagedProblemFactory(
            organisation=metal,
            title="금형 수명 연장",
            text_index=0,
            suggested_category=category("TOTAL_MARKETING"),
        ),
        "training": TriagedProblemFactory(
            organisation=precision, text_index=2, source=Problem.Source.IMPORT
        ),
        "injection": TriagedProblemFactory(
            organisation=precision,
            text_index=0,
            submitted_at=clock.now() - dt.timedelta(days=3),
        ),
    }
    projects = {
        "draft": ProjectFactory(hub=changwon, lead=precision),
        "fair": ProjectFactory(
            hub=banwol,
            lead=metal,
            title="해외 전시회 공동 참가",
            summary="동남아 바이어 상담회와 공동관 참가",
            category=category("TOTAL_MARKETING"),
            type=Project.Type.MARKETING,
            status=Project.Status.SUBMITTED,
        ),
        "prototype": ProjectFactory(
            hub=changwon,
            lead=precision,
            type=Project.Type.PROTOTYPE,
            scope=Project.Scope.INTER_COMPLEX,
        ),
    }
    return {"problems": problems, "projects": projects}


def page_ids(client: Client, name: str, query: dict[str, str]) -> list[int]:
    response = client.get(reverse(f"support:{name}"), query)
    assert response.status_code == 200
    assert not response.context["form"].errors, query
    return [row.pk for row in response.context["page"].object_list]


def api_ids(client: Client, path: str, query: dict[str, str]) -> list[int]:
    response = client.get(f"/api/v1/support/{path}", query)
    assert response.status_code == 200, response.content[:300]
    return [item["id"] for item in response.json()["items"]]


@pytest.mark.parametrize("query", PROBLEM_QUERIES, ids=str)
def test_a_problem_filter_gives_the_same_rows_on_the_page_and_in_the_api(
    hq: Client, world: dict[str, Any], query: dict[str, str]
) -> None:
    on_page = page_ids(hq, "problem_list", query)
    assert on_page == api_ids(hq, "problems", query)


@pytest.mark.parametrize("query", PROJECT_QUERIES, ids=str)
def test_a_project_filter_gives_the_same_rows_on_the_page_and_in_the_api(
    hq: Client, world: dict[str, Any], query: dict[str, str]
) -> None:
    on_page = page_ids(hq, "project_list", query)
    assert on_page == api_ids(hq, "projects", query)


def test_the_filters_mean_what_a_user_expects(hq: Client, world: dict[str, Any]) -> None:
    problems = {key: problem.pk for key, problem in world["problems"].items()}
    projects = {key: project.pk for key, project in world["projects"].items()}

    def found(query: dict[str, str]) -> set[int]:
        return set(api_ids(hq, "problems", query))

    # The confirmed category wins over the suggestion; the suggestion counts while none is.
    assert found({"category": "TOTAL_MARKETING"}) == {problems["fair"]}
    assert found({"category": "MFG_EFFICIENCY"}) == {problems["mould"], problems["injection"]}
    # The text is looked for in the title, the description and the firm's name.
    assert found({"q": "전시회"}) == {problems["fair"]}
    assert found({"q": "시화금속"}) == {problems["mould"]}
    assert found({"q": "창원정밀"}) == {
        problems["fair"],
        problems["training"],
        problems["injection"],
    }
    assert found({"zone": "capital"}) == {problems["mould"]}
    assert set(api_ids(hq, "projects", {"q": "공동관"})) == {projects["fair"]}
    assert set(api_ids(hq, "projects", {"category": "TOTAL_MARKETING"})) == {projects["fair"]}
    # Newest first, on both.
    assert page_ids(hq, "problem_list", {})[-1] == problems["injection"]


def test_the_selector_filters_by_intake_days_and_overdue(world: dict[str, Any]) -> None:
    user = user_with_role(Role.HQ_STAFF)
    today = clock.today()
    three_days_ago = today - dt.timedelta(days=3)
    injection = world["problems"]["injection"].pk

    def found(**values: Any) -> set[int]:
        return set(filter_problems(user, ProblemFilter(**values)).values_list("pk", flat=True))

    assert found(submitted_from=three_days_ago, submitted_to=three_days_ago) == {injection}
    assert injection not in found(submitted_from=today)
    assert found(overdue=True) == set()
