"""The story of one project, step by step, as its users meet it in the pages.

A coordinator of the Changwon branch turns a firm's problem (사출 수축 불량) into a project,
adds a university and a milestone, gives it a budget that keeps the 20 % firm share and
submits it; the dongnam regional HQ approves it (not the coordinator, not another zone);
the coordinator starts and completes it, which mails the firm a one-time survey link; the
firm answers without logging in; the coordinator records the firm's outcomes and the
dashboard counts them.

Each fixture is one step of the story, taken through the same pages as its test, so every
test starts where the story stands before its step and checks that step alone. The people
and places (branch, hub, firm, coordinator, regional and capital-area staff) are the
fixtures of the support tests' conftest files.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core import mail
from django.test import Client

from sandan.registry.models import Organisation
from sandan.registry.tests.factories import OrganisationFactory
from sandan.support.models import (
    BudgetLine,
    ExpertAssignment,
    Outcome,
    Participant,
    Project,
    SurveyResponse,
)
from sandan.support.tests.factories import AssignmentFactory, TriagedProblemFactory
from sandan.support.tests.project_pages.helpers import ANSWERS, _url, as_user

pytestmark = pytest.mark.django_db

TITLE = "사출 성형 수축 불량 저감 지원"
OUTCOMES = {
    "patents_filed": "2",
    "prototypes": "1",
    "sales_increase_krw": "150000000",
    "cost_saved_krw": "30000000",
    "new_hires": "3",
    "sales_before_krw": "2000000000",
    "sales_after_krw": "2150000000",
}


def budget_form(firm: Organisation, public: int, cash: int) -> dict[str, Any]:
    return {
        "lines-TOTAL_FORMS": "3",
        "lines-INITIAL_FORMS": "0",
        "lines-0-kind": "public_grant",
        "lines-0-amount_krw": str(public),
        "lines-1-kind": "firm_cash",
        "lines-1-organisation": str(firm.pk),
        "lines-1-amount_krw": str(cash),
    }


def page(client: Client, name: str, *args: Any) -> str:
    return client.get(_url(name, *args)).content.decode()


# The steps, each on top of the one before ------------------------------------------------


@pytest.fixture
def assignment(firm: Organisation) -> ExpertAssignment:
    """The firm's problem, triaged, with an expert assigned."""
    problem = TriagedProblemFactory(organisation=firm, text_index=0)  # 사출 수축 불량
    found: ExpertAssignment = AssignmentFactory(problem=problem)
    return found


def create(client: Client, assignment: ExpertAssignment) -> Any:
    return client.post(
        _url("project_create"),
        {
            "problems": [assignment.problem.pk],
            "title": TITLE,
            "summary": "금형 온도 제어와 보압 조건 최적화",
            "type": "mentoring",
            "start_date": "2010-04-01",
            "end_date": "2010-09-30",
        },
    )


@pytest.fixture
def draft(client: Client, coordinator: Any, assignment: ExpertAssignment) -> Project:
    as_user(client, coordinator)
    assert create(client, assignment).status_code == 302
    return Project.objects.get(title=TITLE)


@pytest.fixture
def university(firm: Organisation) -> Organisation:
    # In Changwon, as the firm: a participant elsewhere would let that zone's staff read it.
    found: Organisation = OrganisationFactory(
        kind=Organisation.Kind.UNIVERSITY,
        name_ko="창원대학교",
        business_number=None,
        complex=firm.complex,
    )
    return found


def add_university(client: Client, project: Project, university: Organisation) -> Any:
    return client.post(_url("project_participant_add", project.pk), {"organisation": university.pk})


def add_milestone(client: Client, project: Project) -> Any:
    return client.post(
        _url("project_milestone_add", project.pk),
        {"title": "성형 조건 진단", "due_date": "2010-05-31", "deliverable": "진단 보고서"},
    )


@pytest.fixture
def planned(client: Client, draft: Project, university: Organisation) -> Project:
    assert add_university(client, draft, university).status_code == 302
    assert add_milestone(client, draft).status_code == 302
    return draft


@pytest.fixture
def budgeted(client: Client, planned: Project, firm: Organisation) -> Project:
    response = client.post(
        _url("project_budget", planned.pk), budget_form(firm, 20_000_000, 5_000_000)
    )
    assert response.status_code == 302
    return planned


@pytest.fixture
def submitted(client: Client, budgeted: Project) -> Project:
    assert client.post(_url("project_submit", budgeted.pk)).status_code == 302
    return budgeted


