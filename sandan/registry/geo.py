"""All geography: where things are, and the province map they are drawn on.

Where: centroids of municipalities and provinces from KOSTAT's boundaries. KICOX's list gives
no coordinates for complexes, so a complex is placed at the centroid of its municipality (or
of its province when the municipality is unknown). That is coarse — a few kilometres inside a
city, tens of kilometres in a large county — but it is what the designation planner needs to
compare "near" and "far" hubs.

The map: a server-rendered choropleth of the provinces (시도) as SVG path strings. The
province boundaries (KOSTAT SGIS 2018, KOGL Type 1; see data/README) are projected once with
a plain equirectangular projection, x scaled by cos(36°) so that Korea keeps its shape, and
cached for the life of the process. Complexes (hubs and their linked complexes) are drawn on
it as dots.
"""

from __future__ import annotations

import itertools
import json
import math
from collections.abc import Iterable
from dataclasses import dataclass
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


def complex_location(complex_: Any) -> LonLat | None:
    """Where a complex is drawn: its municipality's centroid, else its province's."""
    if complex_.municipality_id is not None and complex_.municipality is not None:
        found = municipality_centroids().get(complex_.municipality.code)
        if found:
            return found
    return province_centroids().get(complex_.province.code)


# The province map --------------------------------------------------------------------

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


@dataclass(frozen=True)
class MapSite:
    """A complex on the map: a hub (large dot) or a linked complex joined to its hub."""

    key: int | str
    where: LonLat | None  # None: not drawn
    label: str
    zone: str  # the zone's code, for the colour
    is_hub: bool
    hub: int | str | None = None  # the key of a linked complex's hub
    mark: str = ""  # a CSS class for the dot (e.g. what a plan changes: added, removed)


def hub_map(sites: Iterable[MapSite]) -> dict[str, Any] | None:
    """Provinces, hubs as large dots, linked complexes as small dots joined to their hub;
    None when the boundary file is absent."""
    shapes = province_shapes()
    if shapes is None:
        return None
    drawn = [site for site in sites if site.where is not None]
    points = {site.key: shapes.project(*site.where) for site in drawn if site.where}
    hubs, linked, links = [], [], []
    for site in drawn:
        x, y = points[site.key]
        dot = {"x": x, "y": y, "label": site.label, "zone": site.zone, "mark": site.mark}
        if site.is_hub:
            hubs.append(dot)
            continue
        linked.append(dot)
        if site.hub in points:
            hx, hy = points[site.hub]
            links.append({"x1": hx, "y1": hy, "x2": x, "y2": y, "zone": site.zone})
    return {
        "width": shapes.width,
        "height": shapes.height,
        "provinces": shapes.provinces,
        "hubs": hubs,
        "linked": linked,
        "links": links,
    }
