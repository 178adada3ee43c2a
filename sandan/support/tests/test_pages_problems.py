"""The problem pages as users meet them: intake in Korean with the triage suggestion, triage,
expert assignment and the expert's cases, mentoring notes, referrals, reject/close, the bulk
import, problems raised at an activity, and scope (404 on reads, 403 on writes). Query
counts of the lists are pinned and constant in size."""

from __future__ import annotations

import io as stdio
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from sandan.accounts.models import Membership
from sandan.accounts.roles import Role
from sandan.accounts.tests.factories import user_with_role
from sandan.councils.models import Activity
from sandan.councils.tests.factories import ActivityFactory, CouncilFactory, MembershipFactory
from sandan.registry.models import Organisation
from sandan.registry.tests.factories import (
    ComplexFactory,
    ExpertFactory,
    OfficeFactory,
    province,
)
from sandan.support import services
from sandan.support.models import (
    ExpertAssignment,
    MentoringNote,
    Problem,
    ProblemAttachment,
    Referral,
    TriageDecision,
)
from sandan.support.tests.factories import (
    AssignmentFactory,
    ProblemFactory,
    ReferralFactory,
    TriagedProblemFactory,
    category,
    firm_in_hub,
    hub_of_year,
    support_year,
)

pytestmark = pytest.mark.django_db

INJECTION_TITLE = "사출 성형품 수축 불량이 계속 발생합니다"
INJECTION_TEXT = (
    "자동차 내장 부품을 사출하는데 여름철만 되면 수축 불량률이 8%까지 올라갑니다. "
    "금형 온도와 보압 조건을 바꿔 봤지만 원인을 못 찾았습니다."
)
INJECTION_HELP = "성형 조건 최적화와 불량 원인 분석을 도와줄 전문가가 필요합니다."


def pdf(name: str = "불량사진.pdf", size: int = 2048) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, b"%PDF-1.4\n" + b"0" * (size - 9), "application/pdf")


def intake(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "title": INJECTION_TITLE,
        "description": INJECTION_TEXT,
        "help_wanted": INJECTION_HELP,
        "urgency": "high",
    }
    data.update(overrides)
    return data


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def hub() -> Any:
    support_year()
    branch = OfficeFactory(code="changwon", name_ko="창원지사")
    return hub_of_year(
        ComplexFactory(name_ko="창원국가산업단지", province=province("48"), office=branch)
    )


@pytest.fixture
def firm(hub: Any) -> Organisation:
    return firm_in_hub(hub, name_ko="(주)창원정밀", contact_email="kim@cwprecision.example.kr")


@pytest.fixture
def other_firm() -> Organisation:
    """A firm of another zone's hub (capital area)."""
    return firm_in_hub(hub_of_year(ComplexFactory(province=province("41"))), name_ko="(주)시화금속")


@pytest.fixture
def company(firm: Organisation) -> Any:
    return user_with_role(Role.COMPANY_USER, organisation=firm)


@pytest.fixture
def coordinator(hub: Any) -> Any:
    return user_with_role(Role.COORDINATOR, office=hub.complex.office)


@pytest.fixture
def expert_user() -> Any:
    expert = ExpertFactory(
        name_ko="정하늘", specialties="사출 성형 불량 분석, 금형 온도 제어, 성형 조건 최적화"
    )
    user = user_with_role(Role.EXPERT, organisation=expert.affiliation)
    expert.user = user
    expert.save()
    return user


def as_user(client: Client, user: Any) -> Client:
    client.force_login(user)
    return client


def detail(problem: Problem) -> str:
    return reverse("support:problem_detail", args=[problem.pk])


# Intake ------------------------------------------------------------------------------


