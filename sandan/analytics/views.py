"""The home page of each role (`/`) and the national registry overview: counts, a
province map and a chart of complexes per zone."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from sandan.accounts.roles import Role
from sandan.analytics import home
from sandan.analytics.selectors import Overview, overview
from sandan.core.audit_display import HISTORY_MODELS
from sandan.core.i18n import local_name, pick_name
from sandan.registry import geo
from sandan.registry.models import Zone


@dataclass(frozen=True)
class MapRegion:
    code: str
    name: str
    count: int
    bucket: int
    path: str


def _map_context(data: Overview) -> dict[str, Any]:
    shapes = geo.province_shapes()
    counts = data.province_counts
    names = {p.code: local_name(p) for p in data.provinces}
    rows: list[tuple[str, str, int]] = []
    regions: list[MapRegion] = []
    if shapes is not None:
        for shape in shapes.provinces:
            codes = {shape.code, shape.code_current}
            count = sum(counts.get(code, 0) for code in codes)
            name = names.get(shape.code_current) or pick_name(shape.name_ko, shape.name_en)
            rows.append((shape.code_current, name, count))
        bounds = geo.bucket_bounds([count for _, _, count in rows])
        regions = [
            MapRegion(
                code=code,
                name=name,
                count=count,
                bucket=geo.bucket_of(count, bounds),
                path=shape.path,
            )
            for (code, name, count), shape in zip(rows, shapes.provinces, strict=True)
        ]
    else:
        current = [p for p in data.provinces if p.valid_until is None]
        rows = [(p.code, names[p.code], counts.get(p.code, 0)) for p in current]
        known = {p.code for p in current}
        rows += [
            (p.code, names[p.code], counts[p.code])
            for p in data.provinces
            if p.code not in known and counts.get(p.code)
        ]
        bounds = geo.bucket_bounds([count for _, _, count in rows])
    legend = []
    low = 0
    for index, bound in enumerate(bounds):
        legend.append((index, low, bound))
        low = bound + 1
    return {
        "map": shapes,
        "map_regions": regions,
        "map_rows": sorted(rows, key=lambda row: (-row[2], row[0])),
        "map_legend": legend,
    }


def _chart(data: Overview) -> dict[str, Any]:
    return {
        "labels": [local_name(row.zone) for row in data.zone_rows],
        "yTitle": _("산업단지 수"),
        "datasets": [
            {"label": label, "data": [row.by_kind.get(kind, 0) for row in data.zone_rows]}
            for kind, label in data.kinds
        ],
    }


@login_required
def overview_page(request: HttpRequest) -> HttpResponse:
    """전국 산업단지 현황: the registry's national figures (part of HQ's and the ministry's
    home, one click away for everyone)."""
    data = overview(request.user)
    context = {
        "data": data,
        "chart": _chart(data),
        "operating_rate": (data.operating_firms * 100 / data.tenants) if data.tenants else None,
        **_map_context(data),
    }
    return render(request, "analytics/overview.html", context)


# The home page of each role ------------------------------------------------------------

_HOME_TEMPLATES: dict[str, str] = {
    Role.COMPANY_USER: "analytics/home_firm.html",
    Role.COORDINATOR: "analytics/home_coordinator.html",
    Role.REGIONAL_STAFF: "analytics/home_zone.html",
    Role.HQ_STAFF: "analytics/home_national.html",
    Role.MINISTRY_OFFICER: "analytics/home_national.html",
    Role.EXPERT: "analytics/home_expert.html",
    Role.AUDITOR: "analytics/home_auditor.html",
}


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    """홈: the signed-in user's own work, by the role they hold (see `sandan.analytics.home`).

    HQ and the ministry see the nation by zone; `?zone=<code>` opens one zone's page (the
    one a regional HQ lands on)."""
    user = request.user
    role = home.home_role(user)
    when = home.period()
    context: dict[str, Any] = {"role": role, "period": when}
    if role in (Role.HQ_STAFF, Role.MINISTRY_OFFICER) and request.GET.get("zone"):
        zone = Zone.objects.restrict(user, "view").filter(code=request.GET["zone"]).first()
        if zone is None:
            raise Http404(_("그런 광역경제권이 없습니다."))
        return _zone_page(request, context, zone, national=True)
    if role == Role.REGIONAL_STAFF:
        zones = list(Zone.objects.filter(pk__in=home.zones_of(user)).order_by("order"))
        wanted = request.GET.get("zone")
        zone = next((z for z in zones if z.code == wanted), zones[0] if zones else None)
        if zone is not None:
            context["my_zones"] = zones
            return _zone_page(request, context, zone, national=False)
    if role == Role.COMPANY_USER:
        context["home"] = home.firm_home(user, when)
    elif role == Role.COORDINATOR:
        context["home"] = home.coordinator_home(user, when)
    elif role in (Role.HQ_STAFF, Role.MINISTRY_OFFICER):
        context["home"] = home.national_home(user, when)
    elif role == Role.EXPERT:
        context["home"] = home.expert_home(user)
    elif role == Role.AUDITOR:
        context["home"] = home.auditor_home(user, when)
        context["history_models"] = HISTORY_MODELS
    template = _HOME_TEMPLATES.get(role, "analytics/home_none.html")
    return render(request, template, context)


def _zone_page(
    request: HttpRequest, context: dict[str, Any], zone: Zone, *, national: bool
) -> HttpResponse:
    context.update(
        zone=zone,
        national=national,
        home=home.zone_home(request.user, context["period"], zone),
    )
    return render(request, "analytics/home_zone.html", context)
