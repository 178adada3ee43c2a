"""Labelled triage cases and how a :class:`~sandan.support.triage.Triage` is scored on them.

Used by ``sandan evaluate_triage``, the triage tests and ``bench/support_triage.py``; the
protocol (development and frozen test parts, cross-validation) is in docs/adr/0010-triage.md.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from sandan.support.triage import Suggestion, Triage


@dataclass(frozen=True)
class Case:
    id: str
    text_ko: str
    category: str


class CaseFileError(ValueError):
    """A labelled-case file that cannot be used; the message names the row and column."""


CASE_COLUMNS = ("id", "text_ko", "category")


def read_cases(path: Path, known_codes: Iterable[str] | None = None) -> list[Case]:
    """Read a UTF-8 CSV ``id,text_ko,category``; every problem is reported with row and column."""
    import csv

    codes = set(known_codes) if known_codes is not None else None
    try:
        handle = path.open(encoding="utf-8-sig", newline="")
    except OSError as error:
        raise CaseFileError(f"{path}: cannot open ({error.strerror})") from error
    with handle:
        try:
            reader = csv.DictReader(handle)
            missing = [c for c in CASE_COLUMNS if c not in (reader.fieldnames or [])]
            if missing:
                raise CaseFileError(f"{path}: missing column(s) {', '.join(missing)}")
            cases: list[Case] = []
            seen: set[str] = set()
            for row in reader:
                line = reader.line_num
                identifier = (row.get("id") or "").strip()
                text = (row.get("text_ko") or "").strip()
                code = (row.get("category") or "").strip()
                if not identifier:
                    raise CaseFileError(f"{path}: row {line}, column id: empty")
                if identifier in seen:
                    raise CaseFileError(f"{path}: row {line}, column id: duplicate {identifier!r}")
                if not text:
                    raise CaseFileError(f"{path}: row {line}, column text_ko: empty text")
                if not code:
                    raise CaseFileError(f"{path}: row {line}, column category: empty")
                if codes is not None and code not in codes:
                    raise CaseFileError(
                        f"{path}: row {line}, column category: unknown category code {code!r}"
                    )
                seen.add(identifier)
                cases.append(Case(identifier, text, code))
        except UnicodeDecodeError as error:
            raise CaseFileError(f"{path}: not UTF-8 ({error.reason})") from error
        except csv.Error as error:
            raise CaseFileError(f"{path}: row {reader.line_num}: {error}") from error
    if not cases:
        raise CaseFileError(f"{path}: no cases")
    return cases


def evaluate(triage: Triage, cases: Sequence[Case]) -> dict[str, float | int]:
    """Accuracy, macro F1, calibration of the confidence and milliseconds per ``suggest()``
    call over ``cases``.

    Calibration: the mean confidence next to the accuracy, and the expected calibration error
    over ten equal-width confidence bins (the gap between confidence and accuracy, weighted by
    how many suggestions fall in each bin; 0 is perfectly calibrated)."""
    import time

    from sklearn.metrics import f1_score

    if not cases:
        raise ValueError("no cases to evaluate")
    suggestions: list[Suggestion] = []
    started = time.perf_counter()
    for case in cases:
        suggestions.append(triage.suggest(case.text_ko))
    elapsed = time.perf_counter() - started
    predicted = [suggestion.code for suggestion in suggestions]
    truth = [case.category for case in cases]
    hits = [a == b for a, b in zip(truth, predicted, strict=True)]
    confidences = [suggestion.confidence for suggestion in suggestions]
    labels = sorted(set(truth) | set(predicted))
    return {
        "n": len(cases),
        "accuracy": round(sum(hits) / len(cases), 4),
        "macro_f1": round(float(f1_score(truth, predicted, labels=labels, average="macro")), 4),
        "mean_confidence": round(sum(confidences) / len(cases), 4),
        "ece": round(calibration_error(confidences, hits), 4),
        "ms_per_case": round(elapsed * 1000 / len(cases), 3),
    }


def calibration_error(confidences: Sequence[float], hits: Sequence[bool], bins: int = 10) -> float:
    """Expected calibration error: Σ over confidence bins of |accuracy − mean confidence|,
    weighted by the share of predictions in the bin."""
    if not confidences:
        return 0.0
    totals = [[0, 0.0, 0] for _ in range(bins)]  # count, confidence sum, hits
    for confidence, hit in zip(confidences, hits, strict=True):
        index = min(int(confidence * bins), bins - 1)
        totals[index][0] += 1
        totals[index][1] += confidence
        totals[index][2] += int(hit)
    return sum(abs(hit_count - confidence_sum) for _n, confidence_sum, hit_count in totals) / len(
        confidences
    )
