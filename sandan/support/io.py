"""Problem import (CSV in UTF-8 or CP949, or XLSX), all-or-nothing with a per-row report.

Columns: 사업자등록번호 (or business_number), 제목, 내용, 원하는 지원, 긴급도, 활동 (optional
activity id). Every row is checked against lookups loaded once (firms by business number,
the year's designations, activities); if any row is bad nothing is written and the report
lists every bad row (row number, column, value, reason). Otherwise the problems are created
in one transaction with the triage suggestion of each, audited under one batch.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Hashable
from dataclasses import dataclass, replace
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from sandan.core import clock
from sandan.core.io import (
    Choice,
    Column,
    ImportReport,
    Row,
    RowError,
    Source,
    Text,
    bind,
    columns_by_key,
    read_table,
    validate_rows,
)
from sandan.councils.models import Activity
from sandan.program.models import Designation, ProgramYear
from sandan.program.selectors import current_program_year
from sandan.registry.models import Organisation
from sandan.registry.validators import normalise_business_number
from sandan.support import services
from sandan.support.models import TEXT_MAX, TITLE_MAX, Problem

EMPTY = gettext_lazy("비어 있습니다.")
TOO_LONG = gettext_lazy("%(max)s자를 넘습니다.")
URGENCY_LABELS: dict[str, str] = {
    **{str(label): value for value, label in Problem.Urgency.choices},
    **{value: value for value in Problem.Urgency.values},
    "하": Problem.Urgency.LOW,
    "중": Problem.Urgency.NORMAL,
    "상": Problem.Urgency.HIGH,
    "매우 높음": Problem.Urgency.URGENT,
    "시급": Problem.Urgency.URGENT,
}
# The firm (by 사업자등록번호) and the activity are look-ups: _ProblemLookups binds them.
C = columns_by_key(
    Column(
        "business_number",
        "사업자등록번호",
        ("business_number", "사업자번호", "사업자 등록번호"),
        required=True,
    ),
    Column(
        "title",
        "제목",
        ("title", "과제명", "애로과제명", "애로사항"),
        required=True,
        parse=Text(TITLE_MAX, required=True, show_raw=True, empty=EMPTY, too_long=TOO_LONG),
    ),
    Column(
        "description",
        "내용",
        ("description", "애로내용", "문제", "무엇이 문제인가"),
        required=True,
        parse=Text(
            TEXT_MAX, required=True, spaces="lines", show_raw=True, empty=EMPTY, too_long=TOO_LONG
        ),
    ),
    Column(
        "help_wanted",
        "원하는 지원",
        ("help_wanted", "희망 지원", "요청 사항", "원하는 도움"),
        parse=Text(TEXT_MAX, spaces="lines", show_raw=True, too_long=TOO_LONG),
    ),
    Column(
        "urgency",
        "긴급도",
        ("urgency", "시급성"),
        parse=Choice(URGENCY_LABELS, default=Problem.Urgency.NORMAL),
    ),
    Column("activity", "활동", ("activity", "활동번호", "활동 id", "activity_id")),
)
PROBLEM_COLUMNS = tuple(C.values())
SHOWN_VALUE = 100  # a bad cell's text is reported up to this many characters


def _hubs(year: ProgramYear) -> dict[int, Designation]:
    """complex id → the hub designation it belongs to in the year."""
    hubs: dict[int, Designation] = {}
    for designation in Designation.objects.filter(program_year=year).select_related("hub"):
        hub = designation if designation.role == Designation.Role.HUB else designation.hub
        if hub is not None:
            hubs[designation.complex_id] = hub
    return hubs


@dataclass
class _ProblemLookups:
    """Firms, activities and hubs of the file, loaded once for every row."""

    year: ProgramYear
    firms: dict[str | None, Organisation]
    activities: dict[int, Activity]
    reachable: set[int]
    hubs: dict[int, Designation]

    @classmethod
    def load(cls, records: list[dict[str, str]], year: ProgramYear, actor: Any) -> _ProblemLookups:
        numbers = {normalise_business_number(row.get("business_number", "")) for row in records}
        firms = Organisation.objects.filter(business_number__in=numbers)
        activity_ids: set[int] = set()
        for row in records:
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
        return cls(
            year,
            {org.business_number: org for org in firms.select_related("complex__province")},
            activities,
            reachable,
            _hubs(year),
        )

    def firm(self, text: str) -> Organisation:
        """The company of a 사업자등록번호, located in a complex."""
        firm = self.firms.get(normalise_business_number(text))
        if firm is None:
            raise ValueError(_("이 사업자등록번호로 등록된 기업이 없습니다."))
        if firm.kind != Organisation.Kind.COMPANY:
            raise ValueError(_("기업이 아닌 기관입니다."))
        if firm.complex is None:
            raise ValueError(_("소재 산업단지가 등록되지 않은 기업입니다."))
        return firm

    def activity(self, text: str) -> Activity | None:
        """An activity of the year the importer may change (blank: none)."""
        raw = text.strip()
        if not raw:
            return None
        activity = self.activities.get(int(raw)) if raw.isdigit() else None
        if activity is None:
            raise ValueError(_("없는 활동 번호입니다."))
        if activity.pk not in self.reachable:
            raise ValueError(_("이 활동에 애로과제를 기록할 권한이 없습니다."))
        if activity.council.hub.program_year_id != self.year.pk:
            raise ValueError(_("다른 사업연도의 활동입니다."))
        return activity


def _problem(
    row: Row, lookups: _ProblemLookups, actor: Any, now: dt.datetime
) -> tuple[Hashable, tuple[int, dict[str, Any]]] | None:
    """(row number, the problem's fields) of a row, or None when a cell is bad."""
    firm = row.parse("business_number").get("business_number")
    if firm is None:
        return None
    values = row.parse("title", "description", "help_wanted", "urgency", "activity")
    if not row.ok:
        return None
    activity = values.pop("activity", None)
    complex_ = firm.complex
    fields = {
        "help_wanted": "",
        "urgency": Problem.Urgency.NORMAL,
        **values,
        "organisation": firm,
        "program_year": lookups.year,
        "complex": complex_,
        "zone_id": complex_.province.zone_id,
        "hub": lookups.hubs.get(complex_.pk),
        "source": Problem.Source.ACTIVITY if activity else Problem.Source.IMPORT,
        "activity": activity,
        "submitted_by": actor if getattr(actor, "is_authenticated", False) else None,
        "submitted_at": now,
        "status": Problem.Status.SUBMITTED,
    }
    return (firm.pk, values["title"]), (row.number, fields)


def _same_problem(row: Row, item: tuple[int, dict[str, Any]], first: int) -> None:
    reason = _("%(row)d행과 같은 기업·제목입니다.") % {"row": first}
    row.error("title", item[1]["title"], reason)


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
    lookups = _ProblemLookups.load([cells for _n, cells in table.records()], year, actor)
    now = clock.now()
    pending = validate_rows(
        table,
        bind(C, business_number=lookups.firm, activity=lookups.activity),
        lambda row: _problem(row, lookups, actor, now),
        report=report,
        errors=errors,
        duplicate=_same_problem,
    )
    report.errors = sorted(
        (replace(error, value=error.value[:SHOWN_VALUE]) for error in errors),
        key=lambda e: e.row,
    )
    if report.errors:
        return report
    report.errors = _create_problems(actor, year, pending, report, dry_run, audit_source)
    if not report.errors:
        report.created = len(pending)
    return report


def _create_problems(
    actor: Any,
    year: ProgramYear,
    pending: list[tuple[int, dict[str, Any]]],
    report: ImportReport,
    dry_run: bool,
    audit_source: str,
) -> list[RowError]:
    """Insert the problems, then ask the scope which rows the actor may add; any outside it
    is named and everything rolls back (as it does on a dry run). Returns the errors."""
    with transaction.atomic():
        rows_fields = [fields for _n, fields in pending]
        if not dry_run:
            for fields in rows_fields:
                parts = (fields["title"], fields["description"], fields["help_wanted"])
                text = "\n".join(part for part in parts if part)
                fields.update(services._suggestion_fields(services.suggest_for_text(year, text)))
        try:
            created = services.bulk_create_problems(
                actor, rows_fields, source=audit_source, batch=report.batch, check_scope=False
            )
        except ValidationError as error:
            transaction.set_rollback(True)
            return [RowError(1, "", "", " ".join(error.messages))]
        errors = _outside_scope(actor, pending, created)
        if errors or dry_run:
            transaction.set_rollback(True)
    return errors


def _outside_scope(
    actor: Any, pending: list[tuple[int, dict[str, Any]]], created: list[Problem]
) -> list[RowError]:
    """A row error for each created problem the actor may not add (none without an actor)."""
    if actor is None:
        return []
    allowed = set(
        Problem.objects.restrict(actor, "add")
        .filter(pk__in=[p.pk for p in created])
        .values_list("pk", flat=True)
    )
    return [
        RowError(
            number,
            C["business_number"].label,
            fields["organisation"].business_number or "",
            _("이 기업의 애로과제를 등록할 권한이 없습니다."),
        )
        for (number, fields), problem in zip(pending, created, strict=True)
        if problem.pk not in allowed
    ]


def problems_template_csv() -> bytes:
    """A UTF-8 (BOM) CSV with the header row that the importer reads, for download."""
    header = ",".join(column.label for column in PROBLEM_COLUMNS)
    example = (
        '1234567891,사출품 수축 불량,"여름철 수축 불량률이 8%까지 올라갑니다.",'
        "성형 조건 최적화 자문,높음,"
    )
    return ("\ufeff" + header + "\r\n" + example + "\r\n").encode("utf-8")
