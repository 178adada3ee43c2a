"""The demo world: `sandan load_demo` builds it, deterministically from a seed.

Two scales:

* ``2009`` (default): the registry as the September 2009 announcement describes it — 742
  complexes (35 national, 322 general, 385 agro-industrial), spread over the provinces in
  proportion to today's real KICOX list and named after its rows, the 12 original cluster
  complexes among them; quarterly statistics 2005Q1–2009Q4; about 40,000 organisations;
  about 300 experts.
* ``national``: today's real registry (data/kicox_complexes_20251231.csv, 1,363 complexes)
  with statistics 2021Q1–2025Q4, 130,000 organisations and 1,000 experts (the benchmark).

Every write takes the ordinary path: complexes and organisations are written as KICOX-layout
files into a temporary directory and imported with `import_complexes` / `import_organisations`;
experts go through `create_expert`; roles through `grant_role`; statistics are bulk-created
with one audit entry per row (`entry_for` + `record_many`), as the importers do.

Running it again: when the registry already holds complexes, the world is left alone and only
the demo users are (re)created — their password reset and missing memberships granted — and
printed. So `make demo` can be run any number of times.

Same seed → same data: every random choice comes from `random.Random` seeded with a string
derived from the seed and a stable key (never Python's `hash()` or set order).
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import itertools
import math
import random
import re
import sys
import tempfile
import time
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal
from pathlib import Path
from typing import Any, TypeVar

from django.contrib.auth.hashers import check_password, make_password
from django.contrib.contenttypes.models import ContentType
from django.db import transaction

from sandan.core import audit
from sandan.core.models import AuditAction, AuditEntry
from sandan.registry import demo_data as words
from sandan.registry.models import (
    Complex,
    ComplexStat,
    Expert,
    Industry,
    Organisation,
    Zone,
)
from sandan.registry.reference import DATA_DIR
from sandan.registry.validators import business_check_digit, corporate_check_digit

T = TypeVar("T")

DEMO_PASSWORD = "sandan-demo-2010"  # noqa: S105  (public, printed: demo only)
AUDIT_SOURCE = "demo"
REAL_COMPLEXES_CSV = "kicox_complexes_20251231.csv"
SHARED_COMPLEXES_CSV = Path("/work/shared/data/complexes/kicox_complexes_20251231.csv")

KIND_BY_KO = {
    "국가": "national",
    "일반": "general",
    "도시첨단": "urban_high_tech",
    "농공": "agro_industrial",
}
KO_BY_KIND = {value: key for key, value in KIND_BY_KO.items()}

COMPLEX_COLUMNS = (
    "유형",
    "시도",
    "시군",
    "단지명",
    "조성상태",
    "지정면적",
    "관리면적",
    "산업시설용지면적",
    "분양대상면적",
    "분양면적",
    "미분양면적",
    "분양률",
    "입주업체",
    "가동업체",
)
# The English keys of the shared copy (see /work/shared/data/complexes/SOURCE.md).
ENGLISH_KEYS = {
    "type": "유형",
    "sido": "시도",
    "sigungu": "시군",
    "name": "단지명",
    "status": "조성상태",
    "designatedArea": "지정면적",
    "managedArea": "관리면적",
    "facilityArea": "산업시설용지면적",
    "saleTargetArea": "분양대상면적",
    "soldArea": "분양면적",
    "unsoldArea": "미분양면적",
    "saleRate": "분양률",
    "tenants": "입주업체",
    "operating": "가동업체",
}
ORGANISATION_COLUMNS = (
    "기관구분",
    "기관명",
    "영문명",
    "사업자등록번호",
    "법인등록번호",
    "업종코드",
    "종업원수",
    "단지코드",
    "주소",
    "담당자",
    "이메일",
    "전화",
)
ORG_KIND_KO = {"company": "기업", "university": "대학", "institute": "연구소", "agency": "지원기관"}


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


# --- randomness ------------------------------------------------------------------------------


def rng_for(seed: int, *key: object) -> random.Random:
    """An independent, reproducible stream for (seed, key): str seeds hash with SHA-512."""
    return random.Random(":".join([str(seed), *map(str, key)]))


def weighted_choice(rng: random.Random, weights: dict[str, int]) -> str:
    keys = sorted(weights)
    return rng.choices(keys, weights=[weights[k] for k in keys], k=1)[0]


def apportion(total: int, weights: Sequence[float]) -> list[int]:
    """Largest-remainder apportionment of `total` over `weights` (ties to the lower index)."""
    whole = sum(weights)
    if total <= 0 or whole <= 0:
        return [0] * len(weights)
    exact = [total * w / whole for w in weights]
    counts = [math.floor(x) for x in exact]
    order = sorted(range(len(weights)), key=lambda i: (-(exact[i] - counts[i]), i))
    for i in order[: total - sum(counts)]:
        counts[i] += 1
    return counts


# --- complexes -------------------------------------------------------------------------------


@dataclass(frozen=True)
class ComplexRow:
    kind: str  # Korean 유형
    sido: str
    sigungu: str
    name: str
    status: str
    designated: Decimal
    managed: Decimal
    facility: Decimal
    sale_target: Decimal
    sold: Decimal
    unsold: Decimal
    sale_rate: Decimal
    tenants: int
    operating: int

    @property
    def key(self) -> tuple[str, str, str, str]:
        return (self.kind, self.sido, self.sigungu, self.name)

    def cells(self) -> list[str]:
        return [
            self.kind,
            self.sido,
            self.sigungu,
            self.name,
            self.status,
            *(
                _num(v)
                for v in (
                    self.designated,
                    self.managed,
                    self.facility,
                    self.sale_target,
                    self.sold,
                    self.unsold,
                    self.sale_rate,
                )
            ),
            str(self.tenants),
            str(self.operating),
        ]


def _num(value: Decimal) -> str:
    text = format(value.normalize(), "f")
    return text


def _dec(text: str) -> Decimal:
    text = (text or "0").replace(",", "").strip() or "0"
    return Decimal(text)


def real_complexes_path() -> Path:
    path = DATA_DIR / REAL_COMPLEXES_CSV
    return path if path.exists() else SHARED_COMPLEXES_CSV


def read_real_complexes(path: Path | None = None) -> list[ComplexRow]:
    """Today's KICOX list (Korean KICOX headers, or the English keys of the shared copy)."""
    with (path or real_complexes_path()).open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        rows: list[ComplexRow] = []
        for raw in reader:
            row = {ENGLISH_KEYS.get(k, k): (v or "").strip() for k, v in raw.items() if k}
            rows.append(
                ComplexRow(
                    kind=row["유형"],
                    sido=row["시도"],
                    sigungu=row["시군"],
                    name=" ".join(row["단지명"].split()),
                    status=row["조성상태"],
                    designated=_dec(row["지정면적"]),
                    managed=_dec(row["관리면적"]),
                    facility=_dec(row["산업시설용지면적"]),
                    sale_target=_dec(row["분양대상면적"]),
                    sold=_dec(row["분양면적"]),
                    unsold=_dec(row["미분양면적"]),
                    sale_rate=_dec(row["분양률"]),
                    tenants=int(_dec(row["입주업체"])),
                    operating=int(_dec(row["가동업체"])),
                )
            )
    return rows


