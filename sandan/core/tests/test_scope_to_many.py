"""A scope path through a to-many relation keeps each row once (pk IN subquery)."""

from __future__ import annotations

from typing import Any

import pytest
from django.db.models import Q

from sandan.accounts.roles import Grant, Role
from sandan.core.querysets import _crosses_to_many, _scope_q
from sandan.registry.models import Complex, Organisation
from sandan.registry.tests.factories import ComplexFactory, OrganisationFactory

pytestmark = pytest.mark.django_db


def test_to_many_paths_are_detected() -> None:
    assert _crosses_to_many(Complex, "organisations")
    assert not _crosses_to_many(Complex, "province__zone")
    assert not _crosses_to_many(Organisation, "complex__office")
    assert not _crosses_to_many(Complex, "pk")


def test_a_row_reached_through_two_matches_appears_once(django_assert_num_queries: Any) -> None:
    banwol = ComplexFactory(name_ko="반월국가산업단지")
    ComplexFactory(name_ko="시화국가산업단지")
    first = OrganisationFactory(name_ko="(주)반월정밀", complex=banwol)
    second = OrganisationFactory(name_ko="(주)반월금속", complex=banwol)
    grant = Grant(Role.COMPANY_USER, "organisation", frozenset({first.pk, second.pk}))

    condition = _scope_q(grant, {"organisation": "organisations"}, Complex)

    assert isinstance(condition, Q)
    with django_assert_num_queries(1):
        names = list(Complex.objects.filter(condition).values_list("name_ko", flat=True))
    assert names == ["반월국가산업단지"]
