"""Support API of problems: intake through the services (bad input saves nothing), the
triage suggestion and decision, and expert matching without contacts."""

from __future__ import annotations

import json
from typing import Any

import pytest

from sandan.accounts.roles import Role
from sandan.accounts.tests.factories import user_with_role
from sandan.core.models import AuditEntry
from sandan.core.tests.world import World
from sandan.registry.tests.factories import ExpertFactory
from sandan.support import services
from sandan.support.api import schemas as support_api
from sandan.support.models import (
    ExpertAssignment,
    Problem,
)
from sandan.support.tests.api.helpers import (
    Api,
    api,
    ids,
    problem_count,
)
from sandan.support.tests.factories import (
    category,
)

pytestmark = pytest.mark.django_db


# Intake -------------------------------------------------------------------------------

EXPORT_TEXT = {
    "title": "해외 바이어 발굴과 전시회 참가 지원 요청",
    "description": "국내 납품만으로는 매출이 정체되어 동남아 수출을 준비 중입니다. "
    "영문 카탈로그도 없고 바이어를 만날 창구가 없습니다.",
    "help_wanted": "해외 전시회 공동관 참가와 바이어 상담회 연결을 원합니다.",
    "urgency": "high",
}


def test_a_company_user_submits_a_problem_with_its_suggestion(world: World) -> None:
    before = problem_count()
    response = api(world, "company").post("problems", EXPORT_TEXT)
    assert response.status_code == 201, response.content[:300]
    body = response.json()
    problem = Problem.objects.get(pk=body["id"])
    assert problem_count() == before + 1
    assert problem.organisation == world["company_dongnam"]
    assert problem.submitted_by == world.users["company"]
    assert body["status"] == "submitted" and body["urgency"] == "high"
    assert body["hub"] == "148001" and body["year"] == 2010
    suggestion = body["suggestion"]
    assert suggestion["category"] == "TOTAL_MARKETING" and suggestion["stored"] is True
    assert suggestion["name_ko"] and 0.0 <= suggestion["confidence"] <= 1.0
    assert suggestion["evidence"]
    assert problem.suggested_category is not None
    assert problem.suggested_category.code == "TOTAL_MARKETING"
    entry = AuditEntry.objects.filter(object_id=str(problem.pk)).latest("id")
    assert entry.source == "api"
    # The company now lists it among its problems.
    assert body["id"] in ids(api(world, "company").get("problems"))


def test_a_coordinator_submits_for_a_firm_of_its_branch_only(world: World) -> None:
    coordinator = api(world, "coordinator")
    ok = coordinator.post("problems", {**EXPORT_TEXT, "organisation": world["company_dongnam"].pk})
    assert ok.status_code == 201
    before = problem_count()
    outside = coordinator.post(
        "problems", {**EXPORT_TEXT, "organisation": world["company_capital"].pk}
    )
    assert outside.status_code == 400
    assert "organisation" in outside.json()["detail"]
    missing = coordinator.post("problems", EXPORT_TEXT)
    assert missing.status_code == 400 and "organisation" in missing.json()["detail"]
    assert problem_count() == before


@pytest.mark.parametrize(
    ("change", "status", "field"),
    [
        ({"title": "   "}, 400, "title"),
        ({"description": ""}, 400, "description"),
        ({"description": "가" * 5001}, 400, "description"),
        ({"help_wanted": "나" * 5001}, 400, "help_wanted"),
        ({"title": "제목\x00"}, 422, "title"),
        ({"urgency": "yesterday"}, 422, "urgency"),
        ({"title": 42}, 422, "title"),
    ],
)
def test_bad_intake_saves_nothing(
    world: World, change: dict[str, Any], status: int, field: str
) -> None:
    before, audits = problem_count(), AuditEntry.objects.count()
    response = api(world, "company").post("problems", {**EXPORT_TEXT, **change})
    assert response.status_code == status, response.content[:300]
    detail = response.json()["detail"]
    if status == 400:
        assert detail[field] and isinstance(detail[field][0], str)
    else:
        assert field in json.dumps(detail)
    assert problem_count() == before and AuditEntry.objects.count() == audits


def test_a_user_of_two_firms_names_the_firm(world: World) -> None:
    user = user_with_role(Role.COMPANY_USER, organisation=world["company_dongnam"])
    user.memberships.create(role=Role.COMPANY_USER, organisation=world["company_capital"])
    client = Api(user)
    before = problem_count()
    unnamed = client.post("problems", EXPORT_TEXT)
    assert unnamed.status_code == 400 and "organisation" in unnamed.json()["detail"]
    assert problem_count() == before
    named = client.post("problems", {**EXPORT_TEXT, "organisation": world["company_capital"].pk})
    assert named.status_code == 201
    assert named.json()["organisation_name"] == "(주)반월정밀" and named.json()["zone"] == "capital"


