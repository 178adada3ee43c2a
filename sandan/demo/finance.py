"""The 2010 budget of the demo: 66.3 bn KRW allocated down the tree and the demo's funded
projects committed, paid and settled, all through the finance services (nothing bypasses
the ledger). Each category line receives what its projects need plus headroom; the rest of
the total goes to the national lines, most of it to linkage, as the 2009 announcement says.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db import connection, transaction
from django.db.models import Q, Sum

from sandan.demo.base import AUDIT_SOURCE, DemoError
from sandan.finance import selectors, services
from sandan.finance.models import BudgetLine, LedgerTransaction
from sandan.program.models import ProgramYear
from sandan.support.models import BudgetLine as ProjectBudgetLine
from sandan.support.models import Project

YEAR = 2010
EOK = 100_000_000  # 억원: lines are allocated in whole 억
# The national lines beside linkage, in 억원 (linkage takes what is left of the total).
NATIONAL_EOK: dict[str, int] = {
    BudgetLine.Purpose.GLOBAL_EXCHANGE: 30,
    BudgetLine.Purpose.KNOWLEDGE_SERVICES: 30,
    BudgetLine.Purpose.NETWORKING: 25,
    BudgetLine.Purpose.SELF_SUSTAINING: 20,
}
HEADROOM = 1.25  # a category line receives its projects' grants × this, in whole 억
PAID_SHARE_IN_PROGRESS = 0.4  # a running project has been paid its first instalment
PAID_SHARE_COMPLETED = 0.9  # a completed project spent 90 %; settlement releases the rest


@dataclass
class FinanceDemoSummary:
    skipped: bool = False
    note: str = ""
    allocated_krw: int = 0
    committed_krw: int = 0
    disbursed_krw: int = 0
    counts: dict[str, int] = field(default_factory=dict)

    def lines(self) -> list[str]:
        if self.note:
            return [f"finance: {self.note}"]
        if self.skipped:
            return [f"finance: the budget of {YEAR} exists already; kept"]
        return [
            f"finance: {self.allocated_krw:,} KRW allocated, {self.committed_krw:,} committed, "
            f"{self.disbursed_krw:,} disbursed ("
            + ", ".join(f"{k} {v:,}" for k, v in sorted(self.counts.items()))
            + ")"
        ]


def _users() -> tuple[Any, Any]:
    from sandan.accounts.models import User

    return (
        User.objects.filter(username="hq").first(),
        User.objects.filter(username="ministry").first(),
    )


def _funded(year: ProgramYear) -> list[Project]:
    """The projects that were approved (also those cancelled after approval), in the order
    of their approval, with their public grant."""
    return list(
        Project.objects.filter(program_year=year, approved_at__isnull=False)
        .annotate(
            grant=Sum(
                "budget_lines__amount_krw",
                filter=Q(budget_lines__kind=ProjectBudgetLine.Kind.PUBLIC_GRANT),
            )
        )
        .filter(grant__gt=0)
        .order_by("approved_at", "pk")
    )


def _line_of(project: Project) -> BudgetLine:
    line = selectors.line_for_project(
        project.program_year_id,
        project.hub_id,
        project.category_id,
        project.scope != Project.Scope.SINGLE_COMPLEX,
    )
    if line is None:
        raise DemoError(f"no budget line for project {project.pk}")
    return line


def _eok(amount: float) -> int:
    return math.ceil(amount / EOK) * EOK


def _allocate_tree(root: BudgetLine, demand: dict[int, int]) -> None:
    """Allocate top-down: each line gets the sum of what its children get; category lines
    get their demand with headroom; the national lines their share; linkage the rest."""
    lines = list(BudgetLine.objects.filter(program_year=root.program_year).order_by("pk"))
    children: dict[int | None, list[BudgetLine]] = defaultdict(list)
    for line in lines:
        children[line.parent_id].append(line)
    wanted: dict[int, int] = {}

    def need(line: BudgetLine) -> int:
        if line.kind == BudgetLine.Kind.CATEGORY:
            wanted[line.pk] = _eok(demand.get(line.pk, 0) * HEADROOM)
        else:
            wanted[line.pk] = sum(need(child) for child in children[line.pk])
            if line.kind == BudgetLine.Kind.NATIONAL and line.purpose in NATIONAL_EOK:
                wanted[line.pk] = max(wanted[line.pk], NATIONAL_EOK[line.purpose] * EOK)
        return wanted[line.pk]

    need(root)
    linkage = next(c for c in children[root.pk] if c.purpose == BudgetLine.Purpose.LINKAGE)
    spare = root.program_year.budget_total_krw - wanted[root.pk]
    if spare < 0:
        raise DemoError(f"the demo's grants need {wanted[root.pk]:,} KRW, more than the year")
    wanted[linkage.pk] += spare
    for line in lines:  # ids ascend from the root down, so parents are funded first
        amount = root.program_year.budget_total_krw if line.pk == root.pk else wanted[line.pk]
        if amount > 0:
            services.allocate(None, line, amount, reason="2010년 예산 배정", source=AUDIT_SOURCE)


def _reallocate(root: BudgetLine) -> int:
    """One reallocation of the year: networking gives 5억 to global exchange (HQ asks, the
    ministry approves)."""
    hq, ministry = _users()
    if hq is None or ministry is None:
        return 0
    by_purpose = {line.purpose: line for line in root.children.filter(kind="national")}
    services.reallocate(
        hq,
        by_purpose[BudgetLine.Purpose.NETWORKING],
        by_purpose[BudgetLine.Purpose.GLOBAL_EXCHANGE],
        5 * EOK,
        reason="해외 전시회 공동관 수요 증가로 국제 교류 사업 증액",
        approver=ministry,
        source=AUDIT_SOURCE,
    )
    return 1


def _pay(project: Project, line: BudgetLine, grant: int) -> None:
    """Commit at approval; pay the first instalment at the start; on completion pay what was
    spent and settle the rest; a cancelled project's unpaid commitment is released."""
    common: dict[str, Any] = {"source": AUDIT_SOURCE}
    services.commit_grant(
        None,
        program_year_id=project.program_year_id,
        hub_id=project.hub_id,
        category_id=project.category_id,
        linkage=project.scope != Project.Scope.SINGLE_COMPLEX,
        project_id=project.pk,
        amount_krw=grant,
        now=project.approved_at,
        **common,
    )
    if project.started_at is not None:
        first = int(grant * PAID_SHARE_IN_PROGRESS)
        services.disburse(
            None, line, project.pk, first, reason="1차 지급", now=project.started_at, **common
        )
        if project.completed_at is not None:
            rest = int(grant * PAID_SHARE_COMPLETED) - first
            services.disburse(
                None, line, project.pk, rest, reason="잔금 지급", now=project.completed_at, **common
            )
    if project.completed_at is not None or project.cancelled_at is not None:
        services.settle(
            None,
            line,
            project.pk,
            reason="정산" if project.completed_at else "과제 취소",
            now=project.completed_at or project.cancelled_at,
            **common,
        )


