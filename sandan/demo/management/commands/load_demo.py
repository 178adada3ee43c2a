"""`sandan load_demo`: a reproducible demo world and one login per role.

    sandan load_demo --seed 2010                  # the 2009 registry: 742 complexes, ~40,000 orgs
    sandan load_demo --scale national             # today's 1,363 complexes, 130,000 orgs
    sandan load_demo --seed 7 --organisations 500 --experts 30   # small, for tests
    sandan load_demo --activities 300             # fewer council activities (tests)
    sandan load_demo --problems 400               # fewer support problems (tests)

When the registry already holds complexes, the world is kept and only the demo users are
(re)created and printed, so running it twice is safe. See sandan/demo/ and docs/demo.md.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from sandan.core import clock
from sandan.core.io import refresh_statistics
from sandan.demo.base import AS_OF_DATE, DemoError
from sandan.demo.councils.load import load_councils_demo
from sandan.demo.finance import load_finance_demo
from sandan.demo.outreach import load_dues_demo
from sandan.demo.program import load_program_demo
from sandan.demo.registry.scales import SCALES
from sandan.demo.registry.users import DEMO_PASSWORD
from sandan.demo.registry.world import fingerprint, load_demo
from sandan.demo.support.load import load_support_demo


def _quiet(_message: str) -> None:
    return None


class Command(BaseCommand):
    help = (
        "Build the demo world (deterministic for a given --seed) through the importers and "
        "create one demo user per role. If complexes exist already, only the users are "
        "(re)created."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--seed", type=int, default=2010, help="random seed (default 2010)")
        parser.add_argument(
            "--scale",
            choices=sorted(SCALES),
            default="2009",
            help="2009: the 742 complexes of the 2009 announcement (default); "
            "national: today's real list, 130,000 organisations (benchmark)",
        )
        parser.add_argument(
            "--organisations",
            type=int,
            default=None,
            help="organisations in all (companies + ~140 institutions); default by scale",
        )
        parser.add_argument(
            "--experts", type=int, default=None, help="experts; default 300 (national: 1,000)"
        )
        parser.add_argument(
            "--activities",
            type=int,
            default=None,
            help="networking activities of the 2005–2008 councils; default 15,000",
        )
        parser.add_argument(
            "--problems",
            type=int,
            default=None,
            help="support problems of 2010; default 3,000 (national: 20,000)",
        )
        parser.add_argument(
            "--password",
            default=DEMO_PASSWORD,
            help=f"password of every demo user (default {DEMO_PASSWORD})",
        )
        parser.add_argument(
            "--fingerprint",
            action="store_true",
            help="print a SHA-256 of the registry's content (same seed → same fingerprint)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        # The demo's world is as of AS_OF_DATE (ADR 0017): every write it makes (audit
        # entries, approvals, coming activities) is dated by the clock held there.
        with clock.held_at(AS_OF_DATE):
            self._load(**options)
        if options["verbosity"] >= 1:
            self.stdout.write(f"the demo's world is as of {AS_OF_DATE.isoformat()}")
            if clock.as_of() != AS_OF_DATE:
                self.stdout.write(
                    self.style.WARNING(
                        f"serve it held at that date: SANDAN_AS_OF={AS_OF_DATE.isoformat()} "
                        "sandan runserver (make demo does)"
                    )
                )

    def _load(self, **options: Any) -> None:
        verbosity = int(options["verbosity"])
        for name in ("organisations", "experts", "activities", "problems"):
            if options[name] is not None and options[name] < 0:
                raise CommandError(f"--{name} must be ≥ 0")
        try:
            report = load_demo(
                seed=options["seed"],
                scale=options["scale"],
                organisations=options["organisations"],
                experts=options["experts"],
                password=options["password"],
                progress=verbosity >= 1,
                log=self.stdout.write if verbosity >= 1 else _quiet,
            )
        except DemoError as exc:
            raise CommandError(str(exc)) from exc
        if verbosity >= 1:
            counts = report.counts
            self.stdout.write(
                f"registry: {counts['complexes']:,} complexes, {counts['stats']:,} quarterly "
                f"figures, {counts['organisations']:,} organisations, "
                f"{counts['experts']:,} experts"
            )
            if not report.skipped_world:
                self.stdout.write(
                    "timings: "
                    + ", ".join(f"{label} {seconds:.1f} s" for label, seconds in report.timings)
                )
        # The program (years, designations) builds on the registry just loaded.
        program = load_program_demo()
        if verbosity >= 1:
            for line in program.lines():
                self.stdout.write(line)
        # Councils, members and activities stand on the program's hub designations.
        councils = load_councils_demo(
            seed=options["seed"],
            scale=options["scale"],
            progress=verbosity >= 1,
            log=self.stdout.write if verbosity >= 1 else _quiet,
            **({} if options["activities"] is None else {"activities": options["activities"]}),
        )
        if verbosity >= 1:
            for line in councils.lines():
                self.stdout.write(line)
        # The support pipeline of 2010 (problems, triage, experts, projects, outcomes)
        # stands on the registry's firms and experts, the designations and the councils.
        support = load_support_demo(
            seed=options["seed"],
            scale=options["scale"],
            progress=verbosity >= 1,
            log=self.stdout.write if verbosity >= 1 else _quiet,
            **({} if options["problems"] is None else {"problems": options["problems"]}),
        )
        if verbosity >= 1:
            for line in support.lines():
                self.stdout.write(line)
        # The 2010 budget: allocated down the tree, the funded projects committed and paid.
        finance = load_finance_demo()
        if verbosity >= 1:
            for line in finance.lines():
                self.stdout.write(line)
        # Council dues of 2010 (levels, invoices, payments) on the 2010 hub councils.
        dues = load_dues_demo(seed=options["seed"])
        if verbosity >= 1:
            for line in dues.lines():
                self.stdout.write(line)
        # Planner statistics for everything just loaded (PostgreSQL; see refresh_statistics).
        refresh_statistics()
        if options["fingerprint"]:
            self.stdout.write(f"fingerprint: {fingerprint()}")
        self._print_users(report.users)

    def _print_users(self, users: list[tuple[str, str, str, str]]) -> None:
        header = ("username", "password", "role", "scope")
        widths = [max(len(str(row[i])) for row in [header, *users]) for i in range(3)]
        line = "  ".join([*(f"{header[i]:<{widths[i]}}" for i in range(3)), header[3]])
        self.stdout.write(self.style.MIGRATE_HEADING("Demo logins"))
        self.stdout.write(line)
        self.stdout.write("-" * len(line))
        for row in users:
            self.stdout.write("  ".join([*(f"{row[i]:<{widths[i]}}" for i in range(3)), row[3]]))