def test_a_non_company_firm_or_a_role_without_intake_is_refused(world: World) -> None:
    before = problem_count()
    response = api(world, "hq").post(
        "problems", {**EXPORT_TEXT, "organisation": world["university_dongnam"].pk}
    )
    assert response.status_code == 400 and "organisation" in response.json()["detail"]
    assert api(world, "expert").post("problems", EXPORT_TEXT).status_code == 403
    assert (
        api(world, "ministry")
        .post("problems", {**EXPORT_TEXT, "organisation": world["company_dongnam"].pk})
        .status_code
        == 403
    )
    assert problem_count() == before


# Triage -------------------------------------------------------------------------------


def test_the_suggestion_stored_at_intake_or_computed_now(world: World) -> None:
    stored = services.submit_problem(
        world.users["company"],
        world["company_dongnam"],
        EXPORT_TEXT["title"],
        EXPORT_TEXT["description"],
        EXPORT_TEXT["help_wanted"],
    )
    hq = api(world, "hq")
    body = hq.get(f"problems/{stored.pk}/suggestion").json()
    assert body["stored"] is True and body["category"] == stored.suggested_category.code
    # The world's problems were created without a suggestion: computed, nothing written.
    problem = world["problem_changwon"]
    body = hq.get(f"problems/{problem.pk}/suggestion").json()
    assert body["stored"] is False
    assert body["category"] == "MFG_EFFICIENCY"
    assert {rank["category"] for rank in body["ranking"]} == set(
        problem.program_year.categories.values_list("code", flat=True)
    )
    problem.refresh_from_db()
    assert problem.suggested_category_id is None


def test_suggest_for_free_text(world: World) -> None:
    response = api(world, "company").post(
        "triage/suggest",
        {"year": 2010, "text": "CNC 선반을 다룰 신입 직원 현장 실습 교육 과정이 필요합니다"},
    )
    assert response.status_code == 200, response.content[:300]
    body = response.json()
    assert body["category"] == "FIELD_EDUCATION" and body["stored"] is False
    assert body["evidence"] and body["ranking"][0]["category"] == "FIELD_EDUCATION"


@pytest.mark.parametrize(
    ("body", "status", "field"),
    [
        ({"year": 2010, "text": "   "}, 400, "text"),
        ({"year": 2010, "text": "가" * (support_api.SUGGEST_TEXT_MAX + 1)}, 400, "text"),
        ({"year": 2031, "text": "금형 불량"}, 400, "year"),
        ({"year": 1800, "text": "금형 불량"}, 422, "year"),
        ({"year": "올해", "text": "금형 불량"}, 422, "year"),
        ({"text": "금형 불량"}, 422, "year"),
        ({"year": 2010, "text": "금형\x00불량"}, 422, "text"),
    ],
)
def test_bad_suggest_input_is_4xx(
    world: World, body: dict[str, Any], status: int, field: str
) -> None:
    response = api(world, "hq").post("triage/suggest", body)
    assert response.status_code == status, response.content[:300]
    assert field in json.dumps(response.json()["detail"])


def _submitted(world: World, hub: str = "changwon") -> Problem:
    firm = {
        "changwon": "company_dongnam",
        "ulsan": "company_dongnam_unmanaged",
        "banwol": "company_capital",
    }[hub]
    return services.submit_problem(
        None,
        world[firm],
        EXPORT_TEXT["title"],
        EXPORT_TEXT["description"],
        EXPORT_TEXT["help_wanted"],
    )


def test_a_coordinator_confirms_or_overrides_triage(world: World) -> None:
    problem = _submitted(world)
    coordinator = api(world, "coordinator")
    response = coordinator.post(
        f"problems/{problem.pk}/triage", {"category": "TOTAL_MARKETING", "note": "추천대로"}
    )
    assert response.status_code == 201, response.content[:300]
    body = response.json()
    assert body["chosen"] == "TOTAL_MARKETING" and body["overridden"] is False
    assert body["problem_status"] == "triaged" and body["note"] == "추천대로"
    problem.refresh_from_db()
    assert problem.status == "triaged" and problem.category == category("TOTAL_MARKETING")
    # Overriding the suggestion needs a reason: without one, a field error and no decision.
    refused = coordinator.post(f"problems/{problem.pk}/triage", {"category": "MFG_EFFICIENCY"})
    assert refused.status_code == 400 and "note" in refused.content.decode()
    assert problem.triage_decisions.count() == 1
    again = coordinator.post(
        f"problems/{problem.pk}/triage", {"category": "MFG_EFFICIENCY", "note": "설비 문제"}
    )
    assert again.status_code == 201 and again.json()["overridden"] is True
    assert problem.triage_decisions.count() == 2


