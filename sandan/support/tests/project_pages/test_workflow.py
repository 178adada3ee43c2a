"""A project's life on its pages: a firm's problem becomes a project, gets its participants,
budget and plan, is approved by the right scope (duplicate-funding flags need a reason),
runs, completes and sends the one-time survey; returns, cancels and budget changes need a
reason."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone

from sandan.core.models import AuditEntry
from sandan.registry.models import Organisation
from sandan.registry.tests.factories import (
    OrganisationFactory,
)
from sandan.support import services
from sandan.support.models import (
    BudgetLine,
    DuplicateFlag,
    Outcome,
    Participant,
    Project,
    SurveyResponse,
)
from sandan.support.tests.factories import (
    AssignmentFactory,
    ProjectFactory,
    TriagedProblemFactory,
    budget,
)
from sandan.support.tests.project_pages.helpers import (
    ANSWERS,
    _submitted,
    _url,
    as_user,
)

pytestmark = pytest.mark.django_db


# The whole story --------------------------------------------------------------------


def test_a_problem_becomes_a_project_that_is_approved_run_completed_and_surveyed(
    client: Client,
    coordinator: Any,
    regional: Any,
    capital_staff: Any,
    firm: Organisation,
    django_capture_on_commit_callbacks: Any,
) -> None:
    assignment = AssignmentFactory(
        problem=TriagedProblemFactory(organisation=firm, text_index=0)  # 사출 수축 불량
    )
    problem = assignment.problem
    as_user(client, coordinator)

    # The creation page shows the problem and the scope the service will derive.
    page = client.get(_url("project_create"), {"problems": problem.pk})
    assert page.status_code == 200
    body = page.content.decode()
    assert problem.title in body and "과제 범위: 단지 내" in body

    response = client.post(
        _url("project_create"),
        {
            "problems": [problem.pk],
            "title": "사출 성형 수축 불량 저감 지원",
            "summary": "금형 온도 제어와 보압 조건 최적화",
            "type": "mentoring",
            "start_date": "2010-04-01",
            "end_date": "2010-09-30",
        },
    )
    project = Project.objects.get(title="사출 성형 수축 불량 저감 지원")
    assert response.status_code == 302 and response["Location"] == _url(
        "project_detail", project.pk
    )
    assert project.category.code == "MFG_EFFICIENCY"  # the problem's, by default
    assert project.scope == Project.Scope.SINGLE_COMPLEX
    assert project.participants.get(role=Participant.Role.LEAD_FIRM).organisation == firm
    assert project.participants.filter(expert=assignment.expert).exists()

    # A university joins; a milestone is planned.
    university = OrganisationFactory(
        kind=Organisation.Kind.UNIVERSITY, name_ko="창원대학교", business_number=None
    )
    response = client.post(
        _url("project_participant_add", project.pk), {"organisation": university.pk}
    )
    assert response.status_code == 302
    assert project.participants.get(organisation=university).role == Participant.Role.UNIVERSITY
    response = client.post(
        _url("project_milestone_add", project.pk),
        {"title": "성형 조건 진단", "due_date": "2010-05-31", "deliverable": "진단 보고서"},
    )
    assert response.status_code == 302 and project.milestones.count() == 1

    # A budget breaking the 20 % rule is refused as a whole, with the figures.
    def lines(public: int, cash: int) -> dict[str, Any]:
        return {
            "lines-TOTAL_FORMS": "3",
            "lines-INITIAL_FORMS": "0",
            "lines-0-kind": "public_grant",
            "lines-0-amount_krw": str(public),
            "lines-1-kind": "firm_cash",
            "lines-1-organisation": str(firm.pk),
            "lines-1-amount_krw": str(cash),
        }

    response = client.post(_url("project_budget", project.pk), lines(45_000_000, 5_000_000))
    assert response.status_code == 400
    body = response.content.decode()
    assert "기업부담 비율이 10.0%로 2010년 기준(20% 이상)에 못 미칩니다" in body
    assert "사업비를 저장하지 않았습니다" in body
    assert not BudgetLine.objects.filter(project=project).exists()

    response = client.post(_url("project_budget", project.pk), lines(20_000_000, 5_000_000))
    assert response.status_code == 302
    assert project.budget_lines.count() == 2
    detail = client.get(_url("project_detail", project.pk)).content.decode()
    assert "기업부담 비율 20.0% — 2010년 기준(20% 이상)을 충족합니다" in detail
    assert "승인 요청" in detail

    response = client.post(_url("project_submit", project.pk))
    project.refresh_from_db()
    assert response.status_code == 302 and project.status == Project.Status.SUBMITTED
    # The coordinator runs the project but does not approve it: no button, and 403.
    assert (
        "중복 점검 후 승인" not in client.get(_url("project_detail", project.pk)).content.decode()
    )
    assert client.post(_url("project_approve", project.pk)).status_code == 403

    # Regional staff of another zone: they cannot see it (404) and cannot approve it (403).
    as_user(client, capital_staff)
    assert client.get(_url("project_approve", project.pk)).status_code == 404
    assert client.post(_url("project_approve", project.pk)).status_code == 403
    project.refresh_from_db()
    assert project.status == Project.Status.SUBMITTED and project.approved_at is None

    # The zone's regional staff approve.
    as_user(client, regional)
    page = client.get(_url("project_detail", project.pk)).content.decode()
    assert "중복 점검 후 승인" in page
    assert client.get(_url("project_approve", project.pk)).status_code == 200
    response = client.post(_url("project_approve", project.pk))
    project.refresh_from_db()
    assert response.status_code == 302 and project.status == Project.Status.APPROVED
    assert project.approved_by == regional

    as_user(client, coordinator)
    client.post(_url("project_start", project.pk))
    project.refresh_from_db()
    assert project.status == Project.Status.IN_PROGRESS
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(_url("project_complete", project.pk))
    project.refresh_from_db()
    assert response.status_code == 302 and project.status == Project.Status.COMPLETED
    assert [m.to for m in mail.outbox] == [["kim@cwprecision.example.kr"]]
    match = re.search(r"/support/survey/([A-Za-z0-9_-]+)/", mail.outbox[0].body)
    assert match is not None
    token = match.group(1)
    assert match.group(0) == _url("survey_answer", token)

    # The firm answers through the link, without logging in; the link works once.
    anonymous = Client()
    form = anonymous.get(_url("survey_answer", token))
    assert form.status_code == 200
    body = form.content.decode()
    assert body.count("<fieldset") == 5 and body.count("<legend") == 5
    assert anonymous.post(_url("survey_answer", token), ANSWERS).status_code == 200
    response = SurveyResponse.objects.get()
    assert (response.overall, response.timeliness) == (5, 4)
    again = anonymous.post(_url("survey_answer", token), {**ANSWERS, "overall": "1"})
    assert again.status_code == 410
    assert "이미 응답한 조사입니다" in again.content.decode()
    assert SurveyResponse.objects.get().overall == 5
    assert anonymous.get(_url("survey_answer", token)).status_code == 410

    # Outcomes of the firm, then the dashboard counts them.
    response = client.post(
        _url("project_outcome", project.pk, firm.pk),
        {
            "patents_filed": "2",
            "prototypes": "1",
            "sales_increase_krw": "150000000",
            "cost_saved_krw": "30000000",
            "new_hires": "3",
            "sales_before_krw": "2000000000",
            "sales_after_krw": "2150000000",
        },
    )
    assert response.status_code == 302
    outcome = Outcome.objects.get(project=project, organisation=firm)
    assert outcome.patents_filed == 2 and outcome.sales_after_krw == 2_150_000_000
    detail = client.get(_url("project_detail", project.pk)).content.decode()
    assert "응답 완료" in detail and "150,000,000" in detail

    as_user(client, regional)
    dashboard = client.get(_url("outcome_dashboard"), {"year": "2010"})
    assert dashboard.status_code == 200
    overall = dashboard.context["overall"]
    assert overall["patents_filed"] == 2 and overall["sales_increase_krw"] == 150_000_000
    assert dashboard.context["by_category"][0]["project__category__name_ko"] == "제조기술효율화"
    assert dashboard.context["response_rate"] == 100.0
    assert dashboard.context["averages"]["overall"] == 5
    assert "창원국가산업단지" in dashboard.content.decode()


def test_a_duplicate_flag_needs_an_override_reason_to_approve(
    client: Client, regional: Any, hub: Any, firm: Organisation
) -> None:
    earlier = ProjectFactory(
        hub=hub,
        lead=firm,
        title="프레스 금형 수명 연장 지원",
        status=Project.Status.APPROVED,
        approved_at=timezone.now(),
    )
    budget(earlier, 40_000_000, 10_000_000)
    project = _submitted(hub, lead=firm, title="도장 라인 에너지 절감 지원", summary="폐열 회수")
    as_user(client, regional)

    page = client.get(_url("project_approve", project.pk))
    flag = DuplicateFlag.objects.get(project=project)
    body = page.content.decode()
    assert flag.kind == DuplicateFlag.Kind.SAME_CATEGORY and flag.other_project == earlier
    assert "같은 분야 중복" in body and f'name="override_{flag.pk}"' in body

    response = client.post(_url("project_approve", project.pk), {f"override_{flag.pk}": ""})
    assert response.status_code == 400
    assert "확인이 필요한 중복 지원 점검 결과" in response.content.decode()
    project.refresh_from_db()
    assert project.status == Project.Status.SUBMITTED

    response = client.post(
        _url("project_approve", project.pk),
        {f"override_{flag.pk}": "다른 공정(도장)이라 중복 지원이 아님"},
    )
    project.refresh_from_db()
    flag.refresh_from_db()
    assert response.status_code == 302 and project.status == Project.Status.APPROVED
    assert flag.overridden_by == regional and flag.override_reason.startswith("다른 공정")
    assert "다른 공정(도장)" in client.get(_url("project_detail", project.pk)).content.decode()


def test_the_approval_page_reads_the_check_made_at_submission_and_writes_nothing(
    client: Client, regional: Any, capital_staff: Any, hub: Any, firm: Organisation
) -> None:
    project = _submitted(hub, lead=firm, title="도장 라인 에너지 절감 지원", summary="폐열 회수")
    assert not DuplicateFlag.objects.filter(project=project).exists()
    as_user(client, regional)
    entries = AuditEntry.objects.count()
    assert client.get(_url("project_approve", project.pk)).status_code == 200
    assert AuditEntry.objects.count() == entries, "a GET wrote to the database"
    # Another project of the same firm and category is approved after the submission: the
    # approver asks for the check again and gets the new flag to answer.
    earlier = ProjectFactory(
        hub=hub,
        lead=firm,
        title="프레스 금형 수명 연장 지원",
        status=Project.Status.APPROVED,
        approved_at=timezone.now(),
    )
    budget(earlier, 40_000_000, 10_000_000)
    response = client.post(_url("project_recheck", project.pk))
    assert response.status_code == 302
    flag = DuplicateFlag.objects.get(project=project)
    assert flag.other_project == earlier
    assert (
        f'name="override_{flag.pk}"'
        in client.get(_url("project_approve", project.pk)).content.decode()
    )
    # Out of scope, the check cannot be run.
    as_user(client, capital_staff)
    assert client.post(_url("project_recheck", project.pk)).status_code == 403


def test_a_return_and_a_cancel_need_a_reason(
    client: Client, coordinator: Any, regional: Any, hub: Any
) -> None:
    project = _submitted(hub)
    as_user(client, regional)
    response = client.post(_url("project_return", project.pk), {"reason": ""})
    assert response.status_code == 400
    project.refresh_from_db()
    assert project.status == Project.Status.SUBMITTED
    client.post(_url("project_return", project.pk), {"reason": "일정이 과제 기간을 넘습니다"})
    project.refresh_from_db()
    assert project.status == Project.Status.DRAFT

    as_user(client, coordinator)
    assert client.post(_url("project_cancel", project.pk), {"reason": " "}).status_code == 400
    client.post(_url("project_cancel", project.pk), {"reason": "기업 사정으로 포기"})
    project.refresh_from_db()
    assert project.status == Project.Status.CANCELLED
    assert project.cancel_reason == "기업 사정으로 포기"


def test_submitting_without_a_budget_says_why_and_changes_nothing(
    client: Client, coordinator: Any, hub: Any
) -> None:
    project = ProjectFactory(hub=hub)
    as_user(client, coordinator)
    response = client.post(_url("project_submit", project.pk), follow=True)
    body = response.content.decode()
    assert "추진 일정을 하나 이상 적어 주세요" in body and "사업비가 없습니다" in body
    project.refresh_from_db()
    assert project.status == Project.Status.DRAFT


def test_after_approval_a_budget_change_needs_a_reason(
    client: Client, coordinator: Any, hub: Any
) -> None:
    project = services.approve_project(None, _submitted(hub))
    lead = project.participants.get(role="lead_firm").organisation
    as_user(client, coordinator)
    data = {
        "lines-TOTAL_FORMS": "2",
        "lines-INITIAL_FORMS": "0",
        "lines-0-kind": "public_grant",
        "lines-0-amount_krw": "30000000",
        "lines-1-kind": "firm_cash",
        "lines-1-organisation": str(lead.pk),
        "lines-1-amount_krw": "10000000",
    }
    response = client.post(_url("project_budget", project.pk), data)
    assert response.status_code == 400
    assert "사유를 적어 주세요" in response.content.decode()
    assert project.budget_lines.filter(amount_krw=30_000_000).count() == 0
    response = client.post(
        _url("project_budget", project.pk), {**data, "reason": "장비 임차료 조정"}
    )
    assert response.status_code == 302
    assert project.budget_lines.filter(amount_krw=30_000_000).count() == 1
