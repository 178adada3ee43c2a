"""Triage benchmark: the engine and two plain baselines on every shipped labelled set.

Sets (data/support/README.md says who wrote them and why they are split this way):

* ``cases400``   data/support/triage_cases.csv: development set (the lexicon was tuned on it);
* ``holdout150`` data/support/triage_holdout.csv: frozen test part (never tuned on);
* ``hard_dev``   data/support/triage_hard_dev.csv: harder set in other voices, development part;
* ``hard_test``  data/support/triage_hard_test.csv: harder set, frozen test part.

Per set:

* zero-shot: `sandan evaluate_triage --test SET` (in-process), accuracy and ms per case, with the
  baseline *BM25 against the category descriptions* (name + description + keywords of each 2010
  category as one document, the text's kiwipiepy tokens as the query);
* trained on one half, tested on the other: two-fold cross-validation, stratified by category,
  repeated over five seeds (10 fits), for the engine (``--train``) and for the baseline
  *character 1–3-gram TF-IDF + logistic regression*; the mean accuracy over the 10 folds.

Nothing here tunes anything: the engine's settings are fixed in sandan/support/triage.py.
Prints a table, appends one JSON line per set to bench/results/triage.jsonl. Targets
(issue 12, on the frozen test parts): trained-on-half ≥ 0.93, zero-shot ≥ 0.90, ≤ 5 ms per case.

Usage: python bench/support_triage.py [--sets hard_test,holdout150] [--seeds 5]
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import io
import json
import os
import platform
import random
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "data" / "support"
RESULTS = ROOT / "bench" / "results" / "triage.jsonl"
SETS = {
    "cases400": DATA / "triage_cases.csv",
    "holdout150": DATA / "triage_holdout.csv",
    "hard_dev": DATA / "triage_hard_dev.csv",
    "hard_test": DATA / "triage_hard_test.csv",
}
FROZEN = ("holdout150", "hard_test")
TARGET_TRAINED = 0.93
TARGET_ZERO_SHOT = 0.90
TARGET_MS = 5.0


def _setup_django() -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()


def _read(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _write(path: Path, rows: list[dict[str, str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=["id", "text_ko", "category"])
        writer.writeheader()
        writer.writerows({k: row[k] for k in ("id", "text_ko", "category")} for row in rows)
    return path


def halves(rows: list[dict[str, str]], seed: int) -> tuple[list[dict[str, str]], ...]:
    """Two halves, stratified by category, shuffled with ``seed``."""
    rng = random.Random(seed)
    a: list[dict[str, str]] = []
    b: list[dict[str, str]] = []
    by_code: dict[str, list[dict[str, str]]] = {}
    for row in rows:
        by_code.setdefault(row["category"], []).append(row)
    flip = 0
    for code in sorted(by_code):
        group = by_code[code][:]
        rng.shuffle(group)
        for row in group:
            (a if flip % 2 == 0 else b).append(row)
            flip += 1
    return a, b


def _clear_caches() -> None:
    from sandan.support import text, triage

    text.morphemes.cache_clear()
    text._analyse.cache_clear()
    triage._units.cache_clear()


def engine(test: Path, train: Path | None) -> dict[str, Any]:
    from django.core.management import call_command

    # Fresh analysis caches: ms_per_case must include analysing texts never seen before.
    _clear_caches()
    out = io.StringIO()
    args = ["--test", str(test)] + (["--train", str(train)] if train else [])
    call_command("evaluate_triage", *args, stdout=out)
    result: dict[str, Any] = json.loads(out.getvalue().strip().splitlines()[-1])
    return result


def bm25_zero_shot(rows: list[dict[str, str]]) -> float:
    """Accuracy of BM25 of the text against one document per category."""
    import bm25s
    import numpy as np

    from sandan.support.text import analyse
    from sandan.support.triage import default_categories

    categories = default_categories()
    docs = [analyse(" ".join([c.name_ko, c.description, " ".join(c.keywords)])) for c in categories]
    model = bm25s.BM25()
    model.index(docs, show_progress=False)
    vocab = model.vocab_dict
    hits = 0
    for row in rows:
        tokens = [t for t in analyse(row["text_ko"]) if t in vocab]
        scores = model.get_scores(tokens) if tokens else np.zeros(len(categories))
        hits += categories[int(np.argmax(scores))].code == row["category"]
    return hits / len(rows)


def char_lr(train: list[dict[str, str]], test: list[dict[str, str]]) -> float:
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    vectorizer = TfidfVectorizer(analyzer="char_wb", ngram_range=(1, 3), sublinear_tf=True)
    x = vectorizer.fit_transform([r["text_ko"] for r in train])
    model = LogisticRegression(C=10.0, max_iter=2000)
    model.fit(x, [r["category"] for r in train])
    predicted = model.predict(vectorizer.transform([r["text_ko"] for r in test]))
    return sum(p == r["category"] for p, r in zip(predicted, test, strict=True)) / len(test)


def evaluate_set(name: str, path: Path, seeds: int, tmp: Path) -> dict[str, Any]:
    rows = _read(path)
    zero = engine(path, None)
    trained: list[float] = []
    trained_ms: list[float] = []
    baseline: list[float] = []
    for seed in range(seeds):
        a, b = halves(rows, seed)
        for train, test in ((a, b), (b, a)):
            train_path = _write(tmp / "train.csv", train)
            test_path = _write(tmp / "test.csv", test)
            result = engine(test_path, train_path)
            trained.append(result["accuracy"])
            trained_ms.append(result["ms_per_case"])
            baseline.append(char_lr(train, test))
    return {
        "set": name,
        "n": len(rows),
        "frozen": name in FROZEN,
        "zero_shot": zero,
        "zero_shot_baseline_bm25": round(bm25_zero_shot(rows), 4),
        "trained_half_cv": round(sum(trained) / len(trained), 4),
        "trained_half_cv_min": round(min(trained), 4),
        "trained_half_ms_per_case": round(sum(trained_ms) / len(trained_ms), 3),
        "trained_half_baseline_char_lr": round(sum(baseline) / len(baseline), 4),
        "folds": len(trained),
    }


def _commit() -> str:
    try:
        return subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
        ).stdout.strip()
    except OSError:
        return ""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sets", default=",".join(SETS), help="comma-separated set names")
    parser.add_argument("--seeds", type=int, default=5, help="repetitions of the 2-fold split")
    ns = parser.parse_args()
    _setup_django()
    run_at = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    machine = {"cpus": os.cpu_count(), "python": platform.python_version()}
    lines = []
    all_met = True
    header = (
        f"{'set':<11} {'n':>4} {'zero':>6} {'bm25':>6} {'half-cv':>8} {'char-lr':>8}"
        f" {'ms zero':>8} {'ms half':>8}"
    )
    print(header)
    with tempfile.TemporaryDirectory() as tmp:
        for name in ns.sets.split(","):
            result = evaluate_set(name, SETS[name], ns.seeds, Path(tmp))
            zero = result["zero_shot"]
            met = (
                zero["accuracy"] >= TARGET_ZERO_SHOT
                and result["trained_half_cv"] >= TARGET_TRAINED
                and zero["ms_per_case"] <= TARGET_MS
                and result["trained_half_ms_per_case"] <= TARGET_MS
            )
            if result["frozen"]:
                all_met &= met
            print(
                f"{name:<11} {result['n']:>4} {zero['accuracy']:>6.3f}"
                f" {result['zero_shot_baseline_bm25']:>6.3f} {result['trained_half_cv']:>8.3f}"
                f" {result['trained_half_baseline_char_lr']:>8.3f} {zero['ms_per_case']:>8.2f}"
                f" {result['trained_half_ms_per_case']:>8.2f}"
                f"  {'ok' if met else 'BELOW TARGET'}{' (frozen)' if result['frozen'] else ''}"
            )
            lines.append(
                {
                    "bench": "support_triage",
                    "run_at": run_at,
                    "commit": _commit(),
                    **result,
                    "targets": {
                        "zero_shot": TARGET_ZERO_SHOT,
                        "trained_half": TARGET_TRAINED,
                        "ms_per_case": TARGET_MS,
                        "met": met,
                    },
                    "machine": machine,
                }
            )
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    with RESULTS.open("a", encoding="utf-8") as handle:
        for line in lines:
            handle.write(json.dumps(line, ensure_ascii=False) + "\n")
    print(f"appended {len(lines)} lines to {RESULTS.relative_to(ROOT)}")
    return 0 if all_met else 1


if __name__ == "__main__":
    raise SystemExit(main())