def test_pages_need_login(client: Client, hub: Any) -> None:
    problem = ProblemFactory()
    for url in (
        reverse("support:problem_list"),
        reverse("support:problem_create"),
        reverse("support:problem_import"),
        reverse("support:case_list"),
        detail(problem),
    ):
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_a_company_user_submits_a_problem_in_korean_and_sees_the_suggestion(
    client: Client, company: Any, firm: Organisation
) -> None:
    as_user(client, company)
    form = client.get(reverse("support:problem_create")).content.decode()
    assert "무엇이 문제인가" in form and "(주)창원정밀" in form

    response = client.post(reverse("support:problem_create"), intake())

    problem = Problem.objects.get()
    assert response.status_code == 302 and response["Location"] == detail(problem)
    assert problem.organisation == firm and problem.source == Problem.Source.WEB
    assert problem.submitted_by == company
    page = client.get(detail(problem)).content.decode()
    assert "제조기술효율화" in page and "추천 근거 낱말" in page
    assert problem.suggestion_evidence and all(word in page for word in problem.suggestion_evidence)
    # The company does not triage: no confirm form, no expert list.
    assert "분류 확정" not in page and "추천 전문가" not in page and "분야별 확률" not in page


def test_attachments_are_saved_and_downloaded_within_scope(
    client: Client, company: Any, other_firm: Organisation
) -> None:
    as_user(client, company)
    response = client.post(
        reverse("support:problem_create"),
        {**intake(), "attachments": [pdf("금형도면.pdf"), pdf("불량사진.pdf", 4096)]},
    )
    assert response.status_code == 302
    files = list(ProblemAttachment.objects.order_by("title"))
    assert [f.title for f in files] == ["금형도면.pdf", "불량사진.pdf"]
    download = client.get(reverse("support:problem_attachment", args=[files[0].pk]))
    assert download.status_code == 200
    assert b"".join(download.streaming_content).startswith(b"%PDF")  # type: ignore[attr-defined]

    stranger = user_with_role(Role.COMPANY_USER, organisation=other_firm)
    as_user(client, stranger)
    assert client.get(reverse("support:problem_attachment", args=[files[0].pk])).status_code == 404


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"title": ""}, "title", "필수"),
        ({"description": "   "}, "description", "비워 둘 수 없습니다"),
        ({"description": "나" * 5001}, "description", "5,000자 이내"),
        ({"title": "가" * 201}, "title", "200자 이내"),
    ],
)
def test_bad_text_is_a_field_error_and_nothing_is_saved(
    client: Client, company: Any, overrides: dict[str, str], field: str, message: str
) -> None:
    as_user(client, company)
    response = client.post(reverse("support:problem_create"), intake(**overrides))
    assert response.status_code == 400
    errors = " ".join(response.context["form"].errors[field])
    assert message in errors
    assert message in response.content.decode()
    assert not Problem.objects.exists()


def test_a_bad_attachment_type_is_named_and_nothing_is_saved(client: Client, company: Any) -> None:
    as_user(client, company)
    program = SimpleUploadedFile("설치.exe", b"MZ\x90\x00binary", "application/octet-stream")
    response = client.post(
        reverse("support:problem_create"),
        {**intake(description=""), "attachments": [pdf(), program]},
    )
    assert response.status_code == 400
    form = response.context["form"]
    assert any("설치.exe" in error for error in form.errors["attachments"])
    assert "description" in form.errors  # every problem is reported at once
    assert "첨부파일은 다시 골라 주세요" in response.content.decode()
    assert not Problem.objects.exists() and not ProblemAttachment.objects.exists()


def test_a_company_with_several_firms_chooses_one_of_its_own(
    client: Client, firm: Organisation, hub: Any, other_firm: Organisation
) -> None:
    second = firm_in_hub(hub, name_ko="(주)창원금형")
    user = user_with_role(Role.COMPANY_USER, organisation=firm)
    Membership.objects.create(user=user, role=Role.COMPANY_USER, organisation=second)
    as_user(client, user)
    page = client.get(reverse("support:problem_create")).content.decode()
    assert "(주)창원정밀" in page and "(주)창원금형" in page and "(주)시화금속" not in page

    refused = client.post(reverse("support:problem_create"), intake(organisation=other_firm.pk))
    assert refused.status_code == 400 and "organisation" in refused.context["form"].errors
    assert (
        client.post(reverse("support:problem_create"), intake(organisation=second.pk)).status_code
        == 302
    )
    assert Problem.objects.get().organisation == second


