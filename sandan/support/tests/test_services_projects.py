"""Support projects from problems: participants, scope, dates, budget and the cost-share rule,
and changes after approval."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from sandan.accounts.roles import Role
from sandan.accounts.tests.factories import user_with_role
from sandan.core.models import AuditEntry
from sandan.registry.models import Organisation
from sandan.registry.tests.factories import ComplexFactory, province
from sandan.support import services
from sandan.support.models import BudgetLine, Project
from sandan.support.tests.factories import (
    ProblemFactory,
    ProjectFactory,
    TriagedProblemFactory,
    firm_in_hub,
    firm_in_linked,
    ready_project,
    support_year,
)
from sandan.support.tests.services_helpers import approvable, triaged_with_expert

pytestmark = pytest.mark.django_db


# Projects ---------------------------------------------------------------------------


def test_a_project_from_problems_takes_their_firms_and_experts(
    coordinator: Any, firm: Organisation, hub: Any
) -> None:
    problem = triaged_with_expert(firm)
    other = TriagedProblemFactory(organisation=firm_in_hub(hub), text_index=0)
    project = services.create_project(
        coordinator,
        [problem, other],
        title="사출 불량 저감 공동 지원",
        type="mentoring",
        start_date=dt.date(2010, 4, 1),
        end_date=dt.date(2010, 9, 30),
    )
    assert project.status == Project.Status.DRAFT
    assert project.hub == hub and project.zone == hub.zone
    assert project.category.code == "MFG_EFFICIENCY"
    assert project.scope == Project.Scope.SINGLE_COMPLEX
    roles = sorted(project.participants.values_list("role", flat=True))
    assert roles == ["expert", "firm", "lead_firm"]
    assert project.participants.get(role="lead_firm").organisation == firm


def test_problems_across_zones_make_an_inter_zone_project(
    coordinator: Any, firm: Organisation, hub: Any
) -> None:
    far = firm_in_linked(hub, ComplexFactory(name_ko="반월국가산업단지", province=province("41")))
    a = TriagedProblemFactory(organisation=firm)
    b = TriagedProblemFactory(organisation=far)
    hq = user_with_role(Role.HQ_STAFF)
    project = services.create_project(
        hq, [a, b], title="자동차 부품 가치사슬 연계", type="joint_rnd"
    )
    assert project.scope == Project.Scope.INTER_ZONE
    with pytest.raises(ValidationError) as error:
        services.create_project(hq, [a, b], title="연계", type="joint_rnd", scope="single_complex")
    assert "scope" in error.value.message_dict


def test_a_project_needs_triaged_problems(coordinator: Any, firm: Organisation) -> None:
    with pytest.raises(ValidationError) as error:
        services.create_project(
            coordinator, [ProblemFactory(organisation=firm)], title="과제", type="mentoring"
        )
    assert "problems" in error.value.message_dict
    assert not Project.objects.exists()


def test_project_dates_must_be_in_order(coordinator: Any, firm: Organisation) -> None:
    with pytest.raises(ValidationError) as error:
        services.create_project(
            coordinator,
            [TriagedProblemFactory(organisation=firm)],
            title="과제",
            type="mentoring",
            start_date=dt.date(2010, 9, 1),
            end_date=dt.date(2010, 3, 1),
        )
    assert "end_date" in error.value.message_dict


def test_budget_lines_replace_the_budget_and_are_checked(coordinator: Any, hub: Any) -> None:
    project = ProjectFactory(hub=hub)
    lead = project.participants.get().organisation
    lines = services.set_budget_lines(
        coordinator,
        project,
        [
            {"kind": "public_grant", "amount_krw": 40_000_000},
            {"kind": "firm_cash", "amount_krw": 10_000_000, "organisation": lead},
        ],
    )
    assert len(lines) == 2
    with pytest.raises(ValidationError) as error:
        services.set_budget_lines(
            coordinator,
            project,
            [{"kind": "firm_cash", "amount_krw": -5}, {"kind": "firm_in_kind", "amount_krw": 100}],
        )
    assert {"amount_krw", "organisation"} <= set(error.value.message_dict)
    assert BudgetLine.objects.filter(project=project).count() == 2


def test_a_budget_breaking_the_cost_share_rule_cannot_be_submitted(
    coordinator: Any, hub: Any
) -> None:
    project = ready_project(public=45_000_000, cash=4_000_000, in_kind=1_000_000, hub=hub)
    with pytest.raises(ValidationError) as error:
        services.submit_project(coordinator, project)
    message = error.value.message_dict["budget_lines"][0]
    assert "10.0%" in message and "20%" in message
    project.refresh_from_db()
    assert project.status == Project.Status.DRAFT


def test_the_cost_share_rule_is_the_years(coordinator: Any, hub: Any) -> None:
    support_year(firm_cost_share_min_pct=10)
    project = ready_project(public=45_000_000, cash=4_000_000, in_kind=1_000_000, hub=hub)
    assert services.submit_project(coordinator, project).status == Project.Status.SUBMITTED


def test_changes_after_approval_need_a_reason(coordinator: Any, regional: Any, hub: Any) -> None:
    project = services.approve_project(regional, approvable(coordinator, hub))
    with pytest.raises(ValidationError) as error:
        services.update_project(coordinator, project, end_date=dt.date(2010, 12, 31))
    assert "reason" in error.value.message_dict
    services.update_project(
        coordinator, project, end_date=dt.date(2010, 12, 31), reason="시제품 납기 지연"
    )
    entry = AuditEntry.objects.filter(
        content_type__model="project", object_id=str(project.pk)
    ).first()
    assert entry is not None and entry.reason == "시제품 납기 지연"
