"""Reads of the ledger: a line's balances are sums of its transactions, never stored."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet, Sum
from django.db.models.functions import Coalesce

from sandan.finance.models import BudgetLine, LedgerTransaction

K = LedgerTransaction.Kind


def _sum(kind: str, prefix: str = "") -> Any:
    return Coalesce(Sum(f"{prefix}amount_krw", filter=Q(**{f"{prefix}kind": kind})), 0)


@dataclass(frozen=True)
class Sums:
    """The sums of one line's (or one project's) transactions by kind."""

    allocate: int = 0
    reallocate_out: int = 0
    reallocate_in: int = 0
    commit: int = 0
    disburse: int = 0
    returned: int = 0
    settle: int = 0

    @property
    def allocated_krw(self) -> int:
        return self.allocate + self.reallocate_in - self.reallocate_out

    @property
    def committed_krw(self) -> int:
        """What is reserved for projects and not yet released (returned or settled)."""
        return self.commit - self.returned - self.settle

    @property
    def disbursed_krw(self) -> int:
        return self.disburse - self.returned

    @property
    def undisbursed_krw(self) -> int:
        """Committed and not yet paid: what settlement may release."""
        return self.committed_krw - self.disbursed_krw


FIELDS = {
    "allocate": K.ALLOCATE,
    "reallocate_out": K.REALLOCATE_OUT,
    "reallocate_in": K.REALLOCATE_IN,
    "commit": K.COMMIT,
    "disburse": K.DISBURSE,
    "returned": K.RETURN,
    "settle": K.SETTLE,
}


def sums_of(transactions: QuerySet[LedgerTransaction]) -> Sums:
    row = transactions.aggregate(**{name: _sum(kind) for name, kind in FIELDS.items()})
    return Sums(**{name: int(row[name]) for name in FIELDS})


@dataclass(frozen=True)
class Balance:
    """A line's figures: what it received, passed down, reserved, paid and has left.

    `committed_krw` and `disbursed_krw` are those of the line's whole subtree (only
    category lines hold commitments), so a zone's row reads like a budget table;
    `available_krw` is what the line itself has neither passed down nor committed.
    """

    line: BudgetLine
    sums: Sums
    children_allocated_krw: int
    subtree_committed_krw: int | None = None
    subtree_disbursed_krw: int | None = None

    @property
    def allocated_krw(self) -> int:
        return self.sums.allocated_krw

    @property
    def committed_krw(self) -> int:
        if self.subtree_committed_krw is not None:
            return self.subtree_committed_krw
        return self.sums.committed_krw

    @property
    def disbursed_krw(self) -> int:
        if self.subtree_disbursed_krw is not None:
            return self.subtree_disbursed_krw
        return self.sums.disbursed_krw

    @property
    def own_committed_krw(self) -> int:
        return self.sums.committed_krw

    @property
    def available_krw(self) -> int:
        return self.allocated_krw - self.children_allocated_krw - self.sums.committed_krw

    @property
    def execution_pct(self) -> float:
        """집행률: paid out of what the line (and its subtree) received."""
        return 100.0 * self.disbursed_krw / self.allocated_krw if self.allocated_krw else 0.0


def line_sums(line: BudgetLine) -> Sums:
    return sums_of(LedgerTransaction.objects.filter(line=line))


def children_allocated(line: BudgetLine) -> int:
    return sums_of(LedgerTransaction.objects.filter(line__parent=line)).allocated_krw


def balance_of(line: BudgetLine) -> Balance:
    return Balance(line, line_sums(line), children_allocated(line))


def project_sums(project_id: int, line: BudgetLine | None = None) -> Sums:
    transactions = LedgerTransaction.objects.filter(project_id=project_id)
    if line is not None:
        transactions = transactions.filter(line=line)
    return sums_of(transactions)


def balances(lines: Iterable[BudgetLine]) -> list[Balance]:
    """The balance of every line given, in two queries however many lines there are;
    committed and disbursed add up from the category lines among them to their ancestors
    among them (pass whole subtrees)."""
    lines = list(lines)
    ids = [line.pk for line in lines]
    sums = {
        row["line_id"]: Sums(**{name: int(row[name]) for name in FIELDS})
        for row in LedgerTransaction.objects.filter(line_id__in=ids)
        .order_by()
        .values("line_id")
        .annotate(**{name: _sum(kind) for name, kind in FIELDS.items()})
    }
    children = {
        row["line__parent_id"]: int(row["given"]) - int(row["taken"])
        for row in LedgerTransaction.objects.filter(line__parent_id__in=ids)
        .order_by()
        .values("line__parent_id")
        .annotate(
            given=Coalesce(Sum("amount_krw", filter=Q(kind__in=[K.ALLOCATE, K.REALLOCATE_IN])), 0),
            taken=_sum(K.REALLOCATE_OUT),
        )
    }
    committed: dict[int, int] = {}
    disbursed: dict[int, int] = {}
    parents = {line.pk: line.parent_id for line in lines}
    for line in lines:
        own = sums.get(line.pk, Sums())
        node: int | None = line.pk
        while node is not None and node in parents:
            committed[node] = committed.get(node, 0) + own.committed_krw
            disbursed[node] = disbursed.get(node, 0) + own.disbursed_krw
            node = parents[node]
    return [
        Balance(
            line,
            sums.get(line.pk, Sums()),
            children.get(line.pk, 0),
            committed.get(line.pk, 0),
            disbursed.get(line.pk, 0),
        )
        for line in lines
    ]


def visible_lines(user: Any, year: int | None = None) -> QuerySet[BudgetLine]:
    lines = BudgetLine.objects.restrict(user, "view").select_related(
        "program_year", "zone", "hub__complex", "category"
    )
    if year is not None:
        lines = lines.filter(program_year__year=year)
    return lines.order_by("program_year__year", "pk")


def visible_transactions(
    user: Any,
    *,
    line: int | None = None,
    project: int | None = None,
    year: int | None = None,
) -> QuerySet[LedgerTransaction]:
    rows = LedgerTransaction.objects.restrict(user, "view").select_related("line")
    if line is not None:
        rows = rows.filter(line_id=line)
    if project is not None:
        rows = rows.filter(project_id=project)
    if year is not None:
        rows = rows.filter(line__program_year__year=year)
    return rows.order_by("-at", "-pk")


def root_of_year(year: Any) -> BudgetLine | None:
    return BudgetLine.objects.filter(program_year=year, kind=BudgetLine.Kind.YEAR).first()


def line_for_project(
    program_year_id: int, hub_id: int, category_id: int, linkage: bool
) -> BudgetLine | None:
    """The category line a project's grant is committed against: the category of its hub,
    or, for a project that links complexes or zones, the category of the national linkage
    line (ADR 0019)."""
    lines = BudgetLine.objects.filter(
        program_year_id=program_year_id, kind=BudgetLine.Kind.CATEGORY, category_id=category_id
    )
    if linkage:
        lines = lines.filter(
            parent__kind=BudgetLine.Kind.NATIONAL,
            parent__purpose=BudgetLine.Purpose.LINKAGE,
        )
    else:
        lines = lines.filter(parent__kind=BudgetLine.Kind.HUB, parent__hub_id=hub_id)
    return lines.select_related("program_year").first()


@dataclass(frozen=True)
class ProjectMoney:
    """A project's money on the ledger, for its page: what was committed, paid, returned
    and released, and the movements behind it (only those the user may see)."""

    sums: Sums
    transactions: list[LedgerTransaction]


def project_money(user: Any, project_id: int) -> ProjectMoney:
    rows = list(
        visible_transactions(user, project=project_id).select_related("line").order_by("at", "pk")
    )
    sums = Sums(
        **{
            name: sum(row.amount_krw for row in rows if row.kind == kind)
            for name, kind in FIELDS.items()
        }
    )
    return ProjectMoney(sums, rows)


def tree_order(balances_: list[Balance]) -> list[tuple[int, Balance]]:
    """(depth, balance) in the order of the tree, parents before their children; a line
    whose parent is not among them starts at depth 0."""
    by_parent: dict[int | None, list[Balance]] = {}
    ids = {balance.line.pk for balance in balances_}
    for balance in balances_:
        parent = balance.line.parent_id if balance.line.parent_id in ids else None
        by_parent.setdefault(parent, []).append(balance)
    ordered: list[tuple[int, Balance]] = []

    def walk(parent: int | None, depth: int) -> None:
        for balance in by_parent.get(parent, []):
            ordered.append((depth, balance))
            walk(balance.line.pk, depth + 1)

    walk(None, 0)
    return ordered