def _as_2009(row: ComplexRow) -> ComplexRow:
    """Names and places as of 2009: annotations dropped; 세종 (2012) was 충남 연기군."""
    name = strip_annotations(row.name) or row.name
    if row.sido == "세종":
        return replace(row, sido="충남", sigungu="연기군", name=name)
    return replace(row, name=name)


def _selection_weight(row: ComplexRow) -> float:
    """How likely a complex of today already existed in 2009: big, finished, old-style names."""
    status = {"완료": 1.0, "조성중": 0.35, "미개발": 0.03}.get(row.status, 0.5)
    modern = 0.3 if row.name.endswith("산업단지") else 1.0
    return (1.0 + row.tenants) * status * modern


def _back_to_2009(row: ComplexRow, rng: random.Random) -> ComplexRow:
    """Shrink today's figures to plausible 2009 ones (fewer tenants, less sold)."""
    if row.status == "미개발" or row.tenants == 0:
        status = row.status if row.status != "완료" or row.tenants else "완료"
        return replace(row, status=status)
    finished = row.status == "완료"
    factor = rng.uniform(0.55, 0.85) if finished else rng.uniform(0.25, 0.6)
    tenants = max(1, round(row.tenants * factor))
    ratio = row.operating / row.tenants if row.tenants else 0.9
    operating = min(tenants, round(tenants * ratio * rng.uniform(0.96, 1.0)))
    status = "완료" if finished and rng.random() < 0.9 else "조성중"
    sold = row.sold
    if row.sale_target > 0:
        share = Decimal(str(round(rng.uniform(0.8, 1.0) if not finished else 1.0, 3)))
        sold = min(row.sale_target, (row.sold * share).quantize(Decimal("1")))
    unsold = max(Decimal(0), row.sale_target - sold)
    rate = (
        (sold * 100 / row.sale_target).quantize(Decimal("0.01"))
        if row.sale_target > 0
        else Decimal(0)
    )
    return replace(
        row,
        status=status,
        sold=sold,
        unsold=unsold,
        sale_rate=rate,
        tenants=tenants,
        operating=operating,
    )


def _invented(kind: str, sido: str, template: ComplexRow, n: int, rng: random.Random) -> ComplexRow:
    """A plausible complex where the real list has too few of a kind in a province."""
    stem = template.sigungu.split(" ")[0].rstrip("시군구") or sido
    suffix = {"국가": "국가", "일반": f"제{n + 2}", "농공": f"{'동서남북'[n % 4]}부"}[kind]
    return _back_to_2009(replace(template, name=f"{stem}{suffix}", kind=kind, sido=sido), rng)


def world_2009_complexes(seed: int, real: list[ComplexRow] | None = None) -> list[ComplexRow]:
    """742 complexes of 2009, chosen from today's real list per kind and province."""
    scale = SCALES["2009"]
    assert scale.kinds is not None
    rows = [_as_2009(r) for r in (real if real is not None else read_real_complexes())]
    forced = {(o.kind, o.sido, o.sigungu, o.name) for o in ORIGINALS}
    chosen: list[ComplexRow] = []
    for kind, total in scale.kinds.items():
        pool = [r for r in rows if r.kind == kind]
        provinces = sorted({r.sido for r in pool})
        by_province = {p: [r for r in pool if r.sido == p] for p in provinces}
        quotas = apportion(total, [len(by_province[p]) for p in provinces])
        for province, quota in zip(provinces, quotas, strict=True):
            candidates = by_province[province]
            rng = rng_for(seed, "complexes", kind, province)
            must = [r for r in candidates if r.key in forced]
            # Efraimidis–Spirakis weighted sampling without replacement: key = log(u) / w.
            ranked = sorted(
                (r for r in candidates if r.key not in forced),
                key=lambda r: (-(math.log(1.0 - rng.random()) / _selection_weight(r)), r.key),
            )
            picked = (must + ranked)[: max(quota, len(must))]
            n = 0
            while len(picked) < quota:
                picked.append(_invented(kind, province, candidates[n % len(candidates)], n, rng))
                n += 1
            chosen.extend(_back_to_2009(r, rng) if r.key not in forced else r for r in picked)
    # Originals keep today's shape scaled back, but deterministically and never emptied.
    out: list[ComplexRow] = []
    seen: set[tuple[str, str, str, str]] = set()
    for row in chosen:
        if row.key in forced:
            row = _back_to_2009(row, rng_for(seed, "original", row.name))
        if row.key in seen:  # two rows that only differed by an annotation
            row = replace(row, name=f"{row.name}({len(seen)})")
        seen.add(row.key)
        out.append(row)
    out.sort(key=lambda r: (list(KIND_BY_KO).index(r.kind), r.sido, r.sigungu, r.name))
    return out


