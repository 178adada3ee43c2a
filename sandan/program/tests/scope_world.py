"""The program's share of the scope world: the approved 2010 year and its hubs.

Adds the 2010 program year (approved, with its five service categories and rules from
data/program_year_2010.json), the zone targets of the two zones of the world, three hub
designations — Changwon (dongnam, managed by the dongnam branch), Ulsan (dongnam, not
managed by the branch) and Banwol (capital) — and one finished planner run. The councils
and the support pipeline build on these hubs.

Everyone reads the program's reference data; HQ writes it, the ministry approves years and
designation plans, a regional HQ runs the designations of its own zone, and planner runs are
for HQ (and the national readers and regional HQs to see).
"""

from __future__ import annotations

import json

from django.utils import timezone

from sandan.core.tests.world import EVERY, Expected, Part, World, rows
from sandan.program.defaults import program_year_file
from sandan.program.models import (
    DEFAULT_RULES,
    CategoryMapping,
    Designation,
    PlanRun,
    ProgramYear,
    ServiceCategory,
    YearMilestone,
    ZoneTarget,
)

MODELS = (
    "program.programyear",
    "program.zonetarget",
    "program.servicecategory",
    "program.designation",
    "program.categorymapping",
    "program.yearmilestone",
    "program.planrun",
)
REFERENCE = MODELS[:6]
RUN = ("view", "add", "change", "delete")
# The hub of each complex of the base world.
HUBS = {"changwon": "cx_dongnam", "ulsan": "cx_dongnam_unmanaged", "banwol": "cx_capital"}

READ_REFERENCE: dict[str, dict[str, Expected]] = {label: {"view": EVERY} for label in REFERENCE}


def build(w: World) -> None:
    spec = json.loads(program_year_file(2010).read_text(encoding="utf-8"))
    year = w.add(
        "year_2010",
        ProgramYear.objects.create(
            year=2010,
            status=ProgramYear.Status.APPROVED,
            approved_at=timezone.now(),
            budget_total_krw=spec["budget_total_krw"],
            rules={**DEFAULT_RULES, **spec["rules"]},
        ),
    )
    for order, item in enumerate(spec["categories"]):
        w.add(
            f"category_{item['code']}",
            ServiceCategory.objects.create(
                program_year=year,
                code=item["code"],
                name_ko=item["name_ko"],
                name_en=item.get("name_en", ""),
                description=item.get("description", ""),
                keywords=item.get("keywords", ""),
                order=order,
            ),
        )
    year_2009 = w.add("year_2009", ProgramYear.objects.create(year=2009))
    export = w.add(
        "category_2009_EXPORT",
        ServiceCategory.objects.create(
            program_year=year_2009, code="EXPORT", name_ko="해외 시장 개척", name_en="Export"
        ),
    )
    w.add(
        "mapping_export",
        CategoryMapping.objects.create(category=w["category_TOTAL_MARKETING"], previous=export),
    )
    for index, item in enumerate(spec["milestones"]):
        w.add(
            f"milestone_{index}",
            YearMilestone.objects.create(
                program_year=year, due_on=item["due_on"], title_ko=item["title_ko"]
            ),
        )
    for zone in ("capital", "dongnam"):
        hubs, linked = spec["zone_targets"][zone]
        w.add(
            f"target_{zone}",
            ZoneTarget.objects.create(program_year=year, zone=w[zone], hubs=hubs, linked=linked),
        )
    for hub, complex_key in HUBS.items():
        complex_ = w[complex_key]
        w.add(
            f"hub_{hub}",
            Designation.objects.create(
                program_year=year,
                complex=complex_,
                role=Designation.Role.HUB,
                zone=complex_.province.zone,
            ),
        )
    w.add(
        "planrun_2010",
        PlanRun.objects.create(
            program_year=year,
            status=PlanRun.Status.DONE,
            progress=100,
            created_by=w.users["hq"],
            finished_at=timezone.now(),
        ),
    )


PART = Part(
    app="program",
    models=MODELS,
    build=build,
    expected={
        # Reads the program; approves the program years (and their budgets) and the
        # designation plans KICOX puts forward.
        "ministry": {
            **READ_REFERENCE,
            "program.programyear": {"view": EVERY, "approve": EVERY},
            "program.designation": {"view": EVERY, "approve": EVERY},
            "program.planrun": {"view": EVERY},
        },
        "auditor": {**READ_REFERENCE, "program.planrun": {"view": EVERY}},
        # Writes the program's reference data and runs the planner (a run is not deleted).
        "hq": {
            **{label: dict.fromkeys(RUN, EVERY) for label in REFERENCE},
            "program.planrun": dict.fromkeys(("view", "add", "change"), EVERY),
        },
        # Runs the designations of its zone (both dongnam hubs); sees the planner runs.
        "regional": {
            **READ_REFERENCE,
            "program.designation": {
                "view": EVERY,
                "add": rows("hub_changwon", "hub_ulsan"),
                "change": rows("hub_changwon", "hub_ulsan"),
                "delete": rows("hub_changwon", "hub_ulsan"),
            },
            "program.planrun": {"view": EVERY},
        },
        # Read the program; no planner runs.
        "coordinator": READ_REFERENCE,
        "company": READ_REFERENCE,
        "expert": READ_REFERENCE,
    },
)
