"""Expert matching: rank experts for a firm's problem (애로과제).

Pure module: it works on plain records (:class:`ExpertProfile`, :class:`Case`), builds its index
once (:class:`Matcher`) and ranks in a few milliseconds. :func:`profiles_from_queryset` turns
``registry.Expert`` rows into profiles.

Score of an expert for a case (see docs/adr/0011-expert-matching.md):

``text + W_CATEGORY·category + W_INDUSTRY·industry − W_LOAD·log(1 + load)``

* ``text`` ∈ [0, 1]: relevance of the specialties to the stated need, a blend of

  - BM25 (bm25s) over each *specialty clause* (the specialties text split at commas, slashes,
    full stops…), best clause per expert: a long profile listing many fields does not win by
    length, and the clause that covers the need is what counts;
  - BM25 over the whole specialties text (several clauses on the same need add up a little);
  - cosine of character 2–3-gram TF-IDF over the clauses (typos, spacing, compounds the
    morphological analyser splits differently);

  with the case analysed by :func:`sandan.support.text.analyse` (kiwipiepy morphemes) and
  expanded with a domain thesaurus of Korean technical terms (lower weight than the firm's own
  words). Each component is divided by its best value for the case.
* ``category``: 1 if the expert serves the case's service category, 0.5 if the expert lists no
  category (unknown), else 0 — a prior, not a filter.
* ``industry``: 1 if the expert lists the firm's KSIC division (``C29``), 0.3 for the same KSIC
  section only (``C…``), else 0.
* ``load``: the expert's open assignments; a mild penalty that reorders near-ties only.
* ``region``: W_PROVINCE when the expert mentors in the firm's province, W_ZONE in its
  economic zone only; small, so nearness decides between (nearly) equal specialties only.

An expert who is away (an unavailable period covering today) or at their cap of open cases
(``available=False`` on the profile) is never returned.

Conflict of interest: an expert whose affiliation is the firm's own organisation is never
returned.
"""

from __future__ import annotations

import copy
import logging
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Any

import bm25s
import numpy as np
from django.conf import settings
from django.utils.translation import gettext
from scipy import sparse
from sklearn.feature_extraction.text import TfidfVectorizer

from sandan.support import semantic
from sandan.support.text import analyse


def _(message: str) -> str:
    """gettext when Django is configured; the module also runs bare (scripts, notebooks)."""
    return gettext(message) if settings.configured else message


# bm25s logs at DEBUG on its own logger (level DEBUG); keep index builds quiet.
logging.getLogger("bm25s").setLevel(logging.WARNING)

if TYPE_CHECKING:
    from sandan.registry.models import Expert

__all__ = [
    "Case",
    "ExpertProfile",
    "Match",
    "Matcher",
    "Ranker",
    "expand",
    "ksic2_of",
    "load_penalty",
    "profiles_from_queryset",
]

# Weights of the score (documented in the ADR; general values, not fitted to expert ids).
W_SEGMENT = 0.5
W_DOCUMENT = 0.25
W_CHARS = 0.25
W_EXPANSION = 0.4  # weight of thesaurus terms relative to the firm's own words
W_INDUSTRY_WORD = 0.2  # weight of words naming the firm's own industry (scored by W_INDUSTRY)
W_CATEGORY = 0.35
W_INDUSTRY = 0.2
W_SECTION = 0.3  # fraction of W_INDUSTRY for the same KSIC section only
W_LOAD = 0.03
W_PROVINCE = 0.06
W_ZONE = 0.03
# Neighbours of the firm's words in kiwipiepy's embeddings (semantic.py): weight × cosine.
W_SEMANTIC = 0.3
SEMANTIC_MIN_COSINE = 0.6

_SEGMENT_SPLIT = re.compile(r"[,/;·•\n\r]+|\.\s+|\.$|\s-\s")
# "ISO 9001", "ISO-14001", "KS Q 9001": a Latin code followed by a number, glued.
_CODE_NUMBER = re.compile(r"([A-Za-z]{2,})[\s\-]*(\d{3,5})")

