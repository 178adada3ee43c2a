"""The dashboard: national counts, zone × kind table, province map, constant queries."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from sandan.accounts.roles import Role
from sandan.accounts.tests.factories import user_with_role
from sandan.registry import geo
from sandan.registry.tests.factories import ComplexFactory, ComplexStatFactory, province

pytestmark = pytest.mark.django_db

SQUARE = {
    "type": "FeatureCollection",
    "features": [
        {
            "type": "Feature",
            "properties": {"code": "41", "code_current": "41", "name_ko": "경기도"},
            "geometry": {
                "type": "Polygon",
                "coordinates": [[[126.5, 37.0], [127.5, 37.0], [127.5, 38.0], [126.5, 37.0]]],
            },
        },
        {
            "type": "Feature",
            "properties": {"code": "42", "code_current": "51", "name_ko": "강원도"},
            "geometry": {
                "type": "MultiPolygon",
                "coordinates": [
                    [[[128.0, 37.0], [129.0, 37.0], [129.0, 38.0], [128.0, 37.0]]],
                ],
            },
        },
    ],
}


@pytest.fixture
def geojson(tmp_path: Path, settings: Any) -> Path:
    (tmp_path / "data").mkdir()
    path = tmp_path / "data" / "sido.geojson"
    path.write_text(json.dumps(SQUARE), encoding="utf-8")
    settings.BASE_DIR = tmp_path
    return path


@pytest.fixture
def no_geojson(tmp_path: Path, settings: Any) -> None:
    settings.BASE_DIR = tmp_path


@pytest.fixture
def hq(client: Client) -> Any:
    user = user_with_role(Role.HQ_STAFF)
    client.force_login(user)
    return user


def test_dashboard_needs_login(client: Client) -> None:
    assert client.get(reverse("analytics:overview")).status_code == 302


def test_dashboard_counts_by_kind_and_zone(client: Client, hq: Any, geojson: Path) -> None:
    ComplexFactory(kind="national", tenants=1200, operating_firms=1100)
    ComplexFactory(kind="agro_industrial", tenants=30, operating_firms=25)
    ComplexFactory(kind="national", province=province("48"), tenants=2000, operating_firms=1900)
    ComplexStatFactory(complex=ComplexFactory(), year=2009, quarter=4, output_100m_krw=15000)

    response = client.get(reverse("analytics:overview"))

    data = response.context["data"]
    assert response.status_code == 200
    assert data.total == 4
    assert data.by_kind == {
        "national": 2,
        "general": 1,
        "urban_high_tech": 0,
        "agro_industrial": 1,
    }
    rows = {row.zone.code: row for row in data.zone_rows}
    assert rows["capital"].total == 3 and rows["dongnam"].total == 1
    assert data.tenants == 1200 + 30 + 2000 + 120
    body = response.content.decode()
    assert "3,350" in body  # tenants, Korean thousands separator
    assert "1조 5,000억원" in body  # output of the latest quarter in 억원 → 조
    assert 'id="zone-chart-data"' in body


def test_dashboard_map_colours_provinces_with_classes_and_titles(
    client: Client, hq: Any, geojson: Path
) -> None:
    ComplexFactory.create_batch(3)
    ComplexFactory(province=province("51"), kicox_id="251001")

    body = client.get(reverse("analytics:overview")).content.decode()

    assert body.count('class="province map-b') == 2
    assert "<title>경기도: 3개</title>" in body
    assert "강원" in body and ": 1개</title>" in body  # 42 on the map joins today's 51
    assert "style=" not in body


def test_dashboard_without_geojson_falls_back_to_table(
    client: Client, hq: Any, no_geojson: None
) -> None:
    ComplexFactory()

    response = client.get(reverse("analytics:overview"))

    body = response.content.decode()
    assert response.status_code == 200
    assert "<svg" not in body
    assert "경기도" in body


def test_projection_is_cached_and_keeps_aspect(geojson: Path) -> None:
    first = geo.province_shapes()
    second = geo.province_shapes()

    assert first is second and first is not None
    assert first.width == geo.WIDTH
    assert first.provinces[0].path.startswith("M") and first.provinces[0].path.endswith("Z")
    assert 0 < first.height < 2 * first.width


def test_buckets_cover_zero_to_max() -> None:
    bounds = geo.bucket_bounds([0, 3, 250])

    assert bounds == [50, 100, 150, 200, 250]
    assert geo.bucket_of(0, bounds) == 0
    assert geo.bucket_of(250, bounds) == 4


@pytest.mark.parametrize("size", [5, 60])
def test_dashboard_query_count_is_constant(
    client: Client, hq: Any, geojson: Path, django_assert_num_queries: Any, size: int
) -> None:
    for index in range(size):
        complex_ = ComplexFactory(
            kind="national" if index % 2 else "agro_industrial",
            province=province("48" if index % 3 else "41"),
        )
        ComplexStatFactory(complex=complex_, year=2009, quarter=4)

    # session, user, memberships, the program year holding today (HQ's missing-year
    # notice); zones, zone × kind, provinces' counts, provinces, latest year, latest
    # quarter's sums.
    with django_assert_num_queries(10):
        response = client.get(reverse("analytics:overview"))

    assert response.status_code == 200
