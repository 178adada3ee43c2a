"""The program's demo data: 2005–2009 target complexes and 25 + 125 designations in 2010."""

from __future__ import annotations

import pytest

from sandan.demo.program import load_program_demo
from sandan.program.models import Designation, PlanRun, ProgramYear
from sandan.registry.tests.factories import ComplexFactory, province

pytestmark = pytest.mark.django_db

# One province per zone, and how many complexes each gets (제주 just its 1 + 2 target).
ZONE_PROVINCES = {"41": 45, "43": 30, "46": 30, "47": 30, "48": 35, "51": 8, "50": 3}


def _world() -> None:
    number = 0
    for code, count in ZONE_PROVINCES.items():
        for index in range(count):
            number += 1
            firms = 60 + (number * 37) % 900 if index < 8 else 5 + index
            ComplexFactory(
                kicox_id=f"2{code}{index:03d}",
                name_ko=f"시험단지{number}",
                province=province(code),
                operating_firms=firms,
                tenants=firms + 3,
            )


def test_program_demo_designates_25_hubs_and_125_linked_complexes() -> None:
    _world()
    summary = load_program_demo()
    year = ProgramYear.objects.get(year=2010)
    assert year.status == ProgramYear.Status.APPROVED
    assert summary.hubs_2010 == 25
    assert summary.linked_2010 == 125
    assert summary.proven_optimal
    # The planner chose them, meeting every zone's targets exactly, and the plan was
    # put forward and approved through the services.
    for target in year.zone_targets.select_related("zone"):
        in_zone = Designation.objects.filter(program_year=year, zone=target.zone)
        assert in_zone.filter(role="hub").count() == target.hubs, target.zone.code
        assert in_zone.filter(role="linked").count() == target.linked, target.zone.code
    plan = PlanRun.objects.get(program_year=year)
    assert plan.status == PlanRun.Status.APPROVED and plan.proven_optimal
    assert not plan.parameters["universe"]  # no demo shortcut picks the complexes
    hubs = Designation.objects.filter(program_year=year, role="hub")
    assert all(hub.linked_designations.exists() for hub in hubs)
    assert not Designation.objects.filter(program_year=year, role="linked", hub__isnull=True)
    assert ProgramYear.objects.filter(year__range=(2005, 2009)).count() == 5


def test_program_demo_runs_twice_without_duplicates() -> None:
    _world()
    load_program_demo()
    before = Designation.objects.count()
    load_program_demo()
    assert Designation.objects.count() == before