# Words of a request that say nothing about the need (the firm's framing).
_QUERY_STOP = frozenset(
    {
        "회사",
        "업체",
        "기업",
        "중소기업",
        "소기업",
        "직원",
        "명",
        "제조",
        "생산",
        "생산업체",
        "만들다",
        "필요",
        "지원",
        "전문가",
        "연결",
        "부탁",
        "부탁드리다",
        "도와주다",
        "도움",
        "방법",
        "문의",
        "궁금",
        "알다",
        "모르다",
        "상담",
        "가능",
        "급하다",
        "빠르다",
        "안녕",
        "어떻게",
        "업종",
        "제조업체",
        "드리다",
        "막막하다",
        "우선",
        "나중",
        "생각",
        "언젠가",
        "고민",
        "찾다",
        "원하다",
        "해주다",
        "알려주다",
        "바라다",
    }
)

# Domain thesaurus: groups of Korean/English technical terms that name the same thing or the
# same kind of help. Written as a firm or an expert would write them; analysed once.
_THESAURUS: tuple[tuple[str, ...], ...] = (
    ("도금", "표면처리", "전기도금", "아연도금", "니켈도금", "무전해"),
    ("박리", "벗겨지다", "밀착", "밀착력", "들뜨다", "부풀다", "물집"),
    ("도장", "페인트", "분체도장", "도료", "코팅"),
    ("핀홀", "흐름", "색차", "오렌지필"),
    ("금형", "몰드", "사출금형", "프레스금형"),
    ("사출", "성형", "사출성형", "플라스틱"),
    ("웰드라인", "싱크마크", "미성형", "휨", "수축", "변형"),
    ("유동해석", "몰드플로우", "게이트"),
    ("마모", "닳다", "수명", "정비", "보수", "수리"),
    ("수출", "해외", "판로", "해외시장", "수출국", "overseas", "export"),
    ("바이어", "거래처", "수입상", "buyer"),
    ("특허", "지식재산", "출원", "권리화", "명세서", "PCT", "IP"),
    ("침해", "분쟁", "소송", "경고장", "무효심판", "무효", "회피설계", "회피"),
    ("기술이전", "이전", "라이선스", "기술가치평가", "가치평가", "보유기술"),
    ("시제품", "시작품", "프로토타입", "목업", "샘플", "쾌속조형", "prototype"),
    ("3D프린팅", "3D프린터", "적층제조", "프린터", "프린팅"),
    ("디자인", "외관", "외형", "산업디자인", "투박", "CMF"),
    ("경량화", "가볍다", "무게", "복합소재", "복합재", "탄소섬유", "CFRP", "GFRP"),
    ("IoT", "사물인터넷", "원격", "모니터링", "블루투스", "BLE", "무선통신", "펌웨어", "임베디드"),
    ("스마트폰", "앱", "어플", "센서"),
    ("해석", "시뮬레이션", "CAE", "FEA", "구조해석", "유한요소", "강도", "피로"),
    ("용접", "용접부", "비드", "용접공"),
    ("기공", "균열", "크랙", "결함"),
    ("로봇", "자동화", "협동로봇", "automation"),
    ("에너지", "전기요금", "전력", "절감", "연료비", "효율"),
    ("압축공기", "컴프레셔", "컴프레샤", "공기압축기", "보일러", "누설"),
    ("MES", "생산관리시스템", "작업일보", "실적", "실시간", "가동률", "스마트공장"),
    ("PLC", "제어", "시퀀스", "컨베이어"),
    ("비전", "머신비전", "카메라", "영상", "육안", "외관검사", "딥러닝", "AI"),
    ("SPC", "공정능력", "Cpk", "공정능력지수", "6시그마", "산포", "통계"),
    ("편차", "들쭉날쭉", "불균일", "산포"),
    ("CNC", "머시닝센터", "선반", "절삭", "절삭가공", "가공", "깎다", "공구"),
    ("공차", "치수", "정밀", "조도"),
    ("열처리", "침탄", "고주파", "경도", "담금질"),
    ("고장", "보전", "예지보전", "예방보전", "진동", "PM", "멈추다", "서다", "정지", "차질"),
    ("레이아웃", "동선", "배치", "라인밸런싱", "밸런싱", "병목", "린", "Lean"),
    ("표준작업", "작업표준", "표준화"),
    ("이물", "위생", "살균", "머리카락", "오염"),
    ("분진", "먼지", "집진", "집진기", "국소배기", "배기", "후드", "작업환경"),
    ("폐수", "중금속", "수처리", "방류", "재이용"),
    ("ISO9001", "품질경영", "품질경영시스템", "사후심사", "내부심사"),
    ("ISO14001", "환경경영", "환경경영시스템"),
    ("ISO45001", "안전보건", "중대재해", "중대재해처벌법", "중대재해법", "안전보건관리체계"),
    ("ERP", "전산화", "정보화", "재고관리", "재고", "회계", "전산"),
    ("정책자금", "운전자금", "시설자금", "융자", "대출", "자금"),
    ("보증", "기보", "기술보증", "신용보증", "신보"),
    ("노무", "근로계약", "취업규칙", "주52시간", "근무", "임금", "노동청", "진정", "인사"),
    ("하도급", "하도급법", "납품단가", "납품대금", "계약서", "원청", "법률"),
    ("벤처", "벤처기업", "이노비즈", "메인비즈", "기업부설연구소", "부설연구소"),
    ("원가", "원가분석", "이익", "수익성", "경영진단", "진단", "사업계획", "사업계획서"),
    ("HACCP", "해썹", "식품안전관리인증", "위생관리"),
    ("기술유출", "유출", "영업비밀", "산업보안", "임치", "기술자료"),
    ("CE", "UL", "FDA", "해외규격", "규격인증", "KC"),
    ("전시회", "박람회", "부스", "메세", "킨텍스", "엑스포", "fair"),
    ("온라인", "쇼핑몰", "스마트스토어", "SNS", "인스타그램", "인스타", "광고", "검색광고"),
    ("브랜드", "로고", "CI", "BI", "네이밍", "브랜딩"),
    ("카탈로그", "홍보영상", "동영상", "영상", "홍보", "brochure"),
    ("조달", "나라장터", "우수조달", "관공서", "공공기관", "입찰", "조달청"),
    ("시장조사", "시장", "시장규모", "경쟁사", "점유율", "타당성"),
    ("협력사", "벤더", "구매상담회", "상담회", "납품", "1차벤더"),
    ("FTA", "원산지", "통관", "신용장", "L/C", "무역", "수출입"),
    ("교육", "훈련", "강의", "강좌", "과정", "배우다", "가르치다", "연수", "training"),
    ("CAD", "오토캐드", "AutoCAD", "솔리드웍스", "SolidWorks", "도면", "설계"),
    ("안전교육", "위험성평가", "지게차", "크레인", "법정교육"),
    ("한국어", "외국인", "다국어", "외국인근로자"),
    ("리더십", "소통", "관리자", "팀장", "반장", "코칭", "조직문화", "중간관리자"),
    ("데이터분석", "파이썬", "python", "데이터"),
    ("품질관리", "QC", "분임조", "QC7"),
    ("불량", "불량률", "NG", "클레임", "반품"),
    ("자격증", "기능사", "실기"),
    ("식품", "간편식", "HMR", "레시피", "배합", "배합비", "유통기한"),
)

