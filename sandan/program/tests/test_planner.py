"""The designation planner on a small, hand-checkable world: one model chooses the hubs and
the linked complexes, meeting each zone's targets exactly."""

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
            year=2010,
            zone_hubs={"dongnam": 2},
            zone_linked={"dongnam": 3},
            min_hub_operating_firms=100,
            industry_weight=5.0,
        )
    )
    assert plan.proven_optimal and plan.gap == 0 and plan.bound == plan.objective
    assert {h["name_ko"] for h in plan.hubs} == {"울산미포", "창원"}
    links = {row["name_ko"]: row["hub_name_ko"] for row in plan.linked}
    assert links == {"온산": "울산미포", "진해": "창원", "김해골든루트": "창원"}
    for row in plan.linked:  # each choice is explained with the runner-up
        assert row["alternative"]["affinity"] <= row["affinity"]


def test_the_targets_are_met_exactly_and_the_biggest_complexes_are_linked(
    year: ProgramYear,
) -> None:
    _dongnam_world()
    _complex("양산어곡", "48", "48330", 300, "29")  # a big machinery complex, not a hub here
    plan = plan_designation(
        PlanRequest(
            year=2010,
            zone_hubs={"dongnam": 1},
            zone_linked={"dongnam": 2},
            min_hub_operating_firms=1000,
        )
    )
    assert [h["name_ko"] for h in plan.hubs] == ["창원"]
    # Two linked complexes, no more, no fewer: the two that bring the most firms to 창원.
    assert sorted(row["name_ko"] for row in plan.linked) == ["양산어곡", "울산미포"]
    (zone_row,) = plan.zones
    assert (
        (zone_row.hubs, zone_row.linked) == (1, 2) == (zone_row.hub_target, zone_row.linked_target)
    )
    assert plan.proven_optimal


def test_every_hub_gets_a_linked_complex_even_when_a_bigger_one_is_nearer_another(
    year: ProgramYear,
) -> None:
    _dongnam_world()
    plan = plan_designation(
        PlanRequest(
            year=2010,
            zone_hubs={"dongnam": 2},
            zone_linked={"dongnam": 2},
            min_hub_operating_firms=100,
            industry_weight=5.0,
        )
    )
    hubs_with_links = {row["hub_name_ko"] for row in plan.linked}
    assert hubs_with_links == {h["name_ko"] for h in plan.hubs}
    assert all(h["linked_count"] == 1 for h in plan.hubs)


def test_a_time_limited_plan_reports_its_gap(year: ProgramYear) -> None:
    _dongnam_world()
    plan = plan_designation(
        PlanRequest(
            year=2010,
            zone_hubs={"dongnam": 2},
            zone_linked={"dongnam": 3},
            min_hub_operating_firms=100,
        )
    )
    assert plan.bound >= plan.objective
    assert plan.gap == round((plan.bound - plan.objective) / plan.objective, 6)
    assert plan.solver["status"] == "Optimal" and plan.solver["variables"] > 0


def test_pinned_hub_is_kept_and_excluded_complex_left_out(year: ProgramYear) -> None:
    _dongnam_world()
    plan = plan_designation(
        PlanRequest(
            year=2010,
            zone_hubs={"dongnam": 2},
            zone_linked={"dongnam": 2},
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
            PlanRequest(
                year=2010,
                zone_hubs={"dongnam": 4},
                zone_linked={"dongnam": 2},
                min_hub_operating_firms=100,
            )
        )
    message = " ".join(info.value.messages)
    assert "동남권: 거점단지 4개를 요청했지만 자격을 갖춘 후보는 3개" in message
    assert "동남권: 거점단지 4개와 연계단지 2개를 지정해야 하지만 대상 단지는 5개" in message
    assert "연계단지 목표(2개)가 거점단지 목표(4개)보다 적을 수 없습니다" in message


def test_accepting_a_plan_proposes_designations_without_changing_those_in_force(
    year: ProgramYear,
) -> None:
    _dongnam_world()
    request = PlanRequest(
        year=2010, zone_hubs={"dongnam": 2}, zone_linked={"dongnam": 3}, min_hub_operating_firms=100
    )
    plan_run = run_plan(start_plan(None, year, request))
    assert plan_run.status == PlanRun.Status.DONE
    assert plan_run.proven_optimal and plan_run.gap == 0
    assert accept_plan(None, plan_run) == 5
    proposed = Designation.all_objects.filter(status=Designation.Status.PROPOSED, plan=plan_run)
    assert proposed.filter(role="hub").count() == 2
    assert proposed.filter(role="linked", hub__isnull=False).count() == 3
    assert not Designation.objects.exists()  # nothing in force until approved


def test_failed_plan_keeps_its_message(year: ProgramYear) -> None:
    _dongnam_world()
    request = PlanRequest(year=2010, zone_hubs={"dongnam": 9})
    plan_run = run_plan(start_plan(None, year, request))
    assert plan_run.status == PlanRun.Status.FAILED
    assert "동남권" in plan_run.error
    with pytest.raises(ValidationError):
        accept_plan(None, plan_run)
    assert not Designation.all_objects.exists()


def test_command_prints_the_plan_and_refuses_an_unknown_year(year: ProgramYear, capsys) -> None:  # type: ignore[no-untyped-def]
    _dongnam_world()
    call_command(
        "plan_designation",
        "--year",
        "2010",
        "--zone-hubs",
        "dongnam=2",
        "--zone-linked",
        "dongnam=3",
        "--min-hub-firms",
        "100",
    )
    out = capsys.readouterr().out
    assert "proven optimal True" in out
    assert "울산미포" in out and "창원" in out
    assert "hubs   2/2   linked    3/3" in out
    with pytest.raises(CommandError, match="no program year 1999"):
        call_command("plan_designation", "--year", "1999")
    # The year's own targets ask for hubs in zones that have no complex here.
    with pytest.raises(CommandError, match="수도권"):
        call_command("plan_designation", "--year", "2010")


def _id(name: str) -> str:
    from sandan.registry.models import Complex

    return Complex.objects.get(name_ko=name).kicox_id
