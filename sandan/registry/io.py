"""Importers of the registry: KICOX complex lists and organisation lists.

One service each, behind both the management commands and the web upload. Both are
all-or-nothing: every row is validated against lookups loaded once (no query per row);
if any row is bad nothing is written and the report lists every bad row. Otherwise all
rows are upserted on their natural key in one transaction, with one audit batch.
See docs/importers.md for the file layouts.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from sandan.core.io import (
    ANALYSE_AFTER_ROWS,
    Column,
    ImportReport,
    RowError,
    Source,
    Table,
    UpsertPlan,
    changes_between,
    date_from_filename,
    existing_values,
    parse_choice,
    parse_decimal,
    parse_int,
    read_table,
    refresh_statistics,
    source_name,
)
from sandan.core.models import AuditEntry
from sandan.registry.models import (
    Complex,
    ComplexStat,
    Industry,
    Municipality,
    Office,
    Organisation,
    Province,
)
from sandan.registry.reference import office_for
from sandan.registry.validators import (
    normalise_business_number,
    validate_business_number,
    validate_corporate_number,
)

BATCH_SIZE = 1000

# --- lookups shared by both importers ------------------------------------------------------


def _key(text: str) -> str:
    return "".join(text.split())


def province_lookup() -> dict[str, Province]:
    """Every way a file names a province → the current row.

    Short (서울), full (서울특별시) and old names (강원도 → 51 강원특별자치도): a historic row
    maps to the current row with the same short name.
    """
    provinces = list(Province.objects.all())
    current = {p.short_ko: p for p in provinces if p.valid_until is None}
    lookup: dict[str, Province] = {}
    for province in provinces:
        target = current.get(province.short_ko, province)
        for name in (province.name_ko, province.short_ko):
            if province.valid_until is None or name not in lookup:
                lookup[_key(name)] = target
    for province in current.values():
        if province.name_ko.endswith("광역시") or province.name_ko.endswith("특별시"):
            lookup.setdefault(province.short_ko + "시", province)
    return lookup


@dataclass
class MunicipalityLookup:
    by_name: dict[tuple[int, str], int] = field(default_factory=dict)
    only_one: dict[int, int] = field(default_factory=dict)

    @classmethod
    def load(cls) -> MunicipalityLookup:
        lookup = cls()
        per_province: dict[int, list[int]] = defaultdict(list)
        for pk, province_id, name in Municipality.objects.values_list(
            "pk", "province_id", "name_ko"
        ):
            lookup.by_name[(province_id, _key(name))] = pk
            per_province[province_id].append(pk)
        lookup.only_one = {p: ids[0] for p, ids in per_province.items() if len(ids) == 1}
        return lookup

    def resolve(self, province_id: int, name: str) -> int | None:
        """'구로구', '창원시 성산구', '청주' (→ 청주시), '세종' (the only one); else None."""
        compact = _key(name)
        if not compact:
            return None
        candidates = [compact, *(compact + suffix for suffix in ("시", "군", "구"))]
        parts = name.split()
        if len(parts) > 1:  # a 일반구 not in the table falls back to its city
            candidates.append(_key(parts[0]))
        for candidate in candidates:
            pk = self.by_name.get((province_id, candidate))
            if pk is not None:
                return pk
        return self.only_one.get(province_id)


def _error(errors: list[RowError], row: int, column: Column, value: str, reason: Any) -> None:
    errors.append(RowError(row, column.label, value, str(reason)))


def _text(errors: list[RowError], row: int, column: Column, value: str, max_length: int) -> str:
    if len(value) > max_length:
        _error(errors, row, column, value, _("%(n)d자를 넘을 수 없습니다.") % {"n": max_length})
    return value


def _finish(report: ImportReport, errors: list[RowError]) -> ImportReport:
    report.errors = sorted(errors, key=lambda e: e.row)
    if report.errors:
        report.created = report.updated = report.unchanged = 0
    return report


# --- complexes ------------------------------------------------------------------------------

AREA_UNITS = (
    ("천㎡", Decimal(1)),
    ("천m2", Decimal(1)),
    ("㎡", Decimal("0.001")),
    ("m2", Decimal("0.001")),
)
C = {
    "kind": Column("kind", "유형", ("단지유형", "구분", "산업단지유형", "단지구분"), required=True),
    "province": Column("province", "시도", ("시도명", "광역시도", "시·도"), required=True),
    "municipality": Column(
        "municipality",
        "시군",
        ("시군구", "시구군", "시군구명", "시·군·구", "시군(구)"),
        required=True,
    ),
    "name": Column("name", "단지명", ("산업단지명", "단지", "산업단지"), required=True),
    "status": Column("status", "조성상태", ("단계", "개발상태", "조성단계", "조성현황")),
    "designated": Column("designated", "지정면적", (), units=AREA_UNITS),
    "managed": Column("managed", "관리면적", (), units=AREA_UNITS),
    "facility": Column("facility", "산업시설용지면적", ("산업시설용지", "산업시설용지총면적")),
    "sale_target": Column("sale_target", "분양대상면적", ("분양대상",), units=AREA_UNITS),
    "sold": Column("sold", "분양면적", ("분양",), units=AREA_UNITS),
    "unsold": Column("unsold", "미분양면적", ("미분양",), units=AREA_UNITS),
    "sale_rate": Column("sale_rate", "분양률", ()),
    "tenants": Column("tenants", "입주업체", ("입주업체수", "입주", "입주기업", "입주기업수")),
    "operating": Column("operating", "가동업체", ("가동업체수", "가동", "가동기업", "가동기업수")),
    "employment": Column("employment", "고용인원", ("고용", "고용인원수", "고용자수", "근로자수")),
    "output": Column(
        "output",
        "생산",
        ("생산액", "생산실적"),
        units=(("억원", Decimal(1)), ("백만원", Decimal("0.01")), ("천원", Decimal("0.00001"))),
    ),
    "exports": Column(
        "exports",
        "수출",
        ("수출액", "수출실적"),
        units=(
            ("백만불", Decimal(1)),
            ("백만달러", Decimal(1)),
            ("천불", Decimal("0.001")),
            ("천달러", Decimal("0.001")),
        ),
    ),
    "year_designated": Column("year_designated", "지정연도", ("지정년도", "지정일")),
}
COMPLEX_COLUMNS = tuple(C.values())

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


def _parse_complex_row(
    number: int,
    record: dict[str, str],
    table: Table,
    provinces: dict[str, Province],
    municipalities: MunicipalityLookup,
    offices: dict[str, int],
    errors: list[RowError],
) -> _ComplexRow | None:
    before = len(errors)
    fields: dict[str, Any] = {}
    stat: dict[str, Any] = {}
    try:
        kind = parse_choice(record["kind"], KIND_LABELS)
    except ValueError as exc:
        _error(errors, number, C["kind"], record["kind"], exc)
        kind = ""
    province = provinces.get(_key(record["province"]))
    if province is None:
        _error(errors, number, C["province"], record["province"], _("알 수 없는 시도입니다."))
    municipality_name = " ".join(record["municipality"].split())
    if not municipality_name:
        _error(errors, number, C["municipality"], "", _("값이 비어 있습니다."))
    _text(errors, number, C["municipality"], municipality_name, 40)
    name = " ".join(record["name"].split())
    if not name:
        _error(errors, number, C["name"], "", _("값이 비어 있습니다."))
    _text(errors, number, C["name"], name, 100)
    fields.update(kind=kind, name_ko=name, municipality_name=municipality_name)
    if province is not None:
        fields["province_id"] = province.pk
        fields["municipality_id"] = municipalities.resolve(province.pk, municipality_name)
        office_code = office_for(province.code, municipality_name)
        fields["office_id"] = offices.get(office_code) if office_code else None
    if table.has("status"):
        try:
            fields["status"] = parse_choice(record["status"], STATUS_LABELS, default="completed")
        except ValueError as exc:
            _error(errors, number, C["status"], record["status"], exc)
    for key, attname in AREA_FIELDS.items():
        if table.has(key):
            try:
                fields[attname] = parse_decimal(record[key], factor=table.factors[key])
            except ValueError as exc:
                _error(errors, number, C[key], record[key], exc)
    for key in ("facility", "sale_rate"):  # recognised and checked, not stored
        if table.has(key):
            try:
                parse_decimal(record[key], places=2, max_digits=14)
            except ValueError as exc:
                _error(errors, number, C[key], record[key], exc)
    if table.has("year_designated") and record["year_designated"].strip() not in ("", "-"):
        try:
            year = parse_int(record["year_designated"][:4])
            if not 1960 <= year <= 2100:
                raise ValueError(_("1960~2100 사이의 연도여야 합니다."))
            fields["year_designated"] = year
        except ValueError as exc:
            _error(errors, number, C["year_designated"], record["year_designated"], exc)
    for key, attname in STAT_FIELDS.items():
        if not table.has(key):
            continue
        try:
            if key in ("output", "exports"):
                max_digits = 14 if key == "output" else 12
                stat[attname] = parse_decimal(
                    record[key], factor=table.factors[key], max_digits=max_digits
                )
            else:
                stat[attname] = parse_int(record[key])
        except ValueError as exc:
            _error(errors, number, C[key], record[key], exc)
    if stat.get("operating_firms", 0) > stat.get("tenants", stat.get("operating_firms", 0)):
        _error(
            errors,
            number,
            C["operating"],
            record["operating"],
            _("가동업체 수가 입주업체 수보다 많습니다."),
        )
    for attname in ("tenants", "operating_firms"):
        if attname in stat:
            fields[attname] = stat[attname]
    if len(errors) > before or province is None:
        return None
    return _ComplexRow(number, (kind, province.pk, municipality_name, name), fields, stat)


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
        return _finish(report, errors)

    provinces = province_lookup()
    municipalities = MunicipalityLookup.load()
    offices = dict(Office.objects.values_list("code", "pk"))
    parsed: list[_ComplexRow] = []
    seen: dict[tuple[str, int, str, str], int] = {}
    for number, record in table.records(progress=progress, desc=name):
        if not record["name"].strip() and _key(record["kind"]) in SUMMARY_ROWS:
            continue
        report.total_rows += 1
        row = _parse_complex_row(number, record, table, provinces, municipalities, offices, errors)
        if row is None:
            continue
        if row.key in seen:
            _error(
                errors,
                number,
                C["name"],
                row.key[3],
                _("%(row)d행과 같은 단지(유형·시도·시군·단지명)입니다.") % {"row": seen[row.key]},
            )
            continue
        seen[row.key] = number
        parsed.append(row)
    if errors:
        return _finish(report, errors)

    as_of = as_of or date_from_filename(name)
    has_stats = as_of is not None and any(row.stat for row in parsed)
    existing = {
        (v["kind"], v["province_id"], v["municipality_name"], v["name_ko"]): v
        for v in existing_values(Complex.objects.all())
    }
    stats_existing: dict[int, dict[str, Any]] = {}
    year = quarter = 0
    if has_stats and as_of is not None:
        year, quarter = quarter_of(as_of)
        stats_existing = {
            v["complex_id"]: v
            for v in existing_values(ComplexStat.objects.filter(year=year, quarter=quarter))
        }

    complexes = UpsertPlan(Complex, COMPLEX_KEY, describe=lambda values: values["name_ko"])
    names = {v["id"]: v["name_ko"] for v in existing.values()}
    stats = UpsertPlan(
        ComplexStat,
        ("complex_id", "year", "quarter"),
        describe=lambda v: f"{names.get(v['complex_id'], '')} {v['year']}Q{v['quarter']}",
    )
    new_rows: list[_ComplexRow] = []
    for row in parsed:
        current = existing.get(row.key)
        stat_changes: dict[str, Any] | None = None
        stat_new = False
        if current is None:
            complexes.creates.append(row.fields)
            new_rows.append(row)
            report.created += 1
            continue
        changes = changes_between(current, row.fields)
        if changes:
            complexes.updates.append((current, changes))
        if has_stats:
            stat_current = stats_existing.get(current["id"])
            if stat_current is None:
                stat_new = True
                stats.creates.append(
                    {"complex_id": current["id"], "year": year, "quarter": quarter, **row.stat}
                )
            else:
                stat_changes = changes_between(stat_current, row.stat)
                if stat_changes:
                    stats.updates.append((stat_current, stat_changes))
        if changes or stat_changes or stat_new:
            report.updated += 1
        else:
            report.unchanged += 1
    if dry_run:
        return _finish(report, errors)

    _assign_kicox_ids(complexes.creates)
    with transaction.atomic():
        created = complexes.write(actor=actor, batch=report.batch, source=audit_source)
        if has_stats:
            for row in new_rows:
                pk = created[tuple(row.fields[name] for name in COMPLEX_KEY)]
                names[pk] = row.fields["name_ko"]
                stats.creates.append(
                    {"complex_id": pk, "year": year, "quarter": quarter, **row.stat}
                )
            stats.write(actor=actor, batch=report.batch, source=audit_source)
    if report.created + report.updated >= ANALYSE_AFTER_ROWS:
        refresh_statistics(Complex, ComplexStat, AuditEntry)
    return _finish(report, errors)


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


# --- organisations --------------------------------------------------------------------------

ORG = {
    "kind": Column("kind", "기관구분", ("구분", "기관유형", "기관종류")),
    "name": Column("name", "기관명", ("업체명", "기업명", "회사명", "상호", "명칭"), required=True),
    "name_en": Column("name_en", "영문명", ("영문기관명", "영문업체명", "영문상호")),
    "business_number": Column("business_number", "사업자등록번호", ("사업자번호",)),
    "corporate_number": Column("corporate_number", "법인등록번호", ("법인번호",)),
    "industry": Column(
        "industry", "업종코드", ("KSIC", "KSIC코드", "표준산업분류코드", "산업분류코드")
    ),
    "employees": Column("employees", "종업원수", ("종업원", "직원수", "근로자수", "고용인원")),
    "complex_code": Column("complex_code", "단지코드", ("산업단지코드", "KICOX단지코드")),
    "complex_name": Column("complex_name", "산업단지명", ("단지명", "산업단지")),
    "province": Column("province", "시도", ("시도명", "시·도")),
    "address": Column("address", "주소", ("소재지", "사업장주소", "소재지주소")),
    "website": Column("website", "웹사이트", ("홈페이지",)),
    "contact_name": Column("contact_name", "담당자", ("담당자명", "담당자성명")),
    "contact_email": Column(
        "contact_email", "이메일", ("담당자이메일", "전자우편", "email", "e-mail")
    ),
    "contact_phone": Column("contact_phone", "전화", ("전화번호", "담당자전화", "연락처")),
}
ORGANISATION_COLUMNS = tuple(ORG.values())
ORG_KIND_LABELS = {
    "기업": "company",
    "회사": "company",
    "company": "company",
    "대학": "university",
    "대학교": "university",
    "university": "university",
    "연구소": "institute",
    "연구기관": "institute",
    "연구원": "institute",
    "institute": "institute",
    "지원기관": "agency",
    "유관기관": "agency",
    "agency": "agency",
}
ORG_TEXT = {  # column key → (model attname, max length)
    "name_en": ("name_en", 200),
    "address": ("address", 200),
    "website": ("website", 200),
    "contact_name": ("contact_name", 50),
    "contact_phone": ("contact_phone", 20),
}


@dataclass
class _OrgLookups:
    industries: dict[str, int]
    complexes_by_code: dict[str, int]
    complexes_by_name: dict[tuple[int | None, str], list[int]]
    provinces: dict[str, Province]

    @classmethod
    def load(cls) -> _OrgLookups:
        by_code: dict[str, int] = {}
        by_name: dict[tuple[int | None, str], list[int]] = defaultdict(list)
        for pk, kicox_id, province_id, name in Complex.objects.values_list(
            "pk", "kicox_id", "province_id", "name_ko"
        ):
            by_code[kicox_id] = pk
            by_name[(province_id, _key(name))].append(pk)
            by_name[(None, _key(name))].append(pk)
        return cls(
            dict(Industry.objects.values_list("code", "pk")),
            by_code,
            by_name,
            province_lookup(),
        )

    def industry(self, code: str) -> int | None:
        code = code.strip().upper()
        pk = self.industries.get(code)
        if pk is None and len(code) > 1 and code[0].isalpha() and code[1:].isdigit():
            pk = self.industries.get(code[1:])  # 'C29' written with its section letter
        return pk


# A light check (one @, a dot in the domain); EmailValidator costs 10 µs a row at 130,000 rows.
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def _parse_org_row(
    number: int,
    record: dict[str, str],
    table: Table,
    lookups: _OrgLookups,
    errors: list[RowError],
) -> tuple[tuple[str, ...], dict[str, Any]] | None:
    before = len(errors)
    fields: dict[str, Any] = {}
    kind = "company"
    if table.has("kind"):
        try:
            kind = parse_choice(record["kind"], ORG_KIND_LABELS, default="company")
        except ValueError as exc:
            _error(errors, number, ORG["kind"], record["kind"], exc)
    fields["kind"] = kind
    name = " ".join(record["name"].split())
    if not name:
        _error(errors, number, ORG["name"], "", _("값이 비어 있습니다."))
    fields["name_ko"] = _text(errors, number, ORG["name"], name, 150)
    number_text = record.get("business_number", "")
    business_number = normalise_business_number(number_text) if number_text else ""
    if business_number:
        try:
            validate_business_number(business_number)
        except ValidationError as exc:
            _error(errors, number, ORG["business_number"], number_text, exc.messages[0])
        fields["business_number"] = business_number
    elif kind == "company":
        _error(
            errors,
            number,
            ORG["business_number"],
            number_text,
            _("기업은 사업자등록번호가 있어야 합니다."),
        )
    elif table.has("business_number"):
        fields["business_number"] = None
    if table.has("corporate_number"):
        corporate = record["corporate_number"].replace("-", "").replace(" ", "")
        try:
            validate_corporate_number(corporate)
        except ValidationError as exc:
            _error(
                errors, number, ORG["corporate_number"], record["corporate_number"], exc.messages[0]
            )
        fields["corporate_number"] = corporate
    if table.has("industry"):
        code = record["industry"].strip()
        industry_id = lookups.industry(code) if code else None
        if code and industry_id is None:
            _error(errors, number, ORG["industry"], code, _("알 수 없는 업종코드(KSIC)입니다."))
        fields["industry_id"] = industry_id
    if table.has("employees"):
        try:
            text = record["employees"]
            fields["employees"] = parse_int(text) if text.strip() not in ("", "-") else None
        except ValueError as exc:
            _error(errors, number, ORG["employees"], record["employees"], exc)
    complex_id = _org_complex(number, record, table, lookups, errors)
    if complex_id is not False:
        fields["complex_id"] = complex_id
    for column_key, (attname, max_length) in ORG_TEXT.items():
        if table.has(column_key):
            value = record[column_key].strip()
            fields[attname] = _text(errors, number, ORG[column_key], value, max_length)
    if table.has("contact_email"):
        email = record["contact_email"].strip()
        if email and not _EMAIL.match(email):
            _error(
                errors,
                number,
                ORG["contact_email"],
                email,
                _("이메일 주소가 올바르지 않습니다."),
            )
        fields["contact_email"] = email
    if len(errors) > before:
        return None
    key: tuple[str, ...] = ("bn", business_number) if business_number else ("name", kind, name)
    return key, fields


def _org_complex(
    number: int, record: dict[str, str], table: Table, lookups: _OrgLookups, errors: list[RowError]
) -> int | bool | None:
    """The complex id, None (blank), or False when the file says nothing about complexes."""
    code = record.get("complex_code", "").strip() if table.has("complex_code") else ""
    if code:
        pk = lookups.complexes_by_code.get(code)
        if pk is None:
            _error(errors, number, ORG["complex_code"], code, _("알 수 없는 단지코드입니다."))
        return pk
    name = record.get("complex_name", "").strip() if table.has("complex_name") else ""
    if name:
        province_id: int | None = None
        if table.has("province") and record["province"].strip():
            province = lookups.provinces.get(_key(record["province"]))
            if province is None:
                _error(
                    errors, number, ORG["province"], record["province"], _("알 수 없는 시도입니다.")
                )
                return None
            province_id = province.pk
        matches = lookups.complexes_by_name.get((province_id, _key(name)), [])
        if len(matches) == 1:
            return matches[0]
        reason = (
            _("알 수 없는 산업단지입니다.")
            if not matches
            else _("같은 이름의 단지가 여러 곳입니다. 단지코드를 쓰세요.")
        )
        _error(errors, number, ORG["complex_name"], name, reason)
        return None
    if table.has("complex_code") or table.has("complex_name"):
        return None
    return False


def import_organisations(
    source: Source,
    *,
    actor: Any = None,
    dry_run: bool = False,
    filename: str | None = None,
    progress: bool = False,
    audit_source: str = "import",
) -> ImportReport:
    """Upsert organisations. Natural key: 사업자등록번호; without one, (기관구분, 기관명).

    Columns missing from the file leave the stored values alone.
    """
    name = source_name(source, filename)
    report = ImportReport(kind="organisations", dry_run=dry_run, batch=uuid.uuid4().hex)
    table, errors = read_table(source, ORGANISATION_COLUMNS, filename=name)
    if table is None:
        return _finish(report, errors)

    lookups = _OrgLookups.load()
    parsed: list[tuple[tuple[str, ...], dict[str, Any]]] = []
    seen: dict[tuple[str, ...], int] = {}
    for number, record in table.records(progress=progress, desc=name):
        report.total_rows += 1
        row = _parse_org_row(number, record, table, lookups, errors)
        if row is None:
            continue
        key, fields = row
        if key in seen:
            column = ORG["business_number"] if key[0] == "bn" else ORG["name"]
            value = record["business_number"] if key[0] == "bn" else fields["name_ko"]
            _error(
                errors,
                number,
                column,
                value,
                _("%(row)d행과 같은 기관입니다.") % {"row": seen[key]},
            )
            continue
        seen[key] = number
        parsed.append(row)
    if errors:
        return _finish(report, errors)

    by_key: dict[tuple[str, ...], dict[str, Any]] = {}
    for values in existing_values(Organisation.objects.order_by("-pk")):
        if values["business_number"]:
            by_key[("bn", values["business_number"])] = values
        else:  # several unnumbered rows with one name: the oldest wins
            by_key[("name", values["kind"], values["name_ko"])] = values
    plan = UpsertPlan(
        Organisation,
        ("business_number", "kind", "name_ko"),
        describe=lambda values: values["name_ko"],
    )
    for key, fields in parsed:
        current = by_key.get(key)
        if current is None:
            plan.creates.append(fields)
            report.created += 1
            continue
        changes = changes_between(current, fields)
        if changes:
            plan.updates.append((current, changes))
            report.updated += 1
        else:
            report.unchanged += 1
    if dry_run:
        return _finish(report, errors)
    with transaction.atomic():
        plan.write(actor=actor, batch=report.batch, source=audit_source, batch_size=BATCH_SIZE)
    if report.created + report.updated >= ANALYSE_AFTER_ROWS:
        refresh_statistics(Organisation, AuditEntry)
    return _finish(report, errors)