@pytest.fixture
def approved(client: Client, submitted: Project, regional: Any) -> Project:
    as_user(client, regional)
    assert client.post(_url("project_approve", submitted.pk)).status_code == 302
    return submitted


@pytest.fixture
def started(client: Client, approved: Project, coordinator: Any) -> Project:
    as_user(client, coordinator)
    assert client.post(_url("project_start", approved.pk)).status_code == 302
    return approved


def complete(client: Client, project: Project, capture: Any) -> Any:
    with capture(execute=True):
        return client.post(_url("project_complete", project.pk))


@pytest.fixture
def survey_token(client: Client, started: Project, django_capture_on_commit_callbacks: Any) -> str:
    """The token of the survey link mailed when the project completes."""
    assert complete(client, started, django_capture_on_commit_callbacks).status_code == 302
    match = re.search(r"/support/survey/([A-Za-z0-9_-]+)/", mail.outbox[0].body)
    assert match is not None
    return match.group(1)


@pytest.fixture
def answered(survey_token: str) -> str:
    assert Client().post(_url("survey_answer", survey_token), ANSWERS).status_code == 200
    return survey_token


@pytest.fixture
def with_outcomes(client: Client, started: Project, answered: str, firm: Organisation) -> Project:
    assert client.post(_url("project_outcome", started.pk, firm.pk), OUTCOMES).status_code == 302
    return started


# A problem becomes a project -------------------------------------------------------------


def test_the_creation_page_shows_the_problem_and_the_scope_it_will_derive(
    client: Client, coordinator: Any, assignment: ExpertAssignment
) -> None:
    as_user(client, coordinator)

    response = client.get(_url("project_create"), {"problems": assignment.problem.pk})

    assert response.status_code == 200
    body = response.content.decode()
    assert assignment.problem.title in body and "과제 범위: 단지 내" in body


def test_a_project_takes_its_problems_category_scope_firm_and_expert(
    client: Client, coordinator: Any, assignment: ExpertAssignment, firm: Organisation
) -> None:
    as_user(client, coordinator)

    response = create(client, assignment)

    project = Project.objects.get(title=TITLE)
    assert response.status_code == 302
    assert response["Location"] == _url("project_detail", project.pk)
    assert project.category.code == "MFG_EFFICIENCY"  # the problem's, by default
    assert project.scope == Project.Scope.SINGLE_COMPLEX
    assert project.participants.get(role=Participant.Role.LEAD_FIRM).organisation == firm
    assert project.participants.filter(expert=assignment.expert).exists()


def test_a_university_joins_the_project_as_a_university(
    client: Client, draft: Project, university: Organisation
) -> None:
    response = add_university(client, draft, university)

    assert response.status_code == 302
    assert draft.participants.get(organisation=university).role == Participant.Role.UNIVERSITY


def test_a_milestone_is_planned(client: Client, draft: Project) -> None:
    response = add_milestone(client, draft)

    assert response.status_code == 302 and draft.milestones.count() == 1


# Budget and submission -------------------------------------------------------------------


def test_a_budget_breaking_the_20_percent_rule_is_refused_as_a_whole_with_the_figures(
    client: Client, planned: Project, firm: Organisation
) -> None:
    response = client.post(
        _url("project_budget", planned.pk), budget_form(firm, 45_000_000, 5_000_000)
    )

    assert response.status_code == 400
    body = response.content.decode()
    assert "기업부담 비율이 10.0%로 2010년 기준(20% 이상)에 못 미칩니다" in body
    assert "사업비를 저장하지 않았습니다" in body
    assert not BudgetLine.objects.filter(project=planned).exists()


def test_a_budget_keeping_the_rule_is_saved_and_the_project_may_be_submitted(
    client: Client, planned: Project, firm: Organisation
) -> None:
    response = client.post(
        _url("project_budget", planned.pk), budget_form(firm, 20_000_000, 5_000_000)
    )

    assert response.status_code == 302
    assert planned.budget_lines.count() == 2
    detail = page(client, "project_detail", planned.pk)
    assert "기업부담 비율 20.0% — 2010년 기준(20% 이상)을 충족합니다" in detail
    assert "승인 요청" in detail


def test_the_coordinator_submits_the_project(client: Client, budgeted: Project) -> None:
    response = client.post(_url("project_submit", budgeted.pk))

    budgeted.refresh_from_db()
    assert response.status_code == 302 and budgeted.status == Project.Status.SUBMITTED


