"""Build sandan/support/semantic_neighbours.tsv from kiwipiepy's packaged CoNgram embeddings.

kiwipiepy 0.24 ships, inside the ``kiwipiepy_model`` package, a contextual n-gram model
(``Kiwi(model_type="cong")``) whose morpheme embeddings give ``most_similar_morphemes``. Loading
it costs a few seconds and ~76 MB, so instead of loading it in every web process we keep, once,
the nearest neighbours of the domain's own vocabulary (the *anchors*):

* every entry of the triage lexicon (sandan/support/triage_lexicon.py) and the 2010 categories'
  names, descriptions and keywords (data/program_year_2010.json);
* every term of the matching thesaurus (sandan/support/matching.py);
* the names of the Korean Standard Industrial Classification (data/ksic/ksic.csv), a public
  vocabulary of what firms make.

No evaluation set is read: the table must not know the words of the frozen test parts.

For every anchor morpheme (noun, verb or adjective stem, root) its 12 nearest content morphemes
with cosine ≥ 0.55 are kept (a → n, the expansion of a known word), and its 150 nearest with
cosine ≥ 0.6 in the other direction (n → a: what an unknown word is close to in the domain's
vocabulary), at most 10 per word.
Verbs and adjectives are written in dictionary form (버리 → 버리다), as ``sandan.support.text``
writes lemmas. Deterministic for a given kiwipiepy_model; run from the repository root:

    .venv/bin/python data/support/build_neighbours.py
"""

from __future__ import annotations

import csv
import json
import os
import sys
from importlib.metadata import version
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "sandan" / "support" / "semantic_neighbours.tsv"
CONTENT = {"NNG", "NNP", "VV", "VA", "XR"}
TOP_N = 12
MIN_SCORE = 0.55
REVERSE_TOP_N = 150
REVERSE_MIN_SCORE = 0.6
MAX_PER_WORD = 10


def lemma(form: str, tag: str) -> str:
    return form + "다" if tag.startswith(("VV", "VA")) else form


def anchor_texts() -> list[str]:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from sandan.support import matching
    from sandan.support.triage import default_categories
    from sandan.support.triage_lexicon import CONCEPTS, OVERRIDES

    texts: list[str] = []
    for entries in CONCEPTS.values():
        texts.extend(entries)
    texts.extend(OVERRIDES)
    for category in default_categories():
        texts.extend([category.name_ko, category.description, *category.keywords])
    for group in matching._THESAURUS:
        texts.extend(group)
    with (ROOT / "data" / "ksic" / "ksic.csv").open(encoding="utf-8") as handle:
        texts.extend(row["name_ko"] for row in csv.DictReader(handle))
    return texts


def main() -> None:
    from kiwipiepy import Kiwi

    kiwi = Kiwi(model_type="cong")
    anchors: set[tuple[str, str]] = set()
    for text in anchor_texts():
        for token in kiwi.tokenize(text):
            tag = str(token.tag).split("-")[0]
            if tag in CONTENT and len(token.form) >= 2:
                anchors.add((token.form, tag))
    edges: dict[str, dict[str, float]] = {}

    def add(a: str, b: str, score: float) -> None:
        if a != b:
            row = edges.setdefault(a, {})
            row[b] = max(row.get(b, 0.0), score)

    for form, tag in sorted(anchors):
        try:
            similar = kiwi.most_similar_morphemes((form, tag), top_n=REVERSE_TOP_N)
        except (ValueError, KeyError):
            continue
        source = lemma(form, tag)
        for rank, item in enumerate(similar):
            item_tag = str(item.tag).split("-")[0]
            if item_tag not in CONTENT or item.score < MIN_SCORE or len(item.form) < 2:
                continue
            target = lemma(item.form, item_tag)
            if rank < TOP_N:
                add(source, target, float(item.score))
            if item.score >= REVERSE_MIN_SCORE or rank < TOP_N:
                add(target, source, float(item.score))
    lines = [
        f"# kiwipiepy_model {version('kiwipiepy_model')} cong; anchors {len(anchors)};"
        f" top {TOP_N}, cosine >= {MIN_SCORE}; reverse top {REVERSE_TOP_N}, cosine >="
        f" {REVERSE_MIN_SCORE}; built by data/support/build_neighbours.py"
    ]
    for word in sorted(edges):
        best = sorted(edges[word].items(), key=lambda kv: (-kv[1], kv[0]))[:MAX_PER_WORD]
        lines.append(word + "\t" + " ".join(f"{n}:{s:.2f}" for n, s in best))
    OUT.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(json.dumps({"anchors": len(anchors), "words": len(edges), "out": str(OUT)}))


if __name__ == "__main__":
    main()
