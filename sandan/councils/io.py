"""Attendance import (CSV/XLSX) and iCalendar export of activities.

The import is all-or-nothing like the registry importers: every row is checked against
lookups loaded once (no query per row); if any row is bad nothing is written and the
report lists every bad row (row number, column, value, reason). Otherwise new rows are
inserted and changed ones updated in one transaction, audited under one batch.

The iCalendar writer follows RFC 5545 by hand (no extra dependency): CRLF line ends, text
escaping, and lines folded at 75 octets without splitting a UTF-8 character.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Hashable, Iterable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from sandan.core import audit, clock
from sandan.core.io import (
    CellError,
    Choice,
    Column,
    ImportReport,
    Row,
    RowError,
    Source,
    Text,
    columns_by_key,
    finish,
    read_table,
    validate_rows,
)
from sandan.core.models import AuditAction
from sandan.core.services import NotAllowed
from sandan.councils.models import Activity, Attendance
from sandan.councils.services import _ensure_councils
from sandan.registry.models import Organisation
from sandan.registry.validators import normalise_business_number

# --- attendance import ----------------------------------------------------------------------


def _email(text: str) -> str:
    email = text.strip()
    if email:
        try:
            validate_email(email)
        except ValidationError:
            raise CellError(_("이메일 형식이 아닙니다."), email) from None
    return email


STATUS_LABELS: dict[str, str] = {
    "참석": Attendance.Status.ATTENDED,
    "출석": Attendance.Status.ATTENDED,
    "attended": Attendance.Status.ATTENDED,
    "o": Attendance.Status.ATTENDED,
    "불참": Attendance.Status.ABSENT,
    "결석": Attendance.Status.ABSENT,
    "absent": Attendance.Status.ABSENT,
    "x": Attendance.Status.ABSENT,
    "신청": Attendance.Status.REGISTERED,
    "참가신청": Attendance.Status.REGISTERED,
    "registered": Attendance.Status.REGISTERED,
    "신청취소": Attendance.Status.CANCELLED,
    "취소": Attendance.Status.CANCELLED,
    "cancelled": Attendance.Status.CANCELLED,
}
# The organisation is found by 사업자등록번호, else by its exact name (_OrganisationLookup).
A = columns_by_key(
    Column(
        "organisation", "기관명", ("기관", "업체명", "회사명", "소속", "소속기관"), required=True
    ),
    Column("business_number", "사업자등록번호", ("사업자번호", "사업자 등록번호")),
    Column(
        "person",
        "참석자",
        ("이름", "성명", "참석자명"),
        required=True,
        parse=Text(50, required=True, empty=gettext_lazy("참석자 이름이 없습니다.")),
    ),
    Column("title", "직위", ("직책", "직급")),  # kept to its first 50 characters
    Column("email", "이메일", ("전자우편", "e-mail", "email"), parse=_email),
    Column(
        "status",
        "상태",
        ("참석여부", "구분"),
        parse=Choice(STATUS_LABELS, default=Attendance.Status.ATTENDED),
    ),
)
ATTENDANCE_COLUMNS = tuple(A.values())


class _OrganisationLookup:
    """Organisations by business number and by exact name (ambiguous names refused)."""

    def __init__(self, records: list[tuple[int, dict[str, str]]]) -> None:
        names = {row.get("organisation", "") for _n, row in records}
        numbers: set[str] = set()
        for _n, row in records:
            try:
                numbers.add(normalise_business_number(row.get("business_number", "")))
            except (ValidationError, ValueError):
                continue
        rows = Organisation.objects.filter(name_ko__in=names) | Organisation.objects.filter(
            business_number__in=numbers
        )
        self.by_number: dict[str, Organisation] = {}
        self.by_name: dict[str, list[Organisation]] = {}
        for org in rows.only("pk", "name_ko", "business_number", "kind"):
            if org.business_number:
                self.by_number[org.business_number] = org
            self.by_name.setdefault(org.name_ko, []).append(org)

    def find(self, row: Row) -> Organisation | None:
        """The row's organisation, by 사업자등록번호 if given, else by name; None (reported)."""
        raw_number = row.text("business_number")
        if raw_number:
            try:
                organisation = self.by_number.get(normalise_business_number(raw_number))
            except (ValidationError, ValueError):
                row.error(
                    "business_number", raw_number, _("사업자등록번호 형식이 올바르지 않습니다.")
                )
                return None
            if organisation is None:
                reason = _("이 사업자등록번호로 등록된 기관이 없습니다. 기관을 먼저 등록하세요.")
                row.error("business_number", raw_number, reason)
            return organisation
        name = row.text("organisation")
        candidates = self.by_name.get(name, [])
        if len(candidates) == 1:
            return candidates[0]
        reason = (
            _("등록되지 않은 기관입니다. 기관을 먼저 등록하거나 이름을 확인하세요.")
            if not candidates
            else _("같은 이름의 기관이 여럿입니다. 사업자등록번호 열을 채우세요.")
        )
        row.error("organisation", name, reason)
        return None


