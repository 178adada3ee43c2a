"""Hostile query strings: whatever arrives, the API answers below 500 (hypothesis is not
installed, so a fixed, varied list stands in for it)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

import pytest

from sandan.api.tests.test_api import LISTS, Api
from sandan.core.tests.world import World, module_world


@pytest.fixture(scope="module")
def shared_world(django_db_setup: Any, django_db_blocker: Any) -> Iterator[World]:
    yield from module_world(django_db_blocker)


@pytest.fixture
def hq(shared_world: World, db: Any) -> Api:
    return Api(shared_world.users["hq"])


# Hostile input --------------------------------------------------------------------------------

HOSTILE = [
    "x" * 5000,
    "가" * 2000,
    "' OR 1=1 --",
    "'; DROP TABLE registry_complex; --",
    '" OR ""="',
    "1) UNION SELECT password FROM accounts_user --",
    "%",
    "_",
    "%%%___",
    "\\",
    "\\x00",
    "\x00",
    "abc\x00def",
    "\x01\x02\x1f",
    "\u202e\u200b\ufeff",
    "😀🏭",
    "𠜎𠜱",
    "<script>alert(1)</script>",
    "{{ 7*7 }}",
    "../../etc/passwd",
    "-1",
    "-99999999999999999999",
    "99999999999999999999",
    "3698781479429889203372032",
    "9999-12-31",
    "0001-01-01",
    "1e309",
    "NaN",
    "null",
    "true",
    "yes please",
    "[]",
    "{}",
    " ",
    "",
    "0x7fffffff",
    "١٢٣",
]
PARAMS = {
    "zones": ["q"],
    "provinces": ["q"],
    "offices": ["q"],
    "complexes": ["kind", "zone", "province", "office", "q"],
    "complex-stats": ["complex"],
    "organisations": ["kind", "complex", "zone", "small_firm", "q"],
    "experts": ["q", "category"],
}


@pytest.mark.parametrize("value", HOSTILE, ids=[f"hostile{n}" for n in range(len(HOSTILE))])
@pytest.mark.parametrize("path", LISTS)
def test_hostile_query_strings_never_cause_a_5xx(hq: Api, path: str, value: str) -> None:
    for param in [*PARAMS[path], "limit", "offset"]:
        response = hq.get(path, f"{param}={quote(value)}")
        assert response.status_code < 500, (param, value, response.content[:200])


@pytest.mark.parametrize("path", LISTS)
def test_undecodable_and_repeated_parameters_never_cause_a_5xx(hq: Api, path: str) -> None:
    for query in ["q=%ff%fe%00", "q=%", "q=a&q=b", "limit=1&limit=2", "%00=1", "q=%ed%a0%80"]:
        response = hq.get(path, query)
        assert response.status_code < 500, (query, response.content[:200])


def test_a_nul_byte_is_refused_with_a_message(hq: Api) -> None:
    response = hq.get("complexes", "q=abc%00def")
    assert response.status_code == 422
    assert response.json()["detail"]


def test_over_long_search_is_refused_with_a_message(hq: Api) -> None:
    response = hq.get("organisations", "q=" + "x" * 201)
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["query", "q"]


# Every GET list of the API, read from its own OpenAPI document -------------------------------

EDGES = [
    "99999999999999999999",
    "2147483648",
    "-1",
    "9999-12-31",
    "0001-01-01",
    "abc\x00def",
    "x" * 5000,
    "😀",
]


def _list_operations() -> list[tuple[str, list[str]]]:
    from sandan.api.urls import api

    schema = api.get_openapi_schema()
    found = []
    for path, operations in schema["paths"].items():
        get = operations.get("get")
        if get is None or "{" in path or path.endswith("openapi.json"):
            continue
        names = [p["name"] for p in get.get("parameters", []) if p["in"] == "query"]
        found.append((path.removeprefix("/api/v1/"), names))
    return found


def test_the_openapi_lists_cover_every_router() -> None:
    paths = {path for path, _names in _list_operations()}
    assert {"complexes", "designations", "activities", "support/problems"} <= paths


def test_edge_values_in_any_list_parameter_never_cause_a_5xx(hq: Api) -> None:
    """Numbers beyond a database integer, calendar-edge dates, NUL and huge strings, in
    every query parameter of every list (pagination included), answer below 500."""
    for path, names in _list_operations():
        for name in names:
            for value in EDGES:
                response = hq.get(path, f"{name}={quote(value)}")
                assert response.status_code < 500, (path, name, value, response.content[:200])
