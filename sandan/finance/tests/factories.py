"""Money for tests: the year's tree opened and a hub's lines funded through the services."""

from __future__ import annotations

from sandan.finance import selectors, services
from sandan.finance.models import BudgetLine
from sandan.program.models import Designation, ProgramYear

# What a funded category line receives: enough for several projects under the year's
# per-firm cap (100,000,000 KRW in 2010).
PER_CATEGORY_KRW = 500_000_000


def budget_year(year: ProgramYear, total_krw: int = 66_300_000_000) -> BudgetLine:
    """The year's tree opened, and its total allocated from the year's budget."""
    if year.budget_total_krw < total_krw:
        year.budget_total_krw = total_krw
        year.save(update_fields=["budget_total_krw"])
    root = services.open_tree(None, year)
    given = selectors.line_sums(root).allocated_krw
    if given < year.budget_total_krw:
        services.allocate(None, root, year.budget_total_krw - given)
    return root


def fund(line: BudgetLine, amount_krw: int) -> None:
    """Pass `amount_krw` down from the root to `line`, through every line between."""
    path = []
    node: BudgetLine | None = line
    while node is not None and node.parent_id is not None:
        path.append(node)
        node = node.parent
    for step in reversed(path):
        services.allocate(None, step, amount_krw)


def fund_hub(hub: Designation, per_category_krw: int = PER_CATEGORY_KRW) -> None:
    """Every category line of the hub, and of the national linkage line, gets money (once)."""
    budget_year(hub.program_year)
    hub_line = BudgetLine.objects.get(kind=BudgetLine.Kind.HUB, hub=hub)
    linkage = BudgetLine.objects.get(
        program_year=hub.program_year,
        kind=BudgetLine.Kind.NATIONAL,
        purpose=BudgetLine.Purpose.LINKAGE,
    )
    for parent in (hub_line, linkage):
        for category_line in parent.children.all():
            if selectors.line_sums(category_line).allocated_krw == 0:
                fund(category_line, per_category_krw)
