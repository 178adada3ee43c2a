"""Reference data in the reader's language: a reader who chose English sees the English names
of zones, provinces, offices, KSIC industries and service categories, and dates in English,
on the pages, in the filter menus, in the dashboard's charts and in its export; the Korean
pages stay as they were. Firms and complexes keep their Korean names in both languages. The
activity reminder e-mail writes its date in the language it is sent in."""

from __future__ import annotations

import datetime as dt
import io
import json
import re
from typing import Any
from zoneinfo import ZoneInfo

import openpyxl
import pytest
from django.conf import settings
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import translation

from sandan.accounts.roles import Role
from sandan.accounts.tests.factories import user_with_role
from sandan.core.i18n import local_name, local_value, name_fields, pick_name
from sandan.councils.services import send_activity_reminders
from sandan.councils.tests.factories import ActivityFactory, active_council
from sandan.program.models import ServiceCategory
from sandan.registry.models import Complex, Zone
from sandan.registry.tests.factories import (
    ComplexFactory,
    OfficeFactory,
    OrganisationFactory,
    province,
)
from sandan.support import services
from sandan.support.tests.factories import (
    TriagedProblemFactory,
    firm_in_hub,
    hub_of_year,
    ready_project,
    support_year,
)

pytestmark = pytest.mark.django_db

SEOUL = ZoneInfo(settings.TIME_ZONE)
HANGUL = re.compile("[\uac00-\ud7a3]")
CATEGORY = ("제조기술효율화", "Manufacturing-technology efficiency")
ZONE = ("동남권", "Dongnam Region")
PROVINCE = ("경상남도", "Gyeongnam")
OFFICE = ("창원지사", "Changwon Branch")
# Monday 3 May 2010, 14:00 in Korea (Django abbreviates the weekday as "월요일" in Korean).
MAY_3 = dt.datetime(2010, 5, 3, 14, 0, tzinfo=SEOUL)


def reader(language: str) -> Client:
    """HQ staff (who sees every page) reading in `language`, as the language switch leaves it."""
    client = Client()
    client.force_login(user_with_role(Role.HQ_STAFF, username=f"hq_{language}"))
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client


def page(client: Client, url: str, **params: Any) -> str:
    response = client.get(url, params)
    assert response.status_code == 200, url
    return response.content.decode()


@pytest.fixture
def story() -> dict[str, Any]:
    """A triaged problem of a firm in a hub of the Dongnam zone, submitted on 3 May 2010, that
    became a running project with an outcome."""
    support_year()
    office = OfficeFactory(code="changwon", name_ko=OFFICE[0], name_en=OFFICE[1])
    complex_ = ComplexFactory(
        name_ko="창원국가산업단지", kind="national", province=province("48"), office=office
    )
    hub = hub_of_year(complex_)
    firm = firm_in_hub(hub, name_ko="(주)창원정밀")
    problem = TriagedProblemFactory(organisation=firm, text_index=0, submitted_at=MAY_3)
    assert problem.category is not None and problem.category.name_ko == CATEGORY[0]
    project = services.submit_project(None, ready_project(hub=hub, lead=firm))
    project = services.approve_project(None, project)
    services.start_project(None, project)
    services.record_outcome(None, project, firm, new_hires=4)
    return {"complex": complex_, "problem": problem, "project": project}


def test_the_helper_picks_the_english_name_only_in_english_and_only_when_there_is_one() -> None:
    zone = Zone(name_ko=ZONE[0], name_en=ZONE[1])
    row = {"zone__name_ko": ZONE[0], "zone__name_en": ZONE[1], "hub__name_ko": None}
    assert name_fields("zone__") == ("zone__name_ko", "zone__name_en")
    with translation.override("en"):
        assert local_name(zone) == ZONE[1]
        assert local_value(row, "zone__") == ZONE[1]
        assert pick_name(ZONE[0], "") == ZONE[0]  # no English name: the Korean one
        assert local_value(row, "hub__") is None  # an empty relation stays empty
        assert local_name(None) == ""
    with translation.override("ko"):
        assert local_name(zone) == ZONE[0]
        assert local_value(row, "zone__") == ZONE[0]


