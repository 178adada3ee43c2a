"""Triage of a firm's problem (애로과제) into one of the program year's service categories.

Pure Python: no database access, no Django models needed; :func:`categories_of_year` adapts a
``ProgramYear`` when there is one. See docs/adr/0010-triage.md for the reasoning and figures.

How a suggestion is made:

1. The text is analysed into morphemes by kiwipiepy (``sandan.support.text``): nouns, roots, verb
   stems as lemmas, foreign words lower-cased, typos repaired. Each content unit gets a weight
   from where it stands: later units weigh more (Korean states the request at the end), the one
   or two units right before a request word (필요, 원하다, 희망, 싶다, …) weigh more again, and
   units before a contrast (``A보다``, ``A 말고``, ``A가 아니라``, ``A 대신``) or a concession
   (``A는데``, ``A해도``) weigh less: they name what the firm does *not* ask for.
2. **Prior** (zero-shot): the units are matched, longest entry first, against a lexicon per
   category built from the built-in concept lexicon (``triage_lexicon``) plus the year's own
   keywords, names and descriptions. A category's score is the weighted sum of its matches.
3. **History**: with confirmed decisions, a multinomial logistic regression over the units,
   the matched lexicon entries and the prior scores learns what the prior misses. Its logits are
   blended with the prior's by how much history there is (λ = n / (n + 60)).
4. The blend's softmax is the confidence; the evidence is the words whose contribution to the
   winning category was largest.

Models are cached per (categories, history) fingerprint, so a request only pays for the analysis
of its own text (about a millisecond).
"""

from __future__ import annotations

import hashlib
import json
import threading
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from sandan.support import semantic
from sandan.support.text import morphemes
from sandan.support.triage_lexicon import CONCEPTS, OVERRIDES, REQUEST_MARKERS

__all__ = [
    "Category",
    "Suggestion",
    "Triage",
    "categories_of_year",
    "concept_of",
    "default_categories",
]

DEFAULT_YEAR_FILE = Path(__file__).resolve().parents[2] / "data" / "program_year_2010.json"

# Scale of prior scores into logits: a margin of one strong word (≈3) gives about 80 %.
PRIOR_TEMPERATURE = 0.55
# History weight λ = n / (n + HISTORY_HALF): 100 cases → 0.62, 400 → 0.87.
HISTORY_HALF = 60.0
KEYWORD_WEIGHT = 2.0
NAME_WEIGHT = 1.5
DESCRIPTION_WEIGHT = 1.0

_NOUN_TAGS = frozenset({"NNG", "NNP", "XR"})
_STEM_TAGS = frozenset({"VV", "VA", "VV-R", "VA-R", "VV-I", "VA-I"})
_SKIP_STEMS = frozenset(
    {"하다", "있다", "없다", "되다", "이다", "않다", "같다", "주다", "보다", "받다", "드리다"}
)
_SKIP_NOUNS = frozenset({"것", "등", "수", "때", "중", "저희", "당사", "우리", "좀"})
_SENTENCE_TAGS = frozenset({"SF"})
_NUMBER_TAGS = frozenset({"SN", "NR"})
_CONCESSION_ENDINGS = frozenset({"는데", "ᆫ데", "은데", "지만", "어도", "아도", "으나", "는데도"})
_CONCESSION_WEIGHT = 0.6
_CONTRAST_WEIGHT = 0.3
_PURPOSE_WEIGHT = 0.75
_HEAD_BOOST = 1.4
_MODIFIER_WEIGHT = 0.8
_LONGEST_ENTRY_UNITS = 6
_COMPOUND_MODIFIER_WEIGHT = 0.7
# A word the lexicon does not know borrows the lexicon weight of its nearest known neighbour in
# kiwipiepy's embeddings (semantic.py), times its cosine, times SEMANTIC_WEIGHT.
SEMANTIC_WEIGHT = 0.3  # chosen on the development parts (cases400, hard_dev)
SEMANTIC_MIN_COSINE = 0.6


@dataclass(frozen=True)
class Category:
    """A service category as the triage sees it (no database row needed)."""

    code: str
    name_ko: str
    name_en: str = ""
    description: str = ""
    keywords: Sequence[str] = field(default_factory=tuple)


