"""Budget pages: the year's tree with its figures and a chart, and each line's transactions.

Every row comes from a selector that starts from `restrict(request.user, "view")`: a line
outside the user's scope is a 404, and the tree shows only the lines the user may see.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from sandan.core.forms import FAILED, run_service
from sandan.core.pagination import paginate
from sandan.core.querysets import allows
from sandan.core.services import NotAllowed
from sandan.core.shortcuts import may
from sandan.finance import selectors, services
from sandan.finance.forms import AllocateForm
from sandan.finance.models import BudgetLine
from sandan.program.models import ProgramYear


def _years(user: Any) -> list[int]:
    return sorted(
        set(BudgetLine.objects.restrict(user, "view").values_list("program_year__year", flat=True)),
        reverse=True,
    )


def _chart(rows: list[tuple[int, selectors.Balance]]) -> dict[str, Any]:
    """Allocated, committed and paid of the lines one level below the top (zones and
    national lines), in 백만원."""
    top = [balance for depth, balance in rows if depth == 1] or [b for _d, b in rows]

    def million(values: list[int]) -> list[int]:
        return [round(value / 1_000_000) for value in values]

    return {
        "labels": [balance.line.name for balance in top],
        "datasets": [
            {"label": _("배정"), "data": million([b.allocated_krw for b in top])},
            {"label": _("약정"), "data": million([b.committed_krw for b in top])},
            {"label": _("집행"), "data": million([b.disbursed_krw for b in top])},
        ],
        "yTitle": _("백만원"),
    }


@login_required
def budget_tree(request: HttpRequest) -> HttpResponse:
    user = request.user
    years = _years(user)
    try:
        year = int(request.GET.get("year") or (years[0] if years else 0))
    except ValueError:
        year = years[0] if years else 0
    if year not in years:
        year = years[0] if years else 0
    lines = selectors.visible_lines(user, year) if year else BudgetLine.objects.none()
    rows = selectors.tree_order(selectors.balances(lines))
    top = [balance for depth, balance in rows if depth == 0]
    may_open = allows(user, BudgetLine, "add")
    context = {
        "years": years,
        # Years without a tree yet, which the user may open (HQ).
        "unopened": list(
            ProgramYear.objects.exclude(year__in=years).exclude(status=ProgramYear.Status.CLOSED)
        )
        if may_open
        else [],
        "year": year,
        "rows": rows,
        "top": top[0] if len(top) == 1 else None,
        "chart": _chart(rows),
    }
    return render(request, "finance/budget_tree.html", context)


@login_required
def line_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    line = selectors.visible_lines(user).filter(pk=pk).first()
    if line is None:
        raise Http404(_("예산 항목이 없거나 볼 수 없습니다."))
    may_allocate = may(user, BudgetLine, "change", line.pk) and line.children.exists()
    form = AllocateForm(request.POST or None, line=line) if may_allocate else None
    status = 200
    if form is not None and request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            done = run_service(
                form,
                lambda: services.allocate(
                    user, data["child"], data["amount_krw"], reason=data["reason"]
                ),
            )
            if done is not FAILED:
                messages.success(request, _("배정했습니다."))
                return redirect("finance:line_detail", pk=line.pk)
        status = 400
    subtree = [line, *selectors.visible_lines(user).filter(parent=line)]
    balances = selectors.balances(_with_descendants(user, subtree))
    balance = next(b for b in balances if b.line.pk == line.pk)
    children = [b for b in balances if b.line.parent_id == line.pk]
    transactions = selectors.visible_transactions(user, line=line.pk).select_related(
        "project", "actor", "approved_by"
    )
    context = {
        "line": line,
        "balance": balance,
        "children": children,
        "form": form,
        **paginate(request, transactions),
    }
    return render(request, "finance/line_detail.html", context, status=status)


def _with_descendants(user: Any, lines: list[BudgetLine]) -> list[BudgetLine]:
    """The lines and every visible line below them (the figures roll up the subtree)."""
    found = {line.pk: line for line in lines}
    frontier = [line.pk for line in lines]
    while frontier:
        below = list(selectors.visible_lines(user).filter(parent_id__in=frontier))
        frontier = [line.pk for line in below if line.pk not in found]
        found.update({line.pk: line for line in below})
    return list(found.values())


@login_required
@require_POST
def open_tree(request: HttpRequest, year: int) -> HttpResponse:
    """Open the year's budget tree (its lines, no money yet): HQ, through the service."""
    program_year = get_object_or_404(ProgramYear, year=year)
    if not allows(request.user, BudgetLine, "add"):
        raise NotAllowed(_("예산 항목을 편성할 권한이 없습니다."))
    services.open_tree(request.user, program_year)
    messages.success(request, _("예산 항목을 편성했습니다. 이제 총액부터 배정하세요."))
    return redirect(f"{reverse('finance:budget_tree')}?year={year}")
