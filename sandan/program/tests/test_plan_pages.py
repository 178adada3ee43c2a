"""The plan page speaks to a ministry officer: which hubs, why, what changes (table and
map), the solver's figures folded away; HQ puts a plan forward and the ministry approves
it, with a reason when it breaks a rule of the year. In Korean and in English."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from sandan.accounts.roles import Role
from sandan.accounts.tests.factories import user_with_role
from sandan.program.models import Designation, PlanRun, ProgramYear
from sandan.program.planner import PlanRequest
from sandan.program.services import approve_plan, run_plan, start_plan
from sandan.program.tests.test_designation_lifecycle import year  # noqa: F401 (fixture)
from sandan.program.tests.test_planner import _complex, _dongnam_world

pytestmark = pytest.mark.django_db


def _client(role: str) -> Client:
    client = Client()
    client.force_login(user_with_role(role))
    return client


def _plan(year: ProgramYear, **options: Any) -> PlanRun:  # noqa: F811
    request = PlanRequest(year=2010, min_hub_operating_firms=100, **options)
    plan_run = run_plan(start_plan(None, year, request))
    assert plan_run.status == PlanRun.Status.DONE, plan_run.error
    return plan_run


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_the_plan_page_says_in_plain_korean_which_hubs_why_and_what_changes(
    year: ProgramYear,  # noqa: F811
) -> None:
    _dongnam_world()
    plan_run = _plan(year)
    html = _client(Role.HQ_STAFF).get(f"/program/plans/{plan_run.pk}/").content.decode()
    text = _text(html)
    assert "2010년 거점단지 2곳과 연계단지 3곳을 제안합니다." in text
    assert "권역마다 거점단지와 연계단지 목표 수를 정확히 맞췄고" in text
    assert "더 나은 조합이 없음을 계산으로 확인했습니다." in text
    assert ("동남권" in text and "울산미포, 창원" in text) or "창원, 울산미포" in text
    assert "승인하면 새로 지정 5곳, 역할·거점 변경 0곳, 지정 해제 0곳" in text
    assert 'class="map-figure designation-map plan-map"' in html or "지도 경계" not in html
    # The solver's figures are there, folded away under a summary.
    folded = html.split('<details class="solver-figures">', 1)[1]
    assert "목적함수 값" in folded and "HiGHS Optimal" in folded
    assert "목적함수" not in html.split('<details class="solver-figures">', 1)[0]
    assert ">dongnam<" not in html and "dongnam" not in text


def test_hq_puts_the_plan_forward_and_the_ministry_approves_it(
    year: ProgramYear,  # noqa: F811
) -> None:
    _dongnam_world()
    plan_run = _plan(year)
    hq, ministry = _client(Role.HQ_STAFF), _client(Role.MINISTRY_OFFICER)
    page = hq.get(f"/program/plans/{plan_run.pk}/").content.decode()
    assert "이 지정안 제안" in page and "지정안 승인" not in page
    hq.post(f"/program/plans/{plan_run.pk}/accept/", {"reason": "광역화 지정안"})
    overview = _text(ministry.get("/program/2010/designations/").content.decode())
    assert f"승인을 기다리는 지정안 #{plan_run.pk}이 있습니다." in overview
    # HQ may not approve its own proposal; the ministry sees the button and approves.
    assert hq.post(f"/program/plans/{plan_run.pk}/approve/").status_code == 403
    page = ministry.get(f"/program/plans/{plan_run.pk}/").content.decode()
    assert "제안된 지정안입니다. 승인되면 지정이 바뀝니다." in page
    assert 'name="override_reason"' not in page  # the plan keeps every rule
    response = ministry.post(f"/program/plans/{plan_run.pk}/approve/", {"reason": "확정"})
    assert response.status_code == 302 and response["Location"] == "/program/2010/designations/"
    message = _text(ministry.get(response["Location"]).content.decode())
    assert "지정안을 승인했습니다: 새로 지정 5곳, 변경 0곳, 유지 0곳, 해제 0곳." in message
    assert Designation.objects.count() == 5
    page = _text(ministry.get(f"/program/plans/{plan_run.pk}/").content.decode())
    assert "에 승인했습니다." in page
    assert "2010년 거점단지 2곳과 연계단지 3곳을 지정한 승인된 지정안입니다." in page
    assert "지금 지정 가운데 5곳이 이 지정안과 같고, 0곳이 다릅니다." in page


def test_a_plan_breaking_a_rule_is_approved_only_with_a_reason(
    year: ProgramYear,  # noqa: F811
) -> None:
    _dongnam_world()
    plan_run = _plan(year, zone_linked={"dongnam": 2})
    _client(Role.HQ_STAFF).post(f"/program/plans/{plan_run.pk}/accept/")
    ministry = _client(Role.MINISTRY_OFFICER)
    page = _text(ministry.get(f"/program/plans/{plan_run.pk}/").content.decode())
    assert "사업연도 규칙과 다른 점" in page and "목표와 다름" in page
    response = ministry.post(f"/program/plans/{plan_run.pk}/approve/", {}, follow=True)
    assert "그래도 승인하려면 사유를 적으세요." in response.content.decode()
    assert not Designation.objects.exists()
    ministry.post(
        f"/program/plans/{plan_run.pk}/approve/", {"override_reason": "진해 구조고도화로 유예"}
    )
    assert Designation.objects.count() == 4


def test_the_comparison_lists_what_a_new_plan_adds_and_removes(
    year: ProgramYear,  # noqa: F811
) -> None:
    _dongnam_world()
    first = _plan(year)
    _client(Role.HQ_STAFF).post(f"/program/plans/{first.pk}/accept/")
    approve_plan(None, first)
    _complex("창원제2", "48", "48125", 800, "29")
    second = _plan(year)
    text = _text(_client(Role.HQ_STAFF).get(f"/program/plans/{second.pk}/").content.decode())
    assert "창원제2 새로 지정 –" in text
    assert "지정 해제" in text and "그대로인 지정" in text


def test_the_plan_page_in_english(year: ProgramYear) -> None:  # noqa: F811
    _dongnam_world()
    plan_run = _plan(year)
    client = _client(Role.HQ_STAFF)
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    text = _text(client.get(f"/program/plans/{plan_run.pk}/").content.decode())
    assert "proposes 2 hub complexes and 3 linked complexes for 2010" in text
    assert "Compared with the designations in force" in text
    assert "Dongnam Region" in text
    assert "거점단지" not in text and "제안" not in text
