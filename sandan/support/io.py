"""Problem import (CSV in UTF-8 or CP949, or XLSX), all-or-nothing with a per-row report.

Columns: 사업자등록번호 (or business_number), 제목, 내용, 원하는 지원, 긴급도, 활동 (optional
activity id). Every row is checked against lookups loaded once (firms by business number,
the year's designations, activities); if any row is bad nothing is written and the report
lists every bad row (row number, column, value, reason). Otherwise the problems are created
in one transaction with the triage suggestion of each, audited under one batch.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from sandan.core.io import Column, ImportReport, RowError, Source, parse_choice, read_table
from sandan.councils.models import Activity
from sandan.program.models import Designation, ProgramYear
from sandan.program.selectors import current_program_year
from sandan.registry.models import Organisation
from sandan.registry.validators import normalise_business_number
from sandan.support import services
from sandan.support.models import TEXT_MAX, TITLE_MAX, Problem

C = {
    "business_number": Column(
        "business_number",
        "사업자등록번호",
        ("business_number", "사업자번호", "사업자 등록번호"),
        required=True,
    ),
    "title": Column("title", "제목", ("title", "과제명", "애로과제명", "애로사항"), required=True),
    "description": Column(
        "description", "내용", ("description", "애로내용", "문제", "무엇이 문제인가"), required=True
    ),
    "help_wanted": Column(
        "help_wanted", "원하는 지원", ("help_wanted", "희망 지원", "요청 사항", "원하는 도움")
    ),
    "urgency": Column("urgency", "긴급도", ("urgency", "시급성")),
    "activity": Column("activity", "활동", ("activity", "활동번호", "활동 id", "activity_id")),
}
PROBLEM_COLUMNS = tuple(C.values())
URGENCY_LABELS: dict[str, str] = {
    **{str(label): value for value, label in Problem.Urgency.choices},
    **{value: value for value in Problem.Urgency.values},
    "하": Problem.Urgency.LOW,
    "중": Problem.Urgency.NORMAL,
    "상": Problem.Urgency.HIGH,
    "매우 높음": Problem.Urgency.URGENT,
    "시급": Problem.Urgency.URGENT,
}


def _hubs(year: ProgramYear) -> dict[int, Designation]:
    """complex id → the hub designation it belongs to in the year."""
    hubs: dict[int, Designation] = {}
    for designation in Designation.objects.filter(program_year=year).select_related("hub"):
        hub = designation if designation.role == Designation.Role.HUB else designation.hub
        if hub is not None:
            hubs[designation.complex_id] = hub
    return hubs


def import_problems(
    source: Source,
    actor: Any,
    *,
    dry_run: bool = False,
    filename: str | None = None,
    program_year: ProgramYear | None = None,
    audit_source: str = "import",
) -> ImportReport:
    """Create the problems of a file for the current (or given) program year."""
    report = ImportReport(kind="problems", dry_run=dry_run, batch=uuid.uuid4().hex)
    table, errors = read_table(source, PROBLEM_COLUMNS, filename=filename)
    if table is None:
        report.errors = errors
        return report
    try:
        year = program_year or current_program_year()
    except ValidationError as error:
        report.errors = [RowError(1, "", "", " ".join(error.messages))]
        return report
    records = list(table.records())
    numbers = {normalise_business_number(row.get("business_number", "")) for _n, row in records}
    firms = {
        org.business_number: org
        for org in Organisation.objects.filter(business_number__in=numbers).select_related(
            "complex__province"
        )
    }
    activity_ids: set[int] = set()
    for _n, row in records:
        raw = row.get("activity", "").strip()
        if raw.isdigit():
            activity_ids.add(int(raw))
    activities = Activity.objects.select_related("council__hub").in_bulk(activity_ids)
    reachable = (
        set(
            Activity.objects.restrict(actor, "change")
            .filter(pk__in=activity_ids)
            .values_list("pk", flat=True)
        )
        if actor is not None
        else set(activities)
    )
    hubs = _hubs(year)
    now = timezone.now()
    pending: list[tuple[int, dict[str, Any]]] = []
    seen: dict[tuple[int, str], int] = {}

    def bad(number: int, key: str, value: str, reason: str) -> None:
        errors.append(RowError(number, C[key].label if key in C else key, value[:100], reason))

    for number, row in records:
        report.total_rows += 1
        raw_number = row.get("business_number", "")
        firm = firms.get(normalise_business_number(raw_number))
        if firm is None:
            bad(
                number,
                "business_number",
                raw_number,
                _("이 사업자등록번호로 등록된 기업이 없습니다."),
            )
            continue
        if firm.kind != Organisation.Kind.COMPANY:
            bad(number, "business_number", raw_number, _("기업이 아닌 기관입니다."))
            continue
        if firm.complex is None:
            bad(
                number,
                "business_number",
                raw_number,
                _("소재 산업단지가 등록되지 않은 기업입니다."),
            )
            continue
        row_ok = True
        values: dict[str, Any] = {}
        for key, maximum, required in (
            ("title", TITLE_MAX, True),
            ("description", TEXT_MAX, True),
            ("help_wanted", TEXT_MAX, False),
        ):
            raw = row.get(key, "")
            text = " ".join(raw.split()) if key == "title" else raw.replace("\r\n", "\n").strip()
            if required and not text:
                bad(number, key, raw, _("비어 있습니다."))
                row_ok = False
            elif len(text) > maximum:
                bad(number, key, raw, _("%(max)s자를 넘습니다.") % {"max": f"{maximum:,}"})
                row_ok = False
            values[key] = text
        try:
            values["urgency"] = parse_choice(
                row.get("urgency", ""), URGENCY_LABELS, default=Problem.Urgency.NORMAL
            )
        except ValueError as exc:
            bad(number, "urgency", row.get("urgency", ""), str(exc))
            row_ok = False
        activity: Activity | None = None
        raw_activity = row.get("activity", "").strip()
        if raw_activity:
            activity = activities.get(int(raw_activity)) if raw_activity.isdigit() else None
            if activity is None:
                bad(number, "activity", raw_activity, _("없는 활동 번호입니다."))
                row_ok = False
            elif activity.pk not in reachable:
                bad(
                    number,
                    "activity",
                    raw_activity,
                    _("이 활동에 애로과제를 기록할 권한이 없습니다."),
                )
                row_ok = False
            elif activity.council.hub.program_year_id != year.pk:
                bad(number, "activity", raw_activity, _("다른 사업연도의 활동입니다."))
                row_ok = False
        if not row_ok:
            continue
        natural = (firm.pk, values["title"])
        if natural in seen:
            bad(
                number,
                "title",
                values["title"],
                _("%(row)d행과 같은 기업·제목입니다.") % {"row": seen[natural]},
            )
            continue
        seen[natural] = number
        complex_ = firm.complex
        pending.append(
            (
                number,
                {
                    **values,
                    "organisation": firm,
                    "program_year": year,
                    "complex": complex_,
                    "zone_id": complex_.province.zone_id,
                    "hub": hubs.get(complex_.pk),
                    "source": Problem.Source.ACTIVITY if activity else Problem.Source.IMPORT,
                    "activity": activity,
                    "submitted_by": actor if getattr(actor, "is_authenticated", False) else None,
                    "submitted_at": now,
                    "status": Problem.Status.SUBMITTED,
                },
            )
        )
    report.errors = sorted(errors, key=lambda e: e.row)
    if report.errors:
        return report
    with transaction.atomic():
        # Insert, then ask the scope which rows the actor may add; any outside it is named
        # and everything rolls back (also on a dry run).
        rows_fields = [fields for _n, fields in pending]
        if not dry_run:
            for fields in rows_fields:
                text = "\n".join(
                    part
                    for part in (fields["title"], fields["description"], fields["help_wanted"])
                    if part
                )
                fields.update(services._suggestion_fields(services.suggest_for_text(year, text)))
        try:
            created = services.bulk_create_problems(
                actor, rows_fields, source=audit_source, batch=report.batch, check_scope=False
            )
        except ValidationError as error:
            report.errors = [RowError(1, "", "", " ".join(error.messages))]
            transaction.set_rollback(True)
            return report
        if actor is not None:
            allowed = set(
                Problem.objects.restrict(actor, "add")
                .filter(pk__in=[p.pk for p in created])
                .values_list("pk", flat=True)
            )
            for (number, fields), problem in zip(pending, created, strict=True):
                if problem.pk not in allowed:
                    report.errors.append(
                        RowError(
                            number,
                            C["business_number"].label,
                            fields["organisation"].business_number or "",
                            _("이 기업의 애로과제를 등록할 권한이 없습니다."),
                        )
                    )
        if report.errors or dry_run:
            transaction.set_rollback(True)
            if report.errors:
                return report
    report.created = len(pending)
    return report


def problems_template_csv() -> bytes:
    """A UTF-8 (BOM) CSV with the header row that the importer reads, for download."""
    header = ",".join(column.label for column in PROBLEM_COLUMNS)
    example = (
        '1234567891,사출품 수축 불량,"여름철 수축 불량률이 8%까지 올라갑니다.",'
        "성형 조건 최적화 자문,높음,"
    )
    return ("\ufeff" + header + "\r\n" + example + "\r\n").encode("utf-8")
