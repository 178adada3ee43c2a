"""The importer of KICOX complex lists (산업단지 현황): complexes and their quarterly figures.

See docs/importers.md for the file layout.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections import defaultdict
from collections.abc import Hashable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from sandan.core.io import (
    ANALYSE_AFTER_ROWS,
    Choice,
    Column,
    ImportReport,
    Integer,
    Number,
    Row,
    Source,
    Text,
    UpsertPlan,
    bind,
    changes_between,
    columns_by_key,
    date_from_filename,
    existing_values,
    finish,
    parse_int,
    read_table,
    refresh_statistics,
    sample_csv,
    source_name,
    validate_rows,
)
from sandan.core.models import AuditEntry
from sandan.registry.io.lookups import MunicipalityLookup, _key, province_lookup
from sandan.registry.models import (
    Complex,
    ComplexStat,
    Office,
    Province,
)
from sandan.registry.reference import office_for

# --- complexes ------------------------------------------------------------------------------

AREA_UNITS = (
    ("천㎡", Decimal(1)),
    ("천m2", Decimal(1)),
    ("㎡", Decimal("0.001")),
    ("m2", Decimal("0.001")),
)
KIND_LABELS = {
    "국가": "national",
    "국가산업단지": "national",
    "국가산단": "national",
    "national": "national",
    "일반": "general",
    "일반산업단지": "general",
    "일반산단": "general",
    "general": "general",
    "도시첨단": "urban_high_tech",
    "도시첨단산업단지": "urban_high_tech",
    "도시첨단산단": "urban_high_tech",
    "urban_high_tech": "urban_high_tech",
    "농공": "agro_industrial",
    "농공단지": "agro_industrial",
    "agro_industrial": "agro_industrial",
}
STATUS_LABELS = {
    "완료": "completed",
    "조성완료": "completed",
    "준공": "completed",
    "completed": "completed",
    "조성중": "under_construction",
    "공사중": "under_construction",
    "개발중": "under_construction",
    "under_construction": "under_construction",
    "미개발": "undeveloped",
    "미착공": "undeveloped",
    "undeveloped": "undeveloped",
}


def _year(text: str) -> int | None:
    """'1974', '1974-04-01' → 1974; blank or '-' → None (the stored year is left alone)."""
    if text.strip() in ("", "-"):
        return None
    year = parse_int(text[:4])
    if not 1960 <= year <= 2100:
        raise ValueError(_("1960~2100 사이의 연도여야 합니다."))
    return year


def _operating_within_tenants(operating: int, values: Mapping[str, Any]) -> None:
    if operating > values.get("tenants", operating):
        raise ValueError(_("가동업체 수가 입주업체 수보다 많습니다."))


# In the order the cells of a row are checked (errors of one row are listed in this order).
C = columns_by_key(
    Column(
        "kind",
        "유형",
        ("단지유형", "구분", "산업단지유형", "단지구분"),
        required=True,
        parse=Choice(KIND_LABELS),
    ),
    Column("province", "시도", ("시도명", "광역시도", "시·도"), required=True),  # a lookup
    Column(
        "municipality",
        "시군",
        ("시군구", "시구군", "시군구명", "시·군·구", "시군(구)"),
        required=True,
        parse=Text(40, required=True),
    ),
    Column(
        "name",
        "단지명",
        ("산업단지명", "단지", "산업단지"),
        required=True,
        parse=Text(100, required=True),
    ),
    Column(
        "status",
        "조성상태",
        ("단계", "개발상태", "조성단계", "조성현황"),
        parse=Choice(STATUS_LABELS, default="completed"),
    ),
    Column("designated", "지정면적", (), units=AREA_UNITS, parse=Number()),
    Column("managed", "관리면적", (), units=AREA_UNITS, parse=Number()),
    Column("sale_target", "분양대상면적", ("분양대상",), units=AREA_UNITS, parse=Number()),
    Column("sold", "분양면적", ("분양",), units=AREA_UNITS, parse=Number()),
    Column("unsold", "미분양면적", ("미분양",), units=AREA_UNITS, parse=Number()),
    # 산업시설용지 and 분양률 are recognised and checked, not stored.
    Column(
        "facility",
        "산업시설용지면적",
        ("산업시설용지", "산업시설용지총면적"),
        parse=Number(places=2, max_digits=14),
    ),
    Column("sale_rate", "분양률", (), parse=Number(places=2, max_digits=14)),
    Column("year_designated", "지정연도", ("지정년도", "지정일"), parse=_year),
    Column(
        "tenants", "입주업체", ("입주업체수", "입주", "입주기업", "입주기업수"), parse=Integer()
    ),
    Column(
        "operating",
        "가동업체",
        ("가동업체수", "가동", "가동기업", "가동기업수"),
        parse=Integer(),
        validate=_operating_within_tenants,
    ),
    Column(
        "employment",
        "고용인원",
        ("고용", "고용인원수", "고용자수", "근로자수"),
        parse=Integer(),
    ),
    Column(
        "output",
        "생산",
        ("생산액", "생산실적"),
        units=(("억원", Decimal(1)), ("백만원", Decimal("0.01")), ("천원", Decimal("0.00001"))),
        parse=Number(max_digits=14),
    ),
    Column(
        "exports",
        "수출",
        ("수출액", "수출실적"),
        units=(
            ("백만불", Decimal(1)),
            ("백만달러", Decimal(1)),
            ("천불", Decimal("0.001")),
            ("천달러", Decimal("0.001")),
        ),
        parse=Number(),
    ),
)
COMPLEX_COLUMNS = tuple(C.values())
# The sample file's row (the import page offers it for download): one made-up complex in the
# units the header names. A test imports the sample, so every column needs a valid example.
COMPLEX_EXAMPLE = {
    "kind": "국가",
    "province": "경상남도",
    "municipality": "창원시",
    "name": "창원국가산업단지",
    "status": "완료",
    "designated": "25,393",
    "managed": "25,393",
    "facility": "16,081",
    "sale_target": "16,081",
    "sold": "16,081",
    "unsold": "0",
    "sale_rate": "100.0",
    "tenants": "2,900",
    "operating": "2,650",
    "employment": "120,000",
    "output": "560,000",
    "exports": "21,000",
    "year_designated": "1974",
}

COMPLEX_KEY = ("kind", "province_id", "municipality_name", "name_ko")
SUMMARY_ROWS = {"계", "합계", "총계", "소계", "전국"}
AREA_FIELDS = {
    "designated": "designated_area_1000m2",
    "managed": "managed_area_1000m2",
    "sale_target": "sale_target_area_1000m2",
    "sold": "sold_area_1000m2",
    "unsold": "unsold_area_1000m2",
}
STAT_FIELDS = {
    "tenants": "tenants",
    "operating": "operating_firms",
    "employment": "employment_persons",
    "output": "output_100m_krw",
    "exports": "exports_1m_usd",
}


def quarter_of(day: dt.date) -> tuple[int, int]:
    return day.year, (day.month - 1) // 3 + 1


@dataclass
class _ComplexRow:
    row: int
    key: tuple[str, int, str, str]
    fields: dict[str, Any]
    stat: dict[str, Any]


@dataclass
class _ComplexLookups:
    provinces: dict[str, Province]
    municipalities: MunicipalityLookup
    offices: dict[str, int]

    @classmethod
    def load(cls) -> _ComplexLookups:
        offices = dict(Office.objects.values_list("code", "pk"))
        return cls(province_lookup(), MunicipalityLookup.load(), offices)

    def province(self, text: str) -> Province:
        province = self.provinces.get(_key(text))
        if province is None:
            raise ValueError(_("알 수 없는 시도입니다."))
        return province

    def place(self, province: Province, municipality_name: str) -> dict[str, Any]:
        """province_id, municipality_id (resolved by name, or None) and office_id."""
        office_code = office_for(province.code, municipality_name)
        return {
            "province_id": province.pk,
            "municipality_id": self.municipalities.resolve(province.pk, municipality_name),
            "office_id": self.offices.get(office_code) if office_code else None,
        }


def _complex_row(row: Row, lookups: _ComplexLookups) -> tuple[Hashable, _ComplexRow] | None:
    """A row's complex fields and quarterly figures, or None when a cell is bad."""
    values = row.parse()
    if not row.ok:
        return None
    kind, province = values["kind"], values["province"]
    municipality_name, name = values["municipality"], values["name"]
    fields: dict[str, Any] = {"kind": kind, "name_ko": name}
    fields["municipality_name"] = municipality_name
    fields.update(lookups.place(province, municipality_name))
    if "status" in values:
        fields["status"] = values["status"]
    fields.update({attname: values[key] for key, attname in AREA_FIELDS.items() if key in values})
    if values.get("year_designated") is not None:
        fields["year_designated"] = values["year_designated"]
    stat = {attname: values[key] for key, attname in STAT_FIELDS.items() if key in values}
    fields.update({name_: stat[name_] for name_ in ("tenants", "operating_firms") if name_ in stat})
    key = (kind, province.pk, municipality_name, name)
    return key, _ComplexRow(row.number, key, fields, stat)