def test_a_coordinator_enters_a_firm_of_the_scope_by_business_number(
    client: Client, coordinator: Any, firm: Organisation, other_firm: Organisation
) -> None:
    as_user(client, coordinator)
    number = firm.business_number or ""
    dashed = f"{number[:3]}-{number[3:5]}-{number[5:]}"
    outside = client.post(
        reverse("support:problem_create"),
        intake(business_number=other_firm.business_number),
    )
    assert outside.status_code == 400 and "business_number" in outside.context["form"].errors
    assert not Problem.objects.exists()
    response = client.post(reverse("support:problem_create"), intake(business_number=dashed))
    assert response.status_code == 302 and Problem.objects.get().organisation == firm


# List -------------------------------------------------------------------------------


def test_a_company_sees_only_its_own_problems(
    client: Client, company: Any, firm: Organisation, other_firm: Organisation
) -> None:
    own = ProblemFactory(organisation=firm, title="우리 회사 사출 불량")
    foreign = ProblemFactory(organisation=other_firm, title="다른 회사 도금 박리")
    as_user(client, company)
    body = client.get(reverse("support:problem_list"), {"zone": "capital"}).content.decode()
    assert own.title in body and foreign.title not in body
    assert "거점단지 코드" not in body  # no zone or hub filter for a firm
    assert client.get(detail(foreign)).status_code == 404
    assert client.get(detail(own)).status_code == 200


def test_problem_list_query_count_is_constant(
    client: Client, coordinator: Any, firm: Organisation, django_assert_num_queries: Any
) -> None:
    ProblemFactory(organisation=firm)
    TriagedProblemFactory(organisation=firm)
    as_user(client, coordinator)
    url = reverse("support:problem_list")
    client.get(url)
    # session, user, years, memberships, office subtree, zones, categories, count, page,
    # years of the overdue rule, the page's overdue rows
    with django_assert_num_queries(11):
        client.get(url)
    for _n in range(12):
        TriagedProblemFactory(organisation=firm_in_hub(hub_of_year(firm.complex)))
    with django_assert_num_queries(11):
        response = client.get(url)
    assert response.status_code == 200
    assert "총 <strong>14</strong>건" in response.content.decode()


def test_problem_list_filters(client: Client, coordinator: Any, firm: Organisation) -> None:
    fair = ProblemFactory(
        organisation=firm,
        title="해외 전시회 참가 지원",
        suggested_category=category("TOTAL_MARKETING"),
    )
    mould = TriagedProblemFactory(organisation=firm, title="금형 수명 연장", text_index=0)
    as_user(client, coordinator)
    url = reverse("support:problem_list")

    def titles(**query: str) -> str:
        return client.get(url, query).content.decode()

    by_category = titles(category="TOTAL_MARKETING")
    assert fair.title in by_category and mould.title not in by_category
    assert "추천" in by_category  # the suggestion is marked as such
    by_status = titles(status="triaged")
    assert mould.title in by_status and fair.title not in by_status
    by_text = titles(q="전시회")
    assert fair.title in by_text and mould.title not in by_text


def test_overdue_problems_are_marked_and_filtered(
    client: Client, coordinator: Any, firm: Organisation
) -> None:
    import datetime as dt

    from django.utils import timezone

    late = ProblemFactory(
        organisation=firm,
        title="오래 기다린 과제",
        submitted_at=timezone.now() - dt.timedelta(days=9),
    )
    fresh = ProblemFactory(organisation=firm, title="어제 들어온 과제")
    as_user(client, coordinator)
    body = client.get(reverse("support:problem_list"), {"overdue": "on"}).content.decode()
    assert late.title in body and fresh.title not in body
    assert "기한 지남" in body and "9일" in body


# Triage -----------------------------------------------------------------------------


def test_a_coordinator_confirms_the_suggestion(
    client: Client, coordinator: Any, firm: Organisation
) -> None:
    problem = services.submit_problem(None, firm, INJECTION_TITLE, INJECTION_TEXT, INJECTION_HELP)
    as_user(client, coordinator)
    page = client.get(detail(problem)).content.decode()
    assert "분류 확정" in page and "추천 전문가" in page
    assert "분야별 확률" in page and "현장맞춤형 교육" in page  # every category, ranked
    response = client.post(
        reverse("support:problem_triage", args=[problem.pk]),
        {"category": problem.suggested_category_id, "note": ""},
    )
    assert response.status_code == 302
    problem.refresh_from_db()
    decision = TriageDecision.objects.get()
    assert problem.status == Problem.Status.TRIAGED and problem.triaged_at is not None
    assert not decision.overridden and decision.decided_by == coordinator


