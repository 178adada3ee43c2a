"""Load a program year from its data file (data/program_year_<year>.json)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.conf import settings

from sandan.program.models import ProgramYear
from sandan.program.services import create_program_year

DATA_DIR = Path(settings.BASE_DIR) / "data"


def program_year_file(year: int) -> Path:
    return DATA_DIR / f"program_year_{year}.json"


def load_program_year(year: int, *, actor: Any = None, path: Path | None = None) -> ProgramYear:
    """Create the year from its file unless it exists already (idempotent)."""
    existing = ProgramYear.objects.filter(year=year).first()
    if existing is not None:
        return existing
    spec = json.loads((path or program_year_file(year)).read_text(encoding="utf-8"))
    return create_program_year(
        actor,
        year=spec["year"],
        budget_total_krw=spec["budget_total_krw"],
        zone_targets={code: (pair[0], pair[1]) for code, pair in spec["zone_targets"].items()},
        categories=spec["categories"],
        rules=spec.get("rules", {}),
        notes=spec.get("source", ""),
        source="command",
    )
