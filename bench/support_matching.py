"""Expert-matching benchmark on the shipped labelled set (data/support/matching_*.csv).

1. Runs `sandan evaluate_matching` in-process (the figures a reviewer reproduces):
   n, recall@5, nDCG@10, ms per case.
2. Times the matcher over the 1,000 shipped experts: index build, then every case ranked
   ``--repeat`` times (analysis caches cleared before each pass, so each case is analysed
   afresh); mean, p50, p95 and max milliseconds per case.

Prints both and appends one JSON line to bench/results/matching.jsonl.

Usage: python bench/support_matching.py [--repeat 3]
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import io
import json
import os
import platform
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "data" / "support"
RESULTS = ROOT / "bench" / "results" / "matching.jsonl"
TARGET_RECALL = 0.9
TARGET_MS = 5.0


def _setup_django() -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--repeat", type=int, default=3, help="timing passes over the cases")
    ns = ap.parse_args()
    _setup_django()
    from django.core.management import call_command

    from sandan.support import text
    from sandan.support.management.commands.evaluate_matching import read_cases, read_experts
    from sandan.support.matching import Matcher

    cases_csv = DATA / "matching_cases.csv"
    experts_csv = DATA / "matching_experts.csv"
    rel_csv = DATA / "matching_relevance.csv"

    buf = io.StringIO()
    call_command(
        "evaluate_matching",
        cases=str(cases_csv),
        experts=str(experts_csv),
        relevance=str(rel_csv),
        stdout=buf,
    )
    quality = json.loads(buf.getvalue().strip().splitlines()[-1])

    experts = read_experts(experts_csv)
    cases = [c for _, c in read_cases(cases_csv)]
    text.morphemes.cache_clear()
    text._analyse.cache_clear()
    started = time.perf_counter()
    matcher = Matcher(experts)
    build_s = time.perf_counter() - started
    times: list[float] = []
    for _ in range(max(1, ns.repeat)):
        text.morphemes.cache_clear()
        text._analyse.cache_clear()
        for case in cases:
            t0 = time.perf_counter()
            matcher.rank(case, k=10)
            times.append(1000 * (time.perf_counter() - t0))
    times.sort()
    timing = {
        "experts": len(experts),
        "cases_ranked": len(times),
        "index_build_s": round(build_s, 3),
        "ms_mean": round(statistics.fmean(times), 3),
        "ms_p50": round(times[len(times) // 2], 3),
        "ms_p95": round(times[min(len(times) - 1, int(0.95 * len(times)))], 3),
        "ms_max": round(times[-1], 3),
    }
    with rel_csv.open(encoding="utf-8") as fh:
        relevant_pairs = sum(1 for r in csv.DictReader(fh) if int(r["grade"]) >= 1)
    row = {
        "bench": "support_matching",
        "run_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        **quality,
        "relevant_pairs": relevant_pairs,
        "timing": timing,
        "targets": {
            "recall_at_5": TARGET_RECALL,
            "ms_per_case": TARGET_MS,
            "met": quality["recall_at_5"] >= TARGET_RECALL and timing["ms_p50"] <= TARGET_MS,
        },
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    with RESULTS.open("a") as fh:
        fh.write(json.dumps(row) + "\n")
    print(json.dumps(quality))
    print(
        f"recall@5 {quality['recall_at_5']:.4f} (target ≥ {TARGET_RECALL}), "
        f"nDCG@10 {quality['ndcg_at_10']:.4f}, n {quality['n']} cases"
    )
    print(
        f"{timing['experts']} experts: index {timing['index_build_s']} s; per case "
        f"mean {timing['ms_mean']} ms, p50 {timing['ms_p50']} ms, p95 {timing['ms_p95']} ms, "
        f"max {timing['ms_max']} ms (target ≤ {TARGET_MS} ms)"
    )
    print(f"appended to {RESULTS.relative_to(ROOT)}")
    return 0 if row["targets"]["met"] else 1


if __name__ == "__main__":
    raise SystemExit(main())