def test_a_coordinator_overrides_the_suggestion_with_a_note(
    client: Client, coordinator: Any, firm: Organisation
) -> None:
    problem = services.submit_problem(None, firm, INJECTION_TITLE, INJECTION_TEXT, INJECTION_HELP)
    training = category("FIELD_EDUCATION")
    as_user(client, coordinator)
    without_reason = client.post(
        reverse("support:problem_triage", args=[problem.pk]), {"category": training.pk}
    )
    assert without_reason.status_code == 400
    assert "이유를 적어 주세요" in without_reason.content.decode()
    assert not TriageDecision.objects.exists()
    client.post(
        reverse("support:problem_triage", args=[problem.pk]),
        {"category": training.pk, "note": "직원 교육이 먼저 필요하다고 통화로 확인"},
    )
    decision = TriageDecision.objects.get()
    assert decision.overridden and decision.chosen == training
    assert decision.note == "직원 교육이 먼저 필요하다고 통화로 확인"
    page = client.get(detail(problem)).content.decode()
    assert "직원 교육이 먼저 필요하다고 통화로 확인" in page and "현장맞춤형 교육" in page


def test_a_category_of_another_year_is_refused(
    client: Client, coordinator: Any, firm: Organisation
) -> None:
    problem = ProblemFactory(organisation=firm)
    other_year = category("MFG_EFFICIENCY", year=2011)
    as_user(client, coordinator)
    response = client.post(
        reverse("support:problem_triage", args=[problem.pk]), {"category": other_year.pk}
    )
    assert response.status_code == 400
    assert "category" in response.context["triage_form"].errors
    problem.refresh_from_db()
    assert problem.status == Problem.Status.SUBMITTED and not TriageDecision.objects.exists()


# Matching, cases and notes -------------------------------------------------------------


def test_an_assigned_expert_sees_the_case_and_writes_a_note(
    client: Client, coordinator: Any, firm: Organisation, expert_user: Any
) -> None:
    problem = TriagedProblemFactory(organisation=firm, text_index=0)
    expert = expert_user.expert_profile
    as_user(client, coordinator)
    page = client.get(detail(problem)).content.decode()
    assert "정하늘" in page and "고른 전문가 배정" in page  # ranked and assignable
    assert expert.email in page  # coordinators see experts' contact data

    response = client.post(
        reverse("support:problem_assign", args=[problem.pk]), {"experts": [expert.pk]}
    )
    assert response.status_code == 302
    assignment = ExpertAssignment.objects.get()
    assert assignment.expert == expert and assignment.match_score is not None
    problem.refresh_from_db()
    assert problem.status == Problem.Status.MATCHED

    as_user(client, expert_user)
    cases = client.get(reverse("support:case_list")).content.decode()
    assert problem.title in cases
    case_url = reverse("support:case_detail", args=[assignment.pk])
    case = client.get(case_url).content.decode()
    assert problem.description in case
    assert firm.contact_email not in case and "•••" in case  # the firm's contact is masked
    saved = client.post(
        case_url,
        {"date": "2010-05-03", "body": "금형 온도 기록을 확인하고 보압 시간 연장을 권고함"},
    )
    assert saved.status_code == 302
    assert MentoringNote.objects.get().author == expert_user

    as_user(client, coordinator)
    assert "보압 시간 연장을 권고함" in client.get(detail(problem)).content.decode()
    assert (
        client.post(case_url, {"date": "2010-05-04", "body": "코디네이터 메모"}).status_code == 403
    )
    assert MentoringNote.objects.count() == 1


def test_an_empty_mentoring_note_is_a_field_error(client: Client, expert_user: Any) -> None:
    assignment = AssignmentFactory(expert=expert_user.expert_profile)
    as_user(client, expert_user)
    response = client.post(
        reverse("support:case_detail", args=[assignment.pk]), {"date": "2010-05-03", "body": " "}
    )
    assert response.status_code == 400 and "body" in response.context["form"].errors
    assert not MentoringNote.objects.exists()