# Words a firm uses for its own industry, per KSIC division. The industry is scored from the
# structured ksic2 field, so these words count little in the text score (otherwise "전기장비
# 업종인데요" would pull every expert whose profile says "전기장비 분야").
INDUSTRY_WORDS: dict[str, tuple[str, ...]] = {
    "C10": ("식품", "식료품"),
    "C11": ("음료", "주류"),
    "C13": ("섬유", "원단"),
    "C14": ("의복", "의류", "봉제"),
    "C15": ("가죽", "신발", "가방"),
    "C16": ("목재",),
    "C17": ("종이", "펄프", "제지"),
    "C18": ("인쇄",),
    "C19": ("석유", "정유"),
    "C20": ("화학", "화학제품"),
    "C21": ("의약품", "제약"),
    "C22": ("고무", "플라스틱"),
    "C23": ("비금속", "비금속광물", "세라믹", "유리", "시멘트"),
    "C24": ("1차금속", "철강", "주조", "주물"),
    "C25": ("금속가공", "금속"),
    "C26": ("전자부품", "전자", "반도체"),
    "C27": ("의료기기", "정밀기기", "의료", "정밀", "광학"),
    "C28": ("전기장비", "전기"),
    "C29": ("기계장비", "기계"),
    "C30": ("자동차", "자동차부품"),
    "C31": ("조선", "선박", "운송장비", "철도"),
    "C32": ("가구",),
    "C33": ("기타제품",),
    "J58": ("출판", "소프트웨어"),
    "J62": ("소프트웨어", "IT", "정보서비스"),
}


