"""The project pages as users meet them: a firm's problem becomes a project, gets its
participants, budget and plan, is approved by the right scope (duplicate-funding flags need
a reason), runs, completes and sends the one-time survey; outcomes reach the dashboard; the
service levels show what is late. Query counts of the list and the project page are pinned."""

from __future__ import annotations

import datetime as dt
import io
import re
from typing import Any

import openpyxl
import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from sandan.accounts.roles import Role
from sandan.accounts.tests.factories import user_with_role
from sandan.core.models import AuditEntry
from sandan.registry.models import Organisation
from sandan.registry.tests.factories import (
    ComplexFactory,
    ExpertFactory,
    OfficeFactory,
    OrganisationFactory,
    province,
)
from sandan.support import services
from sandan.support.models import (
    BudgetLine,
    DuplicateFlag,
    Milestone,
    Outcome,
    Participant,
    Project,
    ProjectDocument,
    Survey,
    SurveyResponse,
)
from sandan.support.tests.factories import (
    AssignmentFactory,
    ProblemFactory,
    ProjectFactory,
    TriagedProblemFactory,
    budget,
    firm_in_hub,
    hub_of_year,
    ready_project,
    support_year,
)

pytestmark = pytest.mark.django_db

ANSWERS = {
    "overall": "5",
    "timeliness": "4",
    "expertise": "5",
    "usefulness": "4",
    "recommend": "5",
    "comment": "현장 진단이 빨라 불량 원인을 바로 찾았습니다.",
}


@pytest.fixture
def branch() -> Any:
    return OfficeFactory(code="changwon", name_ko="창원지사")


@pytest.fixture
def hub(branch: Any) -> Any:
    support_year()
    complex_ = ComplexFactory(
        name_ko="창원국가산업단지", kind="national", province=province("48"), office=branch
    )
    return hub_of_year(complex_)


@pytest.fixture
def firm(hub: Any) -> Organisation:
    return firm_in_hub(hub, name_ko="(주)창원정밀", contact_email="kim@cwprecision.example.kr")


@pytest.fixture
def coordinator(branch: Any) -> Any:
    return user_with_role(Role.COORDINATOR, office=branch)


@pytest.fixture
def regional(hub: Any) -> Any:
    return user_with_role(Role.REGIONAL_STAFF, zone=hub.zone)


@pytest.fixture
def capital_staff() -> Any:
    return user_with_role(Role.REGIONAL_STAFF, zone=province("41").zone)


def as_user(client: Client, user: Any) -> Client:
    client.force_login(user)
    return client


def _url(name: str, *args: Any) -> str:
    return reverse(f"support:{name}", args=args)


def _submitted(hub: Any, **kwargs: Any) -> Project:
    project = ready_project(hub=hub, **kwargs)
    return services.submit_project(None, project)


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


# Surveys ----------------------------------------------------------------------------


def _completed_with_survey(hub: Any, firm: Organisation) -> tuple[Project, str]:
    project = services.approve_project(None, _submitted(hub, lead=firm))
    services.start_project(None, project)
    pairs = services.complete_project(None, project)
    return project, pairs[0][1]


def test_an_unknown_or_expired_survey_link_says_so_and_changes_nothing(
    hub: Any, firm: Organisation
) -> None:
    _project, token = _completed_with_survey(hub, firm)
    anonymous = Client()
    unknown = anonymous.post(_url("survey_answer", "no-such-token"), ANSWERS)
    assert unknown.status_code == 404
    assert "유효하지 않은 조사 링크입니다" in unknown.content.decode()
    Survey.objects.update(
        sent_at=timezone.now() - dt.timedelta(days=31),
        expires_at=timezone.now() - dt.timedelta(minutes=1),
    )
    expired = anonymous.post(_url("survey_answer", token), ANSWERS)
    assert expired.status_code == 410
    assert "조사 기간이 끝난 링크입니다" in expired.content.decode()
    assert not SurveyResponse.objects.exists()
    assert Survey.objects.get().answered_at is None


def test_a_survey_missing_an_answer_is_400_with_the_item_named(
    hub: Any, firm: Organisation
) -> None:
    _project, token = _completed_with_survey(hub, firm)
    answers = {k: v for k, v in ANSWERS.items() if k != "timeliness"}
    response = Client().post(_url("survey_answer", token), answers)
    assert response.status_code == 400
    assert "1점부터 5점 중에서 골라 주세요" in response.content.decode()
    assert not SurveyResponse.objects.exists()
    # The link still works after a bad attempt.
    assert Client().post(_url("survey_answer", token), ANSWERS).status_code == 200