@dataclass
class _Attendee:
    organisation: Organisation
    person: str
    values: dict[str, Any]  # person_title, email, status


def _attendee(row: Row, lookup: _OrganisationLookup) -> tuple[Hashable, _Attendee] | None:
    """A row's attendee; the first bad cell (organisation, person, email, status) is reported."""
    organisation = lookup.find(row)
    if organisation is None:
        return None
    values = row.parse("person", "email", "status", first_error=True)
    if not row.ok:
        return None
    person = values["person"]
    fields = {
        "person_title": row.text("title")[:50],
        "email": values.get("email", ""),
        "status": values.get("status", Attendance.Status.ATTENDED),
    }
    return (organisation.pk, person), _Attendee(organisation, person, fields)


def _same_attendee(row: Row, attendee: _Attendee, first: int) -> None:
    reason = _("%(row)d행과 같은 기관·참석자입니다.") % {"row": first}
    row.error("person", attendee.person, reason)


def import_attendance(
    actor: Any,
    activity: Activity,
    source: Source,
    *,
    filename: str | None = None,
    dry_run: bool = False,
    audit_source: str = "import",
) -> ImportReport:
    """Record the attendance list of one activity from a CSV or XLSX file."""
    report = ImportReport(kind="attendance", dry_run=dry_run, batch=uuid.uuid4().hex)
    if actor is not None and not (
        Activity.objects.restrict(actor, "change").filter(pk=activity.pk).exists()
    ):
        raise NotAllowed(_("이 활동의 참석을 기록할 권한이 없습니다."))
    table, errors = read_table(source, ATTENDANCE_COLUMNS, filename=filename)
    if table is None:
        report.errors = errors
        return report
    lookup = _OrganisationLookup(list(table.records()))
    if activity.status == Activity.Status.CANCELLED:
        errors.append(
            RowError(1, "", activity.title, _("취소된 활동에는 참석을 기록할 수 없습니다."))
        )
    attendees = validate_rows(
        table,
        ATTENDANCE_COLUMNS,
        lambda row: _attendee(row, lookup),
        report=report,
        errors=errors,
        duplicate=_same_attendee,
    )
    if errors:
        return finish(report, errors)
    creates, updates = _attendance_plan(activity, attendees, report)
    if not dry_run:
        _write_attendance(actor, activity, creates, updates, report.batch, audit_source)
    return report


def _attendance_plan(
    activity: Activity, attendees: list[_Attendee], report: ImportReport
) -> tuple[list[Attendance], list[tuple[int, dict[str, Any]]]]:
    """New attendance rows and (pk, values) of changed ones; counted in `report`."""
    existing = {
        (org_id, name): pk
        for pk, org_id, name in activity.attendance.values_list(
            "pk", "organisation_id", "person_name"
        )
    }
    current = {
        row["pk"]: {
            "person_title": row["person_title"],
            "email": row["email"],
            "status": row["status"],
        }
        for row in activity.attendance.values("pk", "person_title", "email", "status")
    }
    creates: list[Attendance] = []
    updates: list[tuple[int, dict[str, Any]]] = []
    for attendee in attendees:
        pk = existing.get((attendee.organisation.pk, attendee.person))
        if pk is None:
            report.created += 1
            creates.append(
                Attendance(
                    activity=activity,
                    organisation=attendee.organisation,
                    person_name=attendee.person,
                    **attendee.values,
                )
            )
        elif current.get(pk) != attendee.values:
            report.updated += 1
            updates.append((pk, attendee.values))
        else:
            report.unchanged += 1
    return creates, updates