@pytest.mark.parametrize(
    ("role", "hub", "status"),
    [
        ("company", "changwon", 403),  # its own problem: may read, not triage
        ("expert", "changwon", 404),  # not assigned to this new problem
        ("coordinator", "banwol", 404),  # another zone
        ("regional", "banwol", 404),
        ("ministry", "changwon", 403),  # reads everything, changes nothing
    ],
)
def test_triage_outside_scope_changes_nothing(
    world: World, role: str, hub: str, status: int
) -> None:
    problem = _submitted(world, hub)
    response = api(world, role).post(
        f"problems/{problem.pk}/triage", {"category": "TOTAL_MARKETING"}
    )
    assert response.status_code == status, response.content[:300]
    problem.refresh_from_db()
    assert problem.status == "submitted" and problem.category_id is None
    assert not problem.triage_decisions.exists()


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({"category": "NO_SUCH"}, 400),
        ({"category": ""}, 400),
        ({"category": "TOTAL_MARKETING", "note": "메" * 301}, 400),
        ({}, 422),
        ({"category": "TOTAL_MARKETING", "note": "\x00"}, 422),
    ],
)
def test_bad_triage_input_changes_nothing(world: World, body: dict[str, Any], status: int) -> None:
    problem = _submitted(world)
    response = api(world, "coordinator").post(f"problems/{problem.pk}/triage", body)
    assert response.status_code == status, response.content[:300]
    assert response.json()["detail"]
    problem.refresh_from_db()
    assert problem.status == "submitted" and not problem.triage_decisions.exists()


# Expert matching ----------------------------------------------------------------------


def test_matching_results_rank_experts_without_contacts(world: World) -> None:
    problem = world["problem_changwon"]
    ExpertFactory(
        name_ko="정민호",
        specialties="사출 성형 조건 최적화, 금형 냉각 설계, 수축 불량 원인 분석",
        service_categories=["MFG_EFFICIENCY"],
        email="jung@example.kr",
        phone="010-1234-5678",
    )
    response = api(world, "hq").get(f"problems/{problem.pk}/experts", k=3)
    assert response.status_code == 200, response.content[:300]
    results = response.json()
    assert 1 <= len(results) <= 3
    assert results[0]["name"] == "정민호"
    assert set(results[0]) == set(support_api.ExpertMatchOut.model_fields)
    assert "jung@example.kr" not in response.content.decode()
    assert "010-1234-5678" not in response.content.decode()
    # The assigned expert is not proposed again.
    assert world["expert_linked"].pk not in {r["expert"] for r in results}
    assert [r["score"] for r in results] == sorted((r["score"] for r in results), reverse=True)


def test_matching_results_report_each_experts_open_load(world: World) -> None:
    problem = _submitted(world)
    loads = {
        r["expert"]: r["load"]
        for r in api(world, "hq").get(f"problems/{problem.pk}/experts").json()
    }
    busy = world["expert_capital"]
    assert ExpertAssignment.objects.filter(expert=busy, status="active").count() == 2
    assert loads[busy.pk] == 2
    assert loads[world["expert_unaffiliated"].pk] == 0


@pytest.mark.parametrize("k", ["0", "51", "-3", "ten", "1e3"])
def test_k_out_of_range_is_422(world: World, k: str) -> None:
    problem = world["problem_changwon"]
    response = api(world, "hq").get(f"problems/{problem.pk}/experts", k=k)
    assert response.status_code == 422 and response.json()["detail"]


def test_matching_needs_access_to_the_expert_pool(world: World) -> None:
    problem = world["problem_changwon"]
    assert api(world, "company").get(f"problems/{problem.pk}/experts").status_code == 403
    assert (
        api(world, "coordinator").get(f"problems/{world['problem_banwol'].pk}/experts").status_code
        == 404
    )
    # The expert sees its own case, but no other expert of the pool.
    assert api(world, "expert").get(f"problems/{problem.pk}/experts").json() == []