@dataclass(frozen=True)
class Suggestion:
    """The proposed category, how sure the model is, and the words that decided it."""

    code: str
    confidence: float
    ranking: list[tuple[str, float]]
    evidence: list[str]
    # Confidence of the winner minus that of the runner-up (1.0 when there is only one category):
    # how clearly the text points at the winner rather than at its closest alternative.
    margin: float = 0.0


def categories_of_year(program_year: Any) -> list[Category]:
    """The categories of a ``sandan.program.models.ProgramYear``, in their display order."""
    return [
        Category(
            code=category.code,
            name_ko=category.name_ko,
            name_en=category.name_en,
            description=category.description,
            keywords=tuple(category.keyword_list),
        )
        for category in program_year.categories.all().order_by("order", "code")
    ]


def default_categories(path: Path | None = None) -> list[Category]:
    """The 2010 default categories from data/program_year_2010.json (no database needed)."""
    spec = json.loads((path or DEFAULT_YEAR_FILE).read_text(encoding="utf-8"))
    return [
        Category(
            code=item["code"],
            name_ko=item["name_ko"],
            name_en=item.get("name_en", ""),
            description=item.get("description", ""),
            keywords=tuple(w.strip() for w in item.get("keywords", "").split(",") if w.strip()),
        )
        for item in spec["categories"]
    ]


# --------------------------------------------------------------------------------------------
# Text → weighted units


@dataclass(frozen=True)
class _Unit:
    lemma: str
    weight: float
    start: int
    end: int


def _normalise(text: str) -> str:
    return unicodedata.normalize("NFKC", text).strip()


@lru_cache(maxsize=16384)
def _units(text: str) -> tuple[_Unit, ...]:
    """Content units of ``text`` with their positional weights."""
    return _units_of(morphemes(text))


def _units_of(morphs: Sequence[Sequence[Any]]) -> tuple[_Unit, ...]:
    """Content units of an analysed text: (lemma, tag, start, end) morphemes."""
    raw: list[tuple[str, int, int, int]] = []  # lemma, start, end, sentence
    modifiers: list[tuple[int, float]] = []  # (index of first unit after the cue, weight)
    markers: list[int] = []  # number of units before a request marker
    sentence = 0
    index = 0
    count = len(morphs)
    while index < count:
        lemma, tag, start, end = morphs[index]
        if tag == "SL":
            word = lemma.lower()
            # R&D, M&A: foreign letters joined by "&" are one word.
            if (
                index + 2 < count
                and morphs[index + 1][0] == "&"
                and morphs[index + 2][1] == "SL"
                and morphs[index + 1][2] == end
            ):
                word = f"{word}&{morphs[index + 2][0].lower()}"
                end = morphs[index + 2][3]
                index += 2
            raw.append((word, start, end, sentence))
        elif tag in _NUMBER_TAGS:
            # Numbers (ISO 9001, 주52시간) and numeral-looking syllables (공구 → 공 + 구 when
            # analysed alone) are kept: joined matching puts them back together.
            raw.append((lemma, start, end, sentence))
        elif tag == "XPN" or (
            # A bound noun glued to a noun is part of it (시 + 제품 when 시제품 is misread).
            tag == "NNB"
            and index + 1 < count
            and morphs[index + 1][1] == "NNG"
            and morphs[index + 1][2] == end
        ):
            raw.append((lemma, start, end, sentence))
        elif tag in _NOUN_TAGS or tag == "SH":
            if lemma in REQUEST_MARKERS:
                markers.append(len(raw))
            if lemma == "대신":
                modifiers.append((len(raw), _CONTRAST_WEIGHT))
            elif lemma == "대상" and raw:
                # "연구원 대상 …": who it is for, not what is asked.
                modifiers.append((len(raw), _CONCESSION_WEIGHT))
            elif lemma not in _SKIP_NOUNS:
                raw.append((lemma, start, end, sentence))
        elif tag == "XSN":
            if raw and raw[-1][2] == start and lemma != "들":
                raw.append(("률" if lemma == "율" else lemma, start, end, sentence))
        elif tag in _STEM_TAGS or tag == "VX":
            if lemma in REQUEST_MARKERS:
                markers.append(len(raw))
            elif lemma == "말다":
                modifiers.append((len(raw), _CONTRAST_WEIGHT))
            elif lemma == "위하다":
                modifiers.append((len(raw), _PURPOSE_WEIGHT))
            elif tag != "VX" and lemma not in _SKIP_STEMS:
                raw.append((lemma, start, end, sentence))
        elif tag == "ETM" and raw and raw[-1][2] >= start - 1:
            # A relative clause (개발한 기술, 가르칠 강사): the noun it modifies is the head.
            modifiers.append((len(raw), _MODIFIER_WEIGHT))
        elif tag == "JKG" and raw:
            modifiers.append((len(raw), _MODIFIER_WEIGHT))
        elif tag == "VCN" or (tag == "JKB" and lemma == "보다"):
            modifiers.append((len(raw), _CONTRAST_WEIGHT))
        elif tag == "EC" and lemma in _CONCESSION_ENDINGS:
            modifiers.append((len(raw), _CONCESSION_WEIGHT))
        elif tag in _SENTENCE_TAGS:
            sentence += 1
        index += 1

    n = len(raw)
    if n == 0:
        return ()
    weights = [0.75 + 0.5 * (i / (n - 1) if n > 1 else 1.0) for i in range(n)]
    last_sentence = raw[-1][3]
    if not any(b > 0 and raw[b - 1][3] == last_sentence for b in markers):
        # No request word in the last sentence: its last words are the head ("… 교육 과정").
        markers.append(n)
    for boundary in markers:
        for i in range(max(0, boundary - 2), boundary):
            weights[i] *= _HEAD_BOOST
    for position, (boundary, factor) in enumerate(modifiers):
        if boundary == 0:
            continue
        # A cue demotes its own clause: back to the previous cue, within the sentence.
        floor = max((b for b, _ in modifiers[:position] if b < boundary), default=0)
        cue_sentence = raw[boundary - 1][3]
        for i in range(boundary - 1, floor - 1, -1):
            if raw[i][3] != cue_sentence:
                break
            weights[i] *= factor
    return tuple(
        _Unit(lemma, weight, start, end)
        for (lemma, start, end, _), weight in zip(raw, weights, strict=True)
    )