def _write_attendance(
    actor: Any,
    activity: Activity,
    creates: list[Attendance],
    updates: list[tuple[int, dict[str, Any]]],
    batch: str,
    audit_source: str,
) -> None:
    with transaction.atomic():
        _ensure_councils(actor, {activity.council_id}, "change")
        created = Attendance.objects.bulk_create(creates, batch_size=2000)
        audit.record_created(actor, created, source=audit_source, batch=batch)
        if not updates:
            return
        rows = Attendance.objects.in_bulk([pk for pk, _v in updates])
        entries = []
        changed = []
        for pk, values in updates:
            obj = rows[pk]
            before = audit.snapshot(obj)
            for name, value in values.items():
                setattr(obj, name, value)
            changed.append(obj)
            entries.append(
                audit.entry_for(
                    actor, obj, AuditAction.UPDATE, before, source=audit_source, batch=batch
                )
            )
        Attendance.objects.bulk_update(changed, ["person_title", "email", "status"])
        audit.record_many(entries)


def attendance_template_csv() -> bytes:
    """A UTF-8 (BOM) CSV with the header row that the importer reads, for download."""
    header = ",".join(column.label for column in ATTENDANCE_COLUMNS)
    example = "(주)창원기계,1234567891,김민준,대표,minjun@example.kr,참석"
    return ("\ufeff" + header + "\r\n" + example + "\r\n").encode("utf-8")


# --- iCalendar (RFC 5545) -------------------------------------------------------------------

PRODID = "-//KICOX//sandan councils//KO"


def ical_escape(text: str) -> str:
    return (
        text.replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\r\n", "\\n")
        .replace("\n", "\\n")
        .replace("\r", "\\n")
    )


def fold(line: str) -> str:
    """Fold a content line at 75 octets (RFC 5545 §3.1), never inside a UTF-8 character;
    continuation lines start with one space (which counts toward their 75 octets)."""
    parts: list[str] = []
    current = ""
    size = 0
    limit = 75
    for char in line:
        width = len(char.encode("utf-8"))
        if size + width > limit:
            parts.append(current)
            current, size, limit = "", 0, 74
        current += char
        size += width
    parts.append(current)
    return "\r\n ".join(parts)


def _utc(value: dt.datetime) -> str:
    return value.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ")


def activity_event(activity: Activity, stamp: dt.datetime, base_url: str = "") -> list[str]:
    ends = activity.ends_at or activity.starts_at + dt.timedelta(hours=2)
    council = activity.council
    description = "\n".join(
        part
        for part in (
            f"{council.name} · {activity.get_kind_display()}",
            activity.agenda.strip(),
        )
        if part
    )
    lines = [
        "BEGIN:VEVENT",
        f"UID:activity-{activity.pk}@sandan",
        f"DTSTAMP:{_utc(stamp)}",
        f"DTSTART:{_utc(activity.starts_at)}",
        f"DTEND:{_utc(ends)}",
        f"SUMMARY:{ical_escape(activity.title)}",
        f"DESCRIPTION:{ical_escape(description)}",
        f"CATEGORIES:{ical_escape(activity.get_kind_display())}",
        "STATUS:" + ("CANCELLED" if activity.status == Activity.Status.CANCELLED else "CONFIRMED"),
    ]
    if activity.place:
        lines.append(f"LOCATION:{ical_escape(activity.place)}")
    if base_url:
        lines.append(f"URL:{base_url}")
    lines.append("END:VEVENT")
    return lines


def activities_ics(
    activities: Iterable[Activity],
    *,
    name: str,
    now: dt.datetime | None = None,
    url_for: Any = None,
) -> str:
    """A VCALENDAR with one VEVENT per activity (activities need `council` loaded)."""
    stamp = now or clock.now()
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:{PRODID}",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        f"X-WR-CALNAME:{ical_escape(name)}",
        "X-WR-TIMEZONE:Asia/Seoul",
    ]
    for activity in activities:
        lines.extend(activity_event(activity, stamp, url_for(activity) if url_for else ""))
    lines.append("END:VCALENDAR")
    return "".join(fold(line) + "\r\n" for line in lines)


__all__ = [
    "ATTENDANCE_COLUMNS",
    "activities_ics",
    "attendance_template_csv",
    "fold",
    "ical_escape",
    "import_attendance",
]