def write_complexes_csv(rows: Iterable[ComplexRow], path: Path) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(COMPLEX_COLUMNS)
        writer.writerows(row.cells() for row in rows)
    return path


# --- statistics ------------------------------------------------------------------------------

KRW_PER_USD = {
    2005: 1024,
    2006: 955,
    2007: 929,
    2008: 1102,
    2009: 1276,
    2021: 1144,
    2022: 1292,
    2023: 1306,
    2024: 1364,
    2025: 1420,
}
# Output and exports against the trend (the 2008-09 crisis shows in 2008Q4-2009Q2).
MACRO = {
    (2008, 4): (0.9, 0.85),
    (2009, 1): (0.82, 0.75),
    (2009, 2): (0.9, 0.86),
    (2009, 3): (0.96, 0.95),
    (2020, 2): (0.88, 0.8),
    (2023, 1): (0.96, 0.92),
}
SEASON = {1: 0.95, 2: 1.0, 3: 0.98, 4: 1.07}
EXPORT_SHARE = {"national": 0.38, "general": 0.24, "urban_high_tech": 0.3, "agro_industrial": 0.08}


@dataclass(frozen=True)
class StatRow:
    year: int
    quarter: int
    tenants: int
    operating: int
    employment: int
    output: Decimal  # 억원
    exports: Decimal  # 백만달러


def quarterly_stats(
    rng: random.Random,
    kind: str,
    tenants: int,
    operating: int,
    facility_area: float,
    quarters: Sequence[tuple[int, int]],
) -> list[StatRow]:
    """Plausible quarterly figures that end at the complex's current tenants/operating."""
    n = len(quarters)
    if tenants <= 0:
        return [StatRow(y, q, 0, 0, 0, Decimal(0), Decimal(0)) for y, q in quarters]
    growth = rng.uniform(0.004, 0.02)
    op_ratio = operating / tenants
    area_per_firm = max(0.05, facility_area / tenants)
    per_firm = min(400.0, max(4.0, 14 * (area_per_firm / 2) ** 0.6 * rng.lognormvariate(0, 0.25)))
    productivity = 0.8 * (area_per_firm / 2) ** 0.2 * rng.lognormvariate(0, 0.3)  # 억원/명/분기
    export_share = min(0.9, EXPORT_SHARE.get(kind, 0.2) * rng.lognormvariate(0, 0.4))
    rows: list[StatRow] = []
    previous = 0
    for i, (year, quarter) in enumerate(quarters):
        if i == n - 1:
            t = tenants
        else:
            t = round(tenants / (1 + growth) ** (n - 1 - i) * rng.uniform(0.985, 1.0))
            t = max(previous, min(tenants, t))
        previous = t
        o = operating if i == n - 1 else min(t, round(t * op_ratio * rng.uniform(0.97, 1.0)))
        out_factor, export_factor = MACRO.get((year, quarter), (1.0, 1.0))
        employment = round(o * per_firm * rng.uniform(0.97, 1.03) * (0.5 + 0.5 * out_factor))
        output = employment * productivity * SEASON[quarter] * out_factor * rng.uniform(0.95, 1.05)
        usd = KRW_PER_USD.get(year, 1200)
        exports = output * export_share * export_factor * 1e8 / usd / 1e6
        rows.append(
            StatRow(
                year,
                quarter,
                t,
                o,
                employment,
                Decimal(str(round(output, 1))),
                Decimal(str(round(exports, 1))),
            )
        )
    return rows


# --- organisations ---------------------------------------------------------------------------


@dataclass(frozen=True)
class OrgRow:
    kind: str  # company / university / institute / agency
    name_ko: str
    name_en: str = ""
    business_number: str = ""
    corporate_number: str = ""
    industry: str = ""
    employees: int | None = None
    complex_code: str = ""
    address: str = ""
    contact_name: str = ""
    contact_email: str = ""
    contact_phone: str = ""

    def cells(self) -> list[str]:
        return [
            ORG_KIND_KO[self.kind],
            self.name_ko,
            self.name_en,
            self.business_number,
            self.corporate_number,
            self.industry,
            "" if self.employees is None else str(self.employees),
            self.complex_code,
            self.address,
            self.contact_name,
            self.contact_email,
            self.contact_phone,
        ]


@dataclass(frozen=True)
class ComplexInfo:
    """What the organisation generator needs to know about an imported complex."""

    kicox_id: str
    kind: str  # model value (national, …)
    sido: str  # short Korean name
    sigungu: str
    name: str
    tenants: int


_SURNAME_CUM = list(itertools.accumulate(w for *_x, w in words.SURNAMES))


def person(rng: random.Random) -> tuple[str, str]:
    """(Korean name, romanised 'given.surname') of a made-up person."""
    surname = rng.choices(words.SURNAMES, cum_weights=_SURNAME_CUM, k=1)[0]
    given = rng.choice(words.GIVEN_NAMES)
    return surname[0] + given[0], f"{given[1]}.{surname[1]}"


def phone(rng: random.Random, sido: str, mobile_share: float = 0.2) -> str:
    if rng.random() < mobile_share:
        return f"010-{rng.randint(2000, 9999)}-{rng.randint(0, 9999):04d}"
    area = words.AREA_CODES.get(sido, "02")
    middle = rng.randint(200, 999) if area != "02" else rng.randint(2000, 8999)
    return f"{area}-{middle}-{rng.randint(0, 9999):04d}"


def business_number(rng: random.Random, sido: str, corporation: bool, used: set[str]) -> str:
    """A unique 사업자등록번호 with the NTS check digit (corporations use 81/86/87)."""
    offices = words.TAX_OFFICES.get(sido, (101,))
    while True:
        middle = rng.choice((81, 81, 81, 86, 87)) if corporation else rng.randint(1, 79)
        head = f"{rng.choice(offices):03d}{middle:02d}{rng.randint(1, 9999):04d}"
        number = head + str(business_check_digit(head))
        if number not in used:
            used.add(number)
            return number


