"""Program pages: years, designations per zone with map and history, planner with progress."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from sandan.accounts.roles import Role
from sandan.accounts.tests.factories import user_with_role
from sandan.program.defaults import load_program_year
from sandan.program.models import Designation, PlanRun, ProgramYear
from sandan.program.services import create_program_year, designate
from sandan.registry.tests.factories import ComplexFactory, province, zone

pytestmark = pytest.mark.django_db


@pytest.fixture
def year() -> ProgramYear:
    for code in ("capital", "chungcheong", "honam", "daegyeong", "dongnam", "gangwon", "jeju"):
        zone(code)
    return load_program_year(2010)


def _client(role: str) -> Client:
    client = Client()
    client.force_login(user_with_role(role))
    return client


def _hub(year: ProgramYear, name: str, code: str = "48", links: int = 2) -> Designation:
    hub = designate(
        None,
        program_year=year,
        role="hub",
        complex=ComplexFactory(
            name_ko=name, province=province(code), operating_firms=300, tenants=320
        ),
    )
    for index in range(links):
        designate(
            None,
            program_year=year,
            role="linked",
            hub=hub,
            complex=ComplexFactory(name_ko=f"{name}연계{index}", province=province(code)),
        )
    return hub


def test_year_page_shows_targets_against_designations_with_warnings(year: ProgramYear) -> None:
    _hub(year, "창원국가")
    page = _client(Role.HQ_STAFF).get("/program/2010/")
    text = page.content.decode()
    assert page.status_code == 200
    assert "663억원" in text
    assert "거점단지 1 / 목표 5" in text  # dongnam: 1 designated of 5
    assert "PROD_COMMERCIALIZATION" in text


def test_year_page_explains_the_rules_in_words_and_units(year: ProgramYear) -> None:
    year.rules = {**year.rules, "firm_grant_cap_krw": 100_000_000, "regional_bonus": 3}
    year.save()
    text = _client(Role.HQ_STAFF).get("/program/2010/").content.decode()
    assert "기업당 연간 지원 한도" in text and "100,000,000원" in text
    assert "기업 최소 부담 비율" in text and "20%" in text
    assert "협의체에 대학·연구기관 필수" in text
    # A rule the code does not know yet is still shown, by its name.
    assert "regional_bonus" in text


def test_designation_page_shows_tree_map_and_history(year: ProgramYear) -> None:
    old = create_program_year(None, year=2005, zone_targets={"dongnam": (7, 0)})
    changwon = ComplexFactory(
        name_ko="창원국가", province=province("48"), operating_firms=900, tenants=950
    )
    designate(None, program_year=old, complex=changwon, role="hub")
    hub = designate(None, program_year=year, complex=changwon, role="hub")
    designate(
        None,
        program_year=year,
        role="linked",
        hub=hub,
        complex=ComplexFactory(name_ko="진해연계", province=province("48")),
    )
    text = _client(Role.COMPANY_USER).get("/program/2010/designations/").content.decode()
    assert "창원국가" in text and "진해연계" in text
    assert "<svg" in text and 'class="hub"' in text
    assert "2005" in text  # the history column


def test_designation_page_query_count_is_constant(year: ProgramYear) -> None:
    client = _client(Role.HQ_STAFF)

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/program/2010/designations/").status_code == 200
        return len(queries)

    _hub(year, "창원국가", links=1)
    small = count()
    _hub(year, "울산미포", code="31", links=15)
    old = create_program_year(None, year=2005, zone_targets={"dongnam": (7, 0)})
    for index in range(6):
        designate(None, program_year=old, complex=ComplexFactory(name_ko=f"옛{index}"), role="hub")
    # session, user, memberships, the year, its designations, 2005–2009 hubs, the zone
    # progress (counts, targets, zones), the plan waiting for approval, the offices of the year
    # and their earlier parents, the year holding today (HQ's notice): no query per row.
    assert count() == small == DESIGNATION_PAGE_QUERIES


DESIGNATION_PAGE_QUERIES = 13


def test_designation_form_reports_rule_breaks_and_changes_nothing(year: ProgramYear) -> None:
    complex_ = ComplexFactory(name_ko="온산", province=province("31"))
    response = _client(Role.HQ_STAFF).post(
        "/program/2010/designations/edit/",
        {"complex": complex_.kicox_id, "role": "linked"},
    )
    assert response.status_code == 400
    assert "연계단지는 거점단지를 지정해야 합니다." in response.content.decode()
    assert not Designation.objects.exists()


def test_unknown_complex_code_is_a_field_error(year: ProgramYear) -> None:
    response = _client(Role.HQ_STAFF).post(
        "/program/2010/designations/edit/", {"complex": "999999", "role": "hub"}
    )
    assert response.status_code == 400
    assert "999999" in response.content.decode()


def test_a_complex_is_chosen_by_name_or_by_the_listed_name_and_code(year: ProgramYear) -> None:
    client = _client(Role.HQ_STAFF)
    ulsan = ComplexFactory(
        name_ko="울산미포", province=province("31"), operating_firms=900, tenants=950
    )
    form = client.get("/program/2010/designations/edit/").content.decode()
    assert (
        f'<option value="울산미포 ({ulsan.kicox_id})">' in form and 'list="complex-options"' in form
    )
    response = client.post(
        "/program/2010/designations/edit/", {"complex": "울산미포", "role": "hub"}
    )
    assert response.status_code == 302
    assert Designation.objects.get().complex == ulsan
    onsan = ComplexFactory(name_ko="온산", province=province("31"))
    hub = Designation.objects.get()
    response = client.post(
        "/program/2010/designations/edit/",
        {"complex": f"온산 ({onsan.kicox_id})", "role": "linked", "hub": hub.pk},
    )
    assert response.status_code == 302
    assert Designation.objects.get(complex=onsan).hub == hub


def test_an_ambiguous_or_unknown_complex_name_is_a_field_error(year: ProgramYear) -> None:
    ComplexFactory(name_ko="중앙", province=province("31"))
    ComplexFactory(name_ko="중앙", province=province("48"))
    client = _client(Role.HQ_STAFF)
    response = client.post("/program/2010/designations/edit/", {"complex": "중앙", "role": "hub"})
    assert response.status_code == 400 and "여럿입니다" in response.content.decode()
    response = client.post(
        "/program/2010/designations/edit/", {"complex": "없는단지", "role": "hub"}
    )
    assert response.status_code == 400 and "없는단지" in response.content.decode()
    assert not Designation.objects.exists()


def test_company_user_may_not_designate_or_plan(year: ProgramYear) -> None:
    client = _client(Role.COMPANY_USER)
    assert client.get("/program/2010/designations/edit/").status_code == 403
    assert client.get("/program/2010/planner/").status_code == 403


def test_regional_staff_designates_only_inside_its_zone(year: ProgramYear) -> None:
    from sandan.accounts.models import Membership

    staff = user_with_role(Role.COORDINATOR)
    Membership.objects.create(user=staff, role=Role.REGIONAL_STAFF, zone=zone("dongnam"))
    client = Client()
    client.force_login(staff)
    seoul = ComplexFactory(
        name_ko="서울디지털", province=province("11"), operating_firms=900, tenants=950
    )
    response = client.post(
        "/program/2010/designations/edit/", {"complex": seoul.kicox_id, "role": "hub"}
    )
    assert response.status_code == 403
    assert not Designation.objects.exists()
    ulsan = ComplexFactory(
        name_ko="울산미포", province=province("31"), operating_firms=900, tenants=950
    )
    response = client.post(
        "/program/2010/designations/edit/", {"complex": ulsan.kicox_id, "role": "hub"}
    )
    assert response.status_code == 302
    assert Designation.objects.get().complex == ulsan


def test_planner_page_runs_and_shows_the_explained_plan(year: ProgramYear, settings: Any) -> None:
    settings.SANDAN_RUN_JOBS_INLINE = True
    ComplexFactory(name_ko="울산미포", province=province("31"), operating_firms=900, tenants=950)
    ComplexFactory(name_ko="온산", province=province("31"), operating_firms=40, tenants=50)
    client = _client(Role.HQ_STAFF)
    # The year's targets ask for hubs in every zone; only dongnam has complexes here.
    response = client.post(
        "/program/2010/planner/",
        {
            "geo_weight": 1,
            "industry_weight": 1,
            "geo_scale_km": 50,
            "min_operating_firms": 1,
            "time_limit": 30,
        },
    )
    failed = PlanRun.objects.get()
    assert response.status_code == 302 and failed.status == PlanRun.Status.FAILED
    page = client.get(f"/program/plans/{failed.pk}/").content.decode()
    # Zones by name, not by code, in what went wrong.
    assert "계산할 수 없습니다" in page and "수도권" in page and "capital" not in page
    year.zone_targets.exclude(zone__code="dongnam").update(hubs=0, linked=0)
    year.zone_targets.filter(zone__code="dongnam").update(hubs=1, linked=1)
    client.post(
        "/program/2010/planner/",
        {
            "geo_weight": 1,
            "industry_weight": 1,
            "geo_scale_km": 50,
            "min_operating_firms": 1,
            "time_limit": 30,
        },
    )
    plan = PlanRun.objects.latest("created_at")
    assert plan.status == PlanRun.Status.DONE, plan.error
    page = client.get(f"/program/plans/{plan.pk}/").content.decode()
    assert "울산미포" in page and "온산" in page
    assert "동남권" in page and ">dongnam<" not in page  # zones by name, not by code
    partial = client.get(f"/program/plans/{plan.pk}/", HTTP_HX_REQUEST="true").content.decode()
    assert 'id="plan-status"' in partial and "<html" not in partial
    # The poll that sees the finished run reloads the page, so the result appears by itself.
    finished = client.get(f"/program/plans/{plan.pk}/", HTTP_HX_REQUEST="true")
    assert finished["HX-Refresh"] == "true"
    assert "HX-Refresh" not in client.get(f"/program/plans/{plan.pk}/")
    response = client.post(f"/program/plans/{plan.pk}/accept/", {"reason": ""})
    assert response.status_code == 302
    proposed = Designation.all_objects.filter(status=Designation.Status.PROPOSED)
    assert proposed.filter(role="hub").get().complex.name_ko == "울산미포"
    assert not Designation.objects.exists()  # in force only once the ministry approves


def test_planner_form_errors_are_400(year: ProgramYear) -> None:
    response = _client(Role.HQ_STAFF).post(
        "/program/2010/planner/",
        {
            "geo_weight": -1,
            "industry_weight": 1,
            "geo_scale_km": 50,
            "min_operating_firms": 1,
            "time_limit": 30,
            "pinned": "000000",
        },
    )
    assert response.status_code == 400
    assert not PlanRun.objects.exists()


def test_ministry_approves_the_year_and_hq_copies_it(year: ProgramYear) -> None:
    assert _client(Role.HQ_STAFF).post("/program/2010/approve/").status_code == 403
    year.refresh_from_db()
    assert year.status == ProgramYear.Status.DRAFT  # HQ may not approve
    _client(Role.MINISTRY_OFFICER).post("/program/2010/approve/")
    year.refresh_from_db()
    assert year.status == ProgramYear.Status.APPROVED
    _client(Role.HQ_STAFF).post("/program/2010/copy/", {"year": 2011})
    assert ProgramYear.objects.get(year=2011).categories.count() == 5


def test_planner_choices_are_visible_krds_checkboxes(year: ProgramYear) -> None:
    """KRDS hides bare checkboxes; each choice needs the `.krds-form-check > input ~ label`
    pair (and the group a visible legend), or the user sees labels with nothing to tick."""
    page = _client(Role.HQ_STAFF).get("/program/2010/planner/").content.decode()
    assert '<legend class="form-tit">' in page
    for kind in ("national", "general", "urban_high_tech", "agro_industrial"):
        assert re.search(
            rf'<div class="krds-form-check medium"><input type="checkbox" name="kinds" '
            rf'value="{kind}" id="(id_kinds_\d)"[^>]*><label for="\1">',
            page,
        ), kind
    assert re.search(
        r'<div class="krds-form-check medium"><input type="checkbox" name="allow_cross_zone"'
        r'[^>]*><label for="id_allow_cross_zone">',
        page,
    )
