"""A project's life on its pages beyond the story of test_story.py: duplicate-funding flags
need a reason to approve; returns, cancels and budget changes need a reason."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from sandan.core import clock
from sandan.core.models import AuditEntry
from sandan.registry.models import Organisation
from sandan.support import services
from sandan.support.models import (
    DuplicateFlag,
    Project,
)
from sandan.support.tests.factories import (
    ProjectFactory,
    budget,
)
from sandan.support.tests.project_pages.helpers import (
    _submitted,
    _url,
    as_user,
)

pytestmark = pytest.mark.django_db


def test_a_duplicate_flag_needs_an_override_reason_to_approve(
    client: Client, regional: Any, hub: Any, firm: Organisation
) -> None:
    earlier = ProjectFactory(
        hub=hub,
        lead=firm,
        title="프레스 금형 수명 연장 지원",
        status=Project.Status.APPROVED,
        approved_at=clock.now(),
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
        approved_at=clock.now(),
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