def corporate_number(rng: random.Random, limited: bool = False) -> str:
    """A 법인등록번호: registry office (4), kind 11 주식회사 / 14 유한회사, serial, check digit."""
    head = f"{rng.randint(1101, 2855):04d}{14 if limited else 11}{rng.randint(1, 299999):06d}"
    return head + str(corporate_check_digit(head))


def _industry_codes() -> dict[str, list[str]]:
    """Manufacturing (KSIC C, divisions 10–34) from the loaded reference: division → codes."""
    codes: dict[str, list[str]] = defaultdict(list)
    for code in Industry.objects.filter(
        level__in=[Industry.Level.DIVISION, Industry.Level.CLASS]
    ).values_list("code", flat=True):
        division = code[:2]
        if code.isdigit() and "10" <= division <= "34":
            codes[division].append(code)
    return {k: sorted(v) for k, v in sorted(codes.items())}


def company_rows(
    seed: int,
    complexes: Sequence[ComplexInfo],
    count: int,
    industry_codes: dict[str, list[str]],
    *,
    address_names: dict[str, str] | None = None,
    specialties: dict[str, str] | None = None,
    ensure: Iterable[str] = (),
) -> list[OrgRow]:
    """`count` companies spread over `complexes` in proportion to their tenants.

    Complexes in `ensure` (kicox ids) get at least one company when `count` allows.
    """
    address_names = address_names or words.PROVINCE_FULL_2009
    specialties = specialties or {}
    weights = [float(c.tenants) for c in complexes]
    per_complex = apportion(count, weights) if sum(weights) else [0] * len(complexes)
    ensured = set(ensure)
    must = [i for i, c in enumerate(complexes) if c.kicox_id in ensured]
    for i in must:
        if per_complex[i] == 0 and count >= len(must):
            donor = max(range(len(per_complex)), key=lambda j: (per_complex[j], -j))
            per_complex[donor] -= 1
            per_complex[i] += 1
    used_numbers: set[str] = set()
    used_names: set[str] = set()
    rows: list[OrgRow] = []
    divisions = [d for d in sorted(industry_codes) if d in words.INDUSTRY_WORDS]
    for info, n in zip(complexes, per_complex, strict=True):
        if not n:
            continue
        rng = rng_for(seed, "companies", info.kicox_id)
        kind_weights = {
            d: w
            for d, w in words.KIND_INDUSTRY_WEIGHTS.get(info.kind, {"25": 1}).items()
            if d in divisions
        } or {divisions[0]: 1}
        keys = sorted(kind_weights)
        cum = list(itertools.accumulate(kind_weights[k] for k in keys))
        specialty = specialties.get(info.kicox_id) or weighted_choice(rng, kind_weights)
        road = rng.choice(words.ROAD_WORDS)
        for _i in range(n):
            division = specialty if rng.random() < 0.45 else rng.choices(keys, cum_weights=cum)[0]
            rows.append(
                _company(
                    rng,
                    info,
                    division,
                    industry_codes,
                    road,
                    address_names,
                    used_numbers,
                    used_names,
                )
            )
    return rows


def _stem(rng: random.Random) -> tuple[str, str]:
    """A listed stem (대성, 한빛 …) or one of two common syllables (태진, 광명 …)."""
    if rng.random() < 0.5:
        return rng.choice(words.COMPANY_STEMS)
    (a_ko, a_en), (b_ko, b_en) = rng.sample(words.STEM_SYLLABLES, 2)
    return a_ko + b_ko, a_en.capitalize() + b_en.lower()


FORMS = ((0, 36), (1, 20), (2, 9), (3, 9), (4, 23), (5, 3))
_FORM_CODES = [f for f, _w in FORMS]
_FORM_CUM = list(itertools.accumulate(w for _f, w in FORMS))


def _company(
    rng: random.Random,
    info: ComplexInfo,
    division: str,
    industry_codes: dict[str, list[str]],
    road: str,
    address_names: dict[str, str],
    used_numbers: set[str],
    used_names: set[str],
) -> OrgRow:
    for _attempt in range(4):
        stem_ko, stem_en = _stem(rng)
        word_ko, word_en = rng.choice(words.INDUSTRY_WORDS[division])
        tail_ko, tail_en = rng.choice(words.NAME_TAILS) if rng.random() < 0.25 else ("", "")
        base = f"{stem_ko}{word_ko}{tail_ko}"
        if base not in used_names:
            break
    used_names.add(base)
    word_en = f"{word_en} {tail_en}".strip()
    form = rng.choices(_FORM_CODES, cum_weights=_FORM_CUM, k=1)[0]
    name_ko = {
        0: f"(주){base}",
        1: f"{base}(주)",
        2: f"{base} 주식회사",
        3: f"주식회사 {base}",
        4: base,
        5: f"(유){base}",
    }[form]
    corporation = form != 4
    suffix = {4: "", 5: " Ltd."}.get(form, " Co., Ltd.")
    name_en = f"{stem_en} {word_en}{suffix}"
    codes = industry_codes.get(division) or [division]
    classes = [c for c in codes if len(c) == 4]
    code = rng.choice(classes) if classes and rng.random() < 0.8 else division
    employees = max(1, min(3000, round(rng.lognormvariate(2.35, 1.05))))
    contact, local = person(rng)
    domain = re.sub(r"[^a-z0-9]", "", f"{stem_en}{word_en}".lower())
    return OrgRow(
        kind="company",
        name_ko=name_ko,
        name_en=name_en,
        business_number=business_number(rng, info.sido, corporation, used_numbers),
        corporate_number=corporate_number(rng, form == 5) if corporation else "",
        industry=code,
        employees=employees,
        complex_code=info.kicox_id,
        address=(
            f"{address_names.get(info.sido, info.sido)} {info.sigungu} {road} {rng.randint(1, 480)}"
        ),
        contact_name=contact,
        contact_email=f"{local}@{domain}.example.kr",
        contact_phone=phone(rng, info.sido),
    )


