"""`restrict()` reads a user's grants through `scope_grants()`; the core knows no user model."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from sandan.accounts.roles import Role
from sandan.accounts.tests.factories import user_with_role
from sandan.core.querysets import allows
from sandan.core.scope import Reach
from sandan.registry.models import Organisation
from sandan.registry.tests.factories import OrganisationFactory

pytestmark = pytest.mark.django_db


@dataclass(frozen=True)
class _Grant:
    role: str
    scope_kind: str
    scope_ids: frozenset[int]
    reaches: tuple[tuple[str, str, Reach], ...] = ()

    def reach(self, label: str, action: str) -> Reach | None:
        return next((r for lb, act, r in self.reaches if (lb, act) == (label, action)), None)


@dataclass
class _User:
    grants: list[_Grant]
    pk: int = 0
    is_authenticated: bool = True
    is_active: bool = True
    is_superuser: bool = False

    def scope_grants(self) -> list[_Grant]:
        return self.grants


def test_any_object_that_carries_grants_is_a_user_to_restrict() -> None:
    mine, other = OrganisationFactory(), OrganisationFactory()
    grant = _Grant(
        "reader",
        "organisation",
        frozenset({mine.pk}),
        (("registry.organisation", "view", Reach.SCOPE),),
    )
    user: Any = _User([grant])
    assert list(Organisation.objects.restrict(user, "view")) == [mine]
    assert allows(user, Organisation, "view") and not allows(user, Organisation, "change")
    assert other not in Organisation.objects.restrict(user, "view")
    assert not Organisation.objects.restrict(_User([]), "view").exists()


def test_a_user_loads_its_grants_once(django_assert_num_queries: Any) -> None:
    user = user_with_role(Role.AUDITOR)
    with django_assert_num_queries(1):
        first = user.scope_grants()
        second = user.scope_grants()
    assert first is second and [grant.role for grant in first] == [Role.AUDITOR]
