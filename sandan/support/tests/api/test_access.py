"""Support API access: every endpoint needs authentication, each role sees exactly its
rows, details out of scope are 404; the problem filters and their bad or hostile values."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from sandan.core import clock
from sandan.core.tests.world import World
from sandan.registry.tests.factories import OrganisationFactory
from sandan.support.api import schemas as support_api
from sandan.support.models import (
    Outcome,
    Participant,
    Problem,
    Survey,
    TriageDecision,
)
from sandan.support.tests.api.helpers import (
    CHANGWON,
    DONGNAM,
    EVERY_HUB,
    HUBS,
    LISTS,
    SCOPE,
    api,
    ids,
    rows,
)
from sandan.support.tests.factories import (
    ProblemFactory,
)

pytestmark = pytest.mark.django_db


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
    now = clock.now()
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
    ("role", "visible", "projects_visible"),
    [
        ("company", CHANGWON, CHANGWON),
        ("expert", CHANGWON, CHANGWON),
        ("coordinator", CHANGWON, CHANGWON),
        # The inter-zone Banwol project, in which a dongnam firm takes part, but not its
        # capital firm's problem.
        ("regional", DONGNAM, EVERY_HUB),
        ("hq", EVERY_HUB, EVERY_HUB),
    ],
)
def test_details_outside_scope_are_404(
    world: World, role: str, visible: frozenset[str], projects_visible: frozenset[str]
) -> None:
    client = api(world, role)
    for hub in HUBS:
        problem, project = world[f"problem_{hub}"].pk, world[f"project_{hub}"].pk
        expected = 200 if hub in visible else 404
        for path in (f"problems/{problem}", f"problems/{problem}/suggestion"):
            assert client.get(path).status_code == expected, (role, path)
        expected = 200 if hub in projects_visible else 404
        for path in (f"projects/{project}", f"projects/{project}/participants"):
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
