"""Reconciliation: every line's balance recomputed row by row from its transactions and
compared with what the pages and the API show (the database's sums), and every invariant
checked. Used by `sandan reconcile --year Y`."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from sandan.finance import selectors
from sandan.finance.models import BudgetLine, LedgerTransaction
from sandan.program.models import ProgramYear

K = LedgerTransaction.Kind
SIGNS: dict[str, tuple[int, int, int]] = {
    # kind: (allocated, committed, disbursed)
    K.ALLOCATE: (1, 0, 0),
    K.REALLOCATE_IN: (1, 0, 0),
    K.REALLOCATE_OUT: (-1, 0, 0),
    K.COMMIT: (0, 1, 0),
    K.DISBURSE: (0, 0, 1),
    K.RETURN: (0, -1, -1),
    K.SETTLE: (0, -1, 0),
}


@dataclass
class Report:
    year: int
    budget_krw: int = 0
    allocated_krw: int = 0
    committed_krw: int = 0
    disbursed_krw: int = 0
    lines: int = 0
    transactions: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def reconcile(program_year: ProgramYear) -> Report:
    report = Report(year=program_year.year, budget_krw=program_year.budget_total_krw)
    lines = list(BudgetLine.objects.filter(program_year=program_year).order_by("pk"))
    report.lines = len(lines)
    figures: dict[int, list[int]] = defaultdict(lambda: [0, 0, 0])
    by_project: dict[tuple[int, int], list[int]] = defaultdict(lambda: [0, 0, 0])
    rows = LedgerTransaction.objects.filter(line__program_year=program_year).values_list(
        "line_id", "project_id", "kind", "amount_krw"
    )
    for line_id, project_id, kind, amount in rows.iterator():
        report.transactions += 1
        for index, sign in enumerate(SIGNS[kind]):
            figures[line_id][index] += sign * amount
            if project_id is not None:
                by_project[(line_id, project_id)][index] += sign * amount
    children: dict[int, int] = defaultdict(int)
    for line in lines:
        if line.parent_id is not None:
            children[line.parent_id] += figures[line.pk][0]
    for balance in selectors.balances(lines):
        _check_line(report, balance, figures[balance.line.pk], children[balance.line.pk])
    for (line_id, project_id), (_a, committed, disbursed) in sorted(by_project.items()):
        if not 0 <= disbursed <= committed:
            report.problems.append(
                _(
                    "항목 %(line)s 과제 %(project)s: "
                    "집행 %(paid)s원이 약정 %(committed)s원을 넘습니다."
                )
                % {
                    "line": line_id,
                    "project": project_id,
                    "paid": f"{disbursed:,}",
                    "committed": f"{committed:,}",
                }
            )
    for line in lines:
        if line.kind == BudgetLine.Kind.CATEGORY:
            report.committed_krw += figures[line.pk][1]
            report.disbursed_krw += figures[line.pk][2]
        if line.parent_id is None:
            report.allocated_krw = figures[line.pk][0]
    if report.allocated_krw > report.budget_krw:
        report.problems.append(
            _("총액 배정 %(allocated)s원이 사업연도 예산 %(budget)s원을 넘습니다.")
            % {"allocated": f"{report.allocated_krw:,}", "budget": f"{report.budget_krw:,}"}
        )
    return report


def _check_line(
    report: Report, balance: selectors.Balance, recomputed: list[int], children: int
) -> None:
    allocated, committed, disbursed = recomputed
    own = balance.sums  # the line's own sums (the pages add the subtree up from these)
    shown = (own.allocated_krw, own.committed_krw, own.disbursed_krw)
    name = balance.line.name
    if shown != (allocated, committed, disbursed) or balance.children_allocated_krw != children:
        report.problems.append(
            _("%(line)s: 합계가 거래 내역과 다릅니다 (%(shown)s ≠ %(recomputed)s).")
            % {"line": name, "shown": shown, "recomputed": (allocated, committed, disbursed)}
        )
    available = allocated - children - committed
    if available < 0 or min(allocated, committed, disbursed) < 0:
        report.problems.append(
            _("%(line)s: 잔액이 0원 아래입니다 (가용 %(available)s원).")
            % {"line": name, "available": f"{available:,}"}
        )
    if balance.line.kind != BudgetLine.Kind.CATEGORY and committed:
        report.problems.append(_("%(line)s: 분야 항목이 아닌데 약정이 있습니다.") % {"line": name})