def test_an_expert_sees_only_their_own_cases(client: Client, expert_user: Any) -> None:
    mine = AssignmentFactory(expert=expert_user.expert_profile)
    theirs = AssignmentFactory(problem=TriagedProblemFactory(title="남의 배정 과제"))
    as_user(client, expert_user)
    body = client.get(reverse("support:case_list")).content.decode()
    assert mine.problem.title in body and "남의 배정 과제" not in body
    assert client.get(reverse("support:case_detail", args=[theirs.pk])).status_code == 404
    assert client.get(detail(theirs.problem)).status_code == 404
    listed = client.get(reverse("support:problem_list")).content.decode()
    assert mine.problem.title in listed and "남의 배정 과제" not in listed


def test_case_list_query_count_is_constant(
    client: Client, expert_user: Any, django_assert_num_queries: Any
) -> None:
    expert = expert_user.expert_profile
    AssignmentFactory(expert=expert)
    as_user(client, expert_user)
    url = reverse("support:case_list")
    client.get(url)
    # session, user, expert profile, memberships, count, page (notes counted in it)
    with django_assert_num_queries(6):
        client.get(url)
    for _n in range(8):
        assignment = AssignmentFactory(expert=expert)
        MentoringNote.objects.create(
            assignment=assignment, author=expert_user, body="현장 점검", date="2010-05-03"
        )
    with django_assert_num_queries(6):
        response = client.get(url)
    assert response.status_code == 200 and "총 <strong>9</strong>건" in response.content.decode()


def test_problem_detail_query_count_does_not_grow_with_assignments(
    client: Client,
    coordinator: Any,
    firm: Organisation,
    expert_user: Any,
    django_assert_max_num_queries: Any,
) -> None:
    problem = TriagedProblemFactory(organisation=firm, status=Problem.Status.MATCHED)
    first = AssignmentFactory(problem=problem, expert=expert_user.expert_profile)
    as_user(client, coordinator)
    client.get(detail(problem))
    with django_assert_max_num_queries(24) as base:
        client.get(detail(problem))
    baseline = len(base.captured_queries)
    for _n in range(4):
        MentoringNote.objects.create(
            assignment=first, author=expert_user, body="공정 점검", date="2010-05-03"
        )
        AssignmentFactory(problem=problem)
    client.get(detail(problem))  # the matcher rebuilds once after new assignments
    with django_assert_max_num_queries(baseline):
        response = client.get(detail(problem))
    assert response.status_code == 200
    assert response.content.decode().count("공정 점검") == 4


def test_an_expert_of_the_firms_own_organisation_cannot_be_assigned(
    client: Client, coordinator: Any, firm: Organisation
) -> None:
    insider = ExpertFactory(name_ko="내부자", affiliation=firm)
    problem = TriagedProblemFactory(organisation=firm)
    as_user(client, coordinator)
    page = client.get(detail(problem)).content.decode()
    assert "내부자" not in page  # never proposed
    response = client.post(
        reverse("support:problem_assign", args=[problem.pk]), {"experts": [insider.pk]}
    )
    assert response.status_code == 400 and "이해충돌" in response.content.decode()
    assert not ExpertAssignment.objects.exists()


def test_an_assignment_is_ended(client: Client, coordinator: Any, firm: Organisation) -> None:
    assignment = AssignmentFactory(problem=TriagedProblemFactory(organisation=firm))
    as_user(client, coordinator)
    response = client.post(
        reverse("support:assignment_end", args=[assignment.pk]),
        {"status": "completed", "reason": "자문 종료"},
    )
    assert response.status_code == 302
    assignment.refresh_from_db()
    assert assignment.status == ExpertAssignment.Status.COMPLETED
    again = client.post(
        reverse("support:assignment_end", args=[assignment.pk]), {"status": "withdrawn"}
    )
    assert again.status_code == 400 and "진행 중인 배정만" in again.content.decode()


# Referral, reject and close ----------------------------------------------------------


