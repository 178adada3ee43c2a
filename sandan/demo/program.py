"""Demo data of the program: the 2005–2009 era and program year 2010.

* 2005–2009: one program year each; the 12 original cluster complexes are its target
  complexes (7 from 2005, 5 more from 2008). Before 2010 every target complex ran its own
  councils, which is what a hub does, so they are recorded as hubs without linked complexes.
* 2010: the year's data file (data/program_year_2010.json), then the designation planner
  chooses the 25 hubs and 125 linked complexes the zone targets ask for among every complex
  of the registry (the original complexes kept as hubs where they qualify, as KICOX did),
  KICOX puts the plan forward and the ministry approves it, then the year — the final plan
  of April 2010. Nothing is chosen here: the product's services do it all.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from sandan.demo.registry.complexes import find_original
from sandan.demo.registry.scales import ORIGINALS
from sandan.program.defaults import early_service_fields, load_program_year
from sandan.program.models import Designation, PlanRun, ProgramYear
from sandan.program.planner import PlanRequest
from sandan.program.services import (
    accept_plan,
    approve_plan,
    approve_program_year,
    create_program_year,
    designate,
    run_plan,
    start_plan,
)
from sandan.registry.models import Complex

FIRST_SEVEN = 7  # ORIGINALS[:7] joined in 2005, the other five in 2008
SECOND_WAVE_YEAR = 2008


@dataclass
class ProgramDemoSummary:
    years: int
    hubs_2010: int
    linked_2010: int
    plan_seconds: float
    proven_optimal: bool

    def lines(self) -> list[str]:
        return [
            f"program years: {self.years}",
            f"2010 designations: {self.hubs_2010} hubs + {self.linked_2010} linked "
            f"(planner {self.plan_seconds:.1f} s, proven optimal: {self.proven_optimal})",
        ]


def _originals() -> list[tuple[Complex, int]]:

    found = []
    for index, original in enumerate(ORIGINALS):
        complex_ = find_original(original)
        if complex_ is not None:
            found.append((complex_, 2005 if index < FIRST_SEVEN else SECOND_WAVE_YEAR))
    return found


def load_early_years() -> int:
    """Program years 2005–2009 with the original target complexes as hubs."""
    originals = _originals()
    created = 0
    for year in range(2005, 2010):
        if ProgramYear.objects.filter(year=year).exists():
            continue
        members = [c for c, since in originals if since <= year]
        per_zone: dict[str, int] = defaultdict(int)
        for complex_ in members:
            per_zone[complex_.province.zone.code] += 1
        program_year = create_program_year(
            None,
            year=year,
            zone_targets={code: (n, 0) for code, n in per_zone.items()},
            categories=early_service_fields(),
            notes="2005–2009 클러스터사업 대상 단지 (지원서비스 11개 분야의 이름은 예시)",
            # Before 2010 a target complex ran its own councils: no linked complexes.
            rules={"hub_requires_linked": False},
            source="demo",
        )
        for complex_ in members:
            designate(None, program_year=program_year, complex=complex_, role="hub", source="demo")
        created += 1
    return created


def _pinned(program_year: ProgramYear) -> list[str]:
    """The original complexes that qualify as hubs: KICOX kept them as hubs in 2010."""
    min_hub = int(program_year.rule("hub_min_operating_firms") or 0)
    return [c.kicox_id for c, _since in _originals() if c.operating_firms >= min_hub]


def load_2010(*, progress: Any = None) -> tuple[ProgramYear, PlanRun | None]:
    program_year = load_program_year(2010)
    if Designation.all_objects.filter(program_year=program_year).exists():
        return program_year, None
    request = PlanRequest(year=2010, pinned=tuple(_pinned(program_year)), time_limit=120.0)
    plan_run = run_plan(start_plan(None, program_year, request), on_progress=progress)
    if plan_run.status != PlanRun.Status.DONE:
        raise RuntimeError(f"the 2010 demo plan failed: {plan_run.error}")
    accept_plan(None, plan_run, reason="2010년 광역화 지정안 (데모)")
    approve_plan(None, plan_run, reason="2010년 4월 최종계획 (데모)")
    approve_program_year(None, program_year)
    return program_year, plan_run


def load_program_demo(*, progress: Any = None) -> ProgramDemoSummary:
    load_early_years()
    program_year, plan_run = load_2010(progress=progress)
    counts = {
        role: Designation.objects.filter(program_year=program_year, role=role).count()
        for role in (Designation.Role.HUB, Designation.Role.LINKED)
    }
    return ProgramDemoSummary(
        years=ProgramYear.objects.count(),
        hubs_2010=counts[Designation.Role.HUB],
        linked_2010=counts[Designation.Role.LINKED],
        plan_seconds=plan_run.seconds or 0.0 if plan_run else 0.0,
        proven_optimal=bool(plan_run.proven_optimal) if plan_run else True,
    )
