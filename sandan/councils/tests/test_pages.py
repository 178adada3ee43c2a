"""The council pages as users meet them, with query counts pinned and constant in size."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from sandan.accounts.roles import Role
from sandan.accounts.tests.factories import user_with_role
from sandan.councils.models import Activity, Attendance, Council, Membership
from sandan.councils.tests.factories import (
    ActivityFactory,
    AttendanceFactory,
    CouncilFactory,
    MembershipFactory,
    active_council,
    hub_designation,
)
from sandan.registry.tests.factories import IndustryFactory, OrganisationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def hq(client: Client) -> Any:
    user = user_with_role(Role.HQ_STAFF)
    client.force_login(user)
    return user


def _grow(council: Council, activities: int, people: int) -> None:
    for n in range(activities):
        activity = ActivityFactory(
            council=council, starts_at=timezone.now() + dt.timedelta(days=n - activities // 2)
        )
        for _p in range(people):
            AttendanceFactory(activity=activity)


def test_pages_need_login(client: Client) -> None:
    for name in ("councils:council_list", "councils:activity_list", "councils:calendar"):
        response = client.get(reverse(name))
        assert response.status_code == 302


def test_council_list_query_count_is_constant(
    client: Client, hq: Any, django_assert_max_num_queries: Any
) -> None:
    url = reverse("councils:council_list")
    active_council(firms=2, with_university=False)
    client.get(url)
    with django_assert_max_num_queries(8) as few:
        client.get(url)
    for _n in range(5):
        active_council(firms=3)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(url)
    assert response.status_code == 200
    assert "총 <strong>6</strong>개 협의체" in response.content.decode()


def test_council_detail_shows_the_rule_members_and_activities(
    client: Client, hq: Any, django_assert_max_num_queries: Any
) -> None:
    council = CouncilFactory(name="창원 기계부품 미니클러스터")
    MembershipFactory(
        council=council,
        organisation=OrganisationFactory(name_ko="(주)창원기계", complex=council.hub.complex),
        role=Membership.Role.CHAIR,
        annual_fee_krw=1_000_000,
    )
    _grow(council, activities=2, people=2)
    url = reverse("councils:council_detail", args=[council.pk])
    client.get(url)
    with django_assert_max_num_queries(20) as base:
        response = client.get(url)
    body = response.content.decode()
    assert "창원 기계부품 미니클러스터" in body and "(주)창원기계" in body
    assert "1,000,000" in body
    assert "alert-box danger" in body and "10개 이상" in body  # the 2010 rule, not met

    for _n in range(8):
        MembershipFactory(council=council)
    _grow(council, activities=6, people=5)
    with django_assert_max_num_queries(len(base.captured_queries)):
        assert client.get(url).status_code == 200


def test_activity_list_is_paginated_by_50_with_constant_queries(
    client: Client, hq: Any, django_assert_max_num_queries: Any
) -> None:
    council = active_council(firms=1, with_university=False)
    _grow(council, activities=3, people=2)
    url = reverse("councils:activity_list")
    client.get(url)
    with django_assert_max_num_queries(10) as base:
        client.get(url)
    Activity.objects.bulk_create(
        Activity(council=council, kind="forum", title=f"포럼 {n}", starts_at=timezone.now())
        for n in range(60)
    )
    with django_assert_max_num_queries(len(base.captured_queries)):
        response = client.get(url)
    assert response.context["page"].paginator.per_page == 50
    assert len(response.context["page"].object_list) == 50


def test_activity_list_filters_by_date_range(client: Client, hq: Any) -> None:
    council = CouncilFactory()
    ActivityFactory(
        council=council,
        title="봄 세미나",
        starts_at=timezone.make_aware(dt.datetime(2010, 4, 1, 14)),
    )
    ActivityFactory(
        council=council,
        title="가을 포럼",
        starts_at=timezone.make_aware(dt.datetime(2010, 10, 1, 14)),
    )
    body = client.get(
        reverse("councils:activity_list"), {"date_from": "2010-03-01", "date_to": "2010-05-31"}
    ).content.decode()
    assert "봄 세미나" in body and "가을 포럼" not in body


def test_activity_detail_shows_agenda_attendance_and_counts(
    client: Client, hq: Any, django_assert_max_num_queries: Any
) -> None:
    row = AttendanceFactory(person_name="박지훈")
    url = reverse("councils:activity_detail", args=[row.activity.pk])
    client.get(url)
    with django_assert_max_num_queries(14) as base:
        body = client.get(url).content.decode()
    assert "박지훈" in body and "공정 자동화 사례 발표" in body
    for _n in range(10):
        AttendanceFactory(activity=row.activity)
    with django_assert_max_num_queries(len(base.captured_queries)):
        client.get(url)


def test_calendar_is_an_accessible_month_grid(client: Client, hq: Any) -> None:
    ActivityFactory(
        title="5월 과제발굴 회의", starts_at=timezone.make_aware(dt.datetime(2010, 5, 12, 10))
    )
    response = client.get(reverse("councils:calendar"), {"year": 2010, "month": 5})
    body = response.content.decode()
    assert response.status_code == 200
    assert "5월 과제발굴 회의" in body
    assert "<caption>" in body and body.count('scope="col"') == 7
    assert "style=" not in body and "<script>" not in body


def test_calendar_has_an_agenda_of_the_days_with_activities_for_small_screens(
    client: Client, hq: Any
) -> None:
    for day, title in ((12, "5월 과제발굴 회의"), (12, "금형 세미나"), (20, "기계 포럼")):
        ActivityFactory(title=title, starts_at=timezone.make_aware(dt.datetime(2010, 5, day, 10)))
    body = client.get(reverse("councils:calendar"), {"year": 2010, "month": 5}).content.decode()
    start = body.index('class="agenda-days"')
    agenda = body[start : body.index("</ol>", start)]
    # one entry per day with activities, in order, each activity linked
    assert agenda.count('class="agenda-date"') == 2
    assert agenda.index("5월 12일") < agenda.index("금형 세미나") < agenda.index("5월 20일")
    assert agenda.count("/councils/activities/") == 3

    empty = client.get(reverse("councils:calendar"), {"year": 2010, "month": 6}).content.decode()
    assert "이 달에는 활동이 없습니다." in empty


def test_council_is_created_through_the_form(client: Client, hq: Any) -> None:
    hub = hub_designation()
    response = client.post(
        reverse("councils:council_create"),
        {
            "hub": hub.pk,
            "name": "반월 금형 협의체",
            "theme_kind": "industry",
            "industry": IndustryFactory().pk,
        },
    )
    council = Council.objects.get(name="반월 금형 협의체")
    assert response.status_code == 302 and council.hub == hub


def test_council_form_without_a_hub_says_why(client: Client, hq: Any) -> None:
    response = client.post(
        reverse("councils:council_create"),
        {"name": "허브 없는 협의체", "theme_kind": "industry", "industry": IndustryFactory().pk},
    )
    assert response.status_code == 400
    assert "거점단지 지정에 속해야" in response.content.decode()
    assert not Council.objects.exists()


def test_member_added_and_activity_created_through_forms(client: Client, hq: Any) -> None:
    council = CouncilFactory()
    firm = OrganisationFactory(complex=council.hub.complex)
    response = client.post(
        reverse("councils:membership_add", args=[council.pk]),
        {
            "organisation": firm.pk,
            "role": "member",
            "joined_on": "2010-04-01",
            "annual_fee_krw": 500000,
        },
    )
    assert response.status_code == 302 and council.memberships.count() == 1
    response = client.post(
        reverse("councils:activity_create", args=[council.pk]),
        {
            "kind": "seminar",
            "title": "품질경영 세미나",
            "status": "planned",
            "starts_at": "2010-05-01T14:00",  # within program year 2010
            "problems_raised": 0,
        },
    )
    assert response.status_code == 302 and council.activities.get().title == "품질경영 세미나"


def test_a_member_company_registers_on_the_activity_page(client: Client) -> None:
    member = MembershipFactory()
    activity = ActivityFactory(council=member.council)
    client.force_login(user_with_role(Role.COMPANY_USER, organisation=member.organisation))
    page = client.get(reverse("councils:activity_detail", args=[activity.pk])).content.decode()
    assert "참가 신청" in page
    response = client.post(
        reverse("councils:activity_register", args=[activity.pk]), {"person_name": "이서연"}
    )
    assert response.status_code == 302
    row = Attendance.objects.get()
    assert row.status == Attendance.Status.REGISTERED
    page = client.get(reverse("councils:activity_detail", args=[activity.pk])).content.decode()
    cancel = reverse("councils:registration_cancel", args=[row.pk])
    assert cancel in page
    assert client.post(cancel).status_code == 302
    row.refresh_from_db()
    assert row.status == Attendance.Status.CANCELLED
    # Cancelling twice is refused with a message, and another firm cannot reach the row.
    client.post(cancel)
    row.refresh_from_db()
    assert row.status == Attendance.Status.CANCELLED
    other = Client()
    other.force_login(
        user_with_role(Role.COMPANY_USER, organisation=MembershipFactory().organisation)
    )
    assert other.post(cancel).status_code == 404


def test_a_company_does_not_see_other_councils(client: Client) -> None:
    member = MembershipFactory()
    other = CouncilFactory(name="다른 협의체")
    client.force_login(user_with_role(Role.COMPANY_USER, organisation=member.organisation))
    body = client.get(reverse("councils:council_list")).content.decode()
    assert member.council.name in body and "다른 협의체" not in body
    assert client.get(reverse("councils:council_detail", args=[other.pk])).status_code == 404


def test_council_ics_downloads(client: Client, hq: Any) -> None:
    activity = ActivityFactory()
    response = client.get(reverse("councils:council_ics", args=[activity.council.pk]))
    assert response["Content-Type"].startswith("text/calendar")
    assert "BEGIN:VEVENT" in response.content.decode()


def test_words_with_two_meanings_are_told_apart_in_english(client: Client) -> None:
    """ "수정" (edit / updated), "참가 신청" (register / registered) and "취소" (cancel /
    cancelled) are one word in Korean and two in English."""
    from django.conf import settings

    member = MembershipFactory()
    activity = ActivityFactory(council=member.council)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    client.force_login(user_with_role(Role.COMPANY_USER, organisation=member.organisation))
    page = client.get(reverse("councils:activity_detail", args=[activity.pk])).content.decode()
    assert ">Register</button>" in page
    client.post(reverse("councils:activity_register", args=[activity.pk]), {"person_name": "Lee"})
    page = client.get(reverse("councils:activity_detail", args=[activity.pk])).content.decode()
    assert "Registered" in page
    staff = Client()
    staff.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    staff.force_login(user_with_role(Role.HQ_STAFF))
    page = staff.get(reverse("councils:council_detail", args=[member.council.pk])).content.decode()
    assert ">Edit</a>" in page and ">Updated</a>" not in page
    activity.status = Activity.Status.CANCELLED
    activity.save()
    page = staff.get(reverse("councils:activity_detail", args=[activity.pk])).content.decode()
    assert "Cancelled" in page