def test_a_referral_is_made_and_followed_to_its_outcome(
    client: Client, coordinator: Any, firm: Organisation
) -> None:
    problem = TriagedProblemFactory(organisation=firm)
    as_user(client, coordinator)
    response = client.post(
        reverse("support:problem_refer", args=[problem.pk]),
        {"partner_kind": "technopark", "note": "장비 공동활용은 경남테크노파크 사업이 적합"},
    )
    assert response.status_code == 302
    referral = Referral.objects.get()
    problem.refresh_from_db()
    assert problem.status == Problem.Status.REFERRED and referral.status == Referral.Status.SENT
    update = reverse("support:referral_update", args=[referral.pk])

    assert client.post(update, {"status": "accepted"}).status_code == 302
    missing = client.post(update, {"status": "completed", "outcome": ""})
    assert missing.status_code == 400
    referral.refresh_from_db()
    assert referral.status == Referral.Status.ACCEPTED

    client.post(update, {"status": "completed", "outcome": "시험 장비 3회 사용 지원"})
    referral.refresh_from_db()
    problem.refresh_from_db()
    assert referral.status == Referral.Status.COMPLETED
    assert problem.status == Problem.Status.CLOSED
    page = client.get(detail(problem)).content.decode()
    assert "시험 장비 3회 사용 지원" in page and "테크노파크" in page


def test_a_problem_already_referred_cannot_be_referred_again(
    client: Client, coordinator: Any, firm: Organisation
) -> None:
    referral = ReferralFactory(problem=ProblemFactory(organisation=firm, status="referred"))
    as_user(client, coordinator)
    response = client.post(
        reverse("support:problem_refer", args=[referral.problem.pk]),
        {"partner_kind": "local_government"},
    )
    assert response.status_code == 400 and Referral.objects.count() == 1


def test_a_problem_is_rejected_with_a_reason(
    client: Client, coordinator: Any, firm: Organisation
) -> None:
    problem = ProblemFactory(organisation=firm)
    as_user(client, coordinator)
    url = reverse("support:problem_reject", args=[problem.pk])
    empty = client.post(url, {"reject-reason": ""})
    assert empty.status_code == 400
    problem.refresh_from_db()
    assert problem.status == Problem.Status.SUBMITTED
    assert (
        client.post(url, {"reject-reason": "종업원 300명 기업으로 지원 대상 아님"}).status_code
        == 302
    )
    problem.refresh_from_db()
    assert problem.status == Problem.Status.REJECTED
    assert problem.close_reason == "종업원 300명 기업으로 지원 대상 아님"


def test_a_problem_is_closed_with_a_reason(
    client: Client, coordinator: Any, firm: Organisation
) -> None:
    problem = TriagedProblemFactory(organisation=firm)
    as_user(client, coordinator)
    response = client.post(
        reverse("support:problem_close", args=[problem.pk]), {"close-reason": "자체 해결"}
    )
    assert response.status_code == 302
    problem.refresh_from_db()
    assert problem.status == Problem.Status.CLOSED and problem.closed_at is not None


# Scope on writes ----------------------------------------------------------------------


def test_writes_outside_the_scope_are_refused_and_change_nothing(
    client: Client, firm: Organisation, company: Any, expert_user: Any
) -> None:
    problem = ProblemFactory(organisation=firm)
    elsewhere = user_with_role(Role.REGIONAL_STAFF, zone=province("41").zone)
    other_branch = user_with_role(Role.COORDINATOR, office=OfficeFactory(code="ansan"))
    writes = [
        (reverse("support:problem_triage", args=[problem.pk]), {"category": category().pk}),
        (reverse("support:problem_reject", args=[problem.pk]), {"reject-reason": "대상 아님"}),
        (reverse("support:problem_refer", args=[problem.pk]), {"partner_kind": "technopark"}),
    ]
    assignment = AssignmentFactory(problem=TriagedProblemFactory(organisation=firm))
    referral = ReferralFactory(problem=ProblemFactory(organisation=firm, status="referred"))
    writes += [
        (reverse("support:assignment_end", args=[assignment.pk]), {"status": "withdrawn"}),
        (reverse("support:referral_update", args=[referral.pk]), {"status": "declined"}),
    ]
    for user in (elsewhere, other_branch, company, expert_user):
        as_user(client, user)
        for url, data in writes:
            assert client.post(url, data).status_code in (403, 404), (user, url)
    assert (
        client.post(reverse("support:problem_triage", args=[999_999]), {"category": 1}).status_code
        == 404
    )
    as_user(client, elsewhere)
    assert client.get(detail(problem)).status_code == 404
    problem.refresh_from_db()
    assignment.refresh_from_db()
    referral.refresh_from_db()
    assert problem.status == Problem.Status.SUBMITTED
    assert assignment.status == ExpertAssignment.Status.ACTIVE
    assert referral.status == Referral.Status.SENT
    assert not TriageDecision.objects.exists() and Referral.objects.count() == 1