@lru_cache(maxsize=64)
def _industry_tokens(ksic2: str) -> frozenset[str]:
    out: set[str] = set()
    for word in INDUSTRY_WORDS.get(ksic2, ()):
        toks = _tokens(word)
        out.update(toks)
        out.add("".join(toks))
    return frozenset(out)


@dataclass(frozen=True)
class ExpertProfile:
    """What the matcher knows of an expert."""

    id: str
    name: str
    specialties: str
    categories: tuple[str, ...] = ()
    ksic2: tuple[str, ...] = ()
    affiliation_id: str | None = None
    affiliation_type: str = ""
    load: int = 0
    province: str = ""  # id of the province where the expert mentors
    zone: str = ""  # id of that province's economic zone
    available: bool = True  # False: away today, or at the cap of open cases


@dataclass(frozen=True)
class Case:
    """A firm's problem as the matcher sees it."""

    text: str
    category: str = ""
    ksic2: str = ""
    firm_organisation_id: str | None = None
    province: str = ""  # id of the firm's province
    zone: str = ""  # id of the firm's economic zone


@dataclass(frozen=True)
class Match:
    """One ranked expert with the reasons for its place."""

    expert_id: str
    score: float
    text_score: float
    matched_terms: tuple[str, ...] = ()
    category_match: bool = False
    industry_match: bool = False
    load_penalty: float = 0.0
    explanation: str = ""
    region: str = ""  # "province", "zone" or "" (nearness to the firm)


def _norm_code(value: str) -> str:
    return value.strip().upper()


def _extra_codes(text: str) -> list[str]:
    """Code+number tokens the analyser drops when written apart ("ISO 9001" → "iso9001")."""
    return [(a + b).lower() for a, b in _CODE_NUMBER.findall(text)]


def _tokens(text: str) -> list[str]:
    toks = analyse(text)
    extra = [t for t in _extra_codes(text) if t not in toks]
    return [*toks, *extra]


@lru_cache(maxsize=1)
def _thesaurus_index() -> dict[str, frozenset[str]]:
    """token → the analysed tokens of every group it belongs to (itself excluded)."""
    index: dict[str, set[str]] = {}
    for group in _THESAURUS:
        members: set[str] = set()
        keys: set[str] = set()
        for word in group:
            analysed = _tokens(word)
            members.update(analysed)
            # a member is reached by its whole form (compound) or a single-token form
            keys.add(analysed[-1] if len(analysed) == 1 else "".join(analysed))
            if len(analysed) == 1:
                keys.add(analysed[0])
            keys.add(word.lower())
        for key in keys:
            index.setdefault(key, set()).update(members)
    return {k: frozenset(v - {k}) for k, v in index.items()}


def expand(tokens: Sequence[str]) -> list[str]:
    """Thesaurus terms for ``tokens`` that are not already among them."""
    index = _thesaurus_index()
    seen = set(tokens)
    out: list[str] = []
    for tok in tokens:
        for syn in sorted(index.get(tok, ())):
            if syn not in seen:
                seen.add(syn)
                out.append(syn)
    return out


def split_segments(text: str) -> list[str]:
    """Specialty clauses of a specialties text (at least one, possibly empty)."""
    parts = [p.strip() for p in _SEGMENT_SPLIT.split(text or "")]
    parts = [p for p in parts if p]
    return parts or [""]


def ksic2_of(code: str, parent_code: str | None = None) -> str:
    """``C29`` for the KSIC division ``29`` whose section is ``C``."""
    code = code.strip()
    if parent_code and code.isdigit() and len(code) == 2:
        return f"{parent_code.strip().upper()}{code}"
    return code.upper()