def _is_summary(row: Row) -> bool:
    """A totals row (계, 합계, ...): no complex name, its type column says which total."""
    return not row.text("name").strip() and _key(row.text("kind")) in SUMMARY_ROWS


def _same_complex(row: Row, item: _ComplexRow, first: int) -> None:
    reason = _("%(row)d행과 같은 단지(유형·시도·시군·단지명)입니다.") % {"row": first}
    row.error("name", item.key[3], reason)


def import_complexes(
    source: Source,
    *,
    actor: Any = None,
    dry_run: bool = False,
    filename: str | None = None,
    as_of: dt.date | None = None,
    progress: bool = False,
    audit_source: str = "import",
) -> ImportReport:
    """Upsert complexes (and their quarterly figures) from a KICOX complex list.

    Natural key: (kind, province, municipality name as written, complex name). With a date
    (`as_of`, else a YYYYMMDD in the file name) the 입주/가동 (and 고용/생산/수출, when the
    file has them) figures are also upserted as the ComplexStat of that date's quarter.
    """
    name = source_name(source, filename)
    report = ImportReport(kind="complexes", dry_run=dry_run, batch=uuid.uuid4().hex)
    table, errors = read_table(source, COMPLEX_COLUMNS, filename=name)
    if table is None:
        return finish(report, errors)
    lookups = _ComplexLookups.load()
    parsed = validate_rows(
        table,
        bind(C, province=lookups.province),
        lambda row: _complex_row(row, lookups),
        report=report,
        errors=errors,
        duplicate=_same_complex,
        skip=_is_summary,
        progress=progress,
        desc=name,
    )
    if errors:
        return finish(report, errors)
    as_of = as_of or date_from_filename(name)
    plan = _ComplexPlan.build(parsed, report, quarter_of(as_of) if as_of else None)
    if not dry_run:
        plan.write(actor=actor, batch=report.batch, source=audit_source)
        if report.created + report.updated >= ANALYSE_AFTER_ROWS:
            refresh_statistics(Complex, ComplexStat, AuditEntry)
    return finish(report, errors)