def test_a_company_adds_files_to_its_own_problem_only(
    client: Client, company: Any, firm: Organisation, other_firm: Organisation
) -> None:
    own = ProblemFactory(organisation=firm)
    foreign = ProblemFactory(organisation=other_firm)
    as_user(client, company)
    response = client.post(
        reverse("support:problem_attachment_add", args=[own.pk]),
        {"attachments": [pdf("시험성적서.pdf")]},
    )
    assert response.status_code == 302
    assert ProblemAttachment.objects.get().problem == own
    refused = client.post(
        reverse("support:problem_attachment_add", args=[foreign.pk]),
        {"attachments": [pdf("시험성적서.pdf")]},
    )
    assert refused.status_code == 403 and ProblemAttachment.objects.count() == 1
    bad = client.post(
        reverse("support:problem_attachment_add", args=[own.pk]),
        {"attachments": [SimpleUploadedFile("매크로.xlsm", b"PK\x03\x04", "application/zip")]},
    )
    assert bad.status_code == 400 and "매크로.xlsm" in bad.content.decode()
    assert ProblemAttachment.objects.count() == 1


# Import -------------------------------------------------------------------------------

HEADER = "사업자등록번호,제목,내용,원하는 지원,긴급도,활동\n"


def _csv(text: str, encoding: str = "utf-8", name: str = "애로과제.csv") -> Any:
    data = stdio.BytesIO(text.encode(encoding))
    data.name = name
    return data


def test_a_good_file_is_imported(client: Client, coordinator: Any, firm: Organisation) -> None:
    as_user(client, coordinator)
    rows = (
        HEADER
        + f"{firm.business_number},해외 전시회 참가 지원,베트남 바이어를 만날 전시회가 필요합니다.,"
        "공동관 참가,높음,\n"
        + f"{firm.business_number},CNC 신입 교육,신입 직원이 CNC 선반을 다루지 못합니다.,"
        "실습 교육,,\n"
    )
    dry = client.post(
        reverse("support:problem_import"), {"file": _csv(rows, "cp949"), "dry_run": "on"}
    )
    assert dry.status_code == 200 and "검사 결과 문제가 없습니다" in dry.content.decode()
    assert not Problem.objects.exists()

    response = client.post(reverse("support:problem_import"), {"file": _csv(rows)})
    assert response.status_code == 302
    problems = Problem.objects.order_by("title")
    assert [p.title for p in problems] == ["CNC 신입 교육", "해외 전시회 참가 지원"]
    assert all(p.source == Problem.Source.IMPORT for p in problems)
    assert problems[1].suggested_category is not None


def test_a_bad_file_saves_nothing_and_shows_every_bad_row(
    client: Client, coordinator: Any, firm: Organisation
) -> None:
    as_user(client, coordinator)
    rows = (
        HEADER
        + f"{firm.business_number},좋은 행,내용이 있습니다.,,,\n"
        + "1234567890,없는 기업,내용,,,\n"
        + f"{firm.business_number},,제목이 빠졌습니다,,,\n"
    )
    response = client.post(reverse("support:problem_import"), {"file": _csv(rows)})
    body = response.content.decode()
    assert response.status_code == 400
    assert "이 사업자등록번호로 등록된 기업이 없습니다" in body and "비어 있습니다" in body
    report = response.context["report"]
    assert sorted(error.row for error in report.errors) == [3, 4]
    assert not Problem.objects.exists()


def test_the_import_template_and_who_may_import(
    client: Client, coordinator: Any, company: Any
) -> None:
    as_user(client, coordinator)
    template = client.get(reverse("support:problem_import"), {"template": "1"})
    assert template["Content-Type"] == "text/csv"
    assert "사업자등록번호" in template.content.decode("utf-8-sig")
    as_user(client, company)
    assert client.get(reverse("support:problem_import")).status_code == 403