class _Bm25Index:
    """BM25 weights of a tokenised corpus (computed by bm25s), scored by one sparse product.

    bm25s stores, per vocabulary token, the BM25 weight of the token in every document that holds
    it (a column-compressed docs × vocabulary matrix); a query is a weight per token, so the
    scores of all documents are that matrix times the query vector.
    """

    def __init__(self, corpus: list[list[str]]) -> None:
        self.size = len(corpus)
        self.vocab: dict[str, int] = {}
        self.matrix: Any = None
        if not corpus:
            return
        model = bm25s.BM25()
        model.index(corpus, show_progress=False)
        self.vocab = dict(model.vocab_dict)
        sc = model.scores
        self.matrix = sparse.csc_matrix(
            (sc["data"], sc["indices"], sc["indptr"]),
            shape=(int(sc["num_docs"]), len(sc["indptr"]) - 1),
        ).tocsr()
        nonocc = getattr(model, "nonoccurrence_array", None)
        self.nonoccurrence = None if nonocc is None else np.asarray(nonocc, dtype=float)

    def scores(self, weighted: Iterable[tuple[float, Sequence[str]]]) -> np.ndarray:
        """Σ weight · BM25(token, doc) over the weighted query tokens, for every document."""
        if self.matrix is None:
            return np.zeros(self.size)
        q = np.zeros(self.matrix.shape[1])
        for weight, toks in weighted:
            for t in toks:
                tid = self.vocab.get(t)
                if tid is not None and weight > q[tid]:
                    q[tid] = weight
        out = np.asarray(self.matrix @ q, dtype=float)
        if self.nonoccurrence is not None:
            out = out + float(self.nonoccurrence @ q)
        return out