def load_finance_demo() -> FinanceDemoSummary:
    summary = FinanceDemoSummary()
    year = ProgramYear.objects.filter(year=YEAR).first()
    if year is None:
        summary.note = f"no program year {YEAR}"
        return summary
    if LedgerTransaction.objects.filter(line__program_year=year).exists():
        summary.skipped = True
        return summary
    with transaction.atomic():
        root = services.open_tree(None, year, source=AUDIT_SOURCE)
        funded = _funded(year)
        lines = {project.pk: _line_of(project) for project in funded}
        demand: dict[int, int] = defaultdict(int)
        for project in funded:
            demand[lines[project.pk].pk] += int(project.grant)  # type: ignore[attr-defined]
        _allocate_tree(root, demand)
        summary.counts["reallocations"] = _reallocate(root)
        for project in funded:
            _pay(project, lines[project.pk], int(project.grant))  # type: ignore[attr-defined]
    totals = selectors.line_sums(root)
    summary.allocated_krw = totals.allocated_krw
    category = LedgerTransaction.objects.filter(line__program_year=year)
    sums = selectors.sums_of(category)
    summary.committed_krw = sums.committed_krw
    summary.disbursed_krw = sums.disbursed_krw
    summary.counts["projects"] = len(funded)
    summary.counts["transactions"] = category.count()
    return summary


def delete_finance() -> None:
    """Remove the ledger and the budget tree (tests that rebuild the demo). The ledger is
    append-only for every service; only this clean-up goes around it. Writes no audit."""
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM finance_ledgertransaction")
    for kind in ("category", "hub", "zone", "national", "year"):
        BudgetLine.objects.filter(kind=kind).delete()
