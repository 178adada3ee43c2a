"""Expert-matching benchmark: the engine and a plain baseline on every shipped labelled set.

Sets (data/support/README.md says who wrote them and why they are split this way):

* ``gen_dev`` / ``gen_test``: the generated set (data/support/matching_*.csv, 1,000 experts),
  cases with an odd number (M001, M003, …) are the development part, even ones the frozen test
  part; both are ranked over all 1,000 experts;
* ``hard_dev`` / ``hard_test``: the harder set (data/support/matching_hard_*.csv): specialties in
  vocabulary the thesaurus does not contain, needs phrased without the experts' words, 61
  experts; split by need (the test part's needs never occur in the development part).

Per set: `sandan evaluate_matching` (in-process): n, recall@5, nDCG@10, ms per case; with
``--train`` the learned ranker fitted on the development part's graded pairs and scored on the
test part (``ranker`` columns); and the baseline *BM25 over specialties + category*: bm25s over
the kiwipiepy tokens of the specialties, experts serving the case's category ranked first.

Then times the matcher over the 1,000 generated experts: index build, every case ranked
``--repeat`` times with fresh analysis caches; mean, p50, p95 and max ms per case.
Appends one JSON line per run to bench/results/matching.jsonl.

Targets (issue 12, on the frozen test parts): recall@5 ≥ 0.92, nDCG@10 ≥ 0.88, ≤ 5 ms per case.

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
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "data" / "support"
RESULTS = ROOT / "bench" / "results" / "matching.jsonl"
TARGET_RECALL = 0.92
TARGET_NDCG = 0.88
TARGET_MS = 5.0


def _setup_django() -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()


def _filter(source: Path, target: Path, column: str, keep: set[str]) -> Path:
    with source.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        rows = [row for row in reader if row[column] in keep]
        fields = list(reader.fieldnames or [])
    with target.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=fields)
        writer.writeheader()
        writer.writerows(rows)
    return target


def sets(tmp: Path) -> dict[str, tuple[Path, Path, Path]]:
    """name → (cases, experts, relevance)."""
    cases = DATA / "matching_cases.csv"
    rel = DATA / "matching_relevance.csv"
    with cases.open(encoding="utf-8", newline="") as handle:
        ids = [row["id"] for row in csv.DictReader(handle)]
    out: dict[str, tuple[Path, Path, Path]] = {}
    for name, parity in (("gen_dev", 1), ("gen_test", 0)):
        keep = {i for i in ids if int(i[1:]) % 2 == parity}
        out[name] = (
            _filter(cases, tmp / f"{name}_cases.csv", "id", keep),
            DATA / "matching_experts.csv",
            _filter(rel, tmp / f"{name}_rel.csv", "case_id", keep),
        )
    for part in ("dev", "test"):
        out[f"hard_{part}"] = (
            DATA / f"matching_hard_{part}_cases.csv",
            DATA / "matching_hard_experts.csv",
            DATA / f"matching_hard_{part}_relevance.csv",
        )
    return out


def engine(files: tuple[Path, Path, Path], train: tuple[Path, Path, Path] | None) -> dict[str, Any]:
    from django.core.management import call_command

    cases, experts, rel = files
    args = ["--cases", str(cases), "--experts", str(experts), "--relevance", str(rel)]
    if train is not None:
        args += [
            "--train",
            str(train[2]),
            "--train-cases",
            str(train[0]),
            "--train-experts",
            str(train[1]),
        ]
    out = io.StringIO()
    call_command("evaluate_matching", *args, stdout=out)
    result: dict[str, Any] = json.loads(out.getvalue().strip().splitlines()[-1])
    return result


def bm25_baseline(files: tuple[Path, Path, Path]) -> dict[str, float]:
    """BM25 over the specialties' tokens; experts serving the case's category first."""
    import bm25s
    import numpy as np

    from sandan.support.management.commands.evaluate_matching import (
        ndcg_at,
        read_cases,
        read_experts,
        read_relevance,
        recall_at,
    )
    from sandan.support.text import analyse

    cases = read_cases(files[0])
    experts = read_experts(files[1])
    relevance = read_relevance(files[2], {c for c, _ in cases}, {e.id for e in experts})
    model = bm25s.BM25()
    model.index([analyse(e.specialties) or [""] for e in experts], show_progress=False)
    vocab = model.vocab_dict
    recalls, ndcgs = [], []
    for cid, case in cases:
        grades = relevance.get(cid, {})
        if not any(g >= 1 for g in grades.values()):
            continue
        tokens = [t for t in analyse(case.text) if t in vocab]
        scores = model.get_scores(tokens) if tokens else np.zeros(len(experts))
        top = float(scores.max()) or 1.0
        scores = scores / top + np.array([case.category in e.categories for e in experts])
        ranked = [experts[i].id for i in np.argsort(-scores, kind="stable")[:10]]
        recalls.append(recall_at(ranked, grades))
        ndcgs.append(ndcg_at(ranked, grades))
    return {
        "recall_at_5": round(sum(recalls) / len(recalls), 4),
        "ndcg_at_10": round(sum(ndcgs) / len(ndcgs), 4),
    }


def timing(repeat: int) -> dict[str, Any]:
    from sandan.support import text
    from sandan.support.management.commands.evaluate_matching import read_cases, read_experts
    from sandan.support.matching import Matcher

    experts = read_experts(DATA / "matching_experts.csv")
    cases = [c for _, c in read_cases(DATA / "matching_cases.csv")]
    text.morphemes.cache_clear()
    text._analyse.cache_clear()
    started = time.perf_counter()
    matcher = Matcher(experts)
    build_s = time.perf_counter() - started
    times: list[float] = []
    for _ in range(max(1, repeat)):
        text.morphemes.cache_clear()
        text._analyse.cache_clear()
        for case in cases:
            t0 = time.perf_counter()
            matcher.rank(case, k=10)
            times.append(1000 * (time.perf_counter() - t0))
    times.sort()
    return {
        "experts": len(experts),
        "cases_ranked": len(times),
        "index_build_s": round(build_s, 3),
        "ms_mean": round(statistics.fmean(times), 3),
        "ms_p50": round(times[len(times) // 2], 3),
        "ms_p95": round(times[min(len(times) - 1, int(0.95 * len(times)))], 3),
        "ms_max": round(times[-1], 3),
    }


def _commit() -> str:
    try:
        return subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
        ).stdout.strip()
    except OSError:
        return ""


def _has_train_option() -> bool:
    from sandan.support.management.commands import evaluate_matching

    return hasattr(evaluate_matching, "train_ranker")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--repeat", type=int, default=3, help="timing passes over the cases")
    ns = ap.parse_args()
    _setup_django()
    run_at = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    machine = {"cpus": os.cpu_count(), "python": platform.python_version()}
    rows: list[dict[str, Any]] = []
    all_met = True
    print(
        f"{'set':<9} {'n':>4} {'R@5':>6} {'nDCG':>6} {'ms':>6} {'rk R@5':>7} {'rk nDCG':>7}"
        f" {'bm25 R@5':>8} {'bm25 nDCG':>9}"
    )
    with tempfile.TemporaryDirectory() as tmp:
        all_sets = sets(Path(tmp))
        for name, files in all_sets.items():
            result = engine(files, None)
            ranker: dict[str, Any] = {}
            if name.endswith("_test") and _has_train_option():
                ranker = engine(files, all_sets[name.replace("_test", "_dev")])
            baseline = bm25_baseline(files)
            best = ranker or result
            met = (
                best["recall_at_5"] >= TARGET_RECALL
                and best["ndcg_at_10"] >= TARGET_NDCG
                and best["ms_per_case"] <= TARGET_MS
            )
            if name.endswith("_test"):
                all_met &= met
            print(
                f"{name:<9} {result['n']:>4} {result['recall_at_5']:>6.3f}"
                f" {result['ndcg_at_10']:>6.3f} {result['ms_per_case']:>6.2f}"
                f" {ranker.get('recall_at_5', float('nan')):>7.3f}"
                f" {ranker.get('ndcg_at_10', float('nan')):>7.3f}"
                f" {baseline['recall_at_5']:>8.3f} {baseline['ndcg_at_10']:>9.3f}"
                f"  {'ok' if met else 'BELOW TARGET'}"
            )
            rows.append(
                {
                    "bench": "support_matching",
                    "run_at": run_at,
                    "commit": _commit(),
                    "set": name,
                    **result,
                    "ranker_trained_on_dev": ranker or None,
                    "baseline_bm25": baseline,
                    "targets": {
                        "recall_at_5": TARGET_RECALL,
                        "ndcg_at_10": TARGET_NDCG,
                        "ms_per_case": TARGET_MS,
                        "met": met,
                    },
                    "machine": machine,
                }
            )
    speed = timing(ns.repeat)
    all_met &= speed["ms_p50"] <= TARGET_MS
    rows.append(
        {"bench": "support_matching", "run_at": run_at, "commit": _commit(), "timing": speed}
    )
    print(
        f"{speed['experts']} experts: index {speed['index_build_s']} s; per case "
        f"mean {speed['ms_mean']} ms, p50 {speed['ms_p50']} ms, p95 {speed['ms_p95']} ms, "
        f"max {speed['ms_max']} ms (target ≤ {TARGET_MS} ms)"
    )
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    with RESULTS.open("a", encoding="utf-8") as fh:
        for row in rows:
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")
    print(f"appended {len(rows)} lines to {RESULTS.relative_to(ROOT)}")
    return 0 if all_met else 1


if __name__ == "__main__":
    raise SystemExit(main())
