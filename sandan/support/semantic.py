"""Meaning beyond the written words: nearest neighbours from kiwipiepy's packaged embeddings.

kiwipiepy 0.24 ships a contextual n-gram model (``Kiwi(model_type="cong")``, in the
``kiwipiepy_model`` package) with morpheme embeddings. Loading it costs seconds and ~76 MB per
process, so ``data/support/build_neighbours.py`` keeps, once, the nearest neighbours of the
domain's vocabulary (triage lexicon, category texts, matching thesaurus, KSIC industry names) in
``semantic_neighbours.tsv`` next to this module: word → [(neighbour, cosine)], both directions.
Nothing is downloaded or computed at run time; a look-up is a dict access.

Used by triage (a word the lexicon does not know borrows, at a discount, the lexicon weight of
its nearest known neighbour: 장부 → 회계, 물품 → 제품) and by expert matching (query expansion
beside the thesaurus). Words are lemmas as ``sandan.support.text`` writes them (verbs and
adjectives in dictionary form).
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

__all__ = ["TABLE", "neighbours", "source"]

TABLE = Path(__file__).with_name("semantic_neighbours.tsv")


@lru_cache(maxsize=1)
def _table() -> tuple[dict[str, tuple[tuple[str, float], ...]], str]:
    table: dict[str, tuple[tuple[str, float], ...]] = {}
    header = ""
    if not TABLE.exists():
        return table, header
    for line in TABLE.read_text(encoding="utf-8").splitlines():
        if line.startswith("#"):
            header = line[1:].strip()
            continue
        word, _, rest = line.partition("\t")
        pairs = []
        for item in rest.split():
            neighbour, _, score = item.rpartition(":")
            pairs.append((neighbour, float(score)))
        table[word] = tuple(pairs)
    return table, header


def neighbours(word: str) -> tuple[tuple[str, float], ...]:
    """Nearest neighbours of ``word`` with their cosine, best first (empty when unknown)."""
    return _table()[0].get(word, ())


def source() -> str:
    """What the table was built from (its header line)."""
    return _table()[1]