def institution_rows(seed: int, address_names: dict[str, str] | None = None) -> list[OrgRow]:
    """Universities, research institutes and support agencies (real names of ~2009)."""
    address_names = address_names or words.PROVINCE_FULL_2009
    rng = rng_for(seed, "institutions")
    rows: list[OrgRow] = []

    def add(kind: str, entries: Iterable[tuple[str, str, str, str, str]]) -> None:
        for name_ko, name_en, sido, sigungu, domain in entries:
            contact, local = person(rng)
            rows.append(
                OrgRow(
                    kind=kind,
                    name_ko=name_ko,
                    name_en=name_en,
                    address=f"{address_names.get(sido, sido)} {sigungu}",
                    contact_name=contact,
                    contact_email=f"{local}@{domain}.example.kr",
                    contact_phone=phone(rng, sido, mobile_share=0.0),
                )
            )

    add("university", words.UNIVERSITIES)
    add("institute", words.INSTITUTES)
    zones = [
        (
            f"{ko} 광역경제발전위원회",
            f"{en} Economic Development Committee",
            *words.ZONE_SEATS[c],
            f"{c}-rc",
        )
        for c, ko, en in words.ZONE_NAMES
    ]
    leading = [
        (
            f"{ko} 선도산업지원단",
            f"{en} Leading Industry Support Group",
            *words.ZONE_SEATS[c],
            f"{c}-lisg",
        )
        for c, ko, en in words.ZONE_NAMES
    ]
    add("agency", [*zones, *leading, *words.TECHNOPARKS, *words.LOCAL_GOVERNMENTS])
    return rows


def write_organisations_csv(rows: Iterable[OrgRow], path: Path) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(ORGANISATION_COLUMNS)
        writer.writerows(row.cells() for row in rows)
    return path


# --- experts ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class ExpertSpec:
    name_ko: str
    affiliation_key: str  # business number, or the organisation's name for institutions
    title: str
    specialties: str
    service_categories: tuple[str, ...]
    industries: tuple[str, ...]  # KSIC division codes
    email: str
    phone: str


@dataclass(frozen=True)
class Affiliation:
    key: str
    kind: str
    domain: str
    sido: str
    division: str  # "" when unknown


def expert_specs(seed: int, count: int, affiliations: Sequence[Affiliation]) -> list[ExpertSpec]:
    rng = rng_for(seed, "experts")
    by_kind: dict[str, list[Affiliation]] = defaultdict(list)
    for a in affiliations:
        by_kind[a.kind].append(a)
    kinds = [k for k in ("university", "institute", "company") if by_kind[k]]
    shares = {"university": 45, "institute": 30, "company": 25}
    divisions = sorted(words.INDUSTRY_SPECIALTIES)
    specs: list[ExpertSpec] = []
    for i in range(count):
        kind = rng.choices(kinds, weights=[shares[k] for k in kinds], k=1)[0]
        where = rng.choice(by_kind[kind])
        name, local = person(rng)
        categories = sorted(rng.sample(words.SERVICE_CATEGORIES, k=rng.choice((1, 1, 2, 2, 3))))
        division = where.division if where.division in words.INDUSTRY_SPECIALTIES else ""
        industries = sorted(
            {division or rng.choice(divisions), *rng.sample(divisions, k=rng.choice((0, 1)))}
        )
        phrases: list[str] = []
        for category in categories:
            phrases.extend(rng.sample(words.SPECIALTIES[category], k=rng.choice((1, 2))))
        if category_flavour := words.INDUSTRY_SPECIALTIES.get(industries[0]):
            phrases.append(rng.choice(category_flavour))
        specs.append(
            ExpertSpec(
                name_ko=name,
                affiliation_key=where.key,
                title=rng.choice(words.TITLES[kind]),
                specialties=", ".join(dict.fromkeys(phrases)),
                service_categories=tuple(categories),
                industries=tuple(industries),
                email=f"{local}{i % 97 or ''}@{where.domain}.example.kr",
                phone=phone(rng, where.sido, mobile_share=0.5),
            )
        )
    return specs


# --- progress and timing ---------------------------------------------------------------------


def _bar(items: Iterable[T], total: int, desc: str, progress: bool) -> Iterator[T]:
    if not progress:
        yield from items
        return
    from tqdm import tqdm

    yield from tqdm(items, total=total, desc=desc, unit="rows", file=sys.stderr, mininterval=0.5)


@dataclass
class DemoReport:
    scale: str
    seed: int
    skipped_world: bool = False
    counts: dict[str, int] = field(default_factory=dict)
    timings: list[tuple[str, float]] = field(default_factory=list)
    users: list[tuple[str, str, str, str]] = field(default_factory=list)  # user, pw, role, scope
    password: str = DEMO_PASSWORD

    def timed(self, label: str, started: float) -> float:
        now = time.perf_counter()
        self.timings.append((label, now - started))
        return now


class DemoError(RuntimeError):
    """The demo could not be built (missing reference data, an import failed)."""


def _check_import(report: Any, what: str) -> None:
    if not report.ok:
        lines = "\n".join(str(e) for e in report.errors[:10])
        raise DemoError(
            f"{what}: the generated file did not import ({len(report.errors)} errors)\n{lines}"
        )


# --- the world -------------------------------------------------------------------------------


def world_exists() -> bool:
    return Complex.objects.exists()