def test_a_resent_survey_link_replaces_the_old_one(
    client: Client, coordinator: Any, hub: Any, firm: Organisation
) -> None:
    project, old = _completed_with_survey(hub, firm)
    survey = Survey.objects.get()
    as_user(client, coordinator)
    response = client.post(_url("project_survey_resend", project.pk, survey.pk))
    assert response.status_code == 302
    assert len(mail.outbox) >= 1
    new = re.search(r"/support/survey/([A-Za-z0-9_-]+)/", mail.outbox[-1].body)
    assert new is not None and new.group(1) != old
    assert Client().get(_url("survey_answer", old)).status_code == 404
    assert Client().get(_url("survey_answer", new.group(1))).status_code == 200


# Scope, masking and documents --------------------------------------------------------


def test_a_company_sees_its_project_and_only_its_own_outcome(
    client: Client, hub: Any, firm: Organisation
) -> None:
    project = services.approve_project(None, _submitted(hub, lead=firm))
    partner = firm_in_hub(hub, name_ko="(주)마산금속")
    Participant.objects.create(project=project, organisation=partner, role="firm")
    services.start_project(None, project)
    services.record_outcome(None, project, firm, patents_filed=1, sales_increase_krw=7_000_000)
    services.record_outcome(None, project, partner, patents_filed=4, sales_increase_krw=9_999_999)
    other = ProjectFactory(hub=hub, title="다른 기업의 과제")

    as_user(client, user_with_role(Role.COMPANY_USER, organisation=firm))
    listing = client.get(_url("project_list")).content.decode()
    assert project.title in listing and "다른 기업의 과제" not in listing
    body = client.get(_url("project_detail", project.pk)).content.decode()
    assert "7,000,000" in body and "9,999,999" not in body
    assert _url("project_cancel", project.pk) not in body  # no workflow buttons
    assert _url("project_outcome", project.pk, firm.pk) not in body
    assert client.get(_url("project_detail", other.pk)).status_code == 404
    assert client.post(_url("project_cancel", project.pk), {"reason": "x"}).status_code == 403
    dashboard = client.get(_url("outcome_dashboard"), {"year": "2010"})
    assert dashboard.context["overall"]["sales_increase_krw"] == 7_000_000


def test_contacts_are_masked_for_the_ministry(client: Client, hub: Any, firm: Organisation) -> None:
    project = ProjectFactory(hub=hub, lead=firm)
    as_user(client, user_with_role(Role.MINISTRY_OFFICER))
    body = client.get(_url("project_detail", project.pk)).content.decode()
    assert "(주)창원정밀" in body and firm.contact_phone not in body and "•••" in body
    as_user(client, user_with_role(Role.HQ_STAFF))
    assert firm.contact_phone in client.get(_url("project_detail", project.pk)).content.decode()


def test_documents_are_checked_and_downloaded_within_scope(
    client: Client, coordinator: Any, capital_staff: Any, hub: Any
) -> None:
    project = ProjectFactory(hub=hub)
    as_user(client, coordinator)
    fake = SimpleUploadedFile("계획서.pdf", b"MZ not a pdf at all", "application/pdf")
    response = client.post(_url("project_document_add", project.pk), {"file": fake})
    assert response.status_code == 400 and not ProjectDocument.objects.exists()
    pdf = SimpleUploadedFile("계획서.pdf", b"%PDF-1.4\n" + b"0" * 500, "application/pdf")
    response = client.post(
        _url("project_document_add", project.pk), {"file": pdf, "title": "과제 계획서"}
    )
    assert response.status_code == 302
    document = ProjectDocument.objects.get()
    download = client.get(_url("project_document", document.pk))
    assert download.status_code == 200 and b"".join(download.streaming_content).startswith(b"%PDF")
    as_user(client, capital_staff)
    assert client.get(_url("project_document", document.pk)).status_code == 404


def test_the_history_page_is_linked_for_those_who_may_read_it(
    client: Client, coordinator: Any, hub: Any
) -> None:
    project = ProjectFactory(hub=hub)
    as_user(client, coordinator)
    history = reverse("core:object_history", args=["project", project.pk])
    assert history in client.get(_url("project_detail", project.pk)).content.decode()
    assert client.get(history).status_code == 200


