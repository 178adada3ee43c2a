"""A project's approval and life: who approves, a project run to completion with its
surveys, and cancelling."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core import mail
from django.core.exceptions import ValidationError

from sandan.accounts.roles import Role
from sandan.accounts.tests.factories import user_with_role
from sandan.core.services import NotAllowed
from sandan.registry.models import Organisation
from sandan.registry.tests.factories import province
from sandan.support import services
from sandan.support.models import Problem, Project
from sandan.support.tests.factories import ready_project
from sandan.support.tests.services_helpers import approvable, triaged_with_expert

pytestmark = pytest.mark.django_db


def test_regional_staff_approve_projects_of_their_zone(
    coordinator: Any, regional: Any, hub: Any
) -> None:
    project = approvable(coordinator, hub)
    approved = services.approve_project(regional, project)
    assert approved.status == Project.Status.APPROVED
    assert approved.approved_by == regional and approved.approved_at is not None


def test_an_approval_out_of_scope_is_refused(coordinator: Any, hub: Any) -> None:
    project = approvable(coordinator, hub)
    capital_staff = user_with_role(Role.REGIONAL_STAFF, zone=province("41").zone)
    for user in (capital_staff, coordinator):
        with pytest.raises(NotAllowed):
            services.approve_project(user, project)
    project.refresh_from_db()
    assert project.status == Project.Status.SUBMITTED


def test_a_draft_cannot_be_approved(regional: Any, hub: Any) -> None:
    project = ready_project(hub=hub)
    with pytest.raises(ValidationError) as error:
        services.approve_project(regional, project)
    assert "status" in error.value.message_dict


def test_a_project_runs_to_completion_and_sends_surveys(
    coordinator: Any,
    regional: Any,
    hub: Any,
    firm: Organisation,
    django_capture_on_commit_callbacks: Any,
) -> None:
    problem = triaged_with_expert(firm)
    project = services.create_project(
        coordinator,
        [problem],
        title="사출 불량 저감",
        type="mentoring",
        start_date=dt.date(2010, 4, 1),
        end_date=dt.date(2010, 9, 30),
    )
    services.add_milestone(
        coordinator, project, title="성형 조건 진단", due_date=dt.date(2010, 5, 1)
    )
    services.set_budget_lines(
        coordinator,
        project,
        [
            {"kind": "public_grant", "amount_krw": 20_000_000},
            {"kind": "firm_cash", "amount_krw": 5_000_000, "organisation": firm},
        ],
    )
    services.submit_project(coordinator, project)
    services.approve_project(regional, project)
    problem.refresh_from_db()
    assert problem.status == Problem.Status.IN_PROJECT
    services.start_project(coordinator, project)
    problem.refresh_from_db()
    assert problem.project_started_at is not None
    with django_capture_on_commit_callbacks(execute=True):
        pairs = services.complete_project(coordinator, project)
    project.refresh_from_db()
    problem.refresh_from_db()
    assert project.status == Project.Status.COMPLETED
    assert problem.status == Problem.Status.CLOSED and problem.resolved_at is not None
    assert len(pairs) == 1
    survey, token = pairs[0]
    assert survey.token_hash != token and len(survey.token_hash) == 64
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["kim@cwprecision.example.kr"]
    assert token in mail.outbox[0].body


def test_cancelling_needs_a_reason_and_returns_the_problems(
    coordinator: Any, regional: Any, hub: Any, firm: Organisation
) -> None:
    problem = triaged_with_expert(firm)
    project = services.create_project(coordinator, [problem], title="과제", type="mentoring")
    with pytest.raises(ValidationError):
        services.cancel_project(coordinator, project, "")
    services.cancel_project(coordinator, project, "기업 사정으로 포기")
    project.refresh_from_db()
    assert project.status == Project.Status.CANCELLED and project.cancel_reason