# Approval by the right scope -------------------------------------------------------------


def test_the_coordinator_runs_the_project_but_does_not_approve_it(
    client: Client, submitted: Project
) -> None:
    assert "중복 점검 후 승인" not in page(client, "project_detail", submitted.pk)
    assert client.post(_url("project_approve", submitted.pk)).status_code == 403


def test_regional_staff_of_another_zone_neither_see_nor_approve_it(
    client: Client, submitted: Project, capital_staff: Any
) -> None:
    as_user(client, capital_staff)

    assert client.get(_url("project_approve", submitted.pk)).status_code == 404
    assert client.post(_url("project_approve", submitted.pk)).status_code == 403
    submitted.refresh_from_db()
    assert submitted.status == Project.Status.SUBMITTED and submitted.approved_at is None


def test_the_zones_regional_staff_approve_it(
    client: Client, submitted: Project, regional: Any
) -> None:
    as_user(client, regional)
    assert "중복 점검 후 승인" in page(client, "project_detail", submitted.pk)
    assert client.get(_url("project_approve", submitted.pk)).status_code == 200

    response = client.post(_url("project_approve", submitted.pk))

    submitted.refresh_from_db()
    assert response.status_code == 302 and submitted.status == Project.Status.APPROVED
    assert submitted.approved_by == regional


# Running, completing, the survey ---------------------------------------------------------


def test_the_coordinator_starts_the_approved_project(
    client: Client, approved: Project, coordinator: Any
) -> None:
    as_user(client, coordinator)

    client.post(_url("project_start", approved.pk))

    approved.refresh_from_db()
    assert approved.status == Project.Status.IN_PROGRESS


def test_completing_the_project_mails_the_firm_a_survey_link(
    client: Client, started: Project, django_capture_on_commit_callbacks: Any
) -> None:
    response = complete(client, started, django_capture_on_commit_callbacks)

    started.refresh_from_db()
    assert response.status_code == 302 and started.status == Project.Status.COMPLETED
    assert [m.to for m in mail.outbox] == [["kim@cwprecision.example.kr"]]
    match = re.search(r"/support/survey/([A-Za-z0-9_-]+)/", mail.outbox[0].body)
    assert match is not None
    assert match.group(0) == _url("survey_answer", match.group(1))


def test_the_firm_answers_the_survey_without_logging_in(survey_token: str) -> None:
    anonymous = Client()
    form = anonymous.get(_url("survey_answer", survey_token))
    assert form.status_code == 200
    body = form.content.decode()
    assert body.count("<fieldset") == 5 and body.count("<legend") == 5

    assert anonymous.post(_url("survey_answer", survey_token), ANSWERS).status_code == 200

    response = SurveyResponse.objects.get()
    assert (response.overall, response.timeliness) == (5, 4)


def test_the_survey_link_works_once(answered: str) -> None:
    anonymous = Client()

    again = anonymous.post(_url("survey_answer", answered), {**ANSWERS, "overall": "1"})

    assert again.status_code == 410
    assert "이미 응답한 조사입니다" in again.content.decode()
    assert SurveyResponse.objects.get().overall == 5
    assert anonymous.get(_url("survey_answer", answered)).status_code == 410


# Outcomes and the dashboard --------------------------------------------------------------


def test_the_firms_outcomes_are_recorded_and_shown_on_the_project(
    client: Client, started: Project, answered: str, firm: Organisation
) -> None:
    response = client.post(_url("project_outcome", started.pk, firm.pk), OUTCOMES)

    assert response.status_code == 302
    outcome = Outcome.objects.get(project=started, organisation=firm)
    assert outcome.patents_filed == 2 and outcome.sales_after_krw == 2_150_000_000
    detail = page(client, "project_detail", started.pk)
    assert "응답 완료" in detail and "150,000,000" in detail


def test_the_dashboard_counts_the_outcomes_and_the_survey(
    client: Client, with_outcomes: Project, regional: Any
) -> None:
    as_user(client, regional)

    dashboard = client.get(_url("outcome_dashboard"), {"year": "2010"})

    assert dashboard.status_code == 200
    overall = dashboard.context["overall"]
    assert overall["patents_filed"] == 2 and overall["sales_increase_krw"] == 150_000_000
    assert dashboard.context["by_category"][0]["project__category__name_ko"] == "제조기술효율화"
    assert dashboard.context["response_rate"] == 100.0
    assert dashboard.context["averages"]["overall"] == 5
    assert "창원국가산업단지" in dashboard.content.decode()
