"""Property: no sequence of ledger operations, accepted or refused, breaks an invariant.

Hypothesis draws sequences of allocations, reallocations, commitments, payments, returns
and settlements on a small tree (total → zone → hub → two categories, and the national
linkage line with one category) with amounts from 1 won to more than the year. After
every step: no line's available amount is below zero, no project is paid more than it was
committed, a refused step wrote nothing, and no money is created or lost (what the lines
have left plus what they committed equals what the total received).
"""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction

hypothesis = pytest.importorskip("hypothesis")
from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from sandan.accounts.roles import Role  # noqa: E402
from sandan.accounts.tests.factories import user_with_role  # noqa: E402
from sandan.councils.tests.factories import hub_designation  # noqa: E402
from sandan.finance import selectors, services  # noqa: E402
from sandan.finance.models import BudgetLine, LedgerTransaction  # noqa: E402
from sandan.finance.reconcile import reconcile  # noqa: E402
from sandan.registry.tests.factories import ComplexFactory, province  # noqa: E402
from sandan.support.tests.factories import ProjectFactory, support_year  # noqa: E402

pytestmark = pytest.mark.django_db

TOTAL = 10_000_000_000


class _Rollback(Exception):
    pass


@pytest.fixture
def tree(db: Any) -> dict[str, Any]:
    year = support_year()
    year.budget_total_krw = TOTAL
    year.save()
    hub = hub_designation(ComplexFactory(province=province("48")))
    categories = list(year.categories.order_by("order")[:2])
    root = services.open_line(None, year, "year")
    zone = services.open_line(None, year, "zone", parent=root, zone=hub.zone)
    hub_line = services.open_line(None, year, "hub", parent=zone, hub=hub)
    linkage = services.open_line(None, year, "national", parent=root, purpose="linkage")
    leaves = [
        services.open_line(None, year, "category", parent=parent, category=category)
        for parent, category in ((hub_line, categories[0]), (hub_line, categories[1]))
    ] + [services.open_line(None, year, "category", parent=linkage, category=categories[0])]
    return {
        "year": year,
        "lines": [root, zone, hub_line, linkage, *leaves],
        "leaves": leaves,
        "projects": [ProjectFactory(hub=hub).pk for _n in range(3)],
        "hq": user_with_role(Role.HQ_STAFF),
        "ministry": user_with_role(Role.MINISTRY_OFFICER),
    }


AMOUNTS = st.one_of(
    st.integers(1, 10**6),
    st.integers(1, 3 * 10**9),
    st.integers(TOTAL - 10**6, TOTAL + 10**6),
)
STEP = st.tuples(
    st.sampled_from(["allocate", "reallocate", "commit", "disburse", "return", "settle"]),
    st.integers(0, 6),  # a line
    st.integers(0, 2),  # a project
    AMOUNTS,
    # At the edge: the amount is what is available, one won less or one won more.
    st.sampled_from([None, -1, 0, 1]),
)
Step = tuple[str, int, int, int, int | None]


def _room(kind: str, line: BudgetLine, leaf: BudgetLine, project: int) -> int:
    """What the step may move at most, read before it runs."""
    if kind == "allocate":
        if line.parent is None:
            return TOTAL - selectors.line_sums(line).allocated_krw
        return selectors.balance_of(line.parent).available_krw
    if kind in ("commit", "reallocate"):
        return selectors.balance_of(leaf).available_krw
    sums = selectors.project_sums(project, leaf)
    return sums.disbursed_krw if kind == "return" else sums.undisbursed_krw


def _apply(tree: dict[str, Any], step: Step) -> None:
    kind, line_index, project_index, amount, edge = step
    lines, leaves = tree["lines"], tree["leaves"]
    line = lines[line_index]
    leaf = leaves[line_index % (2 if kind == "reallocate" else len(leaves))]
    project = tree["projects"][project_index]
    if edge is not None:
        amount = max(1, _room(kind, line, leaf, project) + edge)
    if kind == "allocate":
        services.allocate(None, line, amount)
    elif kind == "reallocate":
        sibling = leaves[(line_index + 1) % 2]  # the two categories of the hub
        services.reallocate(
            tree["hq"],
            leaves[line_index % 2],
            sibling,
            amount,
            reason="수요 변경",
            approver=tree["ministry"],
        )
    elif kind == "commit":
        services.commit(None, leaf, project, amount)
    elif kind == "disburse":
        services.disburse(None, leaf, project, amount)
    elif kind == "return":
        services.return_funds(None, leaf, project, amount)
    else:
        services.settle(None, leaf, project, amount if amount % 2 else None)


def _check(tree: dict[str, Any]) -> None:
    balances = selectors.balances(
        BudgetLine.objects.filter(pk__in=[line.pk for line in tree["lines"]])
    )
    root = next(b for b in balances if b.line.parent_id is None)
    assert root.allocated_krw <= TOTAL
    for balance in balances:
        assert balance.available_krw >= 0, balance.line
        assert balance.committed_krw >= balance.disbursed_krw >= 0, balance.line
    for project in tree["projects"]:
        for leaf in tree["leaves"]:
            sums = selectors.project_sums(project, leaf)
            assert sums.committed_krw >= sums.disbursed_krw >= 0
    left = sum(b.available_krw for b in balances)
    committed = sum(b.own_committed_krw for b in balances)
    assert left + committed == root.allocated_krw


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(steps=st.lists(STEP, max_size=20))
def test_no_sequence_of_operations_breaks_the_ledger(
    tree: dict[str, Any], steps: list[Step]
) -> None:
    try:
        with transaction.atomic():
            for step in steps:
                before = LedgerTransaction.objects.count()
                try:
                    with transaction.atomic():
                        _apply(tree, step)
                except ValidationError:
                    assert LedgerTransaction.objects.count() == before, step
                _check(tree)
            assert reconcile(tree["year"]).ok
            raise _Rollback
    except _Rollback:
        pass
