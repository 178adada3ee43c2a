"""The council activity page shows the problems raised there through support's fragment
(`{% activity_problems %}`): the rows the viewer may see, in one query however many."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from sandan.accounts.roles import Role
from sandan.accounts.tests.factories import user_with_role
from sandan.councils.tests.factories import ActivityFactory, CouncilFactory, MembershipFactory
from sandan.registry.tests.factories import ComplexFactory, province
from sandan.support.tests.factories import (
    ProblemFactory,
    firm_in_hub,
    hub_of_year,
    support_year,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def hub() -> Any:
    support_year()
    return hub_of_year(ComplexFactory(name_ko="창원국가산업단지", province=province("48")))


def _page(client: Client, user: Any, activity: Any) -> str:
    client.force_login(user)
    return client.get(reverse("councils:activity_detail", args=[activity.pk])).content.decode()


def test_each_viewer_sees_only_the_problems_of_their_scope(client: Client, hub: Any) -> None:
    council = CouncilFactory(hub=hub)
    activity = ActivityFactory(council=council)
    own_firm = firm_in_hub(hub, name_ko="(주)창원정밀")
    MembershipFactory(council=council, organisation=own_firm)
    other_firm = firm_in_hub(hub, name_ko="(주)마산금속")
    ProblemFactory(activity=activity, organisation=own_firm, title="도금 박리 불량")
    ProblemFactory(activity=activity, organisation=other_firm, title="수출 바이어 발굴")
    ProblemFactory(organisation=own_firm, title="다른 곳에서 접수한 과제")

    hq_page = _page(client, user_with_role(Role.HQ_STAFF), activity)
    assert "도금 박리 불량" in hq_page and "수출 바이어 발굴" in hq_page
    assert "다른 곳에서 접수한 과제" not in hq_page
    assert reverse("support:activity_problems", args=[activity.pk]) in hq_page

    company_page = _page(client, user_with_role(Role.COMPANY_USER, organisation=own_firm), activity)
    assert "도금 박리 불량" in company_page and "수출 바이어 발굴" not in company_page
    # A company neither changes the activity nor records problems for others.
    assert "애로과제 기록" not in company_page


def test_the_fragment_reads_the_problems_in_one_query(
    client: Client, hub: Any, django_assert_max_num_queries: Any
) -> None:
    activity = ActivityFactory(council=CouncilFactory(hub=hub))
    problems = [ProblemFactory(activity=activity, organisation=firm_in_hub(hub))]
    hq = user_with_role(Role.HQ_STAFF)
    client.force_login(hq)
    url = reverse("councils:activity_detail", args=[activity.pk])
    with django_assert_max_num_queries(20) as one:
        client.get(url)
    problems += [ProblemFactory(activity=activity, organisation=firm_in_hub(hub)) for _ in "1234"]
    with django_assert_max_num_queries(len(one.captured_queries)):
        page = client.get(url).content.decode()
    for problem in problems:
        assert reverse("support:problem_detail", args=[problem.pk]) in page
