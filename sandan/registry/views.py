"""Registry pages: complexes, organisations and experts (lists, details, edit forms).

Every row comes from a selector or `.restrict(request.user, action)`: a row outside the
user's scope is a 404, an edit outside it a 403. Writes go through `registry.services`.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from sandan.core.forms import FAILED, run_service
from sandan.core.pagination import paginate
from sandan.core.privacy import with_contact_flag
from sandan.core.querysets import RestrictedQuerySet
from sandan.core.shortcuts import get_changeable_or_403, get_visible_or_404, may, may_read_history
from sandan.registry import selectors, services
from sandan.registry.forms import (
    SERVICE_CATEGORY_LABELS,
    ComplexFilterForm,
    ComplexForm,
    ExpertFilterForm,
    OrganisationFilterForm,
    OrganisationForm,
)
from sandan.registry.models import Complex, Expert, Organisation

ORGANISATIONS_ON_COMPLEX_PAGE = 50


# Complexes -------------------------------------------------------------------------


@login_required
def complex_list(request: HttpRequest) -> HttpResponse:
    form = ComplexFilterForm(request.GET or None, user=request.user)
    queryset = selectors.complexes(request.user, form.to_filter())
    context = {"form": form, **paginate(request, queryset)}
    return render(request, "registry/complex_list.html", context)


def _complexes() -> RestrictedQuerySet[Complex]:
    """Complexes as their pages show them (scoped by the look-up that reads them)."""
    return Complex.objects.select_related("province__zone", "municipality", "office")


@login_required
def complex_detail(request: HttpRequest, kicox_id: str) -> HttpResponse:
    user = request.user
    complex_ = get_visible_or_404(
        _complexes(), user, _("산업단지를 찾을 수 없습니다."), kicox_id=kicox_id
    )
    stats = list(selectors.complex_stats(user, complex_.pk))
    organisations_qs = selectors.organisations(user).filter(complex=complex_)
    organisations = list(organisations_qs[: ORGANISATIONS_ON_COMPLEX_PAGE + 1])
    chart = {
        "labels": [stat.period for stat in stats],
        "yTitle": _("업체 수(개사)"),
        "y2Title": _("고용(명)"),
        "datasets": [
            {"label": _("입주업체"), "data": [stat.tenants for stat in stats]},
            {"label": _("가동업체"), "data": [stat.operating_firms for stat in stats]},
            {
                "label": _("고용(명)"),
                "data": [stat.employment_persons for stat in stats],
                "axis": "y2",
            },
        ],
    }
    context = {
        "complex": complex_,
        "stats": stats,
        "chart": chart,
        "organisations": organisations[:ORGANISATIONS_ON_COMPLEX_PAGE],
        "more_organisations": len(organisations) > ORGANISATIONS_ON_COMPLEX_PAGE,
        "organisations_url": reverse("registry:organisation_list")
        + "?"
        + urlencode({"complex": complex_.kicox_id}),
        "may_change": may(user, Complex, "change", complex_.pk),
        "may_read_history": may_read_history(user, Complex, complex_.pk),
    }
    return render(request, "registry/complex_detail.html", context)


@login_required
def complex_edit(request: HttpRequest, kicox_id: str) -> HttpResponse:
    complex_ = get_changeable_or_403(
        _complexes(),
        request.user,
        _("산업단지를 찾을 수 없습니다."),
        _("이 산업단지를 수정할 권한이 없습니다."),
        kicox_id=kicox_id,
    )
    form = ComplexForm(request.POST or None, instance=complex_)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            saved = run_service(
                form,
                lambda: services.update_complex(
                    request.user, complex_, reason=form.cleaned_data["reason"], **form.changes()
                ),
            )
            if saved is not FAILED:
                messages.success(request, _("산업단지 정보를 저장했습니다."))
                return redirect("registry:complex_detail", kicox_id=complex_.kicox_id)
        status = 400
    return render(
        request, "registry/complex_form.html", {"complex": complex_, "form": form}, status=status
    )


# Organisations ---------------------------------------------------------------------


@login_required
def organisation_list(request: HttpRequest) -> HttpResponse:
    form = OrganisationFilterForm(request.GET or None, user=request.user)
    queryset = selectors.organisations(request.user, form.to_filter())
    context = {"form": form, **paginate(request, queryset)}
    return render(request, "registry/organisation_list.html", context)


def _organisations(user: Any) -> RestrictedQuerySet[Organisation]:
    """Organisations as their pages show them, flagged whether `user` may see the contacts."""
    return with_contact_flag(
        Organisation.objects.select_related("complex__province", "industry"), user
    )


@login_required
def organisation_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    organisation = get_visible_or_404(
        _organisations(user), user, _("기관을 찾을 수 없습니다."), pk=pk
    )
    experts = with_contact_flag(selectors.experts(user).filter(affiliation=organisation), user)
    context = {
        "organisation": organisation,
        "experts": experts,
        "may_change": may(user, Organisation, "change", organisation.pk),
        "may_read_history": may_read_history(user, Organisation, organisation.pk),
    }
    return render(request, "registry/organisation_detail.html", context)


@login_required
def organisation_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    organisation = get_changeable_or_403(
        _organisations(user),
        user,
        _("기관을 찾을 수 없습니다."),
        _("이 기관을 수정할 권한이 없습니다."),
        pk=pk,
    )
    show_contacts = bool(organisation.contact_visible)  # type: ignore[attr-defined]
    form = OrganisationForm(
        request.POST or None, user=user, organisation=organisation, show_contacts=show_contacts
    )
    status = 200
    if request.method == "POST":
        if form.is_valid():
            saved = run_service(
                form,
                lambda: services.update_organisation(
                    user, organisation, reason=form.cleaned_data["reason"], **form.changes()
                ),
                rename=form.FIELD_FOR_MODEL,
            )
            if saved is not FAILED:
                messages.success(request, _("기관 정보를 저장했습니다."))
                return redirect("registry:organisation_detail", pk=organisation.pk)
        status = 400
    return render(
        request,
        "registry/organisation_form.html",
        {"organisation": organisation, "form": form},
        status=status,
    )


# Experts ---------------------------------------------------------------------------


@login_required
def expert_list(request: HttpRequest) -> HttpResponse:
    form = ExpertFilterForm(request.GET or None)
    queryset = with_contact_flag(
        selectors.experts(request.user, q=form.value("q"), category=form.value("category")),
        request.user,
    )
    context = {"form": form, "categories": SERVICE_CATEGORY_LABELS, **paginate(request, queryset)}
    return render(request, "registry/expert_list.html", context)


@login_required
def expert_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    queryset = with_contact_flag(
        Expert.objects.select_related("affiliation__complex"), user
    ).prefetch_related("industries")
    expert = get_visible_or_404(queryset, user, _("전문가를 찾을 수 없습니다."), pk=pk)
    context = {
        "expert": expert,
        "categories": [
            SERVICE_CATEGORY_LABELS.get(code, code) for code in expert.service_categories or []
        ],
        "may_read_history": may_read_history(user, Expert, expert.pk),
    }
    return render(request, "registry/expert_detail.html", context)