def test_problem_pages_show_english_zone_category_and_date(story: dict[str, Any]) -> None:
    problem = story["problem"]
    detail_url = reverse("support:problem_detail", args=[problem.pk])
    list_url = reverse("support:problem_list")

    english = reader("en")
    detail = page(english, detail_url)
    assert ZONE[1] in detail and CATEGORY[1] in detail
    assert "May 3, 2010" in detail
    assert ZONE[0] not in detail and CATEGORY[0] not in detail and "2010년" not in detail
    assert "창원국가산업단지" in detail  # complexes keep their Korean names
    listing = page(english, list_url)
    assert f"<td>{CATEGORY[1]}</td>" in listing  # the row
    assert f">{CATEGORY[1]}</option>" in listing and f">{ZONE[1]}</option>" in listing
    assert CATEGORY[0] not in listing and ZONE[0] not in listing

    korean = reader("ko")
    detail = page(korean, detail_url)
    assert ZONE[0] in detail and CATEGORY[0] in detail
    assert "2010년 5월 3일 접수" in detail
    assert ZONE[1] not in detail and CATEGORY[1] not in detail
    listing = page(korean, list_url)
    assert f"<td>{CATEGORY[0]}</td>" in listing and f">{ZONE[0]}</option>" in listing


def test_the_triage_menu_names_the_categories_in_english(story: dict[str, Any]) -> None:
    problem = story["problem"]
    detail = page(reader("en"), reverse("support:problem_detail", args=[problem.pk]))
    names = ServiceCategory.objects.filter(program_year=problem.program_year)
    for name_en in names.values_list("name_en", flat=True):
        assert f">{name_en}</option>" in detail


def test_project_pages_show_english_zone_and_category(story: dict[str, Any]) -> None:
    project = story["project"]
    english = reader("en")
    for url in (
        reverse("support:project_list"),
        reverse("support:project_detail", args=[project.pk]),
    ):
        text = page(english, url)
        assert ZONE[1] in text and CATEGORY[1] in text, url
        assert ZONE[0] not in text and CATEGORY[0] not in text, url
    korean = page(reader("ko"), reverse("support:project_list"))
    assert ZONE[0] in korean and CATEGORY[0] in korean and CATEGORY[1] not in korean


def test_the_outcome_dashboard_its_chart_and_export_follow_the_language(
    story: dict[str, Any],
) -> None:
    url = reverse("support:outcome_dashboard")
    english = reader("en")
    response = english.get(url, {"year": "2010"})
    assert [row["name"] for row in response.context["by_category"]] == [CATEGORY[1]]
    assert [row["name"] for row in response.context["by_zone"]] == [ZONE[1]]
    assert [row["name"] for row in response.context["by_hub"]] == ["창원국가산업단지"]
    text = response.content.decode()
    assert f'<th scope="row">{CATEGORY[1]}</th>' in text
    assert f'<th scope="row">{ZONE[1]}</th>' in text
    chart = re.search(r'id="counts-chart-data"[^>]*>(.*?)</script>', text, re.S)
    assert chart is not None and json.loads(chart.group(1))["labels"] == [CATEGORY[1]]

    export = english.get(url, {"year": "2010", "format": "xlsx"})
    workbook = openpyxl.load_workbook(io.BytesIO(export.content))
    by_category, _by_hub, by_zone = workbook.worksheets[:3]
    assert by_category.cell(row=2, column=1).value == CATEGORY[1]
    assert by_zone.cell(row=2, column=1).value == ZONE[1]

    korean = reader("ko").get(url, {"year": "2010"})
    assert [row["name"] for row in korean.context["by_category"]] == [CATEGORY[0]]
    assert f'<th scope="row">{ZONE[0]}</th>' in korean.content.decode()
    export = reader("ko").get(url, {"year": "2010", "format": "xlsx"})
    workbook = openpyxl.load_workbook(io.BytesIO(export.content))
    assert workbook["분야별"].cell(row=2, column=1).value == CATEGORY[0]
    assert workbook["권역별"].cell(row=2, column=1).value == ZONE[0]