def _entry_key(entry: str) -> str:
    """A lexicon entry as matching sees it: lower case, no spaces.

    Units of a text are matched by their joined lemmas (nouns as written, verbs in dictionary
    form), so an entry is independent of how the analyser segments a compound in context
    (수요처 vs 수요 + 처) and of spacing ("스마트 공장" = "스마트공장"). Entries are therefore
    written as nouns or dictionary-form verbs (가르치다), never analysed themselves: alone, out
    of context, the analyser misreads short words (공구 as numerals, 배우다 as 배우 "actor")."""
    return _normalise(entry).lower().replace(" ", "")


# --------------------------------------------------------------------------------------------
# The lexicon per category


def concept_of(category: Category) -> str | None:
    """The built-in concept a category stands for: its code if it is one, else the concept whose
    lexicon its name, description and keywords overlap most (at least two entries)."""
    if category.code in CONCEPTS:
        return category.code
    text = " ".join([category.name_ko, category.description, *category.keywords])
    lemmas = {unit.lemma for unit in _units(_normalise(text))}
    best, best_overlap = None, 1
    for concept, entries in CONCEPTS.items():
        overlap = sum(1 for entry in entries if _entry_key(entry) in lemmas)
        if overlap > best_overlap:
            best, best_overlap = concept, overlap
    return best


# Words of a category's own name or description too general to point at it.
_GENERIC_WORDS = frozenset(
    {
        "제품",
        "기술",
        "지원",
        "관리",
        "현장",
        "개선",
        "서비스",
        "사업",
        "기업",
        "업체",
        "회사",
        "직원",
    }
)


