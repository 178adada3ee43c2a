"""Load a program year from its data file (data/program_year_<year>.json): targets,
categories, rules, the year's timeline (`milestones`) and how its categories map onto the
previous year's (`category_map`: {code: [previous year's codes]})."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction

from sandan.program.models import CategoryMapping, ProgramYear, ServiceCategory
from sandan.program.services import create_program_year
from sandan.program.services_year import add_milestone, previous_year, save_category

DATA_DIR = Path(settings.BASE_DIR) / "data"


def program_year_file(year: int) -> Path:
    return DATA_DIR / f"program_year_{year}.json"


def load_program_year(year: int, *, actor: Any = None, path: Path | None = None) -> ProgramYear:
    """Create the year from its file unless it exists already (idempotent)."""
    existing = ProgramYear.objects.filter(year=year).first()
    if existing is not None:
        return existing
    spec = json.loads((path or program_year_file(year)).read_text(encoding="utf-8"))
    with transaction.atomic():
        return _create(spec, actor)


def _create(spec: dict[str, Any], actor: Any) -> ProgramYear:
    program_year = create_program_year(
        actor,
        year=spec["year"],
        budget_total_krw=spec["budget_total_krw"],
        zone_targets={code: (pair[0], pair[1]) for code, pair in spec["zone_targets"].items()},
        categories=spec["categories"],
        rules=spec.get("rules", {}),
        notes=spec.get("source", ""),
        source="command",
        illustrative_targets=bool(spec.get("zone_targets_illustrative", False)),
    )
    for milestone in spec.get("milestones", []):
        add_milestone(actor, program_year, source="command", **milestone)
    apply_category_map(program_year, spec.get("category_map", {}), actor=actor)
    return program_year


def apply_category_map(
    program_year: ProgramYear, category_map: dict[str, list[str]], *, actor: Any = None
) -> int:
    """Map the year's categories onto the previous year's by code; skipped (0) when the
    previous year or a code is missing, or the year has mappings already."""
    before = previous_year(program_year)
    if before is None or not category_map:
        return 0
    if CategoryMapping.objects.filter(category__program_year=program_year).exists():
        return 0
    earlier = {c.code: c for c in before.categories.all()}
    mapped = 0
    for category in ServiceCategory.objects.filter(
        program_year=program_year, code__in=list(category_map)
    ):
        previous = [earlier[code] for code in category_map[category.code] if code in earlier]
        if previous:
            save_category(
                actor,
                program_year,
                category=category,
                code=category.code,
                name_ko=category.name_ko,
                name_en=category.name_en,
                description=category.description,
                keywords=category.keywords,
                maps_from=previous,
                reason=f"data/program_year_{program_year.year}.json",
                source="command",
            )
            mapped += len(previous)
    return mapped


def early_service_fields() -> list[dict[str, Any]]:
    """The 11 service fields of 2005–2009 (data/service_fields_2005_2009.json)."""
    spec = json.loads((DATA_DIR / "service_fields_2005_2009.json").read_text(encoding="utf-8"))
    return list(spec["categories"])
