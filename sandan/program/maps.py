"""The hub → linked tree of a program year drawn on the province map (server-side SVG)."""

from __future__ import annotations

from typing import Any

from sandan.analytics.map import province_shapes
from sandan.program.models import Designation
from sandan.registry.geo import LonLat, municipality_centroids, province_centroids


def _where(designation: Designation) -> LonLat | None:
    complex_ = designation.complex
    if complex_.municipality_id is not None and complex_.municipality is not None:
        found = municipality_centroids().get(complex_.municipality.code)
        if found:
            return found
    return province_centroids().get(complex_.province.code)


def designation_map(rows: list[Designation]) -> dict[str, Any] | None:
    """Provinces, hubs as large dots, linked complexes as small dots joined to their hub."""
    shapes = province_shapes()
    if shapes is None:
        return None
    points: dict[int, tuple[float, float]] = {}
    for row in rows:
        where = _where(row)
        if where is not None:
            points[row.pk] = shapes.project(*where)
    hubs, linked, links = [], [], []
    for row in rows:
        if row.pk not in points:
            continue
        x, y = points[row.pk]
        label = f"{row.complex.name_ko} ({row.get_role_display()})"
        if row.role == Designation.Role.HUB:
            hubs.append({"x": x, "y": y, "label": label, "zone": row.zone.code})
        else:
            linked.append({"x": x, "y": y, "label": label, "zone": row.zone.code})
            if row.hub_id in points:
                hx, hy = points[row.hub_id]
                links.append({"x1": hx, "y1": hy, "x2": x, "y2": y, "zone": row.zone.code})
    return {
        "width": shapes.width,
        "height": shapes.height,
        "provinces": shapes.provinces,
        "hubs": hubs,
        "linked": linked,
        "links": links,
    }
