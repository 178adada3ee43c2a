"""Every role × model × action, against an expectation table written out by hand.

The table below is the specification in row terms ("the coordinator changes the
organisations of the complexes its branch manages"); it is deliberately not derived from
`sandan.accounts.roles.POLICY`, so that a wrong entry in the policy shows up as a failure.
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
from sandan.core.tests.world import World, module_world

MODELS = (
    "registry.zone",
    "registry.province",
    "registry.municipality",
    "registry.industry",
    "registry.office",
    "registry.complex",
    "registry.complexstat",
    "registry.organisation",
    "registry.expert",
    "core.auditentry",
)
REFERENCE = MODELS[:7]
ROLES = ("ministry", "hq", "auditor", "regional", "coordinator", "company", "expert")
ROLE_OF_USER = {
    "ministry": Role.MINISTRY_OFFICER,
    "hq": Role.HQ_STAFF,
    "auditor": Role.AUDITOR,
    "regional": Role.REGIONAL_STAFF,
    "coordinator": Role.COORDINATOR,
    "company": Role.COMPANY_USER,
    "expert": Role.EXPERT,
}

# Every action that `restrict` knows is tested (including ones, like `approve`, that no
# registry row grants); these five are the ones the registry uses.
ROW_ACTIONS = ("view", "add", "change", "delete", "contact")
EVERY = "every row"
Expected = str | frozenset[str]


def rows(*keys: str) -> frozenset[str]:
    return frozenset(keys)


DONGNAM_COMPLEXES = rows("cx_dongnam", "cx_dongnam_unmanaged")
DONGNAM_STATS = rows("stat_dongnam", "stat_dongnam_unmanaged")
DONGNAM_ORGS = rows("company_dongnam", "company_dongnam_unmanaged", "university_dongnam")
BRANCH_ORGS = rows("company_dongnam", "university_dongnam")
DONGNAM_EXPERTS = rows("expert_linked")  # affiliated with an organisation in dongnam

READ_REFERENCE = {label: {"view": EVERY} for label in REFERENCE}

# role → model → action → the rows it reaches. Anything not listed: no rows at all.
EXPECTED: dict[str, dict[str, dict[str, Expected]]] = {
    # National, read (and, later, approve): reads everything, writes nothing, and sees no
    # personal contact data.
    "ministry": {
        **READ_REFERENCE,
        "registry.organisation": {"view": EVERY},
        "registry.expert": {"view": EVERY},
        "core.auditentry": {"view": EVERY},
    },
    # National, read-only, including history.
    "auditor": {
        **READ_REFERENCE,
        "registry.organisation": {"view": EVERY},
        "registry.expert": {"view": EVERY},
        "core.auditentry": {"view": EVERY},
    },
    # National: everything, and the only role that deletes. The audit log is append-only.
    "hq": {
        **{
            label: {"view": EVERY, "add": EVERY, "change": EVERY, "delete": EVERY}
            for label in REFERENCE
        },
        "registry.organisation": dict.fromkeys(ROW_ACTIONS, EVERY),
        "registry.expert": dict.fromkeys(ROW_ACTIONS, EVERY),
        "core.auditentry": {"view": EVERY},
    },
    # One zone (dongnam): reads the national reference, writes inside the zone.
    "regional": {
        **READ_REFERENCE,
        "registry.complex": {"view": EVERY, "change": DONGNAM_COMPLEXES},
        "registry.complexstat": {
            "view": EVERY,
            "add": DONGNAM_STATS,
            "change": DONGNAM_STATS,
        },
        "registry.organisation": {
            "view": DONGNAM_ORGS,
            "add": DONGNAM_ORGS,
            "change": DONGNAM_ORGS,
            "contact": DONGNAM_ORGS,
        },
        # The expert pool is national for matching; edits stay inside the zone.
        "registry.expert": {
            "view": EVERY,
            "contact": EVERY,
            "add": DONGNAM_EXPERTS,
            "change": DONGNAM_EXPERTS,
        },
    },
    # The dongnam branch: the complexes it manages and their organisations.
    "coordinator": {
        **READ_REFERENCE,
        "registry.complex": {"view": EVERY, "change": rows("cx_dongnam")},
        "registry.organisation": {
            "view": BRANCH_ORGS,
            "add": BRANCH_ORGS,
            "change": BRANCH_ORGS,
            "contact": BRANCH_ORGS,
        },
        "registry.expert": {"view": EVERY, "contact": EVERY},
    },
    # Own organisation only.
    "company": {
        **READ_REFERENCE,
        "registry.organisation": {
            "view": rows("company_dongnam"),
            "change": rows("company_dongnam"),
            "contact": rows("company_dongnam"),
        },
    },
    # Own expert record; sees its affiliation.
    "expert": {
        **READ_REFERENCE,
        "registry.organisation": {"view": rows("university_dongnam")},
        "registry.expert": {
            "view": rows("expert_linked"),
            "change": rows("expert_linked"),
            "contact": rows("expert_linked"),
        },
    },
}


@pytest.fixture(scope="module")
def shared_world(django_db_setup: Any, django_db_blocker: Any) -> Iterator[World]:
    yield from module_world(django_db_blocker)


@pytest.fixture
def world(shared_world: World, db: Any) -> World:
    return shared_world


def reached(world: World, label: str, user: Any, action: str) -> set[str]:
    model: Any = apps.get_model(label)
    pks = set(model.objects.restrict(user, action).values_list("pk", flat=True))
    return world.keys_of(label, pks)


def expected(world: World, role: str, label: str, action: str) -> set[str]:
    want = EXPECTED[role].get(label, {}).get(action, frozenset())
    if want == EVERY:
        return set(world.rows[label])
    assert not isinstance(want, str)
    return set(want)


def test_the_world_has_rows_for_every_model(world: World) -> None:
    for label in MODELS:
        model: Any = apps.get_model(label)
        assert model.objects.count() == len(world.rows[label]) >= 1, label


def test_expectations_cover_every_role() -> None:
    assert set(EXPECTED) == set(ROLES) == {key for key in ROLE_OF_USER}
    assert set(ROLE_OF_USER.values()) == set(Role.values)


@pytest.mark.parametrize("action", ACTIONS)
@pytest.mark.parametrize("label", MODELS)
@pytest.mark.parametrize("role", ROLES)
def test_role_reaches_exactly_the_expected_rows(
    world: World, role: str, label: str, action: str
) -> None:
    user = world.users[role]
    assert reached(world, label, user, action) == expected(world, role, label, action)


@pytest.mark.parametrize("action", ACTIONS)
@pytest.mark.parametrize("label", MODELS)
@pytest.mark.parametrize("role", ROLES)
def test_allows_agrees_with_restrict(world: World, role: str, label: str, action: str) -> None:
    """Menus and buttons (`allows`) never promise what `restrict` then refuses."""
    user = world.users[role]
    model: Any = apps.get_model(label)
    may = allows(user, model, action)
    rows_reached = reached(world, label, user, action)
    if rows_reached:
        assert may
    if not may:
        assert not rows_reached


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
