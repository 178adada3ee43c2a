"""`sandan evaluate_triage --test TEST.csv [--train TRAIN.csv] [--year 2010]`.

Prints one JSON line ``{"n", "accuracy", "macro_f1", "ms_per_case"}``. Without ``--train`` the
triage is zero-shot: only the program year's categories (descriptions and keywords) and the
built-in lexicon. The categories come from the program year in the database when it exists, else
from data/program_year_<year>.json, so the command also works on a fresh, empty database.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DatabaseError

from sandan.support.triage import (
    DEFAULT_YEAR_FILE,
    Category,
    Triage,
    categories_of_year,
    default_categories,
)
from sandan.support.triage_eval import CaseFileError, evaluate, read_cases


def year_categories(year: int) -> list[Category]:
    """The year's categories from the database, else from its data file."""
    from sandan.program.models import ProgramYear

    try:
        program_year = ProgramYear.objects.filter(year=year).first()
        categories = categories_of_year(program_year) if program_year is not None else []
    except DatabaseError:
        # An unmigrated database: the data file is the only source.
        categories = []
    if categories:
        return categories
    path = DEFAULT_YEAR_FILE.with_name(f"program_year_{year}.json")
    if not path.exists():
        raise CommandError(f"program year {year}: not in the database and no {path.name}")
    return default_categories(path)


class Command(BaseCommand):
    help = "Evaluate the triage of problems into service categories on a labelled CSV."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--test", required=True, type=Path, help="CSV id,text_ko,category")
        parser.add_argument("--train", type=Path, help="CSV of confirmed cases to learn from")
        parser.add_argument("--year", type=int, default=2010, help="program year (default 2010)")

    def handle(self, *args: Any, **options: Any) -> None:
        categories = year_categories(options["year"])
        codes = [category.code for category in categories]
        try:
            test = read_cases(options["test"], codes)
            train = read_cases(options["train"], codes) if options["train"] else []
        except CaseFileError as error:
            raise CommandError(str(error)) from error
        triage = Triage(categories, [(case.text_ko, case.category) for case in train])
        # Load the analyser and warm the caches before timing: ms_per_case is per suggestion.
        triage.suggest("시제품 제작 지원이 필요합니다")
        result = evaluate(triage, test)
        self.stdout.write(json.dumps(result, ensure_ascii=False))
