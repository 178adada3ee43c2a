"""Council API: envelope, filters, scope and query counts constant as rows grow."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from sandan.accounts.models import ApiToken
from sandan.accounts.roles import Role
from sandan.accounts.tests.factories import user_with_role
from sandan.councils.tests.factories import (
    ActivityFactory,
    AttendanceFactory,
    CouncilFactory,
    MembershipFactory,
    hub_designation,
)
from sandan.registry.tests.factories import ComplexFactory, province

pytestmark = pytest.mark.django_db

LISTS = ("councils", "council-memberships", "activities", "attendance")


class Api:
    def __init__(self, user: Any) -> None:
        self.client = Client()
        token, self.raw = ApiToken.issue(user)
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now())

    def get(self, path: str, **query: Any) -> Any:
        return self.client.get(f"/api/v1/{path}", query, HTTP_AUTHORIZATION=f"Bearer {self.raw}")


@pytest.fixture
def hq() -> Api:
    return Api(user_with_role(Role.HQ_STAFF))


def _grow(council: Any, activities: int = 2, people: int = 2) -> None:
    for _n in range(activities):
        activity = ActivityFactory(council=council)
        MembershipFactory(council=council)
        for _p in range(people):
            AttendanceFactory(activity=activity)


@pytest.mark.parametrize("path", LISTS)
def test_lists_need_auth(path: str) -> None:
    assert Client().get(f"/api/v1/{path}").status_code == 401


@pytest.mark.parametrize("path", LISTS)
def test_lists_have_the_envelope_and_constant_queries(hq: Api, path: str) -> None:
    _grow(CouncilFactory())
    hq.get(path)
    with CaptureQueriesContext(connection) as small:
        body = hq.get(path).json()
    assert set(body) == {"items", "count"} and body["count"] >= 1
    for _n in range(3):
        _grow(CouncilFactory(), activities=3, people=4)
    with CaptureQueriesContext(connection) as large:
        bigger = hq.get(path).json()
    assert bigger["count"] > body["count"]
    assert len(large.captured_queries) == len(small.captured_queries)


def test_activity_filters(hq: Api) -> None:
    dongnam = hub_designation(ComplexFactory(province=province("48")))
    changwon = CouncilFactory(hub=dongnam, name="창원 협의체")
    capital = CouncilFactory(name="반월 협의체")
    spring = timezone.make_aware(dt.datetime(2010, 4, 1, 14))
    autumn = timezone.make_aware(dt.datetime(2010, 10, 1, 14))
    ActivityFactory(council=changwon, title="봄", starts_at=spring)
    ActivityFactory(council=capital, title="가을", starts_at=autumn)
    ActivityFactory(council=capital, title="작년", starts_at=autumn - dt.timedelta(days=365))

    def titles(**query: Any) -> set[str]:
        return {item["title"] for item in hq.get("activities", **query).json()["items"]}

    assert titles(zone="dongnam") == {"봄"}
    assert titles(hub=dongnam.complex.kicox_id) == {"봄"}
    assert titles(council=capital.pk) == {"가을", "작년"}
    assert titles(year=2010) == {"봄", "가을"}
    assert titles(date_from="2010-03-01", date_to="2010-04-30") == {"봄"}
    assert hq.get("activities", date_from="not-a-date").status_code == 422
    # Dates and numbers at the edge of the calendar or beyond a database integer are
    # refused with a message (they overflowed into a 500 before).
    for query in (
        {"date_to": "9999-12-31"},
        {"date_from": "0001-01-01"},
        {"year": 9999},
        {"year": 99999999999},
        {"council": 2**70},
        {"zone": "x" * 500},
        {"zone": "a\x00b"},
    ):
        response = hq.get("activities", **query)
        assert response.status_code == 422, query
        assert response.json()["detail"], query


def test_activities_count_attendance(hq: Api) -> None:
    activity = ActivityFactory()
    AttendanceFactory(activity=activity)
    AttendanceFactory(activity=activity, status="registered")
    item = hq.get("activities").json()["items"][0]
    assert item["attended_count"] == 1 and item["registered_count"] == 1


def test_councils_filter_by_year_and_status(hq: Api) -> None:
    CouncilFactory(name="2010 협의체")
    CouncilFactory(name="2011 협의체", hub=hub_designation(year=2011), status="active")
    assert [c["name"] for c in hq.get("councils", year=2011).json()["items"]] == ["2011 협의체"]
    assert [c["name"] for c in hq.get("councils", status="forming").json()["items"]] == [
        "2010 협의체"
    ]


def test_a_company_sees_only_its_councils_and_its_own_attendance() -> None:
    member = MembershipFactory()
    activity = ActivityFactory(council=member.council)
    AttendanceFactory(activity=activity, organisation=member.organisation, person_name="김민준")
    AttendanceFactory(activity=activity, person_name="남의 직원")
    CouncilFactory(name="다른 협의체")
    api = Api(user_with_role(Role.COMPANY_USER, organisation=member.organisation))
    assert [c["id"] for c in api.get("councils").json()["items"]] == [member.council.pk]
    people = [row["person_name"] for row in api.get("attendance").json()["items"]]
    assert people == ["김민준"]


def test_memberships_filter_by_council_and_dates(hq: Api) -> None:
    member = MembershipFactory(joined_on=dt.date(2010, 3, 2), left_on=dt.date(2010, 6, 30))
    MembershipFactory(council=member.council, joined_on=dt.date(2010, 9, 1))
    rows = hq.get("council-memberships", council=member.council.pk, date_from="2010-07-01").json()
    assert rows["count"] == 1 and rows["items"][0]["joined_on"] == "2010-09-01"
