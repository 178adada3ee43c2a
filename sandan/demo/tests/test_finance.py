"""The finance demo: the 2010 budget allocated down the tree, the demo's funded projects
committed, paid and settled through the services, and `sandan reconcile` passing on it."""

from __future__ import annotations

import io
from collections.abc import Iterator
from typing import Any

import pytest
from django.core.management import call_command
from django.db import transaction
from django.db.models import Q, Sum
from django.test import override_settings

from sandan.finance import selectors
from sandan.finance.models import BudgetLine, LedgerTransaction
from sandan.registry.reference import load_reference
from sandan.support.models import Project

pytestmark = [pytest.mark.slow, pytest.mark.django_db]


class _Rollback(Exception):
    pass


@pytest.fixture(scope="module")
def world(django_db_setup: Any, django_db_blocker: Any) -> Iterator[str]:
    fast_hasher = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    with django_db_blocker.unblock(), override_settings(PASSWORD_HASHERS=fast_hasher):
        try:
            with transaction.atomic():
                load_reference()
                out = io.StringIO()
                call_command(
                    "load_demo",
                    seed=7,
                    organisations=6000,
                    experts=40,
                    activities=300,
                    problems=400,
                    verbosity=1,
                    stdout=out,
                )
                yield out.getvalue()
                raise _Rollback
        except _Rollback:
            pass


def test_reconcile_passes_and_prints_the_years_total(world: str) -> None:
    assert "finance: 66,300,000,000 KRW allocated" in world
    out = io.StringIO()
    call_command("reconcile", "--year", "2010", stdout=out)
    assert "66,300,000,000" in out.getvalue()


def test_every_funded_project_is_committed_on_the_ledger(world: str) -> None:
    grants = dict(
        Project.objects.filter(approved_at__isnull=False)
        .annotate(
            grant=Sum("budget_lines__amount_krw", filter=Q(budget_lines__kind="public_grant"))
        )
        .values_list("pk", "grant")
    )
    committed = dict(
        LedgerTransaction.objects.filter(kind="commit")
        .values("project_id")
        .annotate(total=Sum("amount_krw"))
        .values_list("project_id", "total")
    )
    assert grants and committed == {pk: grant for pk, grant in grants.items() if grant}


def test_the_tree_has_money_paid_settled_and_reallocated(world: str) -> None:
    kinds = set(LedgerTransaction.objects.values_list("kind", flat=True))
    assert kinds >= {"allocate", "commit", "disburse", "settle", "reallocate_in"}
    for balance in selectors.balances(BudgetLine.objects.all()):
        assert balance.available_krw >= 0, balance.line
    linkage = BudgetLine.objects.get(kind="national", purpose="linkage")
    assert selectors.balance_of(linkage).allocated_krw > 10 * 100_000_000
