"""The importer of organisation lists (firms, universities, institutes, agencies).

See docs/importers.md for the file layout.
"""

from __future__ import annotations

import re
import uuid
from collections import defaultdict
from collections.abc import Hashable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from sandan.core.io import (
    ANALYSE_AFTER_ROWS,
    CellError,
    Choice,
    Column,
    ImportReport,
    Integer,
    Row,
    Source,
    Text,
    UpsertPlan,
    bind,
    changes_between,
    columns_by_key,
    existing_values,
    finish,
    read_table,
    refresh_statistics,
    sample_csv,
    source_name,
    validate_rows,
)
from sandan.core.models import AuditEntry
from sandan.registry.io.lookups import BATCH_SIZE, _key, province_lookup
from sandan.registry.models import (
    Complex,
    Industry,
    Organisation,
    Province,
)
from sandan.registry.validators import (
    normalise_business_number,
    validate_business_number,
    validate_corporate_number,
)

# --- organisations --------------------------------------------------------------------------

# A light check (one @, a dot in the domain); EmailValidator costs 10 µs a row at 130,000 rows.
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def _business_number(text: str) -> str:
    """'123-45-67890' → '1234567890', checked (python-stdnum and check digit); blank → ''."""
    number = normalise_business_number(text) if text else ""
    if number:
        try:
            validate_business_number(number)
        except ValidationError as exc:
            raise ValueError(exc.messages[0]) from None
    return number


def _corporate_number(text: str) -> str:
    number = text.replace("-", "").replace(" ", "")
    try:
        validate_corporate_number(number)
    except ValidationError as exc:
        raise ValueError(exc.messages[0]) from None
    return number


def _email(text: str) -> str:
    email = text.strip()
    if email and not _EMAIL.match(email):
        raise CellError(_("이메일 주소가 올바르지 않습니다."), email)
    return email


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
ORG = columns_by_key(
    Column(
        "kind",
        "기관구분",
        ("구분", "기관유형", "기관종류"),
        parse=Choice(ORG_KIND_LABELS, default="company"),
    ),
    Column(
        "name",
        "기관명",
        ("업체명", "기업명", "회사명", "상호", "명칭"),
        required=True,
        parse=Text(150, required=True),
    ),
    Column(
        "name_en",
        "영문명",
        ("영문기관명", "영문업체명", "영문상호"),
        parse=Text(200, spaces="strip"),
    ),
    Column("business_number", "사업자등록번호", ("사업자번호",), parse=_business_number),
    Column("corporate_number", "법인등록번호", ("법인번호",), parse=_corporate_number),
    Column(  # a lookup of the KSIC codes
        "industry", "업종코드", ("KSIC", "KSIC코드", "표준산업분류코드", "산업분류코드")
    ),
    Column(
        "employees",
        "종업원수",
        ("종업원", "직원수", "근로자수", "고용인원"),
        parse=Integer(empty=None),
    ),
    Column("complex_code", "단지코드", ("산업단지코드", "KICOX단지코드")),
    Column("complex_name", "산업단지명", ("단지명", "산업단지")),
    Column("province", "시도", ("시도명", "시·도")),
    Column(
        "address", "주소", ("소재지", "사업장주소", "소재지주소"), parse=Text(200, spaces="strip")
    ),
    Column("website", "웹사이트", ("홈페이지",), parse=Text(200, spaces="strip")),
    Column("contact_name", "담당자", ("담당자명", "담당자성명"), parse=Text(50, spaces="strip")),
    Column(
        "contact_email",
        "이메일",
        ("담당자이메일", "전자우편", "email", "e-mail"),
        parse=_email,
    ),
    Column(
        "contact_phone",
        "전화",
        ("전화번호", "담당자전화", "연락처"),
        parse=Text(20, spaces="strip"),
    ),
)
ORGANISATION_COLUMNS = tuple(ORG.values())
# The sample file's row: a made-up firm in the sample complex above (KSIC C29: machinery).
ORGANISATION_EXAMPLE = {
    "kind": "기업",
    "name": "(주)대성정밀",
    "name_en": "Daesung Precision Co., Ltd.",
    "business_number": "608-81-12347",
    "corporate_number": "",
    "industry": "C29",
    "employees": "85",
    "complex_code": "",
    "complex_name": "창원국가산업단지",
    "province": "경상남도",
    "address": "경상남도 창원시 성산구 공단로 1",
    "website": "https://daesung.example.kr",
    "contact_name": "김민준",
    "contact_email": "minjun@example.kr",
    "contact_phone": "055-123-4567",
}


def organisation_sample_csv() -> bytes:
    """The sample organisation list offered on the import page."""
    return sample_csv(ORGANISATION_COLUMNS, [ORGANISATION_EXAMPLE])