def build_world(
    *,
    seed: int,
    scale: Scale,
    organisations: int | None = None,
    experts: int | None = None,
    progress: bool = False,
    log: Callable[[str], None] = lambda _msg: None,
    report: DemoReport,
    workdir: Path | None = None,
) -> None:
    """Import complexes and organisations from generated files, then stats and experts."""
    from sandan.registry.io import import_complexes, import_organisations

    if not Zone.objects.exists() or not Industry.objects.exists():
        raise DemoError("reference data missing: run `sandan load_reference` first")
    organisations = scale.organisations if organisations is None else organisations
    experts = scale.experts if experts is None else experts
    with tempfile.TemporaryDirectory(prefix="sandan-demo-", dir=workdir) as tmp:
        started = time.perf_counter()
        if scale.kinds is None:
            complexes_file = real_complexes_path()
            address_names = words.PROVINCE_FULL_TODAY
        else:
            complexes_file = write_complexes_csv(
                world_2009_complexes(seed), Path(tmp) / "complexes_2009.csv"
            )
            address_names = words.PROVINCE_FULL_2009
        log(f"complexes: importing {complexes_file.name} (as of {scale.as_of})")
        result = import_complexes(
            complexes_file,
            as_of=scale.as_of,
            progress=progress,
            audit_source=AUDIT_SOURCE,
            filename=complexes_file.name,
        )
        _check_import(result, "complexes")
        started = report.timed("complexes", started)

        infos = _complex_infos()
        stats = write_stats(seed, scale, progress=progress)
        report.counts["stats"] = stats
        started = report.timed("statistics", started)

        industry_codes = _industry_codes()
        specialties = _original_specialties(infos)
        institutions = institution_rows(seed, address_names)
        companies = company_rows(
            seed,
            infos,
            max(0, organisations - len(institutions)),
            industry_codes,
            address_names=address_names,
            specialties=specialties,
            ensure=sorted(specialties),
        )
        org_file = write_organisations_csv(
            [*institutions, *companies], Path(tmp) / "organisations.csv"
        )
        started = report.timed("organisations (generate)", started)
        log(f"organisations: importing {len(institutions) + len(companies):,} rows")
        result = import_organisations(
            org_file, progress=progress, audit_source=AUDIT_SOURCE, filename=org_file.name
        )
        _check_import(result, "organisations")
        started = report.timed("organisations (import)", started)

        report.counts["experts"] = create_experts(seed, experts, progress=progress)
        report.timed("experts", started)


def _complex_infos() -> list[ComplexInfo]:
    rows = Complex.objects.select_related("province").order_by("kicox_id")
    return [
        ComplexInfo(
            kicox_id=c.kicox_id,
            kind=c.kind,
            sido=c.province.short_ko,
            sigungu=c.municipality_name,
            name=c.name_ko,
            tenants=c.tenants,
        )
        for c in rows
    ]


def _original_specialties(infos: Sequence[ComplexInfo]) -> dict[str, str]:
    """kicox_id → KSIC division of the 12 original complexes found in the registry."""
    wanted = {
        (KIND_BY_KO[o.kind], o.sigungu, n): o.specialty
        for o in ORIGINALS
        for n in (o.name, o.real_name)
    }
    return {
        c.kicox_id: wanted[(c.kind, c.sigungu, c.name)]
        for c in infos
        if (c.kind, c.sigungu, c.name) in wanted
    }


def find_original(original: Original) -> Complex | None:
    return (
        Complex.objects.filter(
            kind=KIND_BY_KO[original.kind],
            municipality_name=original.sigungu,
            name_ko__in=[original.name, original.real_name],
        )
        .order_by("kicox_id")
        .first()
    )


def write_stats(seed: int, scale: Scale, *, progress: bool = False, batch_size: int = 2000) -> int:
    """Quarterly ComplexStat rows for every complex, bulk-written with one audit entry each.

    The importer already wrote the as-of quarter's 입주/가동 figures; those rows are completed
    (employment, output, exports) with an update entry, the other quarters are created.
    """
    quarters = scale.quarters
    complexes = list(
        Complex.objects.order_by("kicox_id").only(
            "pk",
            "kicox_id",
            "name_ko",
            "kind",
            "tenants",
            "operating_firms",
            "sale_target_area_1000m2",
            "designated_area_1000m2",
        )
    )
    existing = {
        (s.complex_id, s.year, s.quarter): s
        for s in ComplexStat.objects.filter(year__gte=scale.first_year, year__lte=scale.last_year)
    }
    batch = f"demo-{seed}-{uuid.uuid4().hex[:12]}"
    content_type = ContentType.objects.get_for_model(ComplexStat)
    written = 0
    creates: list[ComplexStat] = []
    updates: list[ComplexStat] = []
    entries: list[AuditEntry] = []

    def flush() -> None:
        nonlocal written
        with transaction.atomic():
            ComplexStat.objects.bulk_create(creates, batch_size=batch_size)
            ComplexStat.objects.bulk_update(updates, UPDATED_STAT_FIELDS, batch_size=batch_size)
            entries.extend(
                audit.entry_for(
                    None,
                    stat,
                    AuditAction.CREATE,
                    {},
                    source=AUDIT_SOURCE,
                    batch=batch,
                    content_type=content_type,
                )
                for stat in creates
            )
            audit.record_many(entries)
        written += len(creates) + len(updates)
        creates.clear()
        updates.clear()
        entries.clear()

    for complex_ in _bar(complexes, len(complexes), "statistics", progress):
        area = float(complex_.sale_target_area_1000m2 or complex_.designated_area_1000m2 or 0)
        rows = quarterly_stats(
            rng_for(seed, "stats", complex_.kicox_id),
            complex_.kind,
            complex_.tenants,
            complex_.operating_firms,
            area or 100.0,
            quarters,
        )
        for row in rows:
            values = {
                "tenants": row.tenants,
                "operating_firms": row.operating,
                "employment_persons": row.employment,
                "output_100m_krw": row.output,
                "exports_1m_usd": row.exports,
            }
            current = existing.get((complex_.pk, row.year, row.quarter))
            if current is None:
                stat = ComplexStat(complex=complex_, year=row.year, quarter=row.quarter, **values)
                creates.append(stat)
                continue
            current.complex = complex_
            before = audit.snapshot(current)
            for attname, value in values.items():
                setattr(current, attname, value)
            entry = audit.entry_for(
                None,
                current,
                AuditAction.UPDATE,
                before,
                source=AUDIT_SOURCE,
                batch=batch,
                content_type=content_type,
            )
            if entry.changes:
                updates.append(current)
                entries.append(entry)
        if len(creates) >= batch_size * 5:
            flush()
    flush()
    return written


