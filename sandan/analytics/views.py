"""The dashboard: national counts, a province map and a chart of complexes per zone."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from sandan.analytics.selectors import Overview, overview
from sandan.core.i18n import local_name, pick_name
from sandan.registry import geo


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
def dashboard(request: HttpRequest) -> HttpResponse:
    data = overview(request.user)
    context = {
        "data": data,
        "chart": _chart(data),
        "operating_rate": (data.operating_firms * 100 / data.tenants) if data.tenants else None,
        **_map_context(data),
    }
    return render(request, "analytics/dashboard.html", context)
