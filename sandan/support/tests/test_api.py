"""Support API: scope per role on every endpoint, filters, intake and triage through the
services (bad input saves nothing), matching without contacts, surveys without their token
hash, OpenAPI, and query counts constant as rows grow.

The world is the support scope world (sandan/support/tests/test_scope.py): three hubs —
Changwon (dongnam, the dongnam branch's), Ulsan (dongnam, no branch) and Banwol (capital) —
each with a problem, a referral, a project with participants, an outcome and an answered
survey. The company user is (주)창원기계 of Changwon; the expert user 박지훈 is assigned to
the Changwon problem and takes part in the Changwon project.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any, get_args

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from sandan.accounts.models import ApiToken
from sandan.accounts.roles import Role
from sandan.accounts.tests.factories import user_with_role
from sandan.core.models import AuditEntry
from sandan.core.privacy import MASK
from sandan.core.tests.world import World
from sandan.registry.tests.factories import ExpertFactory, OrganisationFactory
from sandan.support.api import schemas as support_api
from sandan.support import services
from sandan.support.models import (
    ExpertAssignment,
    Outcome,
    Participant,
    Problem,
    Project,
    Referral,
    Survey,
    SurveyResponse,
    TriageDecision,
)
from sandan.support.tests.factories import (
    ProblemFactory,
    ProjectFactory,
    ReferralFactory,
    category,
    ready_project,
)
from sandan.support.tests.test_scope import build_support_world

pytestmark = pytest.mark.django_db

HUBS = ("changwon", "ulsan", "banwol")
LISTS = ("problems", "projects", "referrals", "outcomes", "surveys")
EVERY_HUB = frozenset(HUBS)
DONGNAM = frozenset({"changwon", "ulsan"})
CHANGWON = frozenset({"changwon"})
NONE: frozenset[str] = frozenset()
# Which hubs' rows each role reaches, per list (docs/permissions.md).
SCOPE: dict[str, dict[str, frozenset[str]]] = {
    "hq": dict.fromkeys(LISTS, EVERY_HUB),
    "ministry": dict.fromkeys(LISTS, EVERY_HUB),
    "auditor": dict.fromkeys(LISTS, EVERY_HUB),
    "regional": dict.fromkeys(LISTS, DONGNAM),
    "coordinator": dict.fromkeys(LISTS, CHANGWON),
    "company": dict.fromkeys(LISTS, CHANGWON),
    # An expert reaches only what is assigned to them: no referrals, no surveys.
    "expert": {
        "problems": CHANGWON,
        "projects": CHANGWON,
        "referrals": NONE,
        "outcomes": CHANGWON,
        "surveys": NONE,
    },
}
ROW = {
    "problems": "problem",
    "projects": "project",
    "referrals": "referral",
    "outcomes": "outcome",
    "surveys": "survey",
}


class Api:
    """A client that speaks to /api/v1/ as one user, by bearer token."""

    def __init__(self, user: Any) -> None:
        self.client = Client()
        token, self.raw = ApiToken.issue(user)
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now())

    def get(self, path: str, **query: Any) -> Any:
        return self.client.get(
            f"/api/v1/support/{path}", query, HTTP_AUTHORIZATION=f"Bearer {self.raw}"
        )

    def post(self, path: str, body: Any) -> Any:
        return self.client.post(
            f"/api/v1/support/{path}",
            json.dumps(body),
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Bearer {self.raw}",
        )


@pytest.fixture
def world(db: Any) -> World:
    return build_support_world()


def api(world: World, role: str) -> Api:
    return Api(world.users[role])


def ids(response: Any) -> set[int]:
    assert response.status_code == 200, response.content[:300]
    return {item["id"] for item in response.json()["items"]}


def rows(world: World, path: str, hubs: frozenset[str]) -> set[int]:
    return {world[f"{ROW[path]}_{hub}"].pk for hub in hubs}


def problem_count() -> int:
    return Problem.objects.count()


# Authentication and scope -------------------------------------------------------------


def test_every_endpoint_needs_authentication(world: World) -> None:
    problem, project = world["problem_changwon"].pk, world["project_changwon"].pk
    anonymous = Client()
    for path in (
        *LISTS,
        f"problems/{problem}",
        f"problems/{problem}/suggestion",
        f"problems/{problem}/experts",
        f"projects/{project}",
        f"projects/{project}/participants",
    ):
        assert anonymous.get(f"/api/v1/support/{path}").status_code == 401, path
    for path, body in (
        ("problems", {"title": "t", "description": "d"}),
        ("triage/suggest", {"year": 2010, "text": "금형"}),
        (f"problems/{problem}/triage", {"category": "MFG_EFFICIENCY"}),
    ):
        response = anonymous.post(
            f"/api/v1/support/{path}", json.dumps(body), content_type="application/json"
        )
        assert response.status_code == 401, path
    assert TriageDecision.objects.filter(problem_id=problem).count() == 1


@pytest.mark.parametrize("role", sorted(SCOPE))
def test_each_list_shows_exactly_the_roles_rows(world: World, role: str) -> None:
    client = api(world, role)
    for path in LISTS:
        assert ids(client.get(path)) == rows(world, path, SCOPE[role][path]), (role, path)


def test_a_company_sees_only_its_own_outcome_and_survey_in_a_shared_project(
    world: World,
) -> None:
    project = world["project_changwon"]
    partner = OrganisationFactory(name_ko="(주)협력정공", complex=world["cx_dongnam"])
    Participant.objects.create(project=project, organisation=partner, role="firm")
    now = timezone.now()
    other = Outcome.objects.create(project=project, organisation=partner, recorded_at=now)
    Survey.objects.create(
        project=project,
        organisation=partner,
        token_hash="f" * 64,
        sent_at=now,
        expires_at=now + dt.timedelta(days=30),
    )
    company = api(world, "company")
    assert ids(company.get("outcomes")) == {world["outcome_changwon"].pk}
    assert ids(company.get("surveys")) == {world["survey_changwon"].pk}
    # Staff of the hub see both firms' rows.
    assert other.pk in ids(api(world, "coordinator").get("outcomes"))
    # The partner firm is a participant of the company's project: listed there.
    names = {
        p["organisation_name"]
        for p in company.get(f"projects/{project.pk}/participants").json()["items"]
    }
    assert "(주)협력정공" in names


@pytest.mark.parametrize(
    ("role", "visible"),
    [
        ("company", CHANGWON),
        ("expert", CHANGWON),
        ("coordinator", CHANGWON),
        ("regional", DONGNAM),
        ("hq", EVERY_HUB),
    ],
)
def test_details_outside_scope_are_404(world: World, role: str, visible: frozenset[str]) -> None:
    client = api(world, role)
    for hub in HUBS:
        problem, project = world[f"problem_{hub}"].pk, world[f"project_{hub}"].pk
        expected = 200 if hub in visible else 404
        for path in (
            f"problems/{problem}",
            f"problems/{problem}/suggestion",
            f"projects/{project}",
            f"projects/{project}/participants",
        ):
            assert client.get(path).status_code == expected, (role, path)


def test_unknown_or_absurd_ids_are_404_or_422(world: World) -> None:
    hq = api(world, "hq")
    assert hq.get("problems/987654").status_code == 404
    assert hq.get("projects/987654").status_code == 404
    assert hq.get("projects/987654/participants").status_code == 404
    assert hq.get("problems/987654/experts").status_code == 404
    assert hq.get("problems/0").status_code == 422
    assert hq.get("problems/99999999999999999999999").status_code == 422
    assert hq.get("problems/abc").status_code in (404, 422)
    assert hq.get("problems", organisation="99999999999999999999999").status_code == 422


def test_problem_detail_shows_only_visible_assignments_and_projects(world: World) -> None:
    problem = world["problem_changwon"]
    body = api(world, "company").get(f"problems/{problem.pk}").json()
    assert body["organisation_name"] == "(주)창원기계"
    assert body["hub"] == "148001" and body["zone"] == "dongnam"
    assert body["category"] == "MFG_EFFICIENCY"
    assert [a["expert_name"] for a in body["assignments"]] == ["박지훈"]
    assert body["projects"] == [world["project_changwon"].pk]


# Problem filters ----------------------------------------------------------------------


def test_problem_filters(world: World) -> None:
    firm = world["company_dongnam"]
    spring = timezone.make_aware(dt.datetime(2010, 4, 1, 10))
    urgent = ProblemFactory(
        organisation=firm,
        urgency=Problem.Urgency.URGENT,
        submitted_at=spring,
        title="도금 폐수 처리 비용 절감",
        source=Problem.Source.IMPORT,
    )
    hq = api(world, "hq")
    changwon, ulsan, banwol = (world[f"problem_{hub}"].pk for hub in HUBS)

    def found(**query: Any) -> set[int]:
        return ids(hq.get("problems", **query))

    assert found(status="submitted") == {urgent.pk}
    assert found(status="matched") == {changwon, ulsan, banwol}
    assert found(urgency="urgent") == {urgent.pk}
    assert found(source="import") == {urgent.pk}
    assert found(zone="capital") == {banwol}
    assert found(hub="148001") == {changwon, urgent.pk}
    assert found(organisation=firm.pk) == {changwon, urgent.pk}
    assert found(category="MFG_EFFICIENCY") == {changwon, ulsan, banwol}
    assert found(category="TOTAL_MARKETING") == set()
    assert found(year=2010) == {changwon, ulsan, banwol, urgent.pk}
    assert found(year=2011) == set()
    assert found(submitted_from="2010-04-01", submitted_to="2010-04-01") == {urgent.pk}
    assert found(submitted_to="2010-03-31") == set()
    assert found(q="폐수") == {urgent.pk}
    assert found(q="창원기계") == {changwon, urgent.pk}


@pytest.mark.parametrize(
    "query",
    [
        {"status": "lost"},
        {"urgency": "asap"},
        {"source": "fax"},
        {"year": "twenty-ten"},
        {"year": "1800"},
        {"organisation": "0"},
        {"submitted_from": "not-a-date"},
        {"submitted_from": "2010-02-30"},
        {"submitted_to": "9999-12-31"},
        {"submitted_from": "2010-05-01", "submitted_to": "2010-04-01"},
        {"q": "abc\x00def"},
        {"q": "x" * 201},
        {"limit": "-1"},
    ],
)
def test_bad_problem_parameters_are_422_with_a_message(world: World, query: Any) -> None:
    response = api(world, "hq").get("problems", **query)
    assert response.status_code == 422, response.content[:300]
    assert response.json()["detail"]


QUERIES = {
    "problems": support_api.ProblemQuery,
    "projects": support_api.ProjectQuery,
    "referrals": support_api.ReferralQuery,
    "outcomes": support_api.OutcomeQuery,
    "surveys": support_api.SurveyQuery,
}
HOSTILE = [
    "x" * 5000,
    "' OR 1=1 --",
    "%%%___",
    "\x00",
    "abc\x00def",
    "\u202e\u200b",
    "-1",
    "-99999999999999999999",
    "1e309",
    "NaN",
    "0001-01-01",
    "9999-12-31",
    "",
]


@pytest.mark.parametrize("path", LISTS)
def test_hostile_parameters_never_cause_a_5xx(world: World, path: str) -> None:
    client = api(world, "regional")
    for param in [*QUERIES[path].model_fields, "limit", "offset"]:
        for value in HOSTILE:
            response = client.get(path, **{param: value})
            assert response.status_code < 500, (param, value, response.content[:200])


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


# Projects -----------------------------------------------------------------------------


def test_project_detail_has_budget_lines_and_cost_share(world: World) -> None:
    hub = world["hub_changwon"]
    project = ready_project(hub=hub, lead=world["company_dongnam"])
    project.problems.add(world["problem_changwon"])
    body = api(world, "company").get(f"projects/{project.pk}").json()
    assert body["lead_firm"] == world["company_dongnam"].pk
    assert body["lead_firm_name"] == "(주)창원기계"
    assert {line["kind"]: line["amount_krw"] for line in body["budget_lines"]} == {
        "public_grant": 40_000_000,
        "firm_cash": 8_000_000,
        "firm_in_kind": 2_000_000,
    }
    share = body["cost_share"]
    assert share["total_krw"] == 50_000_000 and share["firm_pct"] == 20.0
    assert share["min_pct"] == 20.0 and share["ok"] is True
    assert [m["title"] for m in body["milestones"]] == ["성형 조건 진단"]
    assert body["problems"] == [world["problem_changwon"].pk]


def test_an_expert_sees_its_project_but_not_its_budget(world: World) -> None:
    body = api(world, "expert").get(f"projects/{world['project_changwon'].pk}").json()
    assert body["title"] == "changwon 불량 저감 지원"
    assert body["budget_lines"] == [] and body["cost_share"] is None


def test_project_filters(world: World) -> None:
    marketing = ProjectFactory(
        hub=world["hub_changwon"],
        type=Project.Type.MARKETING,
        scope=Project.Scope.INTER_ZONE,
        title="동남아 바이어 상담회 공동 참가",
        category=category("TOTAL_MARKETING"),
        lead=world["company_dongnam"],
    )
    hq = api(world, "hq")

    def found(**query: Any) -> set[int]:
        return ids(hq.get("projects", **query))

    changwon, ulsan, banwol = (world[f"project_{hub}"].pk for hub in HUBS)
    assert found(type="marketing") == {marketing.pk}
    assert found(scope="inter_zone") == {marketing.pk}
    assert found(status="submitted") == {changwon, ulsan, banwol}
    assert found(status="draft") == {marketing.pk}
    assert found(category="TOTAL_MARKETING") == {marketing.pk}
    assert found(hub="148001") == {changwon, marketing.pk}
    assert found(zone="capital") == {banwol}
    assert found(year=2010) == {changwon, ulsan, banwol, marketing.pk}
    assert found(q="바이어") == {marketing.pk}
    for bad in ({"type": "party"}, {"scope": "galaxy"}, {"status": "won"}, {"year": "x"}):
        assert hq.get("projects", **bad).status_code == 422, bad


def test_participants_of_a_project(world: World) -> None:
    project = world["project_changwon"]
    items = api(world, "expert").get(f"projects/{project.pk}/participants").json()["items"]
    assert {(p["role"], p["organisation_name"], p["expert_name"]) for p in items} == {
        ("lead_firm", "(주)창원기계", None),
        ("expert", None, "박지훈"),
    }


# Referrals, outcomes, surveys ---------------------------------------------------------


def test_referral_filters(world: World) -> None:
    problem = ProblemFactory(organisation=world["company_dongnam"], status="referred")
    sent = ReferralFactory(problem=problem, partner_kind=Referral.PartnerKind.LOCAL_GOVERNMENT)
    hq = api(world, "hq")
    assert ids(hq.get("referrals", status="sent")) == {sent.pk}
    assert ids(hq.get("referrals", partner_kind="local_government")) == {sent.pk}
    assert ids(hq.get("referrals", problem=problem.pk)) == {sent.pk}
    assert len(ids(hq.get("referrals", year=2010))) == 4
    assert ids(hq.get("referrals", year=2011)) == set()
    item = hq.get("referrals", problem=problem.pk).json()["items"][0]
    assert item["organisation_name"] == "(주)창원기계" and item["agency"] is None
    for bad in ({"status": "lost"}, {"partner_kind": "friend"}, {"problem": "-1"}):
        assert hq.get("referrals", **bad).status_code == 422, bad


def test_outcome_filters(world: World) -> None:
    hq = api(world, "hq")
    changwon = world["outcome_changwon"].pk
    assert ids(hq.get("outcomes", project=world["project_changwon"].pk)) == {changwon}
    assert ids(hq.get("outcomes", organisation=world["company_dongnam"].pk)) == {changwon}
    assert ids(hq.get("outcomes", hub="148001")) == {changwon}
    assert ids(hq.get("outcomes", zone="capital")) == {world["outcome_banwol"].pk}
    assert len(ids(hq.get("outcomes", category="MFG_EFFICIENCY"))) == 3
    assert ids(hq.get("outcomes", category="TOTAL_MARKETING")) == set()
    assert ids(hq.get("outcomes", year=2011)) == set()
    item = hq.get("outcomes", project=world["project_changwon"].pk).json()["items"][0]
    assert item["patents_filed"] == 1 and item["year"] == 2010
    assert hq.get("outcomes", project="abc").status_code == 422


def test_surveys_show_answers_and_never_the_token_hash(world: World) -> None:
    now = timezone.now()
    project = world["project_changwon"]
    partner = OrganisationFactory(complex=world["cx_dongnam"])
    unanswered = Survey.objects.create(
        project=project,
        organisation=partner,
        email="lee@example.kr",
        token_hash=services.hash_token("never-shown"),
        sent_at=now,
        expires_at=now + dt.timedelta(days=30),
    )
    hq = api(world, "hq")
    assert ids(hq.get("surveys", answered="false")) == {unanswered.pk}
    assert len(ids(hq.get("surveys", answered="true"))) == 3
    assert ids(hq.get("surveys", project=project.pk)) == {
        world["survey_changwon"].pk,
        unanswered.pk,
    }
    by_id = {item["id"]: item for item in hq.get("surveys").json()["items"]}
    answered = by_id[world["survey_changwon"].pk]
    assert answered["state"] == "answered"
    assert answered["response"]["overall"] == 5 and answered["response"]["timeliness"] == 4
    assert by_id[unanswered.pk]["state"] == "open" and by_id[unanswered.pk]["response"] is None
    assert answered["email"] == "kim@example.kr"
    assert hq.get("surveys", answered="maybe").status_code == 422


def test_survey_email_is_masked_for_roles_without_contact(world: World) -> None:
    emails = {item["email"] for item in api(world, "ministry").get("surveys").json()["items"]}
    assert emails == {MASK}
    own = api(world, "company").get("surveys").json()["items"]
    assert [item["email"] for item in own] == ["kim@example.kr"]


@pytest.mark.parametrize("role", sorted(SCOPE))
def test_no_response_ever_contains_a_token_hash(world: World, role: str) -> None:
    hashes = list(Survey.objects.values_list("token_hash", flat=True))
    client = api(world, role)
    problem, project = world["problem_changwon"].pk, world["project_changwon"].pk
    for path in (
        *LISTS,
        f"problems/{problem}",
        f"projects/{project}",
        f"projects/{project}/participants",
    ):
        content = client.get(path).content.decode()
        assert not any(value in content for value in hashes), (role, path)
        assert "token" not in content


# OpenAPI and the choices ---------------------------------------------------------------


def test_openapi_lists_the_support_paths(client: Client, db: Any) -> None:
    paths = set(client.get("/api/v1/openapi.json").json()["paths"])
    assert {
        "/api/v1/support/problems",
        "/api/v1/support/problems/{problem_id}",
        "/api/v1/support/problems/{problem_id}/suggestion",
        "/api/v1/support/problems/{problem_id}/triage",
        "/api/v1/support/problems/{problem_id}/experts",
        "/api/v1/support/triage/suggest",
        "/api/v1/support/projects",
        "/api/v1/support/projects/{project_id}",
        "/api/v1/support/projects/{project_id}/participants",
        "/api/v1/support/referrals",
        "/api/v1/support/outcomes",
        "/api/v1/support/surveys",
    } <= paths


def test_filter_choices_are_the_models_choices() -> None:
    pairs = [
        (support_api.ProblemStatus, Problem.Status),
        (support_api.ProblemUrgency, Problem.Urgency),
        (support_api.ProblemSource, Problem.Source),
        (support_api.ProjectStatus, Project.Status),
        (support_api.ProjectType, Project.Type),
        (support_api.ProjectScope, Project.Scope),
        (support_api.ReferralStatus, Referral.Status),
        (support_api.PartnerKind, Referral.PartnerKind),
    ]
    for literal, choices in pairs:
        assert list(get_args(literal)) == list(choices.values), choices


# Query counts -------------------------------------------------------------------------


def _grow(world: World, n: int) -> None:
    """`n` more rows of every list in the Changwon hub, each answered survey included."""
    firm, hub = world["company_dongnam"], world["hub_changwon"]
    now = timezone.now()
    for _i in range(n):
        problem = ProblemFactory(organisation=firm, status="referred")
        ReferralFactory(problem=problem, agency=world["agency_nowhere"])
        ExpertAssignment.objects.create(
            problem=problem, expert=world["expert_linked"], assigned_at=now
        )
        partner = OrganisationFactory(complex=hub.complex)
        project = ProjectFactory(hub=hub, lead=partner)
        project.problems.add(problem)
        Participant.objects.create(project=project, organisation=firm, role="firm")
        Participant.objects.create(project=project, expert=world["expert_linked"], role="expert")
        for org in (firm, partner):
            Outcome.objects.create(project=project, organisation=org, recorded_at=now)
            survey = Survey.objects.create(
                project=project,
                organisation=org,
                email="kim@example.kr",
                token_hash=services.hash_token(f"{project.pk}-{org.pk}"),
                sent_at=now,
                expires_at=now + dt.timedelta(days=30),
                answered_at=now,
            )
            SurveyResponse.objects.create(
                survey=survey,
                overall=4,
                timeliness=4,
                expertise=5,
                usefulness=3,
                recommend=4,
                answered_at=now,
            )


# token with memberships (one query) + count + page (+ participants: the project's existence)
PINNED = {"problems": 3, "projects": 3, "referrals": 3, "outcomes": 3, "surveys": 3}


@pytest.mark.parametrize("role", ["hq", "company", "expert", "regional"])
def test_list_query_counts_are_pinned_and_constant(world: World, role: str) -> None:
    client = api(world, role)
    project = world["project_changwon"].pk
    paths = {**{path: path for path in LISTS}, "participants": f"projects/{project}/participants"}
    pinned = {**PINNED, "participants": 4}
    if role == "expert":
        # Out of the expert's reach: the empty WHERE never reaches the database.
        pinned.update(referrals=1, surveys=1)
    small: dict[str, tuple[int, int]] = {}
    for name, path in paths.items():
        with CaptureQueriesContext(connection) as queries:
            body = client.get(path).json()
        small[name] = (len(queries.captured_queries), body["count"])
        assert small[name][0] == pinned[name], (name, [q["sql"] for q in queries.captured_queries])
    _grow(world, 4)
    Participant.objects.create(project_id=project, organisation=OrganisationFactory(), role="firm")
    for name, path in paths.items():
        with CaptureQueriesContext(connection) as queries:
            body = client.get(path).json()
        assert len(queries.captured_queries) == small[name][0], name
        if role != "expert" or name not in ("referrals", "surveys"):
            assert body["count"] > small[name][1], (role, name)
