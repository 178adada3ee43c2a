"""Many commitments and payments against one line at the same instant (PostgreSQL).

Twenty connections each try to commit 100,000,000 KRW on a category line that holds
1,000,000,000: exactly ten succeed, the others are refused with what was left, and the
line ends at zero, never below. Then the ten projects are paid concurrently, each twice
what it may be paid in halves: every project ends paid exactly its commitment. No money
is created or lost, and reconciliation passes.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection, connections

from sandan.councils.tests.factories import hub_designation
from sandan.finance import selectors, services
from sandan.finance.models import BudgetLine, LedgerTransaction
from sandan.finance.reconcile import reconcile
from sandan.finance.services import Overspend
from sandan.finance.tests.factories import budget_year, fund
from sandan.registry.tests.factories import ComplexFactory, province
from sandan.support.tests.factories import ProjectFactory, support_year

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="needs row locks (PostgreSQL)"
)

GRANT = 100_000_000


def _race(calls: list[Callable[[], Any]]) -> list[Any]:
    """Run every call in its own thread (its own connection), all released at once."""
    barrier = threading.Barrier(len(calls))
    results: list[Any] = [None] * len(calls)

    def run(index: int) -> None:
        try:
            barrier.wait(timeout=30)
            results[index] = calls[index]()
        except Exception as error:
            results[index] = error
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(calls))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return results


@pytest.mark.django_db(transaction=True)
def test_parallel_commitments_and_payments_never_overspend_one_line() -> None:
    year = support_year()
    hub = hub_designation(ComplexFactory(province=province("48")))
    budget_year(year)
    line = BudgetLine.objects.get(kind="category", hub=hub, category__code="MFG_EFFICIENCY")
    fund(line, 10 * GRANT)
    projects = [ProjectFactory(hub=hub).pk for _n in range(20)]

    results = _race(
        [lambda pk=pk: services.commit(None, line, pk, GRANT) for pk in projects]  # type: ignore[misc]
    )
    committed = [r for r in results if isinstance(r, LedgerTransaction)]
    refused = [r for r in results if isinstance(r, Overspend)]
    assert len(committed) == 10 and len(refused) == 10, results
    assert all(r.available_krw < GRANT for r in refused)
    assert selectors.balance_of(line).available_krw == 0

    funded = [entry.project_id for entry in committed]
    payments = [
        (lambda pk=pk: services.disburse(None, line, pk, GRANT // 2))  # type: ignore[misc]
        for pk in funded
        for _n in range(4)
    ]
    paid = _race(payments)
    assert sum(isinstance(r, LedgerTransaction) for r in paid) == 20
    assert sum(isinstance(r, Overspend) for r in paid) == 20
    for pk in funded:
        sums = selectors.project_sums(pk, line)
        assert sums.committed_krw == sums.disbursed_krw == GRANT
    balance = selectors.balance_of(line)
    assert (balance.committed_krw, balance.disbursed_krw) == (10 * GRANT, 10 * GRANT)
    assert reconcile(year).ok