class _Lexicon:
    """Entries (joined lemmas) → weight vector over the categories, matched longest-first."""

    def __init__(self, categories: Sequence[Category]) -> None:
        size = len(categories)
        table: dict[str, np.ndarray] = {}

        def put(entry: str, column: int, weight: float, *, keep_existing: bool) -> None:
            key = _entry_key(entry)
            vector = table.setdefault(key, np.zeros(size))
            if keep_existing and vector[column] > 0:
                return
            vector[column] = max(vector[column], weight) if keep_existing else weight

        concepts = [concept_of(category) for category in categories]
        for column, concept in enumerate(concepts):
            if concept is None:
                continue
            for entry, weight in CONCEPTS[concept].items():
                put(entry, column, weight, keep_existing=False)
        for entry, by_concept in OVERRIDES.items():
            key = _entry_key(entry)
            vector = np.zeros(size)
            for column, concept in enumerate(concepts):
                if concept is not None:
                    vector[column] = by_concept.get(concept, 0.0)
            table[key] = vector
        for column, category in enumerate(categories):
            for keyword in category.keywords:
                put(keyword, column, KEYWORD_WEIGHT, keep_existing=True)
            for text, weight in (
                (category.name_ko, NAME_WEIGHT),
                (category.description, DESCRIPTION_WEIGHT),
            ):
                for unit in _units(_normalise(text)):
                    if unit.lemma not in _GENERIC_WORDS and len(unit.lemma) > 1:
                        put(unit.lemma, column, weight, keep_existing=True)
        self.table = table
        self.longest = _LONGEST_ENTRY_UNITS
        self.longest_chars = max((len(key) for key in table), default=1)
        self.singles = sorted((key for key in table if len(key) >= 2), key=len, reverse=True)
        self.size = size

    def match(self, units: Sequence[_Unit]) -> list[tuple[str, float, int, int]]:
        """(entry, weight, start, end) of every match, longest entry first at each position."""
        found: list[tuple[str, float, int, int]] = []
        index = 0
        count = len(units)
        while index < count:
            # A multi-unit entry only spans units written next to each other (spaces at most):
            # "교육 현장" is a compound, "교육을 현장에서" is not.
            reach = index + 1
            while (
                reach < count
                and reach - index < self.longest
                and units[reach].start - units[reach - 1].end <= 1
            ):
                reach += 1
            for length in range(reach - index, 0, -1):
                span = units[index : index + length]
                key = "".join(unit.lemma for unit in span)
                if len(key) <= self.longest_chars and key in self.table:
                    weight = max(unit.weight for unit in span)
                    found.append((key, weight, span[0].start, span[-1].end))
                    index += length
                    break
            else:
                unit = units[index]
                # An unknown compound noun (안전교육 tagged as one proper noun): its known parts.
                for part, offset in self._parts(unit.lemma):
                    start = unit.start + offset
                    found.append((part, unit.weight * 0.8, start, start + len(part)))
                index += 1
        # Korean compounds are head-final: in "마케팅 교육", "특허 교육", the last word says what
        # is asked and the words before it only its topic.
        for position in range(len(found) - 1):
            key, weight, start, end = found[position]
            if found[position + 1][2] - end <= 1:
                found[position] = (key, weight * _COMPOUND_MODIFIER_WEIGHT, start, end)
        return found

    @lru_cache(maxsize=4096)  # noqa: B019 - one lexicon per cached model, kept for the process
    def _parts(self, word: str) -> tuple[tuple[str, int], ...]:
        if len(word) < 3:
            return ()
        parts: list[tuple[str, int]] = []
        position = 0
        while position < len(word):
            for single in self.singles:
                if len(single) < len(word) and word.startswith(single, position):
                    parts.append((single, position))
                    position += len(single)
                    break
            else:
                position += 1
        # Only a word the parts explain: 안전교육 = 안전 + 교육, but 자동차 is not 자동 + 차 and
        # 양산품 is not about 양산 alone. At most one character may be left over, and then only
        # when there are several parts.
        covered = sum(len(part) for part, _ in parts)
        if covered < len(word) and (covered < len(word) - 1 or len(parts) < 2):
            return ()
        return tuple(parts)

    @lru_cache(maxsize=8192)  # noqa: B019 - one lexicon per cached model, kept for the process
    def semantic(self, lemma: str) -> np.ndarray | None:
        """Category weights a word the lexicon does not know borrows from its neighbours: for
        each category, the best cosine × entry weight over the word's known neighbours."""
        best: np.ndarray | None = None
        for neighbour, cosine in semantic.neighbours(lemma):
            if cosine < SEMANTIC_MIN_COSINE:
                break
            vector = self.table.get(_entry_key(neighbour))
            if vector is None:
                continue
            best = cosine * vector if best is None else np.maximum(best, cosine * vector)
        return best


