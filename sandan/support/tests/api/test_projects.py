"""Support API of projects, referrals, outcomes and surveys (answers shown, the token hash
never), OpenAPI and the choices, and list query counts constant as rows grow."""

from __future__ import annotations

import datetime as dt
from typing import Any, get_args

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from sandan.core import clock
from sandan.core.privacy import MASK
from sandan.core.tests.world import World
from sandan.registry.tests.factories import OrganisationFactory
from sandan.support import services
from sandan.support.api import schemas as support_api
from sandan.support.models import (
    ExpertAssignment,
    Outcome,
    Participant,
    Problem,
    Project,
    Referral,
    Survey,
    SurveyResponse,
)
from sandan.support.tests.api.helpers import (
    HUBS,
    LISTS,
    SCOPE,
    api,
    ids,
)
from sandan.support.tests.factories import (
    ProblemFactory,
    ProjectFactory,
    ReferralFactory,
    category,
    ready_project,
)

pytestmark = pytest.mark.django_db


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
    assert found(scope="inter_zone") == {marketing.pk, banwol}
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
    now = clock.now()
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
    now = clock.now()
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
