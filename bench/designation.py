"""National designation benchmark (`make bench`): the 2010 plan among the 1,363 real complexes.

Builds (once) the national registry — the real KICOX list of data/, 130,000 organisations —
into a SQLite file under bench/tmp (or the database of --database-url), loads program year
2010 from data/, and times the designation planner (`sandan.program.planner`, the same
model as `sandan plan_designation`): one MIP choosing the 25 hubs and 125 linked complexes
of the year's zone targets over every complex of the registry. Prints hubs and linked per
zone against the targets, objective, bound, gap and seconds against the 60 s target and
appends one JSON line to bench/results/designation.jsonl.

Usage: python bench/designation.py [--time-limit 60] [--database-url URL] [--fresh]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
TMP = ROOT / "bench" / "tmp"
RESULTS = ROOT / "bench" / "results" / "designation.jsonl"
NATIONAL_DB = TMP / "national.sqlite3"
TARGET_SECONDS = 60.0
HUBS, LINKED = 25, 125


def setup(database_url: str | None, *, fresh: bool = False) -> str:
    """Point Django at the benchmark database (before django.setup) and set it up."""
    sys.path.insert(0, str(ROOT))
    TMP.mkdir(parents=True, exist_ok=True)
    if database_url is None:
        if fresh and NATIONAL_DB.exists():
            for suffix in ("", "-wal", "-shm"):
                Path(f"{NATIONAL_DB}{suffix}").unlink(missing_ok=True)
        database_url = f"sqlite:///{NATIONAL_DB}"
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("SANDAN_LOG_LEVEL", "ERROR")
    import django

    django.setup()
    return database_url


def national_registry(log: Any = print) -> float:
    """Migrate, load the reference and (if the registry is empty) the national registry
    with its demo users. Returns the seconds it took."""
    from django.core.management import call_command

    from sandan.demo.registry import world
    from sandan.registry.reference import load_reference

    started = time.perf_counter()
    call_command("migrate", verbosity=0, interactive=False)
    load_reference()
    if not world.world_exists():
        log("building the national registry (1,363 complexes, 130,000 organisations) …")
        world.load_demo(seed=1, scale="national")
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--time-limit", type=float, default=TARGET_SECONDS)
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--fresh", action="store_true", help="rebuild the SQLite file")
    args = parser.parse_args()
    database_url = setup(args.database_url, fresh=args.fresh)
    build_seconds = national_registry()

    from sandan.program.defaults import load_program_year
    from sandan.program.planner import PlanRequest, plan_designation
    from sandan.registry.models import Complex

    program_year = load_program_year(2010)
    complexes = Complex.objects.count()
    request = PlanRequest(year=2010, time_limit=args.time_limit)
    started = time.perf_counter()
    plan = plan_designation(request)
    wall = time.perf_counter() - started
    exact = all(z.hubs == z.hub_target and z.linked == z.linked_target for z in plan.zones)
    ok = (
        exact
        and (len(plan.hubs), len(plan.linked)) == (HUBS, LINKED)
        and plan.proven_optimal
        and wall <= TARGET_SECONDS
    )
    print(
        f"national designation: {complexes:,} complexes, {len(plan.hubs)} hubs, "
        f"{len(plan.linked):,} linked (zone targets of {program_year.year})"
    )
    for zone in plan.zones:
        print(
            f"  {zone.zone:<12} hubs {zone.hubs:>2}/{zone.hub_target:<2}  "
            f"linked {zone.linked:>3}/{zone.linked_target:<3}  complexes {zone.sites:>4}  "
            f"candidates {zone.candidates:>3}  firms {zone.firms:>6,}"
        )
    print(
        f"objective {plan.objective:.2f}  bound {plan.bound:.2f}  "
        f"gap {plan.gap:.4%}  proven optimal {plan.proven_optimal}  "
        f"{plan.solver['variables']:,} variables, {plan.solver['constraints']:,} constraints, "
        f"{plan.solver['nodes']} nodes  solver {plan.solver['solve_seconds']:.1f} s  "
        f"wall {wall:.1f} s  (target: zone targets exact, proven, ≤ {TARGET_SECONDS:.0f} s: "
        f"{'ok' if ok else 'MISSED'})"
    )
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    record = {
        "at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "host": platform.node(),
        "database": database_url.split(":", 1)[0],
        "complexes": complexes,
        "model": "hubs+linked MIP",
        "hubs": len(plan.hubs),
        "linked": len(plan.linked),
        "zones": {
            z.zone: {
                "hubs": z.hubs,
                "hub_target": z.hub_target,
                "linked": z.linked,
                "linked_target": z.linked_target,
            }
            for z in plan.zones
        },
        "targets_met": exact,
        "objective": plan.objective,
        "bound": plan.bound,
        "gap": plan.gap,
        "proven_optimal": plan.proven_optimal,
        "solver_seconds": plan.solver["solve_seconds"],
        "plan_seconds": plan.seconds,
        "variables": plan.solver["variables"],
        "constraints": plan.solver["constraints"],
        "wall_seconds": round(wall, 3),
        "build_seconds": round(build_seconds, 1),
        "time_limit": args.time_limit,
        "target_seconds": TARGET_SECONDS,
        "ok": ok,
    }
    with RESULTS.open("a", encoding="utf-8") as handle:
        handle.write(json.dumps(record, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
