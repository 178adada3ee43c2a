"""The designation planner on a small, hand-checkable world."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError

from sandan.program.defaults import load_program_year
from sandan.program.models import Designation, PlanRun, ProgramYear
from sandan.program.planner import PlanRequest, industry_distance, plan_designation
from sandan.program.services import accept_plan, run_plan, start_plan
from sandan.registry.tests.factories import (
    ComplexFactory,
    IndustryFactory,
    MunicipalityFactory,
    OrganisationFactory,
    province,
    zone,
)

pytestmark = pytest.mark.django_db

ALL_ZONES = ("capital", "chungcheong", "honam", "daegyeong", "dongnam", "gangwon", "jeju")


@pytest.fixture
def year() -> ProgramYear:
    for code in ALL_ZONES:
        zone(code)
    return load_program_year(2010)


def _complex(name: str, code: str, municipality: str, firms: int, industry: str = "30") -> object:
    municipality_obj = MunicipalityFactory(code=municipality, name_ko=name, province=province(code))
    complex_ = ComplexFactory(
        name_ko=name,
        province=province(code),
        municipality=municipality_obj,
        municipality_name=name,
        operating_firms=firms,
        tenants=firms + 5,
    )
    division = IndustryFactory(code=industry, name_ko=f"업종{industry}", name_en=industry)
    for _ in range(3):
        OrganisationFactory(complex=complex_, industry=division)
    return complex_


def _dongnam_world() -> None:
    # 울산 (car parts, big), 창원 (machinery, big), and small linked ones near each.
    _complex("울산미포", "31", "31140", 900, "30")
    _complex("온산", "31", "31710", 120, "30")
    _complex("창원", "48", "48120", 1500, "29")
    _complex("진해", "48", "48129", 60, "29")
    _complex("김해골든루트", "48", "48250", 40, "29")


def test_industry_distance_is_total_variation() -> None:
    assert industry_distance({"29": 1.0}, {"29": 1.0}) == 0
    assert industry_distance({"29": 1.0}, {"30": 1.0}) == 1
    assert industry_distance({"29": 0.5, "30": 0.5}, {"29": 1.0}) == pytest.approx(0.5)


def test_two_hubs_in_one_zone_are_the_big_ones_and_links_follow_industry(year: ProgramYear) -> None:
    _dongnam_world()
    plan = plan_designation(
        PlanRequest(
            year=2010, zone_hubs={"dongnam": 2}, min_hub_operating_firms=100, industry_weight=5.0
        )
    )
    assert plan.proven_optimal
    assert {h["name_ko"] for h in plan.hubs} == {"울산미포", "창원"}
    links = {row["name_ko"]: row["hub_name_ko"] for row in plan.linked}
    assert links == {"온산": "울산미포", "진해": "창원", "김해골든루트": "창원"}
    for row in plan.linked:  # each choice is explained with the runner-up
        assert row["alternative"]["extra_cost"] >= 0


def test_pinned_hub_is_kept_and_excluded_complex_left_out(year: ProgramYear) -> None:
    _dongnam_world()
    plan = plan_designation(
        PlanRequest(
            year=2010,
            zone_hubs={"dongnam": 2},
            min_hub_operating_firms=100,
            pinned=(_id("온산"),),
            excluded=(_id("김해골든루트"),),
        )
    )
    assert _id("온산") in {h["kicox_id"] for h in plan.hubs}
    assert "김해골든루트" not in {row["name_ko"] for row in plan.linked}


def test_more_hubs_than_candidates_is_refused_with_a_reason(year: ProgramYear) -> None:
    _dongnam_world()
    with pytest.raises(ValidationError) as info:
        plan_designation(
            PlanRequest(year=2010, zone_hubs={"dongnam": 4}, min_hub_operating_firms=100)
        )
    assert "거점단지 4개를 요청했지만 자격을 갖춘 후보는 3개" in " ".join(info.value.messages)


def test_accepting_a_plan_creates_draft_designations(year: ProgramYear) -> None:
    _dongnam_world()
    request = PlanRequest(year=2010, zone_hubs={"dongnam": 2}, min_hub_operating_firms=100)
    plan_run = run_plan(start_plan(None, year, request))
    assert plan_run.status == PlanRun.Status.DONE
    assert plan_run.proven_optimal and plan_run.gap == 0
    assert accept_plan(None, plan_run) == 5
    assert Designation.objects.filter(role="hub").count() == 2
    assert Designation.objects.filter(role="linked", hub__isnull=False).count() == 3


def test_failed_plan_keeps_its_message(year: ProgramYear) -> None:
    _dongnam_world()
    request = PlanRequest(year=2010, zone_hubs={"dongnam": 9})
    plan_run = run_plan(start_plan(None, year, request))
    assert plan_run.status == PlanRun.Status.FAILED
    assert "dongnam" in plan_run.error
    with pytest.raises(ValidationError):
        accept_plan(None, plan_run)
    assert not Designation.objects.exists()


def test_command_prints_the_plan_and_refuses_an_unknown_year(year: ProgramYear, capsys) -> None:  # type: ignore[no-untyped-def]
    _dongnam_world()
    call_command(
        "plan_designation", "--year", "2010", "--zone-hubs", "dongnam=2", "--min-hub-firms", "100"
    )
    out = capsys.readouterr().out
    assert "proven optimal True" in out
    assert "울산미포" in out and "창원" in out
    with pytest.raises(CommandError, match="no program year 1999"):
        call_command("plan_designation", "--year", "1999")
    # The year's own targets ask for hubs in zones that have no complex here.
    with pytest.raises(CommandError, match="capital"):
        call_command("plan_designation", "--year", "2010")


def _id(name: str) -> str:
    from sandan.registry.models import Complex

    return Complex.objects.get(name_ko=name).kicox_id
