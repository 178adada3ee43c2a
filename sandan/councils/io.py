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
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from sandan.core import audit
from sandan.core.io import (
    Column,
    ImportReport,
    RowError,
    Source,
    parse_choice,
    read_table,
)
from sandan.core.models import AuditAction
from sandan.core.services import NotAllowed
from sandan.councils.models import Activity, Attendance
from sandan.councils.services import _ensure_councils
from sandan.registry.models import Organisation
from sandan.registry.validators import normalise_business_number

# --- attendance import ----------------------------------------------------------------------

A = {
    "organisation": Column(
        "organisation", "기관명", ("기관", "업체명", "회사명", "소속", "소속기관"), required=True
    ),
    "business_number": Column(
        "business_number", "사업자등록번호", ("사업자번호", "사업자 등록번호")
    ),
    "person": Column("person", "참석자", ("이름", "성명", "참석자명"), required=True),
    "title": Column("title", "직위", ("직책", "직급")),
    "email": Column("email", "이메일", ("전자우편", "e-mail", "email")),
    "status": Column("status", "상태", ("참석여부", "구분")),
}
ATTENDANCE_COLUMNS = tuple(A.values())
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


class _OrganisationLookup:
    """Organisations by business number and by exact name (ambiguous names refused)."""

    def __init__(self, names: set[str], numbers: set[str]) -> None:
        rows = Organisation.objects.filter(name_ko__in=names) | Organisation.objects.filter(
            business_number__in=numbers
        )
        self.by_number: dict[str, Organisation] = {}
        self.by_name: dict[str, list[Organisation]] = {}
        for org in rows.only("pk", "name_ko", "business_number", "kind"):
            if org.business_number:
                self.by_number[org.business_number] = org
            self.by_name.setdefault(org.name_ko, []).append(org)


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
    records = list(table.records())
    names = {row.get("organisation", "") for _n, row in records}
    numbers: set[str] = set()
    for _n, row in records:
        try:
            numbers.add(normalise_business_number(row.get("business_number", "")))
        except (ValidationError, ValueError):
            continue
    lookup = _OrganisationLookup(names, numbers)
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
    seen: dict[tuple[int, str], int] = {}
    if activity.status == Activity.Status.CANCELLED:
        errors.append(
            RowError(1, "", activity.title, _("취소된 활동에는 참석을 기록할 수 없습니다."))
        )

    for number, row in records:
        report.total_rows += 1
        org_name = row.get("organisation", "")
        raw_number = row.get("business_number", "")
        organisation: Organisation | None = None
        if raw_number:
            try:
                organisation = lookup.by_number.get(normalise_business_number(raw_number))
            except (ValidationError, ValueError):
                errors.append(
                    RowError(
                        number,
                        A["business_number"].label,
                        raw_number,
                        _("사업자등록번호 형식이 올바르지 않습니다."),
                    )
                )
                continue
            if organisation is None:
                errors.append(
                    RowError(
                        number,
                        A["business_number"].label,
                        raw_number,
                        _("이 사업자등록번호로 등록된 기관이 없습니다. 기관을 먼저 등록하세요."),
                    )
                )
                continue
        else:
            candidates = lookup.by_name.get(org_name, [])
            if not candidates:
                errors.append(
                    RowError(
                        number,
                        A["organisation"].label,
                        org_name,
                        _("등록되지 않은 기관입니다. 기관을 먼저 등록하거나 이름을 확인하세요."),
                    )
                )
                continue
            if len(candidates) > 1:
                errors.append(
                    RowError(
                        number,
                        A["organisation"].label,
                        org_name,
                        _("같은 이름의 기관이 여럿입니다. 사업자등록번호 열을 채우세요."),
                    )
                )
                continue
            organisation = candidates[0]
        person = " ".join(row.get("person", "").split())
        if not person:
            errors.append(RowError(number, A["person"].label, "", _("참석자 이름이 없습니다.")))
            continue
        if len(person) > 50:
            errors.append(
                RowError(number, A["person"].label, person, _("50자를 넘을 수 없습니다."))
            )
            continue
        email = row.get("email", "").strip()
        if email:
            try:
                validate_email(email)
            except ValidationError:
                errors.append(
                    RowError(number, A["email"].label, email, _("이메일 형식이 아닙니다."))
                )
                continue
        try:
            status = parse_choice(
                row.get("status", ""), STATUS_LABELS, default=Attendance.Status.ATTENDED
            )
        except ValueError as exc:
            errors.append(RowError(number, A["status"].label, row.get("status", ""), str(exc)))
            continue
        key = (organisation.pk, person)
        if key in seen:
            errors.append(
                RowError(
                    number,
                    A["person"].label,
                    person,
                    _("%(row)d행과 같은 기관·참석자입니다.") % {"row": seen[key]},
                )
            )
            continue
        seen[key] = number
        values = {"person_title": row.get("title", "")[:50], "email": email, "status": status}
        pk = existing.get(key)
        if pk is None:
            report.created += 1
            creates.append(
                Attendance(
                    activity=activity, organisation=organisation, person_name=person, **values
                )
            )
        elif current.get(pk) != values:
            report.updated += 1
            updates.append((pk, values))
        else:
            report.unchanged += 1

    report.errors = sorted(errors, key=lambda e: e.row)
    if report.errors:
        report.created = report.updated = report.unchanged = 0
        return report
    if dry_run:
        return report
    with transaction.atomic():
        _ensure_councils(actor, {activity.council_id}, "change")
        created = Attendance.objects.bulk_create(creates, batch_size=2000)
        audit.record_created(actor, created, source=audit_source, batch=report.batch)
        if updates:
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
                        actor,
                        obj,
                        AuditAction.UPDATE,
                        before,
                        source=audit_source,
                        batch=report.batch,
                    )
                )
            Attendance.objects.bulk_update(changed, ["person_title", "email", "status"])
            audit.record_many(entries)
    return report


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
    stamp = now or timezone.now()
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
