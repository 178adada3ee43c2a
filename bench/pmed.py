"""OR-Library p-median benchmark (pmed1 … pmed40) for `sandan plan_pmed`.

Runs each instance through the management command (in-process, `call_command`) with
`--time-limit 60`, compares with the published optimum (bench/data/pmed/optima.csv),
prints a table and a summary line, and appends one JSON line per instance to
bench/results/pmed.jsonl.

Usage: python bench/pmed.py [INSTANCE ...] [--time-limit 60]
       e.g. python bench/pmed.py pmed36 38 39
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import io
import json
import os
import platform
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "bench" / "data" / "pmed"
RESULTS = ROOT / "bench" / "results" / "pmed.jsonl"


def _setup_django() -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()


def _names(args: list[str]) -> list[str]:
    if not args:
        return [f"pmed{i}" for i in range(1, 41)]
    out = []
    for a in args:
        a = a.removesuffix(".txt")
        out.append(a if a.startswith("pmed") else f"pmed{int(a)}")
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("instances", nargs="*", help="pmedK or K (default: all 40)")
    ap.add_argument("--time-limit", type=float, default=60.0)
    ns = ap.parse_args()
    _setup_django()
    from django.core.management import call_command

    with (DATA / "optima.csv").open() as fh:
        optima = {row["instance"]: int(row["optimum"]) for row in csv.DictReader(fh)}
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    run_at = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    header = (
        f"{'instance':<9}{'n':>5}{'p':>5}{'objective':>11}{'optimum':>9}"
        f"{'match':>7}{'proven':>8}{'seconds':>9}"
    )
    print(header)
    print("-" * len(header))
    rows: list[dict[str, Any]] = []
    for name in _names(ns.instances):
        buf = io.StringIO()
        call_command("plan_pmed", str(DATA / f"{name}.txt"), time_limit=ns.time_limit, stdout=buf)
        res = json.loads(buf.getvalue().strip().splitlines()[-1])
        opt = optima.get(name)
        match = opt is not None and res["objective"] == opt
        row = {
            "bench": "pmed",
            "run_at": run_at,
            "instance": name,
            "n": res["n"],
            "p": res["p"],
            "objective": res["objective"],
            "optimum": opt,
            "match": match,
            "proven_optimal": res["proven_optimal"],
            "lower_bound": res.get("lower_bound"),
            "seconds": res["seconds"],
            "time_limit": ns.time_limit,
            "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
        }
        rows.append(row)
        with RESULTS.open("a") as fh:
            fh.write(json.dumps(row) + "\n")
        print(
            f"{name:<9}{res['n']:>5}{res['p']:>5}{res['objective']:>11}{opt!s:>9}"
            f"{'yes' if match else 'NO':>7}{'yes' if res['proven_optimal'] else 'no':>8}"
            f"{res['seconds']:>9.2f}",
            flush=True,
        )
    ok = sum(r["match"] and r["proven_optimal"] for r in rows)
    in_time = sum(r["match"] and r["proven_optimal"] and r["seconds"] <= 60.0 for r in rows)
    total = sum(r["seconds"] for r in rows)
    worst = max(rows, key=lambda r: r["seconds"])
    print(
        f"summary: {ok}/{len(rows)} optimal and proven, {in_time}/{len(rows)} within 60 s; "
        f"total {total:.1f} s, slowest {worst['instance']} {worst['seconds']:.1f} s"
    )
    return 0 if ok == len(rows) else 1


if __name__ == "__main__":
    raise SystemExit(main())
