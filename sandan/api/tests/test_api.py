"""The REST API: authentication, envelope, pagination, filters, scope, masking, OpenAPI,
pinned query counts and hostile input."""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import quote

import pytest
from django.db import connection
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from sandan.accounts.models import ApiToken
from sandan.accounts.roles import Role
from sandan.accounts.tests.factories import user_with_role
from sandan.api.auth import BearerToken, Session
from sandan.core.privacy import MASK
from sandan.core.tests.world import World, build_world
from sandan.registry.models import Organisation
from sandan.registry.tests import factories as f

LISTS = ("zones", "provinces", "offices", "complexes", "complex-stats", "organisations", "experts")
GROWING = ("offices", "complexes", "complex-stats", "organisations", "experts")


@pytest.fixture
def world(db: Any) -> World:
    return build_world()


def token_for(user: Any) -> str:
    token, raw = ApiToken.issue(user)
    # Used a moment ago: the request does not need to touch `last_used_at`.
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now())
    return raw


class Api:
    """A client that speaks to /api/v1/ as one user, by bearer token."""

    def __init__(self, user: Any) -> None:
        self.client = Client()
        self.raw = token_for(user)

    def get(self, path: str, query: str = "") -> Any:
        url = f"/api/v1/{path}" + (f"?{query}" if query else "")
        return self.client.get(url, HTTP_AUTHORIZATION=f"Bearer {self.raw}")


@pytest.fixture
def hq(world: World) -> Api:
    return Api(world.users["hq"])


# Authentication ---------------------------------------------------------------------------


@pytest.mark.parametrize("path", LISTS)
def test_every_list_needs_authentication(client: Client, world: World, path: str) -> None:
    assert client.get(f"/api/v1/{path}").status_code == 401


@pytest.mark.parametrize("path", LISTS)
@pytest.mark.parametrize(
    "header",
    ["Bearer sdn_not-a-real-token", "Bearer ", "Token abc", "Basic aGVsbG86d29ybGQ=", "Bearer"],
)
def test_a_bad_token_is_401(client: Client, world: World, path: str, header: str) -> None:
    response = client.get(f"/api/v1/{path}", HTTP_AUTHORIZATION=header)
    assert response.status_code == 401


@pytest.mark.parametrize("path", LISTS)
def test_a_revoked_token_is_401(client: Client, world: World, path: str) -> None:
    token, raw = ApiToken.issue(world.users["hq"])
    token.revoked_at = timezone.now()
    token.save()
    response = client.get(f"/api/v1/{path}", HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert response.status_code == 401


@pytest.mark.parametrize("path", LISTS)
def test_bearer_token_works(hq: Api, path: str) -> None:
    response = hq.get(path)
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"items", "count"}
    assert isinstance(body["items"], list)
    assert body["count"] == len(body["items"]) > 0


@pytest.mark.parametrize("path", LISTS)
def test_browser_session_works(client: Client, world: World, path: str) -> None:
    client.force_login(world.users["hq"])
    response = client.get(f"/api/v1/{path}")
    assert response.status_code == 200
    assert response.json()["count"] > 0


def test_session_of_an_inactive_user_is_401(client: Client, world: World) -> None:
    user = world.users["hq"]
    client.force_login(user)
    user.is_active = False
    user.save()
    assert client.get("/api/v1/zones").status_code == 401


def test_bearer_token_sets_request_user_and_touches_last_used(world: World) -> None:
    user = world.users["company"]
    token, raw = ApiToken.issue(user)
    request = RequestFactory().get("/api/v1/zones", HTTP_AUTHORIZATION=f"Bearer {raw}")

    assert BearerToken()(request) == user
    assert request.user == user
    token.refresh_from_db()
    assert token.last_used_at is not None


def test_session_auth_returns_the_logged_in_user(world: World) -> None:
    from django.contrib.auth.models import AnonymousUser

    request = RequestFactory().get("/api/v1/zones")
    request.user = world.users["coordinator"]
    assert Session()(request) == world.users["coordinator"]
    request.user = AnonymousUser()
    assert Session()(request) is None


# Pagination -------------------------------------------------------------------------------


def test_limit_and_offset(hq: Api) -> None:
    everything = hq.get("organisations").json()
    page = hq.get("organisations", "limit=2&offset=1").json()
    assert page["count"] == everything["count"] == 8  # six in complexes, two regional agencies
    assert page["items"] == everything["items"][1:3]
    assert hq.get("organisations", "offset=100").json() == {"items": [], "count": 8}


@pytest.mark.parametrize("path", LISTS)
@pytest.mark.parametrize(
    "query",
    ["limit=501", "limit=0", "limit=-1", "offset=-1", "limit=abc", "offset=1.5", "limit=1e9"],
)
def test_bad_pagination_is_a_4xx_with_a_message(hq: Api, path: str, query: str) -> None:
    response = hq.get(path, query)
    assert 400 <= response.status_code < 500
    assert response.json()["detail"]


def test_limit_500_is_allowed(hq: Api) -> None:
    assert hq.get("complexes", "limit=500").status_code == 200


# Filters ----------------------------------------------------------------------------------


