"""`sandan analyse_problems [--year Y]`: keep the Korean analysis of every problem's text.

Triage learns from the year's confirmed problems; reading their stored analyses is what
lets a new server process build it in a moment instead of analysing the whole history
again. Intake stores the analysis already; run this after upgrading kiwipiepy (the stored
analyses of another version are not reused) or after an import made without suggestions.
The analysis is derived data (not editable, not audited).
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from tqdm import tqdm

from sandan.support.models import Problem
from sandan.support.text import analyser_version, stored_analysis

BATCH = 500


class Command(BaseCommand):
    help = "Store the Korean analysis of problems that lack one (or have an outdated one)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--year", type=int, help="only this program year")

    def handle(self, *args: Any, **options: Any) -> None:
        chosen = Problem.objects.order_by("pk")
        if options["year"]:
            chosen = chosen.filter(program_year__year=options["year"])
        # Compared here, not in SQL: a missing key is NULL there and slips through a NOT.
        current = analyser_version()
        ids = [pk for pk, v in chosen.values_list("pk", "analysis__v") if v != current]
        with tqdm(total=len(ids), desc="analyse", unit="problem", disable=None) as bar:
            for start in range(0, len(ids), BATCH):
                problems = list(
                    Problem.objects.filter(pk__in=ids[start : start + BATCH]).only(
                        "title", "description", "help_wanted", "analysis"
                    )
                )
                for problem in problems:
                    problem.analysis = stored_analysis(problem.text)
                Problem.objects.bulk_update(problems, ["analysis"])
                bar.update(len(problems))
        self.stdout.write(f"{len(ids):,} problem(s) analysed ({analyser_version()})")