def test_service_levels_name_the_category_in_english(story: dict[str, Any]) -> None:
    url = reverse("support:service_levels")
    assert f"<td>{CATEGORY[1]}</td>" in page(reader("en"), url, year="2010")
    assert f"<td>{CATEGORY[0]}</td>" in page(reader("ko"), url, year="2010")


def test_complex_pages_show_english_zone_province_and_office(story: dict[str, Any]) -> None:
    complex_: Complex = story["complex"]
    detail_url = reverse("registry:complex_detail", args=[complex_.kicox_id])
    list_url = reverse("registry:complex_list")

    english = reader("en")
    detail = page(english, detail_url)
    for name in (ZONE[1], PROVINCE[1], OFFICE[1]):
        assert name in detail
    for name in (ZONE[0], PROVINCE[0], OFFICE[0]):
        assert name not in detail
    listing = page(english, list_url)
    assert f"<td>{ZONE[1]}</td>" in listing and f"<td>{OFFICE[1]}</td>" in listing
    assert (
        f"<td>{PROVINCE[1]}</td>" in listing
    )  # the province column too, not its Korean short name
    for option in (ZONE[1], PROVINCE[1], OFFICE[1]):
        assert f">{option}</option>" in listing

    korean = reader("ko")
    detail = page(korean, detail_url)
    for name in (ZONE[0], PROVINCE[0], OFFICE[0]):
        assert name in detail
    assert PROVINCE[1] not in detail and OFFICE[1] not in detail
    listing = page(korean, list_url)
    assert f"<td>{ZONE[0]}</td>" in listing and f">{PROVINCE[0]}</option>" in listing


def test_council_pages_show_english_zone_industry_and_dates() -> None:
    council = active_council(firms=2)
    activity = ActivityFactory(council=council, starts_at=MAY_3)
    zone, industry = council.zone, council.industry
    assert industry is not None and zone.name_en and industry.name_en
    list_url = reverse("councils:council_list")
    activity_url = reverse("councils:activity_detail", args=[activity.pk])
    calendar_url = reverse("councils:calendar")

    english = reader("en")
    listing = page(english, list_url)
    assert zone.name_en in listing and industry.name_en in listing
    assert f">{zone.name_en}</option>" in listing
    assert zone.name_ko not in listing and industry.name_ko not in listing
    assert f"{industry.code} {industry.name_en}" in page(
        english, reverse("councils:council_detail", args=[council.pk])
    )
    assert "May 3, 2010 (Mon) 14:00" in page(english, activity_url)
    calendar = page(english, calendar_url, year="2010", month="5")
    assert "May 2010" in calendar and "2010년" not in calendar

    korean = reader("ko")
    listing = page(korean, list_url)
    assert zone.name_ko in listing and industry.name_ko in listing
    assert zone.name_en not in listing
    assert "2010년 5월 3일 (월요일) 14:00" in page(korean, activity_url)
    assert "2010년 5월" in page(korean, calendar_url, year="2010", month="5")


def test_the_activity_reminder_writes_the_date_in_the_language_it_is_sent_in() -> None:
    council = active_council(firms=0, with_university=False)
    activity = ActivityFactory(council=council, starts_at=MAY_3)
    org = OrganisationFactory(complex=council.hub.complex, contact_email="ceo@example.kr")
    council.memberships.create(organisation=org, role="member", joined_on=dt.date(2010, 3, 2))
    a_day_before = MAY_3 - dt.timedelta(days=1)
    with translation.override("ko"):
        assert send_activity_reminders(days=3, now=a_day_before) == 1
    assert "2010년 5월 3일 (월요일) 14:00" in mail.outbox[-1].body
    activity.reminders.all().delete()
    with translation.override("en"):
        assert send_activity_reminders(days=3, now=a_day_before) == 1
    assert "May 3, 2010 (Mon) 14:00" in mail.outbox[-1].body
