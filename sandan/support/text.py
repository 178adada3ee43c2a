"""Korean text analysis shared by triage and expert matching.

One :class:`kiwipiepy.Kiwi` analyser is built lazily (it takes about a second to load its model,
which ships in the ``kiwipiepy_model`` package, so nothing is downloaded at run time) and reused by
every caller in the process.

:func:`analyse` turns a problem statement into content tokens:

* nouns (NNG, NNP), roots (XR), verb and adjective stems as their dictionary form (``가르치다``),
* foreign words (SL) lower-cased (``cnc``, ``iso``, ``erp``) and glued to a following number
  written without a space (``iso9001``), hanja (SH),
* a compound for nouns written together in one word (``스마트공장`` from ``스마트`` + ``공장``,
  ``불량률`` from ``불량`` + ``률``), so both the parts and the whole are searchable.

Particles, endings and punctuation are dropped. The API (``analyse(text) -> list[str]``) is stable:
the matching module imports it.
"""

from __future__ import annotations

import threading
import unicodedata
from collections.abc import Mapping
from functools import lru_cache
from typing import Any

__all__ = ["analyse", "kiwi", "morphemes", "stored_analysis", "stored_morphemes"]

_NOUN_TAGS = frozenset({"NNG", "NNP", "XR"})
_STEM_TAGS = frozenset({"VV", "VA", "VV-R", "VA-R", "VV-I", "VA-I"})
# Verb and adjective stems too common to say anything about a request.
_STOP_STEMS = frozenset(
    {"하다", "있다", "없다", "되다", "싶다", "받다", "같다", "주다", "보다", "많다", "않다", "이다"}
)
_STOP_NOUNS = frozenset(
    {"것", "등", "수", "때", "점", "중", "관련", "부분", "경우", "문제", "저희"}
)

_lock = threading.Lock()
_kiwi: Any = None


def kiwi() -> Any:
    """The process-wide Kiwi analyser, built on first use."""
    global _kiwi
    if _kiwi is None:
        with _lock:
            if _kiwi is None:
                from kiwipiepy import Kiwi

                _kiwi = Kiwi()
    return _kiwi


def _normalise(text: str) -> str:
    # NFKC folds full-width Latin/digits (ＣＮＣ, ９００１) and compatibility jamo.
    return unicodedata.normalize("NFKC", text).strip()


@lru_cache(maxsize=8192)
def morphemes(text: str) -> tuple[tuple[str, str, int, int], ...]:
    """(lemma, tag, start, end) of every morpheme of ``text`` (cached)."""
    normalised = _normalise(text)
    if not normalised:
        return ()
    # typos="basic" repairs common jamo slips (안젼 → 안전, 츌원 → 출원) at no measurable cost.
    tokens = kiwi().tokenize(normalised, normalize_coda=True, typos="basic")  # see _OPTIONS
    result = []
    for token in tokens:
        tag = str(token.tag)
        lemma = str(token.lemma) if tag in _STEM_TAGS else str(token.form)
        result.append((lemma, tag, int(token.start), int(token.start + token.len)))
    return tuple(result)


# Tokenizer options of `morphemes`: part of the version of a stored analysis.
_OPTIONS = "normalize_coda;typos=basic"


@lru_cache(maxsize=1)
def analyser_version() -> str:
    """What produced `morphemes`: a stored analysis of another version is not reused."""
    from importlib.metadata import version

    return f"kiwipiepy {version('kiwipiepy')} {version('kiwipiepy_model')};{_OPTIONS}"


def stored_analysis(text: str) -> dict[str, Any]:
    """`morphemes(text)` in a JSON-ready form, to keep with the text (see ADR 0010): the
    analysis is most of what triage costs, and a new process should not redo it."""
    return {"v": analyser_version(), "m": [list(m) for m in morphemes(_normalise(text))]}


def stored_morphemes(stored: Mapping[str, Any] | None) -> list[list[Any]] | None:
    """The morphemes of a stored analysis, or None if it is missing or of another version."""
    if not stored or stored.get("v") != analyser_version():
        return None
    morphs = stored.get("m")
    return morphs if isinstance(morphs, list) else None


@lru_cache(maxsize=8192)
def _analyse(text: str) -> tuple[str, ...]:
    out: list[str] = []
    morphs = morphemes(text)
    compound: list[str] = []
    compound_end = -1

    def flush() -> None:
        if len(compound) > 1:
            out.append("".join(compound))
        compound.clear()

    for index, (lemma, tag, start, end) in enumerate(morphs):
        if tag in _NOUN_TAGS or tag == "XSN":
            if compound and start != compound_end:
                flush()
            if tag == "XSN":
                # A suffix (률, 성, 화) only counts as part of a compound with the noun before it;
                # the plural 들 adds nothing.
                if compound and lemma != "들":
                    compound.append(lemma)
                    compound_end = end
                continue
            compound.append(lemma)
            compound_end = end
            if lemma not in _STOP_NOUNS:
                out.append(lemma)
            continue
        flush()
        if tag == "SL":
            word = lemma.lower()
            if index + 1 < len(morphs):
                next_lemma, next_tag, next_start, _ = morphs[index + 1]
                if next_tag == "SN" and next_start == end:
                    out.append(word + next_lemma)
            out.append(word)
        elif tag == "SH" or (tag in _STEM_TAGS and lemma not in _STOP_STEMS):
            out.append(lemma)
    flush()
    return tuple(out)


def analyse(text: str) -> list[str]:
    """Content tokens of a Korean (mixed with English) text, in reading order."""
    return list(_analyse(text))
