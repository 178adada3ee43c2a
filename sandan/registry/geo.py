"""Where things are: centroids of municipalities and provinces from KOSTAT's boundaries.

KICOX's list gives no coordinates for complexes, so a complex is placed at the centroid of
its municipality (or of its province when the municipality is unknown). That is coarse —
a few kilometres inside a city, tens of kilometres in a large county — but it is what the
designation planner needs to compare "near" and "far" hubs.
"""

from __future__ import annotations

import itertools
import json
import math
from functools import lru_cache
from pathlib import Path
from typing import Any

from django.conf import settings

LonLat = tuple[float, float]
EARTH_RADIUS_KM = 6371.0


def _geo_dir() -> Path:
    return Path(settings.BASE_DIR) / "data" / "geo"


def _polygons(geometry: dict[str, Any]) -> list[list[list[list[float]]]]:
    if geometry["type"] == "Polygon":
        return [geometry["coordinates"]]
    if geometry["type"] == "MultiPolygon":
        return list(geometry["coordinates"])
    return []


def _ring_area_centroid(ring: list[list[float]]) -> tuple[float, float, float]:
    """Signed area and centroid of one ring (shoelace formula on lon/lat)."""
    area = cx = cy = 0.0
    for (x0, y0), (x1, y1) in itertools.pairwise(ring):
        cross = x0 * y1 - x1 * y0
        area += cross
        cx += (x0 + x1) * cross
        cy += (y0 + y1) * cross
    area /= 2.0
    if area == 0:
        return 0.0, ring[0][0], ring[0][1]
    return area, cx / (6.0 * area), cy / (6.0 * area)


def area_and_centroid(geometry: dict[str, Any]) -> tuple[float, LonLat]:
    """Total area (in square degrees) and area-weighted centroid of a (multi)polygon."""
    total = sx = sy = 0.0
    for polygon in _polygons(geometry):
        for ring in polygon:  # outer rings count positive, holes negative (RFC 7946)
            area, cx, cy = _ring_area_centroid(ring)
            total += area
            sx += area * cx
            sy += area * cy
    if total == 0:
        return 0.0, (0.0, 0.0)
    return abs(total), (sx / total, sy / total)


@lru_cache(maxsize=1)
def municipality_centroids() -> dict[str, LonLat]:
    """Centroid per municipality code; a city split into 일반구 gets the union of its gu."""
    path = _geo_dir() / "sigungu.geojson"
    if not path.exists():
        return {}
    features = json.loads(path.read_text(encoding="utf-8"))["features"]
    centroids: dict[str, LonLat] = {}
    parents: dict[str, list[tuple[float, LonLat]]] = {}
    for feature in features:
        props = feature["properties"]
        area, centroid = area_and_centroid(feature["geometry"])
        for code in {props.get("code"), props.get("code_current")} - {None, ""}:
            centroids[str(code)] = centroid
        if props.get("parent_code"):
            parents.setdefault(str(props["parent_code"]), []).append((area, centroid))
    for parent, parts in parents.items():
        total = sum(area for area, _ in parts) or 1.0
        centroids.setdefault(
            parent,
            (
                sum(area * c[0] for area, c in parts) / total,
                sum(area * c[1] for area, c in parts) / total,
            ),
        )
    return centroids


@lru_cache(maxsize=1)
def province_centroids() -> dict[str, LonLat]:
    path = _geo_dir() / "sido.geojson"
    if not path.exists():
        return {}
    centroids: dict[str, LonLat] = {}
    for feature in json.loads(path.read_text(encoding="utf-8"))["features"]:
        props = feature["properties"]
        _area, centroid = area_and_centroid(feature["geometry"])
        for code in {props.get("code"), props.get("code_current")} - {None, ""}:
            centroids[str(code)] = centroid
    return centroids


def haversine_km(a: LonLat, b: LonLat) -> float:
    lon1, lat1, lon2, lat2 = map(math.radians, (a[0], a[1], b[0], b[1]))
    h = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    )
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(h))
