"""`sandan evaluate_matching`: rank experts for labelled cases and print recall@5 / nDCG@10."""

from __future__ import annotations

import csv
import json
import math
import re
import time
from argparse import RawDescriptionHelpFormatter
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

from django.core.management.base import (
    BaseCommand,
    CommandError,
    CommandParser,
    DjangoHelpFormatter,
)

from sandan.support.matching import Case, ExpertProfile, Matcher, Ranker
from sandan.support.matching_fit import fit_ranker

CASE_COLUMNS = ("id", "text_ko", "category", "industry_ksic2")
EXPERT_COLUMNS = ("id", "name_ko", "affiliation_type", "specialties_ko", "categories", "ksic2_list")
RELEVANCE_COLUMNS = ("case_id", "expert_id", "grade")
AFFILIATION_TYPES = frozenset({"company", "university", "institute", "agency"})
KSIC2 = re.compile(r"^[A-Z]\d{2}$")
CATEGORY = re.compile(r"^[A-Z][A-Z0-9_]{0,39}$")
RECALL_K = 5
NDCG_K = 10

HELP = f"""\
Rank the experts of EXPERTS.csv for every case of CASES.csv with the matcher of
sandan.support.matching and score the ranking against REL.csv. Prints one JSON line
{{"n": .., "recall_at_5": .., "ndcg_at_10": .., "ms_per_case": ..}}.

Files are UTF-8 CSV (a BOM is accepted) with a header row:
  CASES    {",".join(CASE_COLUMNS)}
  EXPERTS  {",".join(EXPERT_COLUMNS)}   (lists separated by "|";
           industry codes like C29 = KSIC section letter + 2-digit division;
           affiliation_type one of company, university, institute, agency)
  REL      {",".join(RELEVANCE_COLUMNS)}   (grade 0, 1 or 2; a pair not listed is grade 0)

Definitions. A case counts in n when it has at least one expert of grade >= 1.
recall@5 of a case = |relevant experts (grade >= 1) in the top 5| / min(5, |relevant|),
averaged over the n cases. nDCG@10 of a case = DCG@10 / IDCG@10 with
DCG@10 = sum over ranks i = 1..10 of (2^grade(i) - 1) / log2(i + 1), and IDCG@10 the DCG of
the case's grades sorted descending (top 10); averaged over the n cases. ms_per_case is the
mean wall time of one ranking (query analysis included, index build excluded), in milliseconds.
Bad files stop with the file, row and column of the first errors and a non-zero exit.

With --train TRAIN_REL.csv a ranker (logistic regression over the matcher's features: clause and
document BM25, character n-grams, category, industry, load) is fitted on those graded pairs and
replaces the fixed weights; its cases come from --train-cases (default: CASES) and its experts
from --train-experts (default: EXPERTS). Cases graded in both files are scored but reported as
"overlap" (a fair test has none). The output then adds "ranker": {{"trained_on": pairs}}.
"""


class _Errors:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.items: list[str] = []

    def add(self, row: int, column: str, message: str) -> None:
        self.items.append(f"{self.path.name}: row {row}, column '{column}': {message}")

    def raise_if_any(self) -> None:
        if self.items:
            shown = self.items[:20]
            more = len(self.items) - len(shown)
            tail = f"\n… and {more} more" if more > 0 else ""
            raise CommandError("\n".join(shown) + tail)


def _rows(path: Path, columns: Sequence[str]) -> Iterator[tuple[int, dict[str, str]]]:
    """(row number as in a spreadsheet, header = row 1, row) of a UTF-8 CSV file."""
    if not path.is_file():
        raise CommandError(f"{path}: no such file")
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise CommandError(f"{path.name}: not UTF-8 (byte {exc.start})") from None
    reader = csv.reader(text.splitlines())
    header = next(reader, None)
    if header is None:
        raise CommandError(f"{path.name}: empty file, expected header {','.join(columns)}")
    header = [h.strip() for h in header]
    missing = [c for c in columns if c not in header]
    if missing:
        raise CommandError(
            f"{path.name}: row 1: missing column(s) {', '.join(missing)} "
            f"(expected {','.join(columns)})"
        )
    index = {c: header.index(c) for c in columns}
    for number, values in enumerate(reader, start=2):
        if not any(v.strip() for v in values):
            continue
        if len(values) != len(header):
            raise CommandError(
                f"{path.name}: row {number}: {len(values)} fields, the header has {len(header)}"
            )
        yield number, {c: values[i].strip() for c, i in index.items()}