# Activities ---------------------------------------------------------------------------


def test_problems_raised_at_an_activity_are_recorded_and_listed(
    client: Client, coordinator: Any, hub: Any
) -> None:
    council = CouncilFactory(hub=hub)
    member = MembershipFactory(
        council=council, organisation=firm_in_hub(hub, name_ko="(주)마산정밀")
    )
    activity = ActivityFactory(council=council, kind=Activity.Kind.DISCOVERY)
    url = reverse("support:activity_problems", args=[activity.pk])
    as_user(client, coordinator)
    page = client.get(url).content.decode()
    assert "(주)마산정밀" in page

    form = {
        "rows-TOTAL_FORMS": "3",
        "rows-INITIAL_FORMS": "0",
        "rows-0-organisation": member.organisation.pk,
        "rows-0-title": "도금 박리 불량",
        "rows-0-description": "전기 도금 후 박리가 생깁니다.",
        "rows-0-urgency": "normal",
        "rows-1-organisation": member.organisation.pk,
        "rows-1-title": "수출 바이어 발굴",
        "rows-1-description": "",
        "rows-1-urgency": "normal",
        "rows-2-urgency": "normal",
    }
    missing = client.post(url, form)
    assert missing.status_code == 400 and not Problem.objects.exists()

    form["rows-1-description"] = "해외 판로가 없습니다."
    assert client.post(url, form).status_code == 302
    problems = Problem.objects.filter(activity=activity)
    assert problems.count() == 2 and {p.source for p in problems} == {"activity"}
    activity.refresh_from_db()
    assert activity.problems_raised == 2

    shown = client.get(reverse("councils:activity_detail", args=[activity.pk])).content.decode()
    assert "도금 박리 불량" in shown and url in shown


def test_a_company_cannot_record_activity_problems(
    client: Client, company: Any, firm: Organisation, hub: Any
) -> None:
    council = CouncilFactory(hub=hub)
    MembershipFactory(council=council, organisation=firm)
    activity = ActivityFactory(council=council)
    as_user(client, company)
    url = reverse("support:activity_problems", args=[activity.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, {"rows-TOTAL_FORMS": "1", "rows-INITIAL_FORMS": "0"})
    assert response.status_code == 403 and not Problem.objects.exists()


# Every role ---------------------------------------------------------------------------


def test_every_page_renders_for_every_role(
    client: Client,
    hub: Any,
    firm: Organisation,
    company: Any,
    coordinator: Any,
    expert_user: Any,
) -> None:
    problem = TriagedProblemFactory(organisation=firm)
    assignment = AssignmentFactory(problem=problem, expert=expert_user.expert_profile)
    ReferralFactory(problem=ProblemFactory(organisation=firm, status="referred"))
    activity = ActivityFactory(council=CouncilFactory(hub=hub))
    users = [
        user_with_role(Role.MINISTRY_OFFICER),
        user_with_role(Role.HQ_STAFF),
        user_with_role(Role.AUDITOR),
        user_with_role(Role.REGIONAL_STAFF, zone=hub.zone),
        coordinator,
        company,
        expert_user,
    ]
    urls = [
        reverse("support:problem_list"),
        reverse("support:problem_create"),
        reverse("support:problem_import"),
        detail(problem),
        reverse("support:case_list"),
        reverse("support:case_detail", args=[assignment.pk]),
        reverse("support:activity_problems", args=[activity.pk]),
    ]
    for user in users:
        as_user(client, user)
        for url in urls:
            response = client.get(url)
            assert response.status_code in (200, 403, 404), (user, url, response.status_code)
            body = response.content.decode()
            assert 'style="' not in body and "<script>" not in body, (user, url)  # CSP
        assert client.get(detail(problem)).status_code == 200, user
    # Masking: the company sees its expert's name but not the expert's e-mail.
    as_user(client, company)
    page = client.get(detail(problem)).content.decode()
    assert expert_user.expert_profile.name_ko in page
    assert expert_user.expert_profile.email not in page