class Matcher:
    """Index of experts, built once; :meth:`rank` ranks them for a case."""

    def __init__(self, experts: Iterable[ExpertProfile], ranker: Ranker | None = None) -> None:
        self.experts: list[ExpertProfile] = list(experts)
        # A learned ranker replaces the fixed weights of the score (see fit_ranker).
        self.ranker = ranker
        n = len(self.experts)
        self._ids = [e.id for e in self.experts]
        segments: list[str] = []
        owner: list[int] = []
        doc_tokens: list[list[str]] = []
        seg_tokens: list[list[str]] = []
        self._token_sets: list[frozenset[str]] = []
        for i, e in enumerate(self.experts):
            toks_all: list[str] = []
            for seg in split_segments(e.specialties):
                toks = _tokens(seg)
                segments.append(seg)
                seg_tokens.append(toks or [""])
                owner.append(i)
                toks_all.extend(toks)
            doc_tokens.append(toks_all or [""])
            self._token_sets.append(frozenset(toks_all))
        self._seg_starts = np.array(
            [0, *[j for j in range(1, len(owner)) if owner[j] != owner[j - 1]]], dtype=np.intp
        )
        self._seg_index = _Bm25Index(seg_tokens)
        self._doc_index = _Bm25Index(doc_tokens)
        self._chars = TfidfVectorizer(
            analyzer="char_wb", ngram_range=(2, 3), sublinear_tf=True, min_df=1
        )
        self._char_matrix: Any = self._chars.fit_transform(segments).tocsr() if n else None
        self._char_analyzer = self._chars.build_analyzer()
        self._char_vocab: dict[str, int] = dict(self._chars.vocabulary_) if n else {}
        self._char_idf = np.asarray(self._chars.idf_, dtype=float) if n else np.zeros(0)
        self._categories = [frozenset(_norm_code(c) for c in e.categories) for e in self.experts]
        self._ksic = [frozenset(_norm_code(k) for k in e.ksic2) for e in self.experts]
        self._by_affiliation: dict[str, list[int]] = {}
        for i, e in enumerate(self.experts):
            if e.affiliation_id is not None:
                self._by_affiliation.setdefault(str(e.affiliation_id), []).append(i)
        self._position = {eid: i for i, eid in enumerate(self._ids)}
        self._set_load([e.load for e in self.experts])
        # Who the profiles say can take a case; with_load lays today's limits over a copy.
        self._profile_available = np.array([e.available for e in self.experts], dtype=bool)
        self._available = self._profile_available
        self._provinces = np.array([e.province for e in self.experts], dtype=object)
        self._zones = np.array([e.zone for e in self.experts], dtype=object)
        self._cat_cache: dict[str, np.ndarray] = {}
        self._ind_cache: dict[str, np.ndarray] = {}

    def _set_load(self, loads: Sequence[int]) -> None:
        self._load = np.array([max(0, load) for load in loads], dtype=float)
        self._load_penalty = W_LOAD * np.log1p(self._load)

    def with_load(self, load: Mapping[str, int], unavailable: Iterable[str] = ()) -> Matcher:
        """The same index with today's open assignments (expert id → count) and the experts
        who cannot take a case today (away, or at their cap): both change with every
        assignment and every day, so a request re-weighs in microseconds instead of
        rebuilding the index."""
        current = copy.copy(self)
        current._set_load([int(load.get(expert_id, 0)) for expert_id in self._ids])
        current._available = self._profile_available.copy()
        for expert_id in unavailable:
            if expert_id in self._position:
                current._available[self._position[expert_id]] = False
        return current

    def _category_prior(self, category: str) -> np.ndarray:
        """1 where the expert serves ``category``, 0.5 where the expert lists none, else 0."""
        if category not in self._cat_cache:
            self._cat_cache[category] = np.array(
                [1.0 if category in cs else (0.5 if not cs else 0.0) for cs in self._categories]
            )
        return self._cat_cache[category]

    def _industry_prior(self, ksic2: str) -> np.ndarray:
        """1 for the same KSIC division, W_SECTION for the same section only, else 0."""
        if ksic2 not in self._ind_cache:
            self._ind_cache[ksic2] = np.array(
                [
                    1.0
                    if ksic2 in ks
                    else (W_SECTION if any(x[:1] == ksic2[:1] for x in ks) else 0.0)
                    for ks in self._ksic
                ]
            )
        return self._ind_cache[ksic2]

    def __len__(self) -> int:
        return len(self.experts)

    def region_bonus(self, case: Case) -> np.ndarray:
        """W_PROVINCE for experts of the firm's province, W_ZONE for its zone only, else 0."""
        n = len(self.experts)
        province = self._provinces == case.province if case.province else np.zeros(n, bool)
        zone = self._zones == case.zone if case.zone else np.zeros(n, bool)
        return np.where(province, W_PROVINCE, np.where(zone, W_ZONE, 0.0))

    def _per_expert_max(self, seg_scores: np.ndarray) -> np.ndarray:
        return np.maximum.reduceat(seg_scores, self._seg_starts)

    @staticmethod
    def _unit(x: np.ndarray) -> np.ndarray:
        top = float(x.max()) if x.size else 0.0
        return x / top if top > 0 else np.zeros_like(x)

    def _char_scores(self, text: str) -> np.ndarray:
        """Cosine of the case's character n-gram TF-IDF with every clause.

        Same weights as ``TfidfVectorizer.transform`` (sublinear tf × idf, L2-normalised), computed
        directly: the vectorizer's input checks cost more than the product for one short text.
        """
        counts: dict[int, int] = {}
        for gram in self._char_analyzer(text):
            j = self._char_vocab.get(gram)
            if j is not None:
                counts[j] = counts.get(j, 0) + 1
        if not counts:
            return np.zeros(self._char_matrix.shape[0])
        idx = np.fromiter(counts.keys(), dtype=np.intp, count=len(counts))
        tf = 1.0 + np.log(np.fromiter(counts.values(), dtype=float, count=len(counts)))
        w = tf * self._char_idf[idx]
        w /= float(np.linalg.norm(w))
        q = np.zeros(self._char_matrix.shape[1])
        q[idx] = w
        return np.asarray(self._char_matrix @ q, dtype=float)

    def text_scores(self, text: str, ksic2: str = "") -> tuple[np.ndarray, list[str], list[str]]:
        """Text relevance ∈ [0, 1] of every expert, the query tokens and the expansion."""
        parts, query, expansion = self._text_parts(text, ksic2)
        combined = W_SEGMENT * parts[0] + W_DOCUMENT * parts[1] + W_CHARS * parts[2]
        return self._unit(combined), query, expansion

    def _text_parts(
        self, text: str, ksic2: str = ""
    ) -> tuple[tuple[np.ndarray, np.ndarray, np.ndarray], list[str], list[str]]:
        """Clause BM25, document BM25 and character n-gram cosine, each ∈ [0, 1]."""
        raw = [t for t in _tokens(text) if t not in _QUERY_STOP]
        query = list(dict.fromkeys(raw))
        expansion = [t for t in expand(query) if t not in _QUERY_STOP]
        n = len(self.experts)
        if not n or not (query or expansion):
            zero = np.zeros(n)
            return (zero, zero, zero), query, expansion
        own_industry = _industry_tokens(_norm_code(ksic2)) if ksic2 else frozenset()
        seen = set(query) | set(expansion)
        # Neighbours in the embeddings, by cosine band (one weight per group of the BM25 query).
        similar: dict[float, list[str]] = {}
        for token in query:
            if token in own_industry:
                continue
            for neighbour, cosine in semantic.neighbours(token):
                if cosine < SEMANTIC_MIN_COSINE:
                    break
                if neighbour not in seen and neighbour not in _QUERY_STOP:
                    seen.add(neighbour)
                    similar.setdefault(round(W_SEMANTIC * cosine, 2), []).append(neighbour)
        weighted = (
            (1.0, [t for t in query if t not in own_industry]),
            (W_INDUSTRY_WORD, [t for t in query if t in own_industry]),
            (W_EXPANSION, [t for t in expansion if t not in own_industry]),
            *similar.items(),
        )

        seg = self._per_expert_max(self._seg_index.scores(weighted))
        doc = self._doc_index.scores(weighted)
        chars = self._per_expert_max(self._char_scores(text))
        return (self._unit(seg), self._unit(doc), self._unit(chars)), query, expansion

    def features(self, case: Case) -> np.ndarray:
        """experts × :data:`FEATURES` matrix of ``case`` (what a :class:`Ranker` weighs)."""
        (seg, doc, chars), _, _ = self._text_parts(case.text, case.ksic2)
        n = len(self.experts)
        category = _norm_code(case.category)
        ksic2 = _norm_code(case.ksic2)
        return np.column_stack(
            [
                seg,
                doc,
                chars,
                self._category_prior(category) if category else np.zeros(n),
                self._industry_prior(ksic2) if ksic2 else np.zeros(n),
                np.log1p(self._load),
            ]
        )

    def rank(
        self,
        case: Case,
        k: int = 10,
        exclude_affiliation: str | None = None,
        exclude_ids: Iterable[str] = (),
    ) -> list[Match]:
        """The ``k`` best experts for ``case``, best first.

        Experts affiliated with ``exclude_affiliation`` (by default the firm's own organisation,
        ``case.firm_organisation_id``) or listed in ``exclude_ids`` are never returned.
        """
        n = len(self.experts)
        if n == 0 or k <= 0:
            return []
        text, query, expansion = self.text_scores(case.text, case.ksic2)
        category = _norm_code(case.category)
        ksic2 = _norm_code(case.ksic2)
        load_pen = self._load_penalty
        if self.ranker is not None:
            score = self.ranker.score(self.features(case))
        else:
            score = text - load_pen
            if category:
                score = score + W_CATEGORY * self._category_prior(category)
            if ksic2:
                score = score + W_INDUSTRY * self._industry_prior(ksic2)
        region = self.region_bonus(case)
        score = score + region
        blocked = exclude_affiliation or case.firm_organisation_id
        mask = self._available.copy()
        if blocked is not None:
            mask[self._by_affiliation.get(str(blocked), [])] = False
        for eid in exclude_ids:
            if eid in self._position:
                mask[self._position[eid]] = False
        score = np.where(mask, score, -np.inf)
        k = min(k, int(mask.sum()))
        if k == 0:
            return []
        top = np.argpartition(-score, k - 1)[:k] if k < n else np.arange(n)
        top = top[np.lexsort((top, -score[top]))]
        query_set = set(query)
        out: list[Match] = []
        for i in top:
            idx = int(i)
            toks = self._token_sets[idx]
            matched = tuple(
                [t for t in query if t in toks]
                + [f"~{t}" for t in expansion if t in toks and t not in query_set]
            )
            cat_ok = bool(category) and category in self._categories[idx]
            ind_ok = bool(ksic2) and ksic2 in self._ksic[idx]
            pen = float(load_pen[idx])
            near = (
                "province"
                if region[idx] == W_PROVINCE
                else ("zone" if region[idx] == W_ZONE else "")
            )
            out.append(
                Match(
                    expert_id=self._ids[idx],
                    score=round(float(score[idx]), 4),
                    text_score=round(float(text[idx]), 4),
                    matched_terms=matched,
                    category_match=cat_ok,
                    industry_match=ind_ok,
                    load_penalty=round(pen, 4),
                    explanation=_explain(matched, cat_ok, ind_ok, pen, int(self._load[idx]), near),
                    region=near,
                )
            )
        return out