# --------------------------------------------------------------------------------------------
# The model


@dataclass
class _Analysis:
    units: tuple[_Unit, ...]
    matches: list[tuple[str, float, int, int]]
    prior: np.ndarray
    # Words the lexicon does not know, with the category weights borrowed from their neighbours.
    borrowed: list[tuple[str, float, int, int, np.ndarray]] = field(default_factory=list)


class _Model:
    def __init__(
        self,
        categories: Sequence[Category],
        history: Sequence[tuple[str, str]],
        analyses: Mapping[str, Sequence[Sequence[Any]]] | None = None,
        known_rows: Mapping[str, dict[str, float]] | None = None,
    ) -> None:
        if not categories:
            raise ValueError("triage needs at least one category")
        self.categories = list(categories)
        # The features of each history text, which a refit with the same categories reuses:
        # one more decision then costs the fit, not the analysis of every text again.
        self.feature_rows: dict[str, dict[str, float]] = {}
        self._known_rows = known_rows or {}
        self.codes = [category.code for category in categories]
        self.column = {code: i for i, code in enumerate(self.codes)}
        self.lexicon = _Lexicon(categories)
        self.vocabulary: dict[str, int] = {}
        self.coef: np.ndarray | None = None
        self.intercept: np.ndarray | None = None
        self.history_weight = 0.0
        self.history_size = 0
        self._fit(history, analyses or {})

    # features ------------------------------------------------------------------------------

    def analyse(self, text: str, morphs: Sequence[Sequence[Any]] | None = None) -> _Analysis:
        """``morphs``: the text's stored morphemes, when it was analysed before."""
        units = _units(_normalise(text)) if morphs is None else _units_of(morphs)
        matches = self.lexicon.match(units)
        prior = np.zeros(len(self.codes))
        for key, weight, _, _ in matches:
            prior += weight * self.lexicon.table[key]
        borrowed: list[tuple[str, float, int, int, np.ndarray]] = []
        spans = [(start, end) for _, _, start, end in matches]
        for unit in units:
            if len(unit.lemma) < 2 or any(s < unit.end and unit.start < e for s, e in spans):
                continue
            vector = self.lexicon.semantic(unit.lemma)
            if vector is not None:
                weight = SEMANTIC_WEIGHT * unit.weight
                borrowed.append((unit.lemma, weight, unit.start, unit.end, vector))
                prior += weight * vector
        return _Analysis(units, matches, prior, borrowed)

    def features(self, analysis: _Analysis) -> dict[str, float]:
        values: dict[str, float] = {}
        for unit in analysis.units:
            name = "u:" + unit.lemma
            values[name] = values.get(name, 0.0) + unit.weight
        for key, weight, _, _ in analysis.matches:
            name = "m:" + key
            values[name] = values.get(name, 0.0) + weight
        total = float(analysis.prior.sum()) or 1.0
        for code, score in zip(self.codes, analysis.prior, strict=True):
            values["p:" + code] = float(score) / total
            values["s:" + code] = float(score) * 0.2
        return values

    def _features_of(
        self, text: str, analyses: Mapping[str, Sequence[Sequence[Any]]]
    ) -> dict[str, float]:
        row = self._known_rows.get(text)
        if row is None:
            row = self.features(self.analyse(text, analyses.get(text)))
        self.feature_rows[text] = row
        return row

    def _fit(
        self,
        history: Sequence[tuple[str, str]],
        analyses: Mapping[str, Sequence[Sequence[Any]]],
    ) -> None:
        labelled = [(text, code) for text, code in history if code in self.column]
        classes = {code for _, code in labelled}
        if len(labelled) < 2 or len(classes) < 2:
            return
        from sklearn.linear_model import LogisticRegression

        rows = [self._features_of(text, analyses) for text, _ in labelled]
        self._known_rows = {}
        vocabulary: dict[str, int] = {}
        for row in rows:
            for name in row:
                vocabulary.setdefault(name, len(vocabulary))
        # Sparse: a text has a few dozen of the thousands of features, and L-BFGS over a
        # sparse matrix takes milliseconds per step where a dense one took a fifth of a second.
        from scipy import sparse

        row_index: list[int] = []
        col_index: list[int] = []
        data: list[float] = []
        for i, row in enumerate(rows):
            for name, value in row.items():
                row_index.append(i)
                col_index.append(vocabulary[name])
                data.append(value)
        matrix = sparse.csr_matrix(
            (data, (row_index, col_index)), shape=(len(rows), len(vocabulary)), dtype=float
        )
        labels = np.array([self.column[code] for _, code in labelled])
        model = LogisticRegression(C=2.0, max_iter=2000)
        model.fit(matrix, labels)
        coef = np.zeros((len(self.codes), len(vocabulary)))
        intercept = np.full(len(self.codes), -1e3)
        for class_index, column in enumerate(model.classes_):
            source = class_index if len(model.classes_) > 2 else None
            if source is None:
                # Binary case: sklearn keeps one row for the positive class.
                sign = 1.0 if class_index == 1 else -1.0
                coef[column] = sign * model.coef_[0] / 2
                intercept[column] = sign * model.intercept_[0] / 2
            else:
                coef[column] = model.coef_[source]
                intercept[column] = model.intercept_[source]
        self.vocabulary = vocabulary
        self.coef = coef
        self.intercept = intercept
        self.history_size = len(labelled)
        self.history_weight = len(labelled) / (len(labelled) + HISTORY_HALF)

    # prediction ----------------------------------------------------------------------------

    def suggest(self, text: str) -> Suggestion:
        analysis = self.analyse(text)
        prior_logits = analysis.prior * PRIOR_TEMPERATURE
        logits = prior_logits.copy()
        values: dict[str, float] = {}
        learned = np.zeros(len(self.codes))
        if self.coef is not None and self.intercept is not None:
            values = {
                name: value
                for name, value in self.features(analysis).items()
                if name in self.vocabulary
            }
            learned = self.intercept.copy()
            for name, value in values.items():
                learned += self.coef[:, self.vocabulary[name]] * value
            logits = (1 - self.history_weight) * prior_logits + self.history_weight * learned
        shifted = np.exp(logits - logits.max())
        probabilities = shifted / shifted.sum()
        order = np.argsort(-probabilities, kind="stable")
        best = int(order[0])
        ranking = [(self.codes[i], round(float(probabilities[i]), 4)) for i in order]
        runner_up = float(probabilities[int(order[1])]) if len(order) > 1 else 0.0
        return Suggestion(
            code=self.codes[best],
            confidence=round(float(probabilities[best]), 4),
            ranking=ranking,
            evidence=self._evidence(text, analysis, values, best),
            margin=round(float(probabilities[best]) - runner_up, 4),
        )

    def _evidence(
        self, text: str, analysis: _Analysis, values: dict[str, float], best: int
    ) -> list[str]:
        surface = _normalise(text)
        others = [i for i in range(len(self.codes)) if i != best]
        scale_prior = PRIOR_TEMPERATURE * (1 - self.history_weight)
        contributions: dict[str, float] = {}

        def credit(start: int, end: int, amount: float) -> None:
            if amount <= 0:
                return
            word = _evidence_word(surface, start, end)
            if word:
                contributions[word] = contributions.get(word, 0.0) + amount

        for key, weight, start, end in analysis.matches:
            vector = self.lexicon.table[key]
            rest = max((vector[i] for i in others), default=0.0)
            credit(start, end, scale_prior * weight * (vector[best] - rest))
        for _, weight, start, end, vector in analysis.borrowed:
            rest = max((vector[i] for i in others), default=0.0)
            credit(start, end, scale_prior * weight * (vector[best] - rest))
        if self.coef is not None and values:
            spans: dict[str, tuple[int, int]] = {}
            for unit in analysis.units:
                spans.setdefault("u:" + unit.lemma, (unit.start, unit.end))
            for key, _, start, end in analysis.matches:
                spans.setdefault("m:" + key, (start, end))
            for name, value in values.items():
                if name not in spans:
                    continue
                row = self.coef[:, self.vocabulary[name]] * value
                rest = max((row[i] for i in others), default=0.0)
                credit(*spans[name], self.history_weight * (row[best] - rest))
        ranked = sorted(contributions.items(), key=lambda item: -item[1])
        return [word for word, _ in ranked[:5]]