# Lists, dashboards, exports and query counts -----------------------------------------


def test_project_list_filters_and_shows_the_budget_totals(
    client: Client, coordinator: Any, hub: Any
) -> None:
    project = ready_project(hub=hub, title="금형 수명 연장", public=30_000_000, cash=9_000_000)
    ProjectFactory(hub=hub, title="해외 전시회 공동관", type="marketing")
    as_user(client, coordinator)
    body = client.get(_url("project_list"), {"type": "mentoring"}).content.decode()
    assert "금형 수명 연장" in body and "해외 전시회 공동관" not in body
    assert "30,000,000" in body and "11,000,000" in body  # cash 9M + in kind 2M
    body = client.get(_url("project_list"), {"q": "전시회"}).content.decode()
    assert "해외 전시회 공동관" in body and "금형 수명 연장" not in body
    bad = client.get(_url("project_list"), {"hub": "abc"})
    assert bad.status_code == 200 and "잘못된 조건은 빼고" in bad.content.decode()
    assert project.title in bad.content.decode()


def test_project_list_query_count_is_constant(
    client: Client, coordinator: Any, hub: Any, django_assert_max_num_queries: Any
) -> None:
    ready_project(hub=hub)
    as_user(client, coordinator)
    url = _url("project_list")
    client.get(url)
    with django_assert_max_num_queries(9) as base:
        client.get(url)
    for _n in range(8):
        ready_project(hub=hub)
    with django_assert_max_num_queries(len(base.captured_queries)):
        response = client.get(url)
    assert len(response.context["page"].object_list) == 9


def test_project_detail_query_count_is_constant(
    client: Client,
    coordinator: Any,
    hub: Any,
    firm: Organisation,
    django_assert_max_num_queries: Any,
) -> None:
    project = services.approve_project(None, _submitted(hub, lead=firm))
    services.start_project(None, project)
    services.record_outcome(None, project, firm, patents_filed=1)
    as_user(client, coordinator)
    url = _url("project_detail", project.pk)
    client.get(url)
    with django_assert_max_num_queries(15) as base:
        client.get(url)
    for n in range(5):
        partner = firm_in_hub(hub)
        Participant.objects.create(project=project, organisation=partner, role="firm")
        Participant.objects.create(project=project, expert=ExpertFactory(), role="expert")
        Milestone.objects.create(project=project, title=f"단계 {n}", due_date=dt.date(2010, 6, 1))
        BudgetLine.objects.create(
            project=project, kind="firm_in_kind", organisation=partner, amount_krw=1_000_000
        )
        services.record_outcome(None, project, partner, prototypes=1)
    with django_assert_max_num_queries(len(base.captured_queries)):
        response = client.get(url)
    assert len(response.context["outcome_rows"]) == 6


def test_the_outcome_export_is_an_xlsx_that_runs_no_formula(
    client: Client, hub: Any, firm: Organisation
) -> None:
    evil = ComplexFactory(name_ko='=HYPERLINK("http://x")', province=province("48"))
    evil_hub = hub_of_year(evil)
    project = services.approve_project(None, _submitted(evil_hub, lead=firm_in_hub(evil_hub)))
    services.start_project(None, project)
    lead = project.participants.get(role="lead_firm").organisation
    services.record_outcome(None, project, lead, patents_filed=3)
    as_user(client, user_with_role(Role.HQ_STAFF))
    response = client.get(_url("outcome_dashboard"), {"year": "2010", "format": "xlsx"})
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    workbook = openpyxl.load_workbook(io.BytesIO(response.content))
    assert workbook.sheetnames == ["분야별", "거점단지별", "권역별", "만족도"]
    hubs = [[cell.value for cell in row] for row in workbook["거점단지별"].iter_rows()]
    assert hubs[1][0] == '\'=HYPERLINK("http://x")' and hubs[1][2] == 3
    assert workbook["거점단지별"].cell(row=2, column=1).data_type == "s"
    # HQ narrows the dashboard to a zone.
    other_zone = client.get(_url("outcome_dashboard"), {"year": "2010", "zone": "capital"})
    assert other_zone.context["overall"]["patents_filed"] == 0
    own_zone = client.get(_url("outcome_dashboard"), {"year": "2010", "zone": "dongnam"})
    assert own_zone.context["overall"]["patents_filed"] == 3


