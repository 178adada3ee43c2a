"""The main menu in two levels, shown by role; the header's menu button; the footer's
privacy policy link and the privacy page it opens."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from sandan.accounts.navigation import menu_for
from sandan.accounts.roles import Role
from sandan.accounts.tests.factories import UserFactory, user_with_role
from sandan.analytics.tests.conftest import World

pytestmark = pytest.mark.django_db


def _menu(user: object, path: str = "/") -> dict[str, list[str]]:
    from django.test import RequestFactory
    from django.urls import resolve

    request = RequestFactory().get(path)
    request.resolver_match = resolve(path)
    return {
        str(group.label): [str(entry.label) for entry in group.entries]
        for group in menu_for(user, request)
    }


def test_hq_sees_every_group_and_page() -> None:
    menu = _menu(user_with_role(Role.HQ_STAFF))

    assert list(menu) == [
        "대시보드",
        "애로·지원",
        "협의체",
        "성과·현황",
        "사업 관리",
        "기준정보",
        "관리",
    ]
    assert menu["애로·지원"] == ["애로과제", "애로과제 등록", "애로과제 일괄 등록", "지원과제"]
    assert menu["성과·현황"] == ["전국 산업단지 현황", "성과", "서비스 수준"]
    assert menu["사업 관리"] == ["사업연도·지정", "사업연도 편집", "지정 계획", "예산"]
    assert menu["기준정보"] == ["산업단지", "기관", "전문가", "공단 조직", "데이터 가져오기"]
    assert menu["관리"] == ["사용자·역할", "감사 기록"]


def test_a_company_user_sees_its_own_work_and_no_expert_search() -> None:
    menu = _menu(user_with_role(Role.COMPANY_USER))

    assert menu["애로·지원"] == ["애로과제", "애로과제 등록", "지원과제"]
    assert menu["기준정보"] == ["산업단지", "기관"]  # no empty expert list
    assert "서비스 수준" not in menu["성과·현황"]
    assert "사업 관리" not in menu and "관리" not in menu


def test_an_expert_sees_their_cases_not_the_problem_list() -> None:
    menu = _menu(user_with_role(Role.EXPERT))

    assert menu["애로·지원"] == ["내 자문 과제", "지원과제"]
    assert "협의체" not in menu and "관리" not in menu
    assert menu["기준정보"] == ["산업단지"]


def test_a_coordinator_runs_the_hub_but_plans_no_designations() -> None:
    menu = _menu(user_with_role(Role.COORDINATOR))

    assert "애로과제 등록" in menu["애로·지원"] and "내 자문 과제" not in menu["애로·지원"]
    assert menu["사업 관리"] == ["사업연도·지정", "예산"]  # its hubs' budget lines, read
    assert "서비스 수준" in menu["성과·현황"]
    assert menu["관리"] == ["사용자·역할"]  # the people of its branch
    assert "데이터 가져오기" not in menu["기준정보"]


def test_the_ministry_and_the_auditor_read_and_plan_nothing() -> None:
    for role, admin in (
        (Role.MINISTRY_OFFICER, ["감사 기록"]),
        (Role.AUDITOR, ["사용자·역할", "감사 기록"]),
    ):
        menu = _menu(user_with_role(role))
        assert menu["관리"] == admin
        assert menu["사업 관리"] == ["사업연도·지정", "예산"]
        assert menu["애로·지원"] == ["애로과제", "지원과제"]  # nothing to file


def test_a_regional_hq_plans_nothing_but_reads_service_levels() -> None:
    menu = _menu(user_with_role(Role.REGIONAL_STAFF))

    assert menu["사업 관리"] == ["사업연도·지정", "예산"]  # no planner, no year editor
    assert menu["성과·현황"] == ["전국 산업단지 현황", "성과", "서비스 수준"]


def test_an_anonymous_visitor_has_no_menu() -> None:
    from django.contrib.auth.models import AnonymousUser

    assert _menu(AnonymousUser()) == {}


def test_the_current_page_is_marked_in_its_group() -> None:
    hq = user_with_role(Role.HQ_STAFF)
    from django.test import RequestFactory
    from django.urls import resolve

    for path, expected in (
        (reverse("support:problem_create"), "애로과제 등록"),
        (reverse("support:problem_list"), "애로과제"),
        (reverse("support:service_levels"), "서비스 수준"),
        (reverse("councils:calendar"), "활동 일정"),
        (reverse("program:editor"), "사업연도 편집"),
        (reverse("registry:office_chart"), "공단 조직"),
        (reverse("program:year_rules", args=[2010]), "사업연도 편집"),
        (reverse("program:year_detail", args=[2010]), "사업연도·지정"),
        ("/", "대시보드"),
    ):
        request = RequestFactory().get(path)
        request.resolver_match = resolve(path)
        current = [
            (str(group.label), str(entry.label))
            for group in menu_for(hq, request)
            for entry in group.entries
            if entry.current
        ]
        assert [label for _group, label in current] == [expected], path


def test_the_page_shows_the_menu_with_a_menu_button(client: Client) -> None:
    client.force_login(user_with_role(Role.COORDINATOR))

    body = client.get(reverse("support:service_levels")).content.decode()

    assert 'aria-controls="site-menu"' in body and 'id="site-menu"' in body
    assert '<summary class="gnb-link">성과·현황</summary>' in body
    assert re.search(r'href="/support/service-levels/"\s+aria-current="page"', body)
    assert reverse("program:planner_current") not in body


def test_the_planner_entry_opens_the_newest_year(client: Client, world: World) -> None:
    client.force_login(world.users["hq"])

    response = client.get(reverse("program:planner_current"))

    assert response.status_code == 302
    assert response["Location"] == reverse("program:planner", args=[2010])
    client.force_login(world.users["regional"])
    assert client.get(reverse("program:planner_current")).status_code == 403


def test_every_page_links_the_privacy_policy_in_its_footer(client: Client) -> None:
    login = client.get(reverse("accounts:login")).content.decode()
    assert f'href="{reverse("privacy")}"' in login and "개인정보처리방침" in login

    client.force_login(UserFactory())
    assert f'href="{reverse("privacy")}"' in client.get("/").content.decode()


def test_the_privacy_page_says_what_is_kept_who_sees_it_and_whom_to_ask(
    client: Client, settings: object
) -> None:
    settings.SANDAN_PRIVACY_CONTACT = "privacy@kicox.example.kr"  # type: ignore[attr-defined]

    response = client.get(reverse("privacy"))  # open to everyone, signed in or not

    body = response.content.decode()
    assert response.status_code == 200
    assert "<h1" in body and "개인정보처리방침" in body
    for kept in (
        "담당자 이름, 이메일, 전화번호",
        "전문가",
        "비밀번호(복원할 수 없는 해시로만 저장)",
    ):
        assert kept in body
    assert "•••" in body  # masked for those without the contact permission
    assert "부처 담당관과 감사인" in body
    assert "8시간" in body  # sign-in sessions end (SESSION_COOKIE_AGE)
    assert "mailto:privacy@kicox.example.kr" in body


def test_the_privacy_page_in_english(client: Client) -> None:
    response = client.get(reverse("privacy"), HTTP_ACCEPT_LANGUAGE="en")
    client.cookies["django_language"] = "en"

    body = client.get(reverse("privacy")).content.decode()

    assert response.status_code == 200
    assert "Privacy policy" in body and "Who can see it" in body