# Morphemes that end a word's meaning: particles, endings, copula, punctuation.
_TRAILING_TAGS = ("J", "E", "VCP", "VCN", "S")


def _evidence_word(surface: str, start: int, end: int) -> str:
    """The whole word of ``surface`` around ``surface[start:end]``, as a person would quote it,
    or "" when it carries no meaning of its own.

    A span inside a longer written word (자동 in 자동차) becomes that word without its particles
    and endings (자동차, 처리를 → 처리, 올라서 stays whole); numbers alone and one-syllable words
    are not evidence (4, 올, 모르)."""
    word_start = start
    while word_start > 0 and not surface[word_start - 1].isspace():
        word_start -= 1
    word_end = end
    while word_end < len(surface) and not surface[word_end].isspace():
        word_end += 1
    content_end = start
    for _lemma, tag, m_start, m_end in morphemes(surface):
        if m_start < word_start or m_end > word_end:
            continue
        if not tag.startswith(_TRAILING_TAGS) or m_end <= end:
            content_end = max(content_end, m_end)
    content_end = max(content_end, end)
    word = surface[word_start:content_end].strip(" \t\n.,;:!?\"'()[]{}<>~·…“”‘’")
    # One syllable of Hangul, a lone letter or a number says nothing on its own.
    letters = [c for c in word if c.isalpha()]
    if len(letters) < 2 or all(not c.isalpha() for c in word):
        return ""
    if word.isdigit():
        return ""
    return word