def kicox_ids(response: Any) -> list[str]:
    assert response.status_code == 200, response.content
    return [item["kicox_id"] for item in response.json()["items"]]


def test_complex_filters(hq: Api) -> None:
    assert kicox_ids(hq.get("complexes", "kind=national")) == ["141001", "148001"]
    assert kicox_ids(hq.get("complexes", "kind=general")) == ["231001"]
    assert kicox_ids(hq.get("complexes", "zone=dongnam")) == ["148001", "231001"]
    assert kicox_ids(hq.get("complexes", "province=48")) == ["148001"]
    assert kicox_ids(hq.get("complexes", "office=changwon")) == ["148001"]
    assert kicox_ids(hq.get("complexes", "q=" + quote("창원"))) == ["148001"]
    assert kicox_ids(hq.get("complexes", "q=231001")) == ["231001"]
    assert kicox_ids(hq.get("complexes", "zone=dongnam&kind=national")) == ["148001"]
    assert kicox_ids(hq.get("complexes", "zone=jeju")) == []


def test_unknown_complex_kind_is_422(hq: Api) -> None:
    response = hq.get("complexes", "kind=mega")
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["query", "kind"]


def test_complex_shape(hq: Api) -> None:
    [item] = hq.get("complexes", "province=48").json()["items"]
    assert item["zone"] == "dongnam"
    assert item["province"] == "48"
    assert item["office"] == "changwon"
    assert item["municipality"] == "48120"


def test_organisation_and_stat_filters(hq: Api, world: World) -> None:
    names = [o["name_ko"] for o in hq.get("organisations", "kind=university").json()["items"]]
    assert names == ["창원대학교"]
    in_changwon = hq.get("organisations", "complex=148001").json()
    assert {o["name_ko"] for o in in_changwon["items"]} == {"(주)창원기계", "창원대학교"}
    small = hq.get("organisations", "small_firm=true").json()
    assert small["count"] == 3  # the three companies of 35 employees
    number = world["company_dongnam"].business_number
    by_number = hq.get("organisations", f"q={number[:3]}-{number[3:5]}-{number[5:]}").json()
    assert [o["name_ko"] for o in by_number["items"]] == ["(주)창원기계"]
    stats = hq.get("complex-stats", "complex=148001").json()
    assert [s["complex"] for s in stats["items"]] == ["148001"]


# Scope and masking ------------------------------------------------------------------------


def test_company_user_lists_only_its_own_organisation(world: World) -> None:
    body = Api(world.users["company"]).get("organisations").json()
    assert body["count"] == 1
    assert [o["name_ko"] for o in body["items"]] == ["(주)창원기계"]
    assert body["items"][0]["contact_name"] == "김민준"  # its own contact data


def test_company_user_sees_no_experts(world: World) -> None:
    assert Api(world.users["company"]).get("experts").json() == {"items": [], "count": 0}


def test_coordinator_lists_its_branchs_organisations(world: World) -> None:
    body = Api(world.users["coordinator"]).get("organisations").json()
    # Its branch's firms and university, and the partner agencies it may refer to: the
    # national one and that of its region, with the agencies' contacts kept to HQ.
    by_name = {o["name_ko"]: o for o in body["items"]}
    assert set(by_name) == {"(주)창원기계", "창원대학교", "동남권선도산업지원단", "경남테크노파크"}
    assert by_name["경남테크노파크"]["contact_name"] == MASK
    assert by_name["(주)창원기계"]["contact_name"] != MASK


def test_expert_sees_only_itself_unmasked(world: World) -> None:
    body = Api(world.users["expert"]).get("experts").json()
    assert [e["name_ko"] for e in body["items"]] == ["박지훈"]
    assert body["items"][0]["email"] != MASK


@pytest.mark.parametrize("role", ["ministry", "auditor"])
def test_contacts_are_masked_for_readers(world: World, role: str) -> None:
    api = Api(world.users[role])
    organisations = api.get("organisations").json()["items"]
    assert len(organisations) == 8
    for org in organisations:
        assert org["contact_name"] == MASK
        assert org["contact_email"] == MASK
        assert org["contact_phone"] == MASK
    for expert in api.get("experts").json()["items"]:
        assert expert["email"] == MASK and expert["phone"] == MASK


def test_contacts_are_visible_to_hq(hq: Api) -> None:
    for org in hq.get("organisations").json()["items"]:
        assert org["contact_name"] == "김민준"
        assert "@" in org["contact_email"]
    for expert in hq.get("experts").json()["items"]:
        assert "@" in expert["email"]


def test_regional_staff_sees_contacts_inside_its_zone_only(world: World) -> None:
    regional = Api(world.users["regional"])
    experts = regional.get("experts").json()["items"]
    assert len(experts) == 3  # the pool is national, contacts included
    assert all(expert["email"] != MASK for expert in experts)
    organisations = regional.get("organisations").json()["items"]
    agencies = {"동남권선도산업지원단", "경남테크노파크"}  # national, and of its zone
    assert {o["name_ko"] for o in organisations} == {
        "(주)창원기계",
        "울산화학(주)",
        "창원대학교",
        *agencies,
    }
    for org in organisations:
        expected = MASK if org["name_ko"] in agencies else "김민준"
        assert org["contact_name"] == expected, org["name_ko"]


