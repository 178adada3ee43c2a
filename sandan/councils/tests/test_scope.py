"""Council scope beyond the role × model × action table (sandan/core/tests/test_scope.py,
whose council rows and expectations are in scope_world.py next to this file)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest

from sandan.accounts.roles import Role
from sandan.accounts.tests.factories import user_with_role
from sandan.core.tests.world import World, every_part, fresh, module_world, reached
from sandan.councils.models import Council, Membership


@pytest.fixture(scope="module")
def shared_world(django_db_setup: Any, django_db_blocker: Any) -> Iterator[World]:
    yield from module_world(django_db_blocker, every_part())


@pytest.fixture
def world(shared_world: World, db: Any) -> World:
    return fresh(shared_world)


def test_a_member_of_two_councils_sees_each_once(world: World) -> None:
    world.add(
        "member_company_banwol",
        Membership.objects.create(
            council=world["council_banwol"],
            organisation=world["company_dongnam"],
            joined_on=dt.date(2010, 3, 2),
        ),
    )
    user = world.users["company"]
    assert reached(world, "councils.council", user, "view") == {
        "council_changwon",
        "council_banwol",
    }
    assert reached(world, "councils.membership", user, "view") == {
        "member_company",
        "member_university",
        "member_banwol",
        "member_company_banwol",
    }
    assert Council.objects.restrict(user, "view").count() == 2


def test_a_coordinator_of_a_complex_reaches_its_hubs_councils(world: World) -> None:
    user = user_with_role(Role.COORDINATOR, complex=world["cx_capital"])
    assert reached(world, "councils.activity", user, "change") == {"activity_banwol"}