# --------------------------------------------------------------------------------------------
# Public API with a process-wide cache


_cache: dict[str, _Model] = {}
_cache_lock = threading.Lock()
_CACHE_SIZE = 16


def _fingerprint(categories: Sequence[Category], history: Sequence[tuple[str, str]]) -> str:
    payload = json.dumps(
        [
            [[c.code, c.name_ko, c.name_en, c.description, list(c.keywords)] for c in categories],
            [list(pair) for pair in history],
        ],
        ensure_ascii=False,
    )
    return hashlib.sha1(payload.encode("utf-8"), usedforsecurity=False).hexdigest()


def _model(
    categories: Sequence[Category],
    history: Sequence[tuple[str, str]],
    analyses: Mapping[str, Sequence[Sequence[Any]]] | None = None,
) -> _Model:
    key = _fingerprint(categories, history)
    with _cache_lock:
        cached = _cache.get(key)
    if cached is not None:
        return cached
    with _cache_lock:
        same_categories = [m for m in _cache.values() if m.categories == list(categories)]
    known = same_categories[-1].feature_rows if same_categories else None
    built = _Model(categories, history, analyses, known)
    with _cache_lock:
        if len(_cache) >= _CACHE_SIZE:
            _cache.pop(next(iter(_cache)))
        _cache[key] = built
    return built


class Triage:
    """Suggests a category for a problem statement.

    ``Triage(categories)`` works zero-shot from the categories' descriptions and keywords and the
    built-in lexicon; ``history`` (text, confirmed category code) pairs teach it the rest.
    ``analyses`` maps history texts to their stored morphemes (``text.stored_analysis``), so
    that a new process does not analyse the whole history again.
    """

    def __init__(
        self,
        categories: Sequence[Category],
        history: Iterable[tuple[str, str]] | None = None,
        analyses: Mapping[str, Sequence[Sequence[Any]]] | None = None,
    ) -> None:
        self.categories = list(categories)
        self._model = _model(self.categories, list(history or []), analyses)

    def fit(self, history: Iterable[tuple[str, str]]) -> Triage:
        """Retrain on ``history`` (replaces what was learned before)."""
        self._model = _model(self.categories, list(history))
        return self

    @property
    def history_size(self) -> int:
        """How many confirmed decisions the model learned from (0: zero-shot)."""
        return self._model.history_size

    def suggest(self, text: str) -> Suggestion:
        return self._model.suggest(text)
