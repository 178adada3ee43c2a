"""Problem intake as users meet it: a firm's problem in Korean with the triage suggestion,
attachments within scope, field errors that save nothing, firms chosen or given by number;
and the bulk import (all or nothing, every bad row shown)."""

from __future__ import annotations

import io as stdio
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from sandan.accounts.models import Membership
from sandan.accounts.roles import Role
from sandan.accounts.tests.factories import user_with_role
from sandan.registry.models import Organisation
from sandan.support.models import (
    Problem,
    ProblemAttachment,
)
from sandan.support.tests.factories import (
    ProblemFactory,
    firm_in_hub,
)
from sandan.support.tests.problem_pages.helpers import (
    as_user,
    detail,
    intake,
    pdf,
)

pytestmark = pytest.mark.django_db


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
