"""`sandan plan_designation --year 2010`: propose hubs and links, optionally accept them."""

from __future__ import annotations

import json
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from sandan.program.models import PlanRun, ProgramYear
from sandan.program.planner import PlanRequest
from sandan.program.services import accept_plan, run_plan, start_plan


class Command(BaseCommand):
    help = (
        "Propose hub and linked complexes meeting a program year's zone targets (exact MIP, HiGHS)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--year", type=int, required=True)
        parser.add_argument("--hubs", type=int, help="total hubs (default: the year's target)")
        parser.add_argument(
            "--zone-hubs",
            help="hubs per zone, e.g. capital=6,dongnam=5 (default: the year's zone targets)",
        )
        parser.add_argument("--geo-weight", type=float, default=1.0)
        parser.add_argument("--industry-weight", type=float, default=1.0)
        parser.add_argument("--geo-scale-km", type=float, default=50.0)
        parser.add_argument("--min-hub-firms", type=int, help="operating firms a hub needs")
        parser.add_argument("--min-firms", type=int, default=1, help="smallest complex designated")
        parser.add_argument("--kind", action="append", default=[], dest="kinds")
        parser.add_argument(
            "--pin", action="append", default=[], help="KICOX id forced to be a hub"
        )
        parser.add_argument("--exclude", action="append", default=[], help="KICOX id left out")
        parser.add_argument("--cross-zone", action="store_true", help="allow links across zones")
        parser.add_argument("--time-limit", type=float, default=60.0)
        parser.add_argument(
            "--zone-linked",
            help="linked complexes per zone, e.g. capital=30 (default: the year's zone targets)",
        )
        parser.add_argument("--accept", action="store_true", help="create proposed designations")
        parser.add_argument("--json", action="store_true", help="print the whole plan as JSON")

    def handle(self, *args: Any, **options: Any) -> None:
        program_year = ProgramYear.objects.filter(year=options["year"]).first()
        if program_year is None:
            raise CommandError(f"no program year {options['year']}")
        request = PlanRequest(
            year=options["year"],
            hubs=options["hubs"],
            zone_hubs=_zone_hubs(options["zone_hubs"]),
            zone_linked=_zone_hubs(options["zone_linked"]),
            geo_weight=options["geo_weight"],
            industry_weight=options["industry_weight"],
            geo_scale_km=options["geo_scale_km"],
            min_hub_operating_firms=options["min_hub_firms"],
            min_operating_firms=options["min_firms"],
            kinds=tuple(options["kinds"]),
            pinned=tuple(options["pin"]),
            excluded=tuple(options["exclude"]),
            allow_cross_zone=options["cross_zone"],
            time_limit=options["time_limit"],
        )
        plan_run = start_plan(None, program_year, request)
        with tqdm(total=100, desc="plan", unit="%", disable=None) as bar:

            def tick(percent: int, stage: str) -> None:
                bar.set_postfix_str(stage)
                bar.update(max(0, percent - bar.n))

            plan_run = run_plan(plan_run, on_progress=tick)
        if plan_run.status == PlanRun.Status.FAILED:
            raise CommandError(plan_run.error)
        result = plan_run.result
        if options["json"]:
            self.stdout.write(json.dumps(result, ensure_ascii=False))
        else:
            self._summary(result)
        if options["accept"]:
            try:
                count = accept_plan(None, plan_run, reason="sandan plan_designation --accept")
            except ValidationError as exc:
                raise CommandError("; ".join(exc.messages)) from exc
            self.stdout.write(self.style.SUCCESS(f"{count} designations proposed"))

    def _summary(self, result: dict[str, Any]) -> None:
        self.stdout.write(
            f"objective {result['objective']}  bound {result['bound']}  "
            f"gap {result['gap']:.4%}  proven optimal {result['proven_optimal']}  "
            f"{result['seconds']} s"
        )
        for zone in result["zones"]:
            self.stdout.write(
                f"  {zone['zone']:<12} hubs {zone['hubs']:>3}/{zone['hub_target']:<3} "
                f"linked {zone['linked']:>4}/{zone['linked_target']:<4} "
                f"complexes {zone['sites']:>5}  candidates {zone['candidates']:>4}"
            )
        for hub in result["hubs"]:
            mix = ", ".join(f"{code} {share:.0%}" for code, share in hub["industry_mix"])
            self.stdout.write(
                f"  hub {hub['kicox_id']} {hub['name_ko']} ({hub['zone']}): "
                f"{hub['operating_firms']} firms, {hub['linked_count']} linked; {mix}"
            )


def _zone_hubs(text: str | None) -> dict[str, int] | None:
    if not text:
        return None
    counts: dict[str, int] = {}
    for part in text.split(","):
        code, _, number = part.partition("=")
        if not number.strip().isdigit():
            raise CommandError(f"--zone-hubs: expected zone=count, got {part!r}")
        counts[code.strip()] = int(number)
    return counts