def _split(value: str) -> list[str]:
    return [v.strip() for v in value.split("|") if v.strip()]


def read_cases(path: Path) -> list[tuple[str, Case]]:
    errors = _Errors(path)
    out: list[tuple[str, Case]] = []
    seen: set[str] = set()
    for row, r in _rows(path, CASE_COLUMNS):
        if not r["id"]:
            errors.add(row, "id", "empty")
        elif r["id"] in seen:
            errors.add(row, "id", f"duplicate id {r['id']!r}")
        if not r["text_ko"]:
            errors.add(row, "text_ko", "empty text")
        if r["category"] and not CATEGORY.match(r["category"]):
            errors.add(row, "category", f"not a category code: {r['category']!r}")
        if r["industry_ksic2"] and not KSIC2.match(r["industry_ksic2"]):
            errors.add(
                row, "industry_ksic2", f"not a KSIC division like C29: {r['industry_ksic2']!r}"
            )
        seen.add(r["id"])
        out.append(
            (r["id"], Case(text=r["text_ko"], category=r["category"], ksic2=r["industry_ksic2"]))
        )
    errors.raise_if_any()
    if not out:
        raise CommandError(f"{path.name}: no cases")
    return out


def read_experts(path: Path) -> list[ExpertProfile]:
    errors = _Errors(path)
    out: list[ExpertProfile] = []
    seen: set[str] = set()
    for row, r in _rows(path, EXPERT_COLUMNS):
        if not r["id"]:
            errors.add(row, "id", "empty")
        elif r["id"] in seen:
            errors.add(row, "id", f"duplicate id {r['id']!r}")
        if r["affiliation_type"] and r["affiliation_type"] not in AFFILIATION_TYPES:
            errors.add(
                row,
                "affiliation_type",
                f"{r['affiliation_type']!r} is not one of {', '.join(sorted(AFFILIATION_TYPES))}",
            )
        cats = _split(r["categories"])
        for c in cats:
            if not CATEGORY.match(c):
                errors.add(row, "categories", f"not a category code: {c!r}")
        ksic = _split(r["ksic2_list"])
        for k in ksic:
            if not KSIC2.match(k):
                errors.add(row, "ksic2_list", f"not a KSIC division like C29: {k!r}")
        seen.add(r["id"])
        out.append(
            ExpertProfile(
                id=r["id"],
                name=r["name_ko"],
                specialties=r["specialties_ko"],
                categories=tuple(cats),
                ksic2=tuple(ksic),
                affiliation_type=r["affiliation_type"],
            )
        )
    errors.raise_if_any()
    if not out:
        raise CommandError(f"{path.name}: no experts")
    return out


def read_relevance(
    path: Path, case_ids: set[str], expert_ids: set[str]
) -> dict[str, dict[str, int]]:
    errors = _Errors(path)
    out: dict[str, dict[str, int]] = {}
    for row, r in _rows(path, RELEVANCE_COLUMNS):
        if r["case_id"] not in case_ids:
            errors.add(row, "case_id", f"unknown case {r['case_id']!r}")
        if r["expert_id"] not in expert_ids:
            errors.add(row, "expert_id", f"unknown expert {r['expert_id']!r}")
        if r["grade"] not in {"0", "1", "2"}:
            errors.add(row, "grade", f"must be 0, 1 or 2, not {r['grade']!r}")
            continue
        pairs = out.setdefault(r["case_id"], {})
        if r["expert_id"] in pairs:
            errors.add(row, "expert_id", f"pair {r['case_id']}/{r['expert_id']} listed twice")
        pairs[r["expert_id"]] = int(r["grade"])
    errors.raise_if_any()
    return out


def recall_at(ranked: Sequence[str], grades: Mapping[str, int], k: int = RECALL_K) -> float:
    relevant = sum(1 for g in grades.values() if g >= 1)
    if relevant == 0:
        return 0.0
    hits = sum(1 for e in ranked[:k] if grades.get(e, 0) >= 1)
    return hits / min(k, relevant)