UPDATED_STAT_FIELDS = [
    "tenants",
    "operating_firms",
    "employment_persons",
    "output_100m_krw",
    "exports_1m_usd",
]


def _affiliations() -> list[Affiliation]:
    """Universities, institutes and a deterministic slice of companies, as expert employers."""
    out: list[Affiliation] = []
    institutions: dict[str, tuple[str, str]] = {}
    for name, _en, sido, _sigungu, domain in (*words.UNIVERSITIES, *words.INSTITUTES):
        institutions[name] = (domain, sido)
    for org in Organisation.objects.filter(kind__in=["university", "institute"]).order_by(
        "name_ko"
    ):
        domain, sido = institutions.get(org.name_ko, ("org", "서울"))
        out.append(Affiliation(org.name_ko, org.kind, domain, sido, ""))
    companies = (
        Organisation.objects.filter(kind="company", employees__gte=20)
        .select_related("industry", "complex__province")
        .order_by("business_number")
    )
    for org in companies[:: max(1, companies.count() // 200 or 1)][:200]:
        domain = re.sub(r"[^a-z0-9]", "", (org.name_en or "firm").lower().replace("co., ltd.", ""))
        sido = org.complex.province.short_ko if org.complex else "서울"
        division = org.industry.code[:2] if org.industry else ""
        out.append(
            Affiliation(org.business_number or org.name_ko, "company", domain, sido, division)
        )
    return out


def create_experts(seed: int, count: int, *, progress: bool = False) -> int:
    """Experts through `create_expert` (validated and audited one by one, like any other)."""
    from sandan.registry.services import create_expert

    if count <= 0:
        return 0
    affiliations = _affiliations()
    if not affiliations:
        return 0
    orgs: dict[str, Organisation] = {
        o.name_ko: o for o in Organisation.objects.filter(kind__in=["university", "institute"])
    }
    numbers = [a.key for a in affiliations if a.kind == "company"]
    for o in Organisation.objects.filter(business_number__in=numbers):
        orgs[o.business_number or o.name_ko] = o
    industries = {i.code: i for i in Industry.objects.filter(level=Industry.Level.DIVISION)}
    specs = expert_specs(seed, count, affiliations)
    with transaction.atomic():
        for spec in _bar(specs, len(specs), "experts", progress):
            create_expert(
                None,
                source=AUDIT_SOURCE,
                industries=[industries[c] for c in spec.industries if c in industries],
                name_ko=spec.name_ko,
                affiliation=orgs.get(spec.affiliation_key),
                title=spec.title,
                specialties=spec.specialties,
                service_categories=list(spec.service_categories),
                email=spec.email,
                phone=spec.phone,
            )
    return len(specs)


# --- users -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class DemoUser:
    username: str
    display_name: str
    role: str
    scope: dict[str, Any]
    scope_label: str


def demo_users() -> list[DemoUser]:
    """One user per role with a scope that makes sense in the loaded world."""
    from sandan.accounts.roles import Role

    users = [
        DemoUser("ministry", "지식경제부 담당관", Role.MINISTRY_OFFICER, {}, "전국"),
        DemoUser("hq", "공단 본사 클러스터사업팀", Role.HQ_STAFF, {}, "전국"),
        DemoUser("auditor", "감사인", Role.AUDITOR, {}, "전국"),
    ]
    zone = Zone.objects.filter(code="dongnam").first() or Zone.objects.order_by("order").first()
    if zone is not None:
        users.append(
            DemoUser(
                "regional", f"{zone.name_ko}본부", Role.REGIONAL_STAFF, {"zone": zone}, str(zone)
            )
        )
    changwon = find_original(CHANGWON) or Complex.objects.order_by("-tenants", "kicox_id").first()
    if changwon is not None:
        if changwon.office is not None:
            office = changwon.office
            users.append(
                DemoUser(
                    "coordinator",
                    f"{office.name_ko} 코디네이터",
                    Role.COORDINATOR,
                    {"office": office},
                    f"{office} ({office.code})",
                )
            )
        else:
            users.append(
                DemoUser(
                    "coordinator",
                    f"{changwon.name_ko} 코디네이터",
                    Role.COORDINATOR,
                    {"complex": changwon},
                    f"{changwon} ({changwon.kicox_id})",
                )
            )
        companies = Organisation.objects.filter(complex=changwon, kind="company").order_by(
            "business_number"
        )
        # A small incorporated firm, the program's typical user; else any firm there.
        company = (
            companies.filter(name_ko__startswith="(주)", employees__range=(10, 50)).first()
            or companies.first()
        )
        if company is not None:
            users.append(
                DemoUser(
                    "company",
                    f"{company.name_ko} 담당자",
                    Role.COMPANY_USER,
                    {"organisation": company},
                    f"{company} ({company.business_number_display})",
                )
            )
    expert = _demo_expert()
    if expert is not None and expert.affiliation is not None:
        users.append(
            DemoUser(
                "expert",
                f"{expert.name_ko} {expert.title}",
                Role.EXPERT,
                {"organisation": expert.affiliation},
                f"{expert.affiliation} (전문가 {expert.name_ko})",
            )
        )
    return users


def _demo_expert() -> Expert | None:
    """The expert the `expert` user is: already linked, or the first one at 창원대학교."""
    linked = Expert.objects.filter(user__username="expert").select_related("affiliation").first()
    if linked is not None:
        return linked
    return (
        Expert.objects.filter(affiliation__name_ko="창원대학교", user__isnull=True)
        .select_related("affiliation")
        .order_by("name_ko", "id")
        .first()
        or Expert.objects.filter(affiliation__isnull=False, user__isnull=True)
        .select_related("affiliation")
        .order_by("name_ko", "id")
        .first()
    )


def ensure_users(
    password: str = DEMO_PASSWORD, *, admin: bool = True
) -> list[tuple[str, str, str, str]]:
    """(Re)create the demo users: set their password, grant missing memberships; audited."""
    from sandan.accounts.models import Membership
    from sandan.accounts.services import grant_role
    from sandan.registry.services import update_expert

    table: list[tuple[str, str, str, str]] = []
    passwords = _Passwords(password)
    with transaction.atomic():
        if admin:
            _user("admin", "관리자", passwords, superuser=True)
            table.append(("admin", password, "superuser", "전체 (관리자)"))
        for spec in demo_users():
            user = _user(spec.username, spec.display_name, passwords)
            scope = {k: spec.scope.get(k) for k in ("zone", "office", "complex", "organisation")}
            wanted = Membership.objects.filter(user=user, role=spec.role, is_active=True, **scope)
            # A demo user holds exactly its one role: memberships left from an older demo
            # (another scope or role) are switched off, audited like any change.
            for stale in Membership.objects.filter(user=user, is_active=True).exclude(
                pk__in=wanted.values("pk")
            ):
                before = audit.snapshot(stale)
                stale.is_active = False
                stale.save(update_fields=["is_active"])
                audit.record(None, stale, AuditAction.UPDATE, before, source=AUDIT_SOURCE)
            if not wanted.exists():
                grant_role(None, user, spec.role, source=AUDIT_SOURCE, **spec.scope)
            if spec.role == "expert":
                expert = _demo_expert()
                if expert is not None and expert.user_id != user.pk:
                    update_expert(None, expert, user=user, source=AUDIT_SOURCE)
            table.append((spec.username, password, str(spec.role), spec.scope_label))
    return table


class _Passwords:
    """Hash the demo password once (PBKDF2 takes most of a second) and share the hash."""

    def __init__(self, raw: str) -> None:
        self.raw = raw
        self._encoded = ""
        self._checked: dict[str, bool] = {}

    def encoded(self) -> str:
        if not self._encoded:
            self._encoded = make_password(self.raw)
            self._checked[self._encoded] = True
        return self._encoded

    def matches(self, encoded: str) -> bool:
        if not encoded:
            return False
        if encoded not in self._checked:
            self._checked[encoded] = check_password(self.raw, encoded)
        return self._checked[encoded]


def _user(
    username: str, display_name: str, passwords: _Passwords, *, superuser: bool = False
) -> Any:
    from sandan.accounts.models import User

    user = User.objects.filter(username=username).first()
    before = audit.snapshot(user)
    created = user is None
    if user is None:
        user = User(username=username)
    user.display_name = display_name
    user.email = f"{username}@demo.example.kr"
    user.is_active = True
    user.is_staff = superuser or user.is_staff
    user.is_superuser = superuser or user.is_superuser
    if not passwords.matches(user.password):
        user.password = passwords.encoded()
    user.save()
    audit.record(
        None,
        user,
        AuditAction.CREATE if created else AuditAction.UPDATE,
        before,
        source=AUDIT_SOURCE,
    )
    return user


# --- entry point -----------------------------------------------------------------------------


def load_demo(
    *,
    seed: int = 2010,
    scale: str = "2009",
    organisations: int | None = None,
    experts: int | None = None,
    password: str = DEMO_PASSWORD,
    progress: bool = False,
    log: Callable[[str], None] = lambda _msg: None,
) -> DemoReport:
    chosen = SCALES[scale]
    report = DemoReport(scale=scale, seed=seed, password=password)
    started = time.perf_counter()
    if world_exists():
        report.skipped_world = True
        log(
            "The registry already holds complexes: the world is kept and only the demo users "
            "are (re)made. To rebuild it, start from an empty database (e.g. `make clean`)."
        )
    else:
        build_world(
            seed=seed,
            scale=chosen,
            organisations=organisations,
            experts=experts,
            progress=progress,
            log=log,
            report=report,
        )
    step = time.perf_counter()
    report.users = ensure_users(password)
    report.timed("users", step)
    report.timings.append(("total", time.perf_counter() - started))
    report.counts.update(
        complexes=Complex.objects.count(),
        organisations=Organisation.objects.count(),
        experts=Expert.objects.count(),
        stats=ComplexStat.objects.count(),
    )
    return report


# --- fingerprint -----------------------------------------------------------------------------


def fingerprint() -> str:
    """SHA-256 over the registry's demo-relevant content, without primary keys or timestamps."""
    digest = hashlib.sha256()

    def feed(rows: Iterable[tuple[Any, ...]]) -> None:
        for row in rows:
            digest.update(repr(row).encode())

    feed(
        Complex.objects.order_by("kicox_id").values_list(
            "kicox_id",
            "name_ko",
            "kind",
            "province__code",
            "municipality_name",
            "status",
            "sold_area_1000m2",
            "tenants",
            "operating_firms",
        )
    )
    feed(
        ComplexStat.objects.order_by("complex__kicox_id", "year", "quarter").values_list(
            "complex__kicox_id",
            "year",
            "quarter",
            "tenants",
            "operating_firms",
            "employment_persons",
            "output_100m_krw",
            "exports_1m_usd",
        )
    )
    feed(
        Organisation.objects.order_by("kind", "name_ko", "business_number").values_list(
            "kind",
            "name_ko",
            "name_en",
            "business_number",
            "corporate_number",
            "industry__code",
            "employees",
            "complex__kicox_id",
            "address",
            "contact_name",
            "contact_email",
            "contact_phone",
        )
    )
    feed(
        Expert.objects.order_by("name_ko", "email", "title").values_list(
            "name_ko",
            "affiliation__name_ko",
            "title",
            "specialties",
            "service_categories",
            "email",
            "phone",
        )
    )
    return digest.hexdigest()
