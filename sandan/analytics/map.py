"""A server-rendered choropleth of the provinces (시도) as SVG path strings.

The province boundaries (KOSTAT SGIS 2018, KOGL Type 1; see data/README) are projected
once with a plain equirectangular projection, x scaled by cos(36°) so that Korea keeps
its shape, and cached for the life of the process.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from django.conf import settings

WIDTH = 560.0
PADDING = 8.0
COS_LAT = math.cos(math.radians(36.0))
BUCKETS = 5
MIN_STEP = 0.6  # drop vertices closer than this (SVG units) to the previous one


@dataclass(frozen=True)
class ProvinceShape:
    code: str  # the 2-digit code of the boundary file
    code_current: str  # today's code (51 강원, 52 전북)
    name_ko: str
    name_en: str
    path: str


@dataclass(frozen=True)
class MapShapes:
    width: float
    height: float
    provinces: tuple[ProvinceShape, ...]
    # The projection, so that points (complexes) can be drawn on the same map.
    min_x: float = 0.0
    max_y: float = 0.0
    scale: float = 1.0

    def project(self, lon: float, lat: float) -> tuple[float, float]:
        return (
            round((lon * COS_LAT - self.min_x) * self.scale + PADDING, 1),
            round((self.max_y - lat) * self.scale + PADDING, 1),
        )


def geojson_path() -> Path:
    """data/sido.geojson, or data/geo/sido.geojson where the reference data keeps it."""
    data = Path(settings.BASE_DIR) / "data"
    for candidate in (data / "sido.geojson", data / "geo" / "sido.geojson"):
        if candidate.exists():
            return candidate
    return data / "sido.geojson"


def _rings(geometry: dict[str, Any]) -> list[list[list[float]]]:
    if geometry["type"] == "Polygon":
        return list(geometry["coordinates"])
    if geometry["type"] == "MultiPolygon":
        return [ring for polygon in geometry["coordinates"] for ring in polygon]
    return []


@lru_cache(maxsize=4)
def _shapes_from(path: str, mtime: float) -> MapShapes | None:
    try:
        with open(path, encoding="utf-8") as handle:
            data = json.load(handle)
        features = [f for f in data["features"] if f.get("geometry")]
    except (OSError, ValueError, KeyError, TypeError):
        return None
    if not features:
        return None
    points = [
        (lon * COS_LAT, lat)
        for feature in features
        for ring in _rings(feature["geometry"])
        for lon, lat, *_ in ring
    ]
    min_x = min(x for x, _ in points)
    max_x = max(x for x, _ in points)
    min_y = min(y for _, y in points)
    max_y = max(y for _, y in points)
    scale = (WIDTH - 2 * PADDING) / (max_x - min_x)
    height = (max_y - min_y) * scale + 2 * PADDING

    def project(lon: float, lat: float) -> tuple[float, float]:
        return (
            (lon * COS_LAT - min_x) * scale + PADDING,
            (max_y - lat) * scale + PADDING,
        )

    shapes = []
    for feature in features:
        props = feature.get("properties", {})
        parts = []
        for ring in _rings(feature["geometry"]):
            kept: list[tuple[float, float]] = []
            for lon, lat, *_ in ring:
                x, y = project(lon, lat)
                if kept and math.hypot(x - kept[-1][0], y - kept[-1][1]) < MIN_STEP:
                    continue
                kept.append((x, y))
            if len(kept) < 3:
                continue
            parts.append("M" + "L".join(f"{x:.1f},{y:.1f}" for x, y in kept) + "Z")
        if not parts:
            continue
        code = str(props.get("code", ""))
        shapes.append(
            ProvinceShape(
                code=code,
                code_current=str(props.get("code_current") or code),
                name_ko=str(props.get("name_ko") or props.get("name") or code),
                name_en=str(props.get("name_en") or props.get("name_eng") or code),
                path="".join(parts),
            )
        )
    return MapShapes(
        width=WIDTH,
        height=round(height, 1),
        provinces=tuple(shapes),
        min_x=min_x,
        max_y=max_y,
        scale=scale,
    )


def province_shapes() -> MapShapes | None:
    """The projected provinces, or None when the boundary file is absent or unreadable."""
    path = geojson_path()
    try:
        mtime = path.stat().st_mtime
    except OSError:
        return None
    return _shapes_from(str(path), mtime)


def bucket_bounds(counts: list[int]) -> list[int]:
    """Upper bounds of five classes over 0..max (equal intervals, rounded up)."""
    top = max(counts, default=0)
    step = max(1, math.ceil(top / BUCKETS))
    return [step * (index + 1) for index in range(BUCKETS)]


def bucket_of(count: int, bounds: list[int]) -> int:
    for index, bound in enumerate(bounds):
        if count <= bound:
            return index
    return len(bounds) - 1
