"""Every role × model × action of every app, against expectation tables written by hand.

Each app with scoped models adds its rows to the shared world and its table in
`<app>/tests/scope_world.py` (see sandan/core/tests/world.py). The tables are the
specification in row terms ("the coordinator changes the organisations of the complexes
its branch manages"); they are deliberately not derived from `sandan.accounts.roles.POLICY`,
so that a wrong entry in the policy shows up as a failure here.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.apps import apps
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from sandan.accounts.models import Membership
from sandan.accounts.roles import Role
from sandan.accounts.tests.factories import UserFactory, user_with_role
from sandan.core.querysets import ACTIONS, allows
from sandan.core.tests.world import (
    ROLES,
    Part,
    World,
    every_part,
    fresh,
    module_world,
    reached,
)

PARTS = every_part()
PART_OF = {label: part for part in PARTS for label in part.models}
MODELS = tuple(PART_OF)
ROLE_OF_USER = {
    "ministry": Role.MINISTRY_OFFICER,
    "hq": Role.HQ_STAFF,
    "auditor": Role.AUDITOR,
    "regional": Role.REGIONAL_STAFF,
    "coordinator": Role.COORDINATOR,
    "company": Role.COMPANY_USER,
    "expert": Role.EXPERT,
}


@pytest.fixture(scope="module")
def shared_world(django_db_setup: Any, django_db_blocker: Any) -> Iterator[World]:
    yield from module_world(django_db_blocker, PARTS)


@pytest.fixture
def world(shared_world: World, db: Any) -> World:
    return fresh(shared_world)


def scoped_models() -> set[str]:
    """Every model whose manager restricts rows to a user: each must have a table."""
    return {
        model._meta.label_lower
        for model in apps.get_models()
        if callable(getattr(model._default_manager, "restrict", None))
    }


def test_every_scoped_model_of_every_app_has_a_table() -> None:
    assert {part.app for part in PARTS} >= {"core", "registry", "program", "councils", "support"}
    assert len(MODELS) == sum(len(part.models) for part in PARTS), "a model in two parts"
    assert set(MODELS) == scoped_models()


@pytest.mark.parametrize("part", PARTS, ids=lambda part: part.app)
def test_each_table_names_every_role_and_only_its_own_models(part: Part) -> None:
    assert set(part.expected) == set(ROLES)
    for role, table in part.expected.items():
        assert set(table) <= set(part.models), role
        for label, actions in table.items():
            assert set(actions) <= set(ACTIONS), (role, label)


def test_every_role_has_a_user() -> None:
    assert set(ROLES) == set(ROLE_OF_USER)
    assert set(ROLE_OF_USER.values()) == set(Role.values)


def test_the_world_has_rows_for_every_model(world: World) -> None:
    for label in MODELS:
        model: Any = apps.get_model(label)
        assert model.objects.count() == len(world.rows[label]) >= PART_OF[label].min_rows, label


@pytest.mark.parametrize("action", ACTIONS)
@pytest.mark.parametrize("label", MODELS)
@pytest.mark.parametrize("role", ROLES)
def test_role_reaches_exactly_the_expected_rows(
    world: World, role: str, label: str, action: str
) -> None:
    user = world.users[role]
    want = PART_OF[label].want(world, role, label, action)
    assert reached(world, label, user, action) == want


@pytest.mark.parametrize("label", MODELS)
@pytest.mark.parametrize("role", ROLES)
def test_allows_agrees_with_restrict(world: World, role: str, label: str) -> None:
    """Menus and buttons (`allows`) never promise what `restrict` then refuses."""
    user = world.users[role]
    model: Any = apps.get_model(label)
    for action in ACTIONS:
        may = allows(user, model, action)
        rows_reached = reached(world, label, user, action)
        if rows_reached:
            assert may, action
        if not may:
            assert not rows_reached, action


NOBODY_CASES: dict[str, Callable[[World], Any]] = {
    "anonymous": lambda w: AnonymousUser(),
    "none": lambda w: None,
    "inactive HQ user": lambda w: _inactive_hq(),
    "HQ membership expired yesterday": lambda w: _expired_hq(),
    "HQ membership switched off": lambda w: user_with_role(Role.HQ_STAFF, is_active=False),
    "user without memberships": lambda w: UserFactory(),
}


def _inactive_hq() -> Any:
    user = user_with_role(Role.HQ_STAFF)
    user.is_active = False
    user.save()
    return user


def _expired_hq() -> Any:
    user = user_with_role(Role.HQ_STAFF, valid_until=timezone.localdate() - dt.timedelta(days=1))
    return user


@pytest.mark.parametrize("case", NOBODY_CASES)
@pytest.mark.parametrize("label", MODELS)
def test_nobody_reaches_nothing(world: World, case: str, label: str) -> None:
    user = NOBODY_CASES[case](world)
    for action in ACTIONS:
        assert reached(world, label, user, action) == set(), (case, action)
        assert not allows(user, apps.get_model(label), action), (case, action)


def test_membership_valid_until_today_still_counts(world: World) -> None:
    user = user_with_role(Role.HQ_STAFF, valid_until=timezone.localdate())
    assert reached(world, "registry.organisation", user, "delete") == set(
        world.rows["registry.organisation"]
    )


@pytest.mark.parametrize("label", MODELS)
def test_superuser_reaches_everything(world: World, label: str) -> None:
    user = UserFactory(is_superuser=True, is_staff=True)
    for action in ACTIONS:
        assert reached(world, label, user, action) == set(world.rows[label]), action


def test_memberships_add_up(world: World) -> None:
    """Two memberships reach the union of their scopes."""
    user = user_with_role(Role.COMPANY_USER, organisation=world["company_dongnam"])
    Membership.objects.create(
        user=user, role=Role.COMPANY_USER, organisation=world["company_capital"]
    )
    assert reached(world, "registry.organisation", user, "change") == {
        "company_dongnam",
        "company_capital",
    }


def test_coordinator_of_a_parent_office_reaches_its_branches(world: World) -> None:
    user = user_with_role(Role.COORDINATOR, office=world["hq_office"])
    assert reached(world, "registry.complex", user, "change") == {"cx_capital", "cx_dongnam"}


def test_restrict_rejects_unknown_actions(world: World) -> None:
    from sandan.registry.models import Zone

    with pytest.raises(ValueError, match="unknown action"):
        Zone.objects.restrict(world.users["hq"], "publish")


def test_restrict_costs_no_query_once_grants_are_loaded(
    world: World, django_assert_num_queries: Any
) -> None:
    from sandan.registry.models import Organisation

    user = world.users["coordinator"]
    list(Organisation.objects.restrict(user, "view"))  # loads and caches the grants
    with django_assert_num_queries(1):
        list(Organisation.objects.restrict(user, "change"))
