"""Triage benchmark: `sandan evaluate_triage` on the shipped labelled sets.

Runs the command in-process (`call_command`) on
  * zero-shot: data/support/triage_cases.csv (400) and data/support/triage_holdout.csv (150),
  * trained on a fixed 100 of the 400 (every fourth id), tested on the other 300 and on the
    holdout,
  * trained on all 400, tested on the holdout,
prints a table and appends one JSON line per run to bench/results/triage.jsonl.

The holdout set was written in another style, about other industries, and is never used to tune
the engine; it is the honest figure. Targets: accuracy ≥ 0.75 zero-shot, ≥ 0.90 trained on
about 100 cases, ≤ 5 ms per case.

Usage: python bench/support_triage.py
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import os
import platform
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "data" / "support"
CASES = DATA / "triage_cases.csv"
HOLDOUT = DATA / "triage_holdout.csv"
RESULTS = ROOT / "bench" / "results" / "triage.jsonl"


def _setup_django() -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()


def _split(directory: Path) -> tuple[Path, Path]:
    """Write the fixed split of the 400 cases: ids divisible by 4 train (100), the rest test."""
    with CASES.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    train = [row for row in rows if int(row["id"][1:]) % 4 == 0]
    test = [row for row in rows if int(row["id"][1:]) % 4 != 0]
    paths = []
    for name, part in (("train100.csv", train), ("test300.csv", test)):
        path = directory / name
        with path.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=["id", "text_ko", "category"])
            writer.writeheader()
            writer.writerows(part)
        paths.append(path)
    return paths[0], paths[1]


def _run(test: Path, train: Path | None) -> dict[str, Any]:
    from django.core.management import call_command

    from sandan.support import text, triage

    # Fresh analysis caches: ms_per_case must include analysing texts never seen before.
    text.morphemes.cache_clear()
    text._analyse.cache_clear()
    triage._units.cache_clear()
    out = io.StringIO()
    args = ["--test", str(test)] + (["--train", str(train)] if train else [])
    call_command("evaluate_triage", *args, stdout=out)
    result: dict[str, Any] = json.loads(out.getvalue().strip().splitlines()[-1])
    return result


def main() -> int:
    _setup_django()
    run_at = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    machine = {"cpus": os.cpu_count(), "python": platform.python_version()}
    with tempfile.TemporaryDirectory() as tmp:
        train100, test300 = _split(Path(tmp))
        runs = [
            ("zero_shot", "cases400", CASES, None, 0.75),
            ("zero_shot", "holdout150", HOLDOUT, None, 0.75),
            ("train100", "cases300", test300, train100, 0.90),
            ("train100", "holdout150", HOLDOUT, train100, 0.90),
            ("train400", "holdout150", HOLDOUT, CASES, 0.90),
        ]
        lines = []
        print(f"{'mode':<10} {'test':<11} {'n':>4} {'accuracy':>9} {'macro_f1':>9} {'ms/case':>8}")
        all_met = True
        for mode, test_name, test, train, target in runs:
            result = _run(test, train)
            met = result["accuracy"] >= target and result["ms_per_case"] <= 5.0
            all_met &= met
            print(
                f"{mode:<10} {test_name:<11} {result['n']:>4} {result['accuracy']:>9.3f}"
                f" {result['macro_f1']:>9.3f} {result['ms_per_case']:>8.3f}"
                f"  {'ok' if met else 'BELOW TARGET'}"
            )
            lines.append(
                {
                    "bench": "support_triage",
                    "run_at": run_at,
                    "mode": mode,
                    "test": test_name,
                    **result,
                    "targets": {"accuracy": target, "ms_per_case": 5.0, "met": met},
                    "machine": machine,
                }
            )
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    with RESULTS.open("a", encoding="utf-8") as handle:
        for line in lines:
            print(json.dumps(line, ensure_ascii=False))
            handle.write(json.dumps(line, ensure_ascii=False) + "\n")
    print(f"appended {len(lines)} lines to {RESULTS.relative_to(ROOT)}")
    return 0 if all_met else 1


if __name__ == "__main__":
    raise SystemExit(main())