def test_empty_contact_stays_empty_rather_than_masked(world: World) -> None:
    Organisation.objects.filter(pk=world["agency_nowhere"].pk).update(contact_name="")
    items = Api(world.users["ministry"]).get("organisations", "kind=agency").json()["items"]
    by_id = {item["id"]: item for item in items}
    assert by_id[world["agency_nowhere"].pk]["contact_name"] == ""


# OpenAPI and docs ---------------------------------------------------------------------------


def test_openapi_lists_every_path(client: Client, db: Any) -> None:
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    schema = json.loads(response.content)
    assert schema["openapi"].startswith("3.")
    for path in LISTS:
        assert f"/api/v1/{path}" in schema["paths"]
    assert {"BearerToken", "Session"} <= set(schema["components"]["securitySchemes"])


def test_docs_render_with_vendored_assets_only(client: Client, db: Any) -> None:
    response = client.get("/api/v1/docs")
    assert response.status_code == 200
    html = response.content.decode()
    assert "swagger-ui-bundle.js" in html
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", html), html
    assert "cdn" not in html.lower()


# Query counts -------------------------------------------------------------------------------

# Per request with a bearer token: the token with its user and memberships (one join), the
# count and the page. Zones are not paginated with select_related, but cost the same.
TOKEN_QUERIES = 3
# With a session: the session, the user, the memberships, the count and the page.
SESSION_QUERIES = 5


def count_queries(call: Any) -> tuple[int, Any]:
    with CaptureQueriesContext(connection) as context:
        response = call()
    assert response.status_code == 200, response.content
    return len(context.captured_queries), response


@pytest.mark.parametrize("path", LISTS)
def test_query_count_is_pinned_for_tokens(hq: Api, path: str) -> None:
    queries, _response = count_queries(lambda: hq.get(path))
    assert queries == TOKEN_QUERIES


@pytest.mark.parametrize("path", LISTS)
def test_query_count_is_pinned_for_sessions(client: Client, world: World, path: str) -> None:
    client.force_login(world.users["coordinator"])
    queries, _response = count_queries(lambda: client.get(f"/api/v1/{path}"))
    # The coordinator's office scope walks the office tree once more per request.
    assert queries == SESSION_QUERIES + 1


def test_first_use_of_a_token_costs_one_update(world: World) -> None:
    _token, raw = ApiToken.issue(world.users["hq"])
    client = Client()
    first, _ = count_queries(
        lambda: client.get("/api/v1/zones", HTTP_AUTHORIZATION=f"Bearer {raw}")
    )
    second, _ = count_queries(
        lambda: client.get("/api/v1/zones", HTTP_AUTHORIZATION=f"Bearer {raw}")
    )
    assert first == second + 1 == TOKEN_QUERIES + 1


def grow(world: World, count: int, start: int = 0) -> None:
    """Add `count` offices, complexes, stats, organisations and experts in dongnam."""
    for n in range(start, start + count):
        office = f.OfficeFactory(code=f"grow-{n}", parent=world["hq_office"], zone=world["dongnam"])
        complex_ = f.ComplexFactory(
            kicox_id=f"448{n:03d}",
            name_ko=f"함안{n}농공단지",
            kind="agro_industrial",
            province=world["gyeongnam"],
            municipality=world["changwon"],
            municipality_name="함안군",
            office=office,
        )
        f.ComplexStatFactory(complex=complex_, year=2009, quarter=1)
        org = f.OrganisationFactory(
            complex=complex_,
            industry=world["c29"],
            business_number=f.valid_business_number(9000 + n),
        )
        f.ExpertFactory(affiliation=org)


@pytest.mark.parametrize("role", ["hq", "regional", "coordinator", "ministry"])
@pytest.mark.parametrize("path", GROWING)
def test_query_count_does_not_grow_with_rows(world: World, path: str, role: str) -> None:
    api = Api(world.users[role])
    grow(world, 5)
    small, small_response = count_queries(lambda: api.get(path, "limit=500"))
    grow(world, 55, start=5)
    large, large_response = count_queries(lambda: api.get(path, "limit=500"))
    assert large == small
    if role in {"hq", "regional"}:
        assert large_response.json()["count"] >= small_response.json()["count"] + 55


def test_scope_survives_hostile_search(world: World) -> None:
    company = Api(world.users["company"])
    for value in ["' OR 1=1 --", "%", "_"]:
        body = company.get("organisations", f"q={quote(value)}").json()
        assert body["count"] <= 1


def test_regional_user_row_growth_stays_in_zone(world: World) -> None:
    """Rows added in the regional user's zone show up for it; another zone's staff see none."""
    api = Api(world.users["regional"])
    other = Api(user_with_role(Role.REGIONAL_STAFF, zone=world["capital"]))
    before, other_before = (a.get("organisations").json()["count"] for a in (api, other))
    grow(world, 3)
    assert api.get("organisations").json()["count"] == before + 3
    assert other.get("organisations").json()["count"] == other_before