def test_a_regional_user_sees_the_dashboard_of_their_zone_only(
    client: Client, capital_staff: Any, regional: Any, hub: Any, firm: Organisation
) -> None:
    project = services.approve_project(None, _submitted(hub, lead=firm))
    services.start_project(None, project)
    services.record_outcome(None, project, firm, new_hires=4)
    as_user(client, capital_staff)
    response = client.get(_url("outcome_dashboard"), {"year": "2010"})
    assert response.context["overall"]["new_hires"] == 0
    assert "zone" not in response.context["form"].fields
    as_user(client, regional)
    assert client.get(_url("outcome_dashboard")).context["overall"]["new_hires"] == 4


def test_service_levels_show_the_overdue_problem(
    client: Client, coordinator: Any, firm: Organisation
) -> None:
    late = ProblemFactory(
        organisation=firm,
        title="도금 폐수 처리 비용이 너무 큽니다",
        submitted_at=timezone.now() - dt.timedelta(days=12),
    )
    ProblemFactory(organisation=firm, title="어제 접수한 애로과제")
    as_user(client, coordinator)
    response = client.get(_url("service_levels"), {"year": "2010"})
    body = response.content.decode()
    assert response.status_code == 200
    assert late.title in body and "분류 지연" in body and "어제 접수한 애로과제" not in body
    assert response.context["levels"]["overall"].problems == 2
    assert 'data-source="levels-chart-data"' in body and "<script>" not in body


def test_service_levels_show_the_oldest_overdue_and_link_to_all_of_them(
    client: Client, coordinator: Any, firm: Organisation, monkeypatch: Any
) -> None:
    from sandan.support.views import outcomes as views

    monkeypatch.setattr(views, "OVERDUE_ON_PAGE", 2)
    for days in (30, 20, 10):
        ProblemFactory(
            organisation=firm,
            title=f"{days}일 전 접수",
            submitted_at=timezone.now() - dt.timedelta(days=days),
        )
    as_user(client, coordinator)
    body = client.get(_url("service_levels"), {"year": "2010"}).content.decode()
    assert "처리 기한이 지난 애로과제 3건" in body
    assert "30일 전 접수" in body and "20일 전 접수" in body and "10일 전 접수" not in body
    link = reverse("support:problem_list") + "?overdue=on"
    assert link in body
    listed = client.get(link).content.decode()
    assert all(f"{days}일 전 접수" in listed for days in (30, 20, 10))


# Every page, every role ------------------------------------------------------------


def test_every_page_answers_every_demo_role_without_an_error(
    client: Client, branch: Any, hub: Any, firm: Organisation
) -> None:
    project = services.approve_project(None, _submitted(hub, lead=firm))
    services.start_project(None, project)
    expert = ExpertFactory()
    expert_user = user_with_role(Role.EXPERT, organisation=expert.affiliation)
    expert.user = expert_user
    expert.save()
    Participant.objects.create(project=project, expert=expert, role="expert")
    users = {
        "ministry": user_with_role(Role.MINISTRY_OFFICER),
        "hq": user_with_role(Role.HQ_STAFF),
        "auditor": user_with_role(Role.AUDITOR),
        "regional": user_with_role(Role.REGIONAL_STAFF, zone=hub.zone),
        "coordinator": user_with_role(Role.COORDINATOR, office=branch),
        "company": user_with_role(Role.COMPANY_USER, organisation=firm),
        "expert": expert_user,
    }
    pages = [
        _url("project_list"),
        _url("project_detail", project.pk),
        _url("project_edit", project.pk),
        _url("project_budget", project.pk),
        _url("project_participant_add", project.pk),
        _url("project_milestone_add", project.pk),
        _url("project_document_add", project.pk),
        _url("project_approve", project.pk),
        _url("project_cancel", project.pk),
        _url("project_outcome", project.pk, firm.pk),
        _url("project_create"),
        _url("outcome_dashboard"),
        _url("service_levels"),
    ]
    for name, user in users.items():
        as_user(client, user)
        for url in pages:
            response = client.get(url)
            assert response.status_code in (200, 403, 404), (name, url, response.status_code)
            body = response.content.decode()
            # CSP: no inline style or script (chart data goes in JSON script elements).
            assert "style=" not in body and "<script>" not in body, (name, url)
        assert client.get(_url("project_detail", project.pk)).status_code == 200, name
        assert client.get(_url("outcome_dashboard")).status_code == 200, name
        assert client.get(_url("service_levels")).status_code == 200, name


