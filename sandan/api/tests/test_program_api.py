"""Program years and designations through the API."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from sandan.accounts.roles import Role
from sandan.accounts.services import create_api_token
from sandan.accounts.tests.factories import user_with_role
from sandan.program.defaults import load_program_year
from sandan.program.models import ProgramYear
from sandan.program.services import designate
from sandan.registry.tests.factories import ComplexFactory, province, zone

pytestmark = pytest.mark.django_db


@pytest.fixture
def year() -> ProgramYear:
    for code in ("capital", "chungcheong", "honam", "daegyeong", "dongnam", "gangwon", "jeju"):
        zone(code)
    return load_program_year(2010)


def _hub_with_links(year: ProgramYear, name: str, code: str, links: int) -> None:
    hub = designate(
        None,
        program_year=year,
        role="hub",
        complex=ComplexFactory(
            name_ko=name, province=province(code), operating_firms=200, tenants=220
        ),
    )
    for _ in range(links):
        designate(
            None,
            program_year=year,
            role="linked",
            hub=hub,
            complex=ComplexFactory(province=province(code)),
        )


def _get(path: str) -> Any:
    user = user_with_role(Role.COMPANY_USER)
    token = create_api_token(None, user)
    return Client().get(path, HTTP_AUTHORIZATION=f"Bearer {token}")


def test_designations_filter_by_year_role_zone_and_hub(year: ProgramYear) -> None:
    _hub_with_links(year, "창원", "48", 3)
    _hub_with_links(year, "반월", "41", 2)
    hubs = _get("/api/v1/designations?year=2010&role=hub").json()
    assert hubs["count"] == 2
    assert _get("/api/v1/designations?year=2010&role=linked").json()["count"] == 5
    assert _get("/api/v1/designations?year=2010&zone=dongnam").json()["count"] == 4
    changwon = next(item for item in hubs["items"] if item["complex_name_ko"] == "창원")
    by_hub = _get(f"/api/v1/designations?hub={changwon['complex']}&role=linked").json()
    assert by_hub["count"] == 3
    assert {item["hub"] for item in by_hub["items"]} == {changwon["complex"]}
    assert _get("/api/v1/designations?year=2011").json() == {"items": [], "count": 0}


def test_bad_designation_filters_are_4xx(year: ProgramYear) -> None:
    assert _get("/api/v1/designations?role=pilot").status_code == 422
    assert _get("/api/v1/designations?year=twenty").status_code == 422


def test_program_year_carries_targets_and_categories(year: ProgramYear) -> None:
    _hub_with_links(year, "창원", "48", 1)
    body = _get("/api/v1/program-years").json()
    assert body["count"] == 1
    item = body["items"][0]
    assert item["year"] == 2010 and item["hub_target"] == 25 and item["linked_target"] == 125
    assert item["hubs_designated"] == 1 and item["linked_designated"] == 1
    assert item["categories"][0]["code"] == "PROD_COMMERCIALIZATION"
    assert len(item["zone_targets"]) == 7


def test_designation_list_query_count_is_constant(year: ProgramYear) -> None:
    user = user_with_role(Role.HQ_STAFF)
    client = Client()
    client.force_login(user)

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/api/v1/designations?year=2010").status_code == 200
        return len(queries)

    _hub_with_links(year, "창원", "48", 2)
    small = count()
    _hub_with_links(year, "반월", "41", 12)
    assert count() == small
