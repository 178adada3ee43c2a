"""The program-year editor (HQ): targets and budget, rules, service categories and how they
map onto the previous year's, and the year's timeline. Every write goes through
program.services_year, which audits it and wants a reason once the year is approved."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from sandan.core.forms import FAILED, run_action, run_service
from sandan.core.querysets import allows
from sandan.core.shortcuts import get_visible_or_404
from sandan.program import selectors, services_year
from sandan.program.forms import CopyYearForm
from sandan.program.forms_year import (
    CategoryForm,
    MilestoneForm,
    ReasonForm,
    YearRulesForm,
    YearTargetsForm,
)
from sandan.program.models import ProgramYear, ServiceCategory, YearMilestone


def _year(request: HttpRequest, year: int) -> ProgramYear:
    return get_visible_or_404(
        ProgramYear.objects.all(), request.user, _("사업연도를 찾을 수 없습니다."), year=year
    )


def may_edit(user: Any, program_year: ProgramYear) -> bool:
    return program_year.status != ProgramYear.Status.CLOSED and (
        ProgramYear.objects.restrict(user, "change").filter(pk=program_year.pk).exists()
    )


def _editable_year(request: HttpRequest, year: int) -> ProgramYear:
    program_year = _year(request, year)
    if not may_edit(request.user, program_year):
        raise PermissionDenied(_("이 사업연도를 바꿀 권한이 없습니다."))
    return program_year


def _edit_page(
    request: HttpRequest,
    program_year: ProgramYear,
    form: Any,
    save: Callable[[], Any],
    *,
    title: str,
    done: str,
    template: str = "program/year_form.html",
    back: str | None = None,
    extra: dict[str, Any] | None = None,
) -> HttpResponse:
    status = 200
    if request.method == "POST":
        if form.is_valid() and run_service(form, save) is not FAILED:
            messages.success(request, done)
            return redirect(back or reverse("program:year_detail", args=[program_year.year]))
        status = 400
    context = {"program_year": program_year, "form": form, "title": title, **(extra or {})}
    return render(request, template, context, status=status)


@login_required
def editor(request: HttpRequest) -> HttpResponse:
    """The menu's "사업연도 편집": every year HQ may edit, each with its four editors, and a
    new year made from the newest one."""
    if not allows(request.user, ProgramYear, "change"):
        raise PermissionDenied(_("사업연도를 편집할 권한이 없습니다."))
    years = list(selectors.editable_years(request.user))
    newest = years[0] if years else None
    return render(
        request,
        "program/editor.html",
        {
            "years": years,
            "newest": newest,
            "copy_form": CopyYearForm(initial={"year": newest.year + 1}) if newest else None,
            "may_copy": newest is not None and allows(request.user, ProgramYear, "add"),
        },
    )


@login_required
def year_edit(request: HttpRequest, year: int) -> HttpResponse:
    program_year = _editable_year(request, year)
    form = YearTargetsForm(request.POST or None, program_year=program_year)

    def save() -> ProgramYear:
        data = form.cleaned_data
        return services_year.update_year_targets(
            request.user,
            program_year,
            hub_target=data["hub_target"],
            linked_target=data["linked_target"],
            budget_total_krw=data["budget_total_krw"],
            zone_targets=form.zone_targets(),
            notes=data["notes"],
            reason=data["reason"],
            override_reason=data["override_reason"],
        )

    return _edit_page(
        request,
        program_year,
        form,
        save,
        title=_("목표와 예산"),
        done=_("목표와 예산을 저장했습니다."),
        template="program/year_targets_form.html",
    )


@login_required
def year_rules(request: HttpRequest, year: int) -> HttpResponse:
    program_year = _editable_year(request, year)
    form = YearRulesForm(request.POST or None, program_year=program_year)
    return _edit_page(
        request,
        program_year,
        form,
        lambda: services_year.update_year_rules(
            request.user,
            program_year,
            form.rules(),
            reason=form.cleaned_data["reason"],
            override_reason=form.cleaned_data["override_reason"],
        ),
        title=_("운영 규칙"),
        done=_("운영 규칙을 저장했습니다."),
    )


@login_required
def categories(request: HttpRequest, year: int) -> HttpResponse:
    """The year's categories next to the earlier years' ones they fold in (the crosswalk)."""
    program_year = _year(request, year)
    years, rows, unmapped = selectors.compare_categories(program_year)
    earlier_years = [y for y in years if y != program_year.year]
    return render(
        request,
        "program/categories.html",
        {
            "program_year": program_year,
            "years": earlier_years,
            "rows": [(row, [row.earlier.get(y, []) for y in earlier_years]) for row in rows],
            "unmapped": unmapped,
            "previous": services_year.previous_year(program_year),
            "may_edit": may_edit(request.user, program_year),
        },
    )


def _category_page(
    request: HttpRequest, program_year: ProgramYear, category: ServiceCategory | None
) -> HttpResponse:
    previous = services_year.previous_year(program_year)
    form = CategoryForm(
        request.POST or None, program_year=program_year, previous=previous, category=category
    )

    def save() -> ServiceCategory:
        data = form.cleaned_data
        return services_year.save_category(
            request.user,
            program_year,
            category=category,
            code=data["code"],
            name_ko=data["name_ko"],
            name_en=data["name_en"],
            description=data["description"],
            keywords=data["keywords"],
            order=data["order"],
            maps_from=form.maps_from(),
            reason=data["reason"],
        )

    return _edit_page(
        request,
        program_year,
        form,
        save,
        title=_("분야 고치기") if category else _("분야 추가"),
        done=_("지원서비스 분야를 저장했습니다."),
        back=reverse("program:categories", args=[program_year.year]),
        extra={"category": category},
    )


@login_required
def category_new(request: HttpRequest, year: int) -> HttpResponse:
    return _category_page(request, _editable_year(request, year), None)


def _category(program_year: ProgramYear, request: HttpRequest, code: str) -> ServiceCategory:
    return get_visible_or_404(
        ServiceCategory.objects.filter(program_year=program_year),
        request.user,
        _("지원서비스 분야를 찾을 수 없습니다."),
        code=code,
    )


@login_required
def category_edit(request: HttpRequest, year: int, code: str) -> HttpResponse:
    program_year = _editable_year(request, year)
    return _category_page(request, program_year, _category(program_year, request, code))


@login_required
@require_POST
def category_delete(request: HttpRequest, year: int, code: str) -> HttpResponse:
    program_year = _editable_year(request, year)
    category = _category(program_year, request, code)
    reason = request.POST.get("reason", "")
    if (
        run_action(
            request, lambda: services_year.delete_category(request.user, category, reason=reason)
        )
        is not FAILED
    ):
        messages.success(request, _("%(name)s 분야를 지웠습니다.") % {"name": category.name_ko})
    return redirect("program:categories", year=year)


@login_required
def timeline(request: HttpRequest, year: int) -> HttpResponse:
    program_year = _year(request, year)
    editable = may_edit(request.user, program_year)
    form = MilestoneForm(request.POST or None, program_year=program_year)
    status = 200
    if request.method == "POST":
        if not editable:
            raise PermissionDenied(_("이 사업연도를 바꿀 권한이 없습니다."))
        if form.is_valid():
            data = form.cleaned_data
            added = run_service(
                form,
                lambda: services_year.add_milestone(
                    request.user,
                    program_year,
                    due_on=data["due_on"],
                    title_ko=data["title_ko"],
                    title_en=data["title_en"],
                    note=data["note"],
                    reason=data["reason"],
                ),
            )
            if added is not FAILED:
                messages.success(request, _("일정을 추가했습니다."))
                return redirect("program:timeline", year=year)
        status = 400
    return render(
        request,
        "program/timeline.html",
        {
            "program_year": program_year,
            "milestones": program_year.milestones.all(),
            "form": form,
            "delete_form": ReasonForm(program_year=program_year),
            "may_edit": editable,
        },
        status=status,
    )


@login_required
@require_POST
def milestone_delete(request: HttpRequest, year: int, pk: int) -> HttpResponse:
    program_year = _editable_year(request, year)
    milestone = get_visible_or_404(
        YearMilestone.objects.filter(program_year=program_year),
        request.user,
        _("일정을 찾을 수 없습니다."),
        pk=pk,
    )
    reason = request.POST.get("reason", "")
    if (
        run_action(
            request, lambda: services_year.delete_milestone(request.user, milestone, reason=reason)
        )
        is not FAILED
    ):
        messages.success(request, _("일정을 지웠습니다."))
    return redirect("program:timeline", year=year)


__all__ = [
    "categories",
    "category_delete",
    "category_edit",
    "category_new",
    "editor",
    "milestone_delete",
    "timeline",
    "year_edit",
    "year_rules",
]
