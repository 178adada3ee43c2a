"""The home page (`/`) shows each role its own work: a firm its problems, projects,
surveys and coming council activities; a coordinator its hub's queue; a regional HQ its
zone against the targets; HQ and the ministry the nation by zone, each zone one click
away; an expert the cases assigned to them; an auditor the latest changes. Every page
says which program year and day its figures describe, and runs a fixed number of queries."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils.formats import date_format

from sandan.analytics.tests.conftest import World, _side
from sandan.core import clock
from sandan.registry.models import ComplexStat

HOME = "/"


def _home(client: Client, world: World, role: str, **params: str) -> str:
    client.force_login(world.users[role])
    response = client.get(HOME, params)
    assert response.status_code == 200
    return response.content.decode()


def test_the_home_page_needs_a_login(client: Client) -> None:
    response = client.get(HOME)
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


def test_every_home_says_which_year_and_day_it_describes(client: Client, world: World) -> None:
    today = date_format(clock.today())
    for role in ("hq", "ministry", "regional", "coordinator", "company", "expert"):
        body = _home(client, world, role)
        assert "2010년 사업연도" in body, role
        assert f"{today} 기준" in body, role
    assert f"부터 {today}까지" in _home(client, world, "auditor")


def test_a_firm_sees_its_problems_projects_survey_and_council_activity(
    client: Client, world: World
) -> None:
    body = _home(client, world, "company")

    assert "우리 기업의 지원 현황" in body
    assert "창원 사출 불량 문의" in body and "창원 오래된 접수 건" in body
    assert "창원 공정 개선 지원" in body  # its project, with a survey to answer
    assert "응답할 만족도 조사가 없습니다" not in body
    assert "창원 기술 세미나" in body  # the coming activity of its council
    assert "반월" not in body  # nothing of the other firm
    assert "거점 업무함" not in body and "감사 기록 전체 보기" not in body


def test_a_suggested_category_is_marked_as_a_suggestion_in_either_language(
    client: Client, world: World
) -> None:
    problem = world.changwon.problem
    problem.suggested_category = problem.program_year.categories.order_by("code").first()
    problem.save(update_fields=["suggested_category"])
    client.force_login(world.users["company"])

    korean = client.get(HOME).content.decode()
    english = client.get(HOME, HTTP_ACCEPT_LANGUAGE="en").content.decode()

    assert "(제안)" in korean
    # Not the designation status "Proposed", which shares the Korean word.
    assert "(suggested)" in english and "(Proposed)" not in english


def test_a_coordinator_sees_the_queue_of_its_branch_only(client: Client, world: World) -> None:
    body = _home(client, world, "coordinator")

    assert "거점 업무함" in body
    # Waiting for triage (both Changwon problems are still "submitted") and one overdue.
    assert "분류할 애로과제" in body and "창원 사출 불량 문의" in body
    assert "창원 오래된 접수 건" in body
    assert "창원 공정 개선 지원" in body  # a draft project still to submit
    assert "창원 기술 세미나" in body or "이 기간에 예정된 활동이 없습니다" in body
    assert "반월" not in body


def test_the_coordinator_counts_what_it_lists(client: Client, world: World) -> None:
    client.force_login(world.users["coordinator"])

    home = client.get(HOME).context["home"]

    assert home.to_triage_count == 2
    assert [p.title for p in home.overdue] == ["창원 오래된 접수 건"]
    assert home.overdue_count == 1
    assert home.to_submit_count == 1


def test_a_regional_hq_sees_its_zone_against_the_targets(client: Client, world: World) -> None:
    body = _home(client, world, "regional")

    assert "동남권 권역 현황" in body
    assert "창원국가산업단지" in body  # its hub, with drill-down links
    assert f"?hub={world.changwon.hub.complex.kicox_id}" in body
    assert "올해 지정이 목표와 다릅니다" in body  # one linked complex short of the target
    assert "연계단지 0 / 목표 1" in body
    assert "반월" not in body and "수도권" not in body


def test_hq_sees_the_nation_by_zone_and_opens_a_zone(client: Client, world: World) -> None:
    body = _home(client, world, "hq")

    assert "전국 클러스터사업 현황" in body
    assert "?zone=dongnam" in body and "?zone=capital" in body
    client.force_login(world.users["hq"])
    rows = {row.zone.code: row for row in client.get(HOME).context["home"].zones}
    assert rows["dongnam"].problems == 3 and rows["capital"].problems == 3
    assert rows["dongnam"].overdue == 1 and rows["dongnam"].to_triage == 2
    assert rows["dongnam"].progress.linked_target == 1

    zone_page = _home(client, world, "hq", zone="capital")

    assert "수도권 권역 현황" in zone_page
    assert "반월국가산업단지" in zone_page and "창원국가산업단지" not in zone_page
    assert client.get(HOME, {"zone": "atlantis"}).status_code == 404


def test_the_ministry_sees_the_nation_too(client: Client, world: World) -> None:
    body = _home(client, world, "ministry")

    assert "전국 클러스터사업 현황" in body
    assert "창원" not in body or "동남권" in body
    assert "수도권" in body and "동남권" in body


def test_the_tenant_count_says_which_registry_quarter_it_is_of(
    client: Client, world: World
) -> None:
    # The home is dated by the program year and today; the registry's figures are of their
    # own quarter (the last one imported), and the card says which.
    for quarter in (3, 4):
        ComplexStat.objects.create(complex=world.changwon.hub.complex, year=2009, quarter=quarter)
    body = _home(client, world, "hq")
    assert "입주업체" in body and "(2009년 4분기 말)" in body
    english = client.get(HOME, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "(end of Q4 2009)" in english


def test_a_regional_hq_cannot_open_another_zone(client: Client, world: World) -> None:
    body = _home(client, world, "regional", zone="capital")

    assert "동남권 권역 현황" in body and "반월" not in body


def test_an_expert_sees_only_the_cases_assigned_to_them(client: Client, world: World) -> None:
    body = _home(client, world, "expert")

    assert "내 자문 과제" in body
    assert "창원 배정 건" in body
    assert "반월 다른 전문가 건" not in body
    assert "창원 사출 불량 문의" not in body  # a problem of the firm, not assigned to them


def test_an_auditor_sees_the_latest_changes(client: Client, world: World) -> None:
    from sandan.core import audit
    from sandan.core.models import AuditAction

    audit.record(world.users["hq"], world.changwon.firm, AuditAction.UPDATE, {}, source="web")

    body = _home(client, world, "auditor")

    assert "최근 변경 기록" in body
    assert "(주)창원정밀" in body
    assert reverse("core:object_history", args=["organisation", world.changwon.firm.pk]) in body
    client.force_login(world.users["auditor"])
    assert client.get(HOME).context["home"].last_week >= 1


def test_a_user_without_a_role_is_told_to_ask_for_one(client: Client, db: None) -> None:
    from sandan.accounts.tests.factories import UserFactory

    client.force_login(UserFactory())

    body = client.get(HOME).content.decode()

    assert "아직 역할이 부여되지 않았습니다" in body


def test_the_national_overview_stays_one_click_away(client: Client, world: World) -> None:
    body = _home(client, world, "hq")

    assert reverse("analytics:overview") in body
    client.force_login(world.users["company"])
    assert client.get(reverse("analytics:overview")).status_code == 200


# Queries: a fixed number whatever the amount of work -------------------------------------

# session, user, memberships (the menu and the header), then each home's own reads; HQ and
# the ministry also read the year holding today for the header's missing-year notice.
QUERIES = {
    # program year; problems + count, projects, surveys, activities
    "company": 3 + 1 + 5,
    # program year; to triage + count, overdue (+ years) + count, drafts + count, activities
    "coordinator": 3 + 1 + 9,
    # program year; zones of the user, designations, targets, zones, problems, overdue
    # (+ years), projects, hubs, problems and projects per hub, overdue list (+ years),
    # awaiting approval
    "regional": 3 + 1 + 14,
    # program year; complexes, their latest quarter; designations, targets, zones, problems,
    # overdue (+ years), projects, awaiting approval
    "hq": 3 + 1 + 1 + 10,
    # (the ministry approves no project: that list needs no query)
    "ministry": 3 + 1 + 1 + 9,
    # program year; active cases + count, finished cases, projects
    "expert": 3 + 1 + 4,
    # program year; latest entries, entries of the week
    "auditor": 3 + 1 + 2,
}


def _more_work(world: World, times: int) -> None:
    for index in range(times):
        _side("48", f"changwon{index}", f"창원{index}")


@pytest.mark.parametrize("role", sorted(QUERIES))
@pytest.mark.parametrize("extra", [0, 3])
def test_each_home_runs_a_fixed_number_of_queries(
    client: Client, world: World, django_assert_num_queries: Any, role: str, extra: int
) -> None:
    _more_work(world, extra)
    client.force_login(world.users[role])

    with django_assert_num_queries(QUERIES[role]):
        response = client.get(HOME)

    assert response.status_code == 200