# Features of an (expert, case) pair, in the column order of Matcher.features.
FEATURES = ("segment_bm25", "document_bm25", "char_ngrams", "category", "industry", "log_load")


@dataclass(frozen=True)
class Ranker:
    """A linear ranker over :data:`FEATURES`, learned from graded (case, expert) pairs.

    It replaces the hand-set weights of the score once decisions exist: ``score = coef · x``.
    Plain data (a tuple of floats), so it can be stored and shipped without pickling."""

    coef: tuple[float, ...]
    trained_on: int = 0  # graded pairs of grade ≥ 1 it saw

    def score(self, features: np.ndarray) -> np.ndarray:
        return np.asarray(features @ np.asarray(self.coef, dtype=float), dtype=float)


def _explain(
    matched: Sequence[str], cat: bool, ind: bool, pen: float, load: int, near: str = ""
) -> str:
    """One line for the coordinator: why this expert is on the list (translated)."""
    parts = []
    direct = [t for t in matched if not t.startswith("~")]
    related = [t[1:] for t in matched if t.startswith("~")]
    if direct:
        parts.append(_("전문분야 일치: %(terms)s") % {"terms": ", ".join(direct[:6])})
    if related:
        parts.append(_("관련어: %(terms)s") % {"terms": ", ".join(related[:4])})
    if not direct and not related:
        parts.append(_("전문분야 직접 일치 없음"))
    parts.append(_("지원분야 일치") if cat else _("지원분야 다름"))
    if ind:
        parts.append(_("업종 일치"))
    if near == "province":
        parts.append(_("같은 시·도"))
    elif near == "zone":
        parts.append(_("같은 광역경제권"))
    if load:
        parts.append(
            _("진행 중 배정 %(count)d건(-%(penalty)s)") % {"count": load, "penalty": f"{pen:.2f}"}
        )
    return "; ".join(parts)