def ndcg_at(ranked: Sequence[str], grades: Mapping[str, int], k: int = NDCG_K) -> float:
    dcg = sum((2 ** grades.get(e, 0) - 1) / math.log2(i + 2) for i, e in enumerate(ranked[:k]))
    ideal = sorted(grades.values(), reverse=True)[:k]
    idcg = sum((2**g - 1) / math.log2(i + 2) for i, g in enumerate(ideal))
    return dcg / idcg if idcg > 0 else 0.0


def train_ranker(
    relevance_path: Path, cases_path: Path, experts_path: Path
) -> tuple[Ranker, set[str]]:
    """The ranker fitted on the graded pairs of ``relevance_path``, and the case ids it saw."""
    cases = read_cases(cases_path)
    experts = read_experts(experts_path)
    relevance = read_relevance(relevance_path, {cid for cid, _ in cases}, {e.id for e in experts})
    matcher = Matcher(experts)
    graded = [(case, relevance[cid]) for cid, case in cases if cid in relevance]
    try:
        ranker = fit_ranker(matcher, graded)
    except ValueError as error:
        raise CommandError(f"{relevance_path.name}: {error}") from None
    return ranker, set(relevance)


def evaluate(
    cases_path: Path,
    experts_path: Path,
    relevance_path: Path,
    train: tuple[Path, Path, Path] | None = None,
) -> dict[str, Any]:
    """Read the files, rank, score; the dict the command prints.

    ``train``: (graded pairs, their cases, their experts) to fit a ranker on first."""
    cases = read_cases(cases_path)
    experts = read_experts(experts_path)
    relevance = read_relevance(relevance_path, {cid for cid, _ in cases}, {e.id for e in experts})
    ranker, seen = train_ranker(*train) if train is not None else (None, set())
    matcher = Matcher(experts, ranker=ranker)
    # Load the analyser and the neighbour table before timing: ms_per_case is per ranking.
    matcher.rank(cases[0][1], k=1)
    recalls: list[float] = []
    ndcgs: list[float] = []
    elapsed = 0.0
    for cid, case in cases:
        grades = relevance.get(cid, {})
        if not any(g >= 1 for g in grades.values()):
            continue
        started = time.perf_counter()
        ranked = [m.expert_id for m in matcher.rank(case, k=NDCG_K)]
        elapsed += time.perf_counter() - started
        recalls.append(recall_at(ranked, grades))
        ndcgs.append(ndcg_at(ranked, grades))
    n = len(recalls)
    if n == 0:
        raise CommandError(f"{relevance_path.name}: no case has a relevant expert (grade >= 1)")
    out: dict[str, Any] = {
        "n": n,
        "recall_at_5": round(sum(recalls) / n, 4),
        "ndcg_at_10": round(sum(ndcgs) / n, 4),
        "ms_per_case": round(1000 * elapsed / n, 3),
    }
    if ranker is not None:
        same_cases = train is not None and train[1].resolve() == cases_path.resolve()
        overlap = len(seen & set(relevance)) if same_cases else 0
        out["ranker"] = {"trained_on": ranker.trained_on, "overlap": overlap}
    return out


class _HelpFormatter(DjangoHelpFormatter, RawDescriptionHelpFormatter):
    """Django's argument order, the description printed as written."""


class Command(BaseCommand):
    help = HELP

    def create_parser(self, prog_name: str, subcommand: str, **kwargs: Any) -> CommandParser:
        kwargs.setdefault("formatter_class", _HelpFormatter)
        return super().create_parser(prog_name, subcommand, **kwargs)

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--cases", type=Path, required=True, help="CASES.csv")
        parser.add_argument("--experts", type=Path, required=True, help="EXPERTS.csv")
        parser.add_argument("--relevance", type=Path, required=True, help="REL.csv")
        parser.add_argument("--train", type=Path, help="graded pairs to fit a ranker on")
        parser.add_argument("--train-cases", type=Path, help="cases of --train (default CASES)")
        parser.add_argument(
            "--train-experts", type=Path, help="experts of --train (default EXPERTS)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        cases, experts = Path(options["cases"]), Path(options["experts"])
        train = None
        if options["train"]:
            train = (
                Path(options["train"]),
                Path(options["train_cases"] or cases),
                Path(options["train_experts"] or experts),
            )
        elif options["train_cases"] or options["train_experts"]:
            raise CommandError("--train-cases and --train-experts need --train")
        out = evaluate(cases, experts, Path(options["relevance"]), train)
        self.stdout.write(json.dumps(out))