@dataclass
class _ComplexPlan:
    """What a complex list would write: complexes, and the quarter's figures if dated."""

    complexes: UpsertPlan[Complex]
    stats: UpsertPlan[ComplexStat]
    new_rows: list[_ComplexRow]
    quarter: tuple[int, int] | None
    names: dict[int, str]

    @classmethod
    def build(
        cls, parsed: list[_ComplexRow], report: ImportReport, quarter: tuple[int, int] | None
    ) -> _ComplexPlan:
        if not any(row.stat for row in parsed):
            quarter = None  # no figures in the file: no stats are written
        existing = {
            (v["kind"], v["province_id"], v["municipality_name"], v["name_ko"]): v
            for v in existing_values(Complex.objects.all())
        }
        names = {v["id"]: v["name_ko"] for v in existing.values()}
        plan = cls(
            UpsertPlan(Complex, COMPLEX_KEY, describe=lambda values: values["name_ko"]),
            UpsertPlan(
                ComplexStat,
                ("complex_id", "year", "quarter"),
                describe=lambda v: f"{names.get(v['complex_id'], '')} {v['year']}Q{v['quarter']}",
            ),
            [],
            quarter,
            names,
        )
        stats_existing = plan.existing_stats()
        for row in parsed:
            current = existing.get(row.key)
            if current is None:
                plan.complexes.creates.append(row.fields)
                plan.new_rows.append(row)
                report.created += 1
            elif plan.upsert(row, current, stats_existing.get(current["id"])):
                report.updated += 1
            else:
                report.unchanged += 1
        return plan

    def existing_stats(self) -> dict[int, dict[str, Any]]:
        if self.quarter is None:
            return {}
        year, quarter = self.quarter
        rows = existing_values(ComplexStat.objects.filter(year=year, quarter=quarter))
        return {v["complex_id"]: v for v in rows}

    def stat_values(self, complex_id: int, row: _ComplexRow) -> dict[str, Any]:
        assert self.quarter is not None
        year, quarter = self.quarter
        return {"complex_id": complex_id, "year": year, "quarter": quarter, **row.stat}

    def upsert(
        self, row: _ComplexRow, current: dict[str, Any], stat: dict[str, Any] | None
    ) -> bool:
        """Plan the changes to an existing complex (and its figures); whether there are any."""
        changes = changes_between(current, row.fields)
        if changes:
            self.complexes.updates.append((current, changes))
        if self.quarter is None:
            return bool(changes)
        if stat is None:
            self.stats.creates.append(self.stat_values(current["id"], row))
            return True
        stat_changes = changes_between(stat, row.stat)
        if stat_changes:
            self.stats.updates.append((stat, stat_changes))
        return bool(changes or stat_changes)

    def write(self, *, actor: Any, batch: str, source: str) -> None:
        _assign_kicox_ids(self.complexes.creates)
        with transaction.atomic():
            created = self.complexes.write(actor=actor, batch=batch, source=source)
            if self.quarter is None:
                return
            for row in self.new_rows:
                pk = created[tuple(row.fields[name] for name in COMPLEX_KEY)]
                self.names[pk] = row.fields["name_ko"]
                self.stats.creates.append(self.stat_values(pk, row))
            self.stats.write(actor=actor, batch=batch, source=source)


def _assign_kicox_ids(creates: list[dict[str, Any]]) -> None:
    """kind digit + 2-digit province code + 3-digit serial, continuing after the largest."""
    province_codes = dict(Province.objects.values_list("pk", "code"))
    serials: dict[str, int] = defaultdict(int)
    for kicox_id in Complex.objects.values_list("kicox_id", flat=True):
        if len(kicox_id) == 6 and kicox_id.isdigit():
            serials[kicox_id[:3]] = max(serials[kicox_id[:3]], int(kicox_id[3:]))
    for values in creates:
        prefix = Complex.KIND_DIGIT[values["kind"]] + province_codes[values["province_id"]]
        serials[prefix] += 1
        if serials[prefix] > 999:
            raise ValueError(f"no KICOX serial left for prefix {prefix}")
        values["kicox_id"] = f"{prefix}{serials[prefix]:03d}"


def complex_sample_csv() -> bytes:
    """The sample complex list offered on the import page."""
    return sample_csv(COMPLEX_COLUMNS, [COMPLEX_EXAMPLE])
