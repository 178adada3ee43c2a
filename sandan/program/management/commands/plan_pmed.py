"""`sandan plan_pmed FILE`: solve an OR-Library p-median instance, print one JSON line."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from sandan.program.orlib import InstanceError, read_pmed
from sandan.program.pmedian import PMedianError, solve_pmedian


def run_pmed(path: str | Path, time_limit: float = 60.0) -> dict[str, Any]:
    """Read, build shortest-path distances, solve; the dict printed by the command.

    ``seconds`` is the wall time including reading and the shortest paths.
    Raises InstanceError / PMedianError on bad input.
    """
    started = time.perf_counter()
    inst = read_pmed(path)
    dist = inst.distance_matrix()
    remaining = max(1.0, time_limit - (time.perf_counter() - started))
    res = solve_pmedian(dist, inst.p, time_limit=remaining)
    return {
        "n": inst.n,
        "p": inst.p,
        "objective": int(res.objective) if float(res.objective).is_integer() else res.objective,
        "medians": [j + 1 for j in res.medians],
        "proven_optimal": res.proven_optimal,
        "seconds": round(time.perf_counter() - started, 3),
        "lower_bound": int(res.lower_bound)
        if float(res.lower_bound).is_integer()
        else res.lower_bound,
    }


class Command(BaseCommand):
    help = (
        "Solve an OR-Library p-median instance (Beasley's pmed format: 'n m p' then m lines "
        "'i j cost'; distances are shortest paths, the last copy of a repeated edge counts) "
        "and print one JSON line."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="OR-Library pmed file")
        parser.add_argument(
            "--time-limit", type=float, default=60.0, help="seconds, wall clock (default 60)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        limit = float(options["time_limit"])
        if not limit > 0:
            raise CommandError("--time-limit must be positive")
        try:
            out = run_pmed(options["file"], limit)
        except (InstanceError, PMedianError) as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(json.dumps(out, separators=(", ", ": ")))
