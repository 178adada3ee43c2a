"""Complexes of the demo registry (2009 or today's real list) and their quarterly figures."""

from __future__ import annotations

import csv
import math
import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from decimal import Decimal
from pathlib import Path

from sandan.demo.base import apportion, rng_for
from sandan.demo.registry.scales import ORIGINALS, SCALES, Original, strip_annotations
from sandan.registry.models import Complex
from sandan.registry.reference import DATA_DIR

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
