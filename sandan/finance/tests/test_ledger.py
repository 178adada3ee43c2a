"""The ledger's invariants, one movement at a time, through the services."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from sandan.core.models import AuditEntry
from sandan.core.services import NotAllowed
from sandan.finance import selectors, services
from sandan.finance.models import BudgetLine, LedgerTransaction
from sandan.finance.services import Overspend
from sandan.support.tests.factories import ProjectFactory

pytestmark = pytest.mark.django_db

BN = 1_000_000_000


def test_the_year_total_is_the_years_budget_and_no_more(root: BudgetLine, hq: Any) -> None:
    assert selectors.balance_of(root).allocated_krw == 66_300_000_000
    with pytest.raises(Overspend) as refused:
        services.allocate(hq, root, 1)
    assert refused.value.available_krw == 0
    assert "66,300,000,000" not in refused.value.detail  # it names what is left: 0원
    assert "0원" in refused.value.detail


def test_a_zone_receives_at_most_what_the_total_has_left(
    root: BudgetLine, zone_line: BudgetLine, hq: Any
) -> None:
    services.allocate(hq, zone_line, 60 * BN)
    with pytest.raises(Overspend) as refused:
        services.allocate(hq, zone_line, 7 * BN)
    assert refused.value.available_krw == 6_300_000_000
    assert "6,300,000,000원" in refused.value.detail
    assert selectors.balance_of(root).available_krw == 6_300_000_000
    assert selectors.balance_of(zone_line).allocated_krw == 60 * BN


@pytest.mark.parametrize("amount", [0, -5, 1.5, "12abc", None, True, "1e3"])
def test_amounts_are_positive_whole_won(zone_line: BudgetLine, hq: Any, amount: Any) -> None:
    with pytest.raises(ValidationError) as refused:
        services.allocate(hq, zone_line, amount)
    assert "amount_krw" in refused.value.message_dict
    assert not LedgerTransaction.objects.filter(line=zone_line).exists()


def test_the_database_refuses_a_non_positive_amount(zone_line: BudgetLine) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        LedgerTransaction.objects.create(
            line=zone_line, kind="allocate", amount_krw=-1, at="2010-03-02T09:00+09:00"
        )


def test_the_ledger_is_append_only(zone_line: BudgetLine, hq: Any) -> None:
    entry = services.allocate(hq, zone_line, BN)
    entry.amount_krw = 2 * BN
    with pytest.raises(TypeError):
        entry.save()
    with pytest.raises(TypeError):
        entry.delete()
    with pytest.raises(TypeError):
        LedgerTransaction.objects.filter(pk=entry.pk).update(amount_krw=5)
    with pytest.raises(TypeError):
        LedgerTransaction.objects.filter(pk=entry.pk).delete()


def test_every_movement_is_audited(zone_line: BudgetLine, hq: Any) -> None:
    entry = services.allocate(hq, zone_line, BN, reason="1차 배정")
    audit = AuditEntry.objects.get(object_id=str(entry.pk), content_type__model="ledgertransaction")
    assert audit.actor == hq and audit.reason == "1차 배정"


def _funded(category_line: BudgetLine, amount: int) -> None:
    line: BudgetLine | None = category_line
    path = []
    while line is not None and line.parent_id is not None:
        path.append(line)
        line = line.parent
    for step in reversed(path):
        services.allocate(None, step, amount)


def test_commit_disburse_return_and_settle_keep_every_figure(
    category_line: BudgetLine, hub_line: BudgetLine, hq: Any
) -> None:
    _funded(category_line, 300_000_000)
    project = ProjectFactory(hub=category_line.hub)
    services.commit(hq, category_line, project.pk, 100_000_000)
    balance = selectors.balance_of(category_line)
    assert (balance.committed_krw, balance.available_krw) == (100_000_000, 200_000_000)

    services.disburse(hq, category_line, project.pk, 60_000_000)
    with pytest.raises(Overspend) as refused:
        services.disburse(hq, category_line, project.pk, 40_000_001)
    assert refused.value.available_krw == 40_000_000

    services.return_funds(hq, category_line, project.pk, 10_000_000)
    with pytest.raises(Overspend):
        services.return_funds(hq, category_line, project.pk, 50_000_001)
    balance = selectors.balance_of(category_line)
    assert (balance.committed_krw, balance.disbursed_krw) == (90_000_000, 50_000_000)
    assert balance.available_krw == 210_000_000

    released = services.settle(hq, category_line, project.pk)
    assert released is not None and released.amount_krw == 40_000_000
    balance = selectors.balance_of(category_line)
    assert (balance.committed_krw, balance.disbursed_krw) == (50_000_000, 50_000_000)
    assert balance.available_krw == 250_000_000
    assert services.settle(hq, category_line, project.pk) is None
    # The hub passed it all down: nothing is available there.
    assert selectors.balance_of(hub_line).available_krw == 0


def test_a_commitment_beyond_the_line_is_refused_with_what_is_left(
    category_line: BudgetLine, hq: Any
) -> None:
    _funded(category_line, 50_000_000)
    project = ProjectFactory(hub=category_line.hub)
    with pytest.raises(Overspend) as refused:
        services.commit(hq, category_line, project.pk, 70 * BN)
    assert refused.value.available_krw == 50_000_000
    assert "50,000,000원" in refused.value.detail
    assert not LedgerTransaction.objects.filter(kind="commit").exists()


def test_only_category_lines_hold_commitments(hub_line: BudgetLine, hq: Any) -> None:
    project = ProjectFactory(hub=hub_line.hub)
    with pytest.raises(ValidationError) as refused:
        services.commit(hq, hub_line, project.pk, 1)
    assert "line" in refused.value.message_dict


def test_a_closed_year_moves_no_money(zone_line: BudgetLine, hq: Any, year: Any) -> None:
    year.status = year.Status.CLOSED
    year.save()
    with pytest.raises(ValidationError) as refused:
        services.allocate(hq, zone_line, BN)
    assert "종료" in str(refused.value)


def test_regional_staff_move_the_money_of_their_zone_only(
    root: BudgetLine, zone_line: BudgetLine, hub_line: BudgetLine, regional: Any, hq: Any
) -> None:
    with pytest.raises(NotAllowed):
        services.allocate(regional, zone_line, BN)  # from the national total: HQ's
    services.allocate(hq, zone_line, 2 * BN)
    services.allocate(regional, hub_line, BN)
    linkage = root.children.get(purpose=BudgetLine.Purpose.LINKAGE)
    with pytest.raises(NotAllowed):
        services.allocate(regional, linkage, BN)


def test_a_reallocation_needs_a_reason_and_an_approver_above(
    root: BudgetLine, zone_line: BudgetLine, regional: Any, hq: Any, ministry: Any
) -> None:
    networking = root.children.get(purpose=BudgetLine.Purpose.NETWORKING)
    services.allocate(hq, zone_line, 3 * BN)
    with pytest.raises(ValidationError) as refused:
        services.reallocate(hq, zone_line, networking, BN, reason=" ", approver=ministry)
    assert "reason" in refused.value.message_dict
    with pytest.raises(NotAllowed):
        services.reallocate(hq, zone_line, networking, BN, reason="수요 변경", approver=hq)
    with pytest.raises(NotAllowed):
        services.reallocate(hq, zone_line, networking, BN, reason="수요 변경", approver=regional)
    out, into = services.reallocate(
        hq, zone_line, networking, BN, reason="네트워킹 수요 증가", approver=ministry
    )
    assert out.transfer == into.transfer and into.approved_by == ministry
    assert selectors.balance_of(zone_line).allocated_krw == 2 * BN
    assert selectors.balance_of(networking).allocated_krw == BN
    assert selectors.balance_of(root).available_krw == 66_300_000_000 - 3 * BN
    with pytest.raises(Overspend) as over:
        services.reallocate(hq, zone_line, networking, 3 * BN, reason="추가", approver=ministry)
    assert over.value.available_krw == 2 * BN


def test_reallocation_moves_money_between_siblings_only(
    zone_line: BudgetLine, hub_line: BudgetLine, root: BudgetLine, hq: Any, ministry: Any
) -> None:
    networking = root.children.get(purpose=BudgetLine.Purpose.NETWORKING)
    with pytest.raises(ValidationError):
        services.reallocate(hq, hub_line, networking, 1, reason="x", approver=ministry)


def test_the_tree_opens_once(root: BudgetLine, year: Any) -> None:
    count = BudgetLine.objects.count()
    services.open_tree(None, year)
    assert BudgetLine.objects.count() == count
    kinds = set(BudgetLine.objects.values_list("kind", flat=True))
    assert kinds == set(BudgetLine.Kind.values)
    with pytest.raises(ValidationError):
        services.open_line(
            None,
            year,
            BudgetLine.Kind.ZONE,
            parent=root,
            zone=root.children.filter(kind="zone").first().zone,
        )  # type: ignore[union-attr]
