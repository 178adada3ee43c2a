"""What becomes of a problem: referral and its outcome, reject and close with a reason;
writes outside the user's scope are refused and change nothing."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from sandan.accounts.roles import Role
from sandan.accounts.tests.factories import user_with_role
from sandan.registry.models import Organisation
from sandan.registry.tests.factories import (
    OfficeFactory,
    province,
)
from sandan.support.models import (
    ExpertAssignment,
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
)
from sandan.support.tests.problem_pages.helpers import (
    as_user,
    detail,
    pdf,
)

pytestmark = pytest.mark.django_db


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
