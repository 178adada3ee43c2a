"""Support scope beyond the role × model × action table (sandan/core/tests/test_scope.py,
whose support rows and expectations are in scope_world.py next to this file)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.apps import apps
from django.utils import timezone

from sandan.accounts.roles import Role
from sandan.accounts.tests.factories import user_with_role
from sandan.core.tests.world import World, every_part, fresh, module_world
from sandan.support.models import Participant, Problem
from sandan.support.tests.scope_world import MODELS


@pytest.fixture(scope="module")
def shared_world(django_db_setup: Any, django_db_blocker: Any) -> Iterator[World]:
    yield from module_world(django_db_blocker, every_part())


@pytest.fixture
def world(shared_world: World, db: Any) -> World:
    return fresh(shared_world)


def test_every_support_model_is_in_the_policy() -> None:
    from sandan.accounts.roles import SUPPORT_MODELS

    assert set(SUPPORT_MODELS) == set(MODELS)
    assert {m._meta.label_lower for m in apps.get_app_config("support").get_models()} == set(MODELS)


def test_a_hub_coordinator_sees_its_linked_complexes_problems(world: World) -> None:
    """A coordinator whose scope is the hub complex reaches a linked firm's problem."""
    from sandan.councils.tests.factories import linked_designation
    from sandan.registry.tests.factories import ComplexFactory, OrganisationFactory, province

    hub = world["hub_changwon"]
    linked = linked_designation(
        hub, ComplexFactory(name_ko="마산자유무역지역", province=province("48"))
    )
    firm = OrganisationFactory(complex=linked.complex)
    problem = Problem.objects.create(
        organisation=firm,
        program_year=hub.program_year,
        hub=hub,
        complex=linked.complex,
        zone=hub.zone,
        title="연계단지 기업 애로",
        description="도금 공정 폐수 처리 비용",
        submitted_at=timezone.now(),
    )
    user = user_with_role(Role.COORDINATOR, complex=world["cx_dongnam"])
    visible = set(Problem.objects.restrict(user, "change").values_list("pk", flat=True))
    assert visible == {world["problem_changwon"].pk, problem.pk}


def test_an_expert_with_two_roles_sees_each_row_once(world: World) -> None:
    """An expert who also holds a company membership: OWN and SCOPE rows, none repeated."""
    from sandan.accounts.models import Membership

    user = world.users["expert"]
    Membership.objects.create(
        user=user, role=Role.COMPANY_USER, organisation=world["company_dongnam"]
    )
    user._sandan_grants = None  # reload memberships
    pks = list(Participant.objects.restrict(user, "view").values_list("pk", flat=True))
    assert sorted(pks) == sorted(
        {world["participant_changwon_lead"].pk, world["participant_changwon_expert"].pk}
    )
