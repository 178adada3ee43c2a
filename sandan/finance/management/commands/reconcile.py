"""`sandan reconcile --year Y`: recompute every line's balance from its transactions, print
the year's totals and fail (exit 1) on any mismatch or broken invariant."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from sandan.finance.reconcile import reconcile
from sandan.program.models import ProgramYear


class Command(BaseCommand):
    help = "Recompute the budget lines of a program year from the ledger and check them."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--year", type=int, required=True)

    def handle(self, *args: Any, **options: Any) -> None:
        year = ProgramYear.objects.filter(year=options["year"]).first()
        if year is None:
            raise CommandError(f"no program year {options['year']}")
        report = reconcile(year)
        out = self.stdout
        out.write(f"year {report.year}: {report.lines} lines, {report.transactions} transactions")
        out.write(f"budget     {report.budget_krw:>20,} KRW")
        out.write(f"allocated  {report.allocated_krw:>20,} KRW")
        out.write(f"committed  {report.committed_krw:>20,} KRW")
        out.write(f"disbursed  {report.disbursed_krw:>20,} KRW")
        if not report.ok:
            for problem in report.problems:
                self.stderr.write(problem)
            raise CommandError(f"{len(report.problems)} mismatch(es)")
        out.write("ok: every line matches its transactions")
