"""A project led in a zone may hold the problem of a firm of a complex linked to its hub
from another zone (a cross-zone link). The regional HQ of the project's zone approves it
(docs/permissions.md: regional staff write inside their zone; `Project.zone` is the hub's
zone), and the approval moves the project's problems on, whichever zone their firm is in.

Reported on the demo: approving such a project answered 403 because the follow-on update of
the other zone's problem checked the approver's right on that problem, not on the project.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from sandan.accounts.roles import Role
from sandan.accounts.tests.factories import user_with_role
from sandan.core.models import AuditEntry
from sandan.registry.tests.factories import ComplexFactory, province
from sandan.support import services
from sandan.support.models import Problem, Project
from sandan.support.tests.factories import (
    TriagedProblemFactory,
    firm_in_hub,
    firm_in_linked,
    ready_project,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def cross_zone_project(coordinator: Any, hub: Any) -> tuple[Project, Problem]:
    """A submitted project of the 동남 hub with its own firm's problem and the problem of a
    firm of a 대경 complex linked to the hub."""
    elsewhere = ComplexFactory(name_ko="구미국가산업단지", province=province("47"))
    assert elsewhere.province.zone_id != hub.zone_id
    far_firm = firm_in_linked(hub, elsewhere, name_ko="(주)구미전자")
    far = TriagedProblemFactory(organisation=far_firm, text_index=0)
    near = TriagedProblemFactory(organisation=firm_in_hub(hub), text_index=1)
    assert far.hub == hub and far.zone_id != hub.zone_id
    project = ready_project(hub=hub, scope=Project.Scope.INTER_ZONE)
    project.problems.set([near, far])
    return services.submit_project(coordinator, project), far


def test_the_regional_hq_of_the_projects_zone_approves_a_cross_zone_project(
    regional: Any, cross_zone_project: tuple[Project, Problem]
) -> None:
    project, far = cross_zone_project
    assert Project.objects.restrict(regional, "approve").filter(pk=project.pk).exists()
    assert not Problem.objects.restrict(regional, "view").filter(pk=far.pk).exists()
    approved = services.approve_project(regional, project)
    far.refresh_from_db()
    assert approved.status == Project.Status.APPROVED
    assert far.status == Problem.Status.IN_PROJECT
    # The follow-on change is audited as the approver's.
    entry = AuditEntry.objects.filter(object_id=str(far.pk), actor=regional).latest("pk")
    assert "status" in entry.changes


def test_the_approval_page_approves_it_instead_of_answering_403(
    regional: Any, cross_zone_project: tuple[Project, Problem]
) -> None:
    project, _far = cross_zone_project
    client = Client()
    client.force_login(regional)
    response = client.post(reverse("support:project_approve", args=[project.pk]))
    assert response.status_code == 302
    project.refresh_from_db()
    assert project.status == Project.Status.APPROVED


def test_staff_of_the_other_zone_still_may_not_approve_it(
    cross_zone_project: tuple[Project, Problem],
) -> None:
    project, far = cross_zone_project
    far_staff = user_with_role(Role.REGIONAL_STAFF, zone=far.zone)
    client = Client()
    client.force_login(far_staff)
    assert client.post(reverse("support:project_approve", args=[project.pk])).status_code in (
        403,
        404,
    )
    project.refresh_from_db()
    assert project.status == Project.Status.SUBMITTED


def test_the_hubs_coordinator_starts_and_completes_it(
    coordinator: Any, regional: Any, cross_zone_project: tuple[Project, Problem]
) -> None:
    project, far = cross_zone_project
    services.approve_project(regional, project)
    services.start_project(coordinator, project)
    far.refresh_from_db()
    assert far.project_started_at is not None
    services.complete_project(coordinator, project)
    far.refresh_from_db()
    assert far.status == Problem.Status.CLOSED and far.resolved_at is not None
