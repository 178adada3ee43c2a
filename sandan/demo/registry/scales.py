"""The two scales of the demo registry and the 12 original cluster complexes."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

# --- scales ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Scale:
    name: str
    as_of: dt.date
    kinds: dict[str, int] | None  # complexes per kind (Korean); None = the whole real list
    first_year: int
    last_year: int
    organisations: int
    experts: int

    @property
    def quarters(self) -> list[tuple[int, int]]:
        return [(y, q) for y in range(self.first_year, self.last_year + 1) for q in (1, 2, 3, 4)]


SCALES: dict[str, Scale] = {
    "2009": Scale(
        name="2009",
        as_of=dt.date(2009, 12, 31),
        kinds={"국가": 35, "일반": 322, "농공": 385},
        first_year=2005,
        last_year=2009,
        organisations=40_000,
        experts=300,
    ),
    "national": Scale(
        name="national",
        as_of=dt.date(2025, 12, 31),
        kinds=None,
        first_year=2021,
        last_year=2025,
        organisations=130_000,
        experts=1_000,
    ),
}


@dataclass(frozen=True)
class Original:
    """One of the 12 complexes of the cluster program before 2010, as the real list names it."""

    kind: str  # Korean: 국가 / 일반 / 농공
    sido: str
    sigungu: str
    real_name: str  # as data/kicox_complexes_20251231.csv writes it
    label: str  # how the program called it
    specialty: str  # KSIC division of its cluster

    @property
    def name(self) -> str:
        """The name in the 2009 world (later annotations such as [재생사업지구] dropped)."""
        return strip_annotations(self.real_name)


ORIGINALS: tuple[Original, ...] = (
    Original("국가", "경남", "창원시", "창원[재생사업지구:부분]", "창원", "29"),
    Original("국가", "울산", "남구", "울산ㆍ미포", "울산", "30"),
    Original("국가", "경북", "구미시", "구미국가(1단지)[재생사업지구]", "구미", "26"),
    Original("국가", "경기", "안산시", "반월특수지역", "반월·시화", "25"),
    Original("국가", "광주", "북구", "광주첨단과학", "광주", "27"),
    Original("농공", "강원", "원주시", "태장", "원주", "27"),
    Original("국가", "전북", "군산시", "군산", "군산", "30"),
    Original("국가", "인천", "남동구", "남동[재생사업지구]", "남동", "25"),
    Original("국가", "부산", "강서구", "명지·녹산", "명지·녹산", "29"),
    Original("일반", "대구", "달서구", "성서1차[재생사업지구]", "성서", "30"),
    Original("국가", "전남", "영암군", "대불국가산업단지", "대불", "31"),
    Original("일반", "충북", "청주시", "오창과학", "오창", "26"),
)
CHANGWON = ORIGINALS[0]

_ANNOTATION = re.compile(r"\s*\[[^\]]*\]")


def strip_annotations(name: str) -> str:
    return _ANNOTATION.sub("", name).strip()