def test_pages_need_login_but_the_survey_does_not(client: Client) -> None:
    for name in ("project_list", "project_create", "outcome_dashboard", "service_levels"):
        assert client.get(_url(name)).status_code == 302
    assert client.get(_url("survey_answer", "x" * 43)).status_code == 404


def test_bad_participant_and_outcome_input_is_400_and_saves_nothing(
    client: Client, coordinator: Any, hub: Any, firm: Organisation
) -> None:
    project = services.approve_project(None, _submitted(hub, lead=firm))
    services.start_project(None, project)
    as_user(client, coordinator)
    before = project.participants.count()
    response = client.post(_url("project_participant_add", project.pk), {})
    assert response.status_code == 400
    assert "참여 기관이나 전문가 중 하나만 고르세요" in response.content.decode()
    expert = ExpertFactory()
    both = {"organisation": firm_in_hub(hub).pk, "expert": expert.pk, "reason": "보강"}
    assert client.post(_url("project_participant_add", project.pk), both).status_code == 400
    assert project.participants.count() == before

    response = client.post(
        _url("project_outcome", project.pk, firm.pk),
        {"patents_filed": "-1", "sales_increase_krw": "많이"},
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "입력한 내용을 확인하세요" in body
    assert not Outcome.objects.exists()
    stranger = OrganisationFactory()
    assert client.get(_url("project_outcome", project.pk, stranger.pk)).status_code == 404


def test_editing_an_approved_project_needs_a_reason_which_is_audited(
    client: Client, coordinator: Any, hub: Any
) -> None:
    from sandan.core.audit import history_of

    project = services.approve_project(None, _submitted(hub, title="금형 수명 연장"))
    as_user(client, coordinator)
    data = {
        "title": "금형 수명 연장과 열처리 개선",
        "summary": project.summary,
        "type": project.type,
        "category": project.category_id,
        "scope": project.scope,
        "start_date": "2010-04-01",
        "end_date": "2010-09-30",
    }
    response = client.post(_url("project_edit", project.pk), data)
    assert response.status_code == 400
    assert "승인된 과제를 바꾸려면 사유를 적어 주세요" in response.content.decode()
    project.refresh_from_db()
    assert project.title == "금형 수명 연장"
    response = client.post(
        _url("project_edit", project.pk), {**data, "reason": "열처리 공정 추가 요청"}
    )
    project.refresh_from_db()
    assert response.status_code == 302 and project.title == "금형 수명 연장과 열처리 개선"
    assert history_of(project).first().reason == "열처리 공정 추가 요청"


def test_a_project_from_two_complexes_problems_is_an_inter_complex_project(
    client: Client, coordinator: Any, hub: Any, firm: Organisation
) -> None:
    from sandan.support.tests.factories import firm_in_linked

    neighbour = firm_in_linked(
        hub, ComplexFactory(office=hub.complex.office, province=province("48"))
    )
    first = TriagedProblemFactory(organisation=firm, text_index=0)
    second = TriagedProblemFactory(organisation=neighbour, text_index=0)
    as_user(client, coordinator)
    page = client.get(_url("project_create"), {"problems": [first.pk, second.pk]})
    assert "과제 범위: 산단간 연계" in page.content.decode()
    response = client.post(
        _url("project_create"),
        {"problems": [first.pk, second.pk], "title": "사출 불량 공동 대응", "type": "joint_rnd"},
    )
    assert response.status_code == 302
    project = Project.objects.get(title="사출 불량 공동 대응")
    assert project.scope == Project.Scope.INTER_COMPLEX
    assert set(project.problems.all()) == {first, second}
    assert project.participants.get(role="lead_firm").organisation == firm
    assert project.participants.get(organisation=neighbour).role == Participant.Role.FIRM


def test_a_project_cannot_be_made_from_an_untriaged_problem(
    client: Client, coordinator: Any, firm: Organisation
) -> None:
    problem = ProblemFactory(organisation=firm)
    as_user(client, coordinator)
    assert client.get(_url("project_create"), {"problems": problem.pk}).status_code == 404
    response = client.post(
        _url("project_create"), {"problems": [], "title": "빈 과제", "type": "mentoring"}
    )
    assert response.status_code == 400 and not Project.objects.exists()