ORG_FIELDS = {  # column key → model attname, for the columns stored as parsed
    "corporate_number": "corporate_number",
    "industry": "industry_id",
    "employees": "employees",
    "name_en": "name_en",
    "address": "address",
    "website": "website",
    "contact_name": "contact_name",
    "contact_phone": "contact_phone",
    "contact_email": "contact_email",
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

    def parse_industry(self, text: str) -> int | None:
        """A KSIC code at any level ('29172', 'C', 'C25' = '25'); blank → None."""
        code = text.strip()
        industry_id = self.industry(code) if code else None
        if code and industry_id is None:
            raise CellError(_("알 수 없는 업종코드(KSIC)입니다."), code)
        return industry_id


def _org_row(row: Row, lookups: _OrgLookups) -> tuple[Hashable, dict[str, Any]] | None:
    """A row's organisation fields and natural key, or None when a cell is bad."""
    values = row.parse("kind", "name", "business_number")
    kind = values.get("kind", "company")
    fields: dict[str, Any] = {"kind": kind, "name_ko": values.get("name", "")}
    business_number = values.get("business_number", "")
    if business_number:
        fields["business_number"] = business_number
    elif "business_number" in values or not row.has("business_number"):  # blank or absent
        if kind == "company":
            reason = _("기업은 사업자등록번호가 있어야 합니다.")
            row.error("business_number", row.text("business_number"), reason)
        elif row.has("business_number"):
            fields["business_number"] = None
    values = row.parse("corporate_number", "industry", "employees")
    complex_id = _org_complex(row, lookups)
    if complex_id is not False:
        fields["complex_id"] = complex_id
    if row.has("province"):
        fields["region_id"] = _org_region(row, lookups)
    values.update(
        row.parse("name_en", "address", "website", "contact_name", "contact_phone", "contact_email")
    )
    if not row.ok:
        return None
    fields.update({ORG_FIELDS[key]: value for key, value in values.items()})
    if business_number:
        return ("bn", business_number), fields
    return ("name", kind, fields["name_ko"]), fields


def _org_region(row: Row, lookups: _OrgLookups) -> int | None:
    """The province a body works in (a partner agency's region); None when blank."""
    text = row.text("province").strip()
    if not text:
        return None
    province = lookups.provinces.get(_key(text))
    if province is None:
        if not row.text("complex_name").strip():  # else the complex look-up says so
            row.error("province", text, _("알 수 없는 시도입니다."))
        return None
    return province.pk


def _org_complex(row: Row, lookups: _OrgLookups) -> int | bool | None:
    """The complex id, None (blank), or False when the file says nothing about complexes."""
    code = row.text("complex_code").strip()
    if code:
        pk = lookups.complexes_by_code.get(code)
        if pk is None:
            row.error("complex_code", code, _("알 수 없는 단지코드입니다."))
        return pk
    name = row.text("complex_name").strip()
    if name:
        province_id: int | None = None
        if row.text("province").strip():
            province = lookups.provinces.get(_key(row.text("province")))
            if province is None:
                row.error("province", row.text("province"), _("알 수 없는 시도입니다."))
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
        row.error("complex_name", name, reason)
        return None
    if row.has("complex_code") or row.has("complex_name"):
        return None
    return False


def _same_organisation(row: Row, fields: dict[str, Any], first: int) -> None:
    reason = _("%(row)d행과 같은 기관입니다.") % {"row": first}
    if fields.get("business_number"):
        row.error("business_number", row.text("business_number"), reason)
    else:
        row.error("name", fields["name_ko"], reason)


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
        return finish(report, errors)
    lookups = _OrgLookups.load()
    parsed = validate_rows(
        table,
        bind(ORG, industry=lookups.parse_industry),
        lambda row: _org_row(row, lookups),
        report=report,
        errors=errors,
        duplicate=_same_organisation,
        progress=progress,
        desc=name,
    )
    if errors:
        return finish(report, errors)
    plan = _organisation_plan(parsed, report)
    if not dry_run:
        with transaction.atomic():
            plan.write(actor=actor, batch=report.batch, source=audit_source, batch_size=BATCH_SIZE)
        if report.created + report.updated >= ANALYSE_AFTER_ROWS:
            refresh_statistics(Organisation, AuditEntry)
    return finish(report, errors)


def _organisation_plan(
    parsed: list[dict[str, Any]], report: ImportReport
) -> UpsertPlan[Organisation]:
    """New and changed organisations, matched on their natural key; counted in `report`."""
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
    for fields in parsed:
        number = fields.get("business_number")
        current = by_key.get(
            ("bn", number) if number else ("name", fields["kind"], fields["name_ko"])
        )
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
    return plan