def profiles_from_queryset(
    experts_qs: Iterable[Expert], load: Mapping[int, int] | None = None
) -> list[ExpertProfile]:
    """ExpertProfile for every ``registry.Expert`` of ``experts_qs``.

    ``load`` maps expert id → open assignments. Industries are reduced to KSIC divisions
    (``C29``): a division row gives its section + code, a deeper row its division ancestor.
    Prefetch ``industries__parent__parent__parent__parent`` and select ``affiliation`` to keep
    the query count constant.
    """
    load = load or {}
    out: list[ExpertProfile] = []
    for e in experts_qs:
        ksic: list[str] = []
        for ind in e.industries.all():
            code = _division_code(ind)
            if code and code not in ksic:
                ksic.append(code)
        aff = e.affiliation
        out.append(
            ExpertProfile(
                id=str(e.pk),
                name=e.name_ko,
                specialties=e.specialties or "",
                categories=tuple(str(c) for c in (e.service_categories or [])),
                ksic2=tuple(ksic),
                affiliation_id=str(aff.pk) if aff is not None else None,
                affiliation_type=aff.kind if aff is not None else "",
                load=int(load.get(e.pk, 0)),
            )
        )
    return out


def _division_code(industry: Any) -> str | None:
    """Section letter + division code of a KSIC row at division level or below."""
    node = industry
    while node is not None and node.level not in ("division", "section"):
        node = node.parent
    if node is None or node.level == "section":
        return None
    section = node.parent
    return ksic2_of(node.code, section.code if section is not None else None)


def load_penalty(load: int) -> float:
    """The penalty subtracted for ``load`` open assignments."""
    return W_LOAD * math.log1p(max(0, load))
