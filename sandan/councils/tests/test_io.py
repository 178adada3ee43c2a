"""Attendance import (all-or-nothing with per-row errors) and the iCalendar output."""

from __future__ import annotations

import datetime as dt
import io as stdio
import re
from typing import Any

import pytest
from django.utils import timezone
from openpyxl import Workbook

from sandan.accounts.roles import Role
from sandan.accounts.tests.factories import user_with_role
from sandan.core.models import AuditEntry
from sandan.core.services import NotAllowed
from sandan.councils.io import activities_ics, fold, import_attendance
from sandan.councils.models import Attendance
from sandan.councils.tests.factories import ActivityFactory
from sandan.registry.tests.factories import OrganisationFactory, province, valid_business_number

pytestmark = pytest.mark.django_db


def _csv(text: str, name: str = "참석자.csv") -> Any:
    data = stdio.BytesIO(("\ufeff" + text).encode("utf-8"))
    data.name = name
    return data


@pytest.fixture
def hq() -> Any:
    return user_with_role(Role.HQ_STAFF)


@pytest.fixture
def firms() -> tuple[Any, Any]:
    return (
        OrganisationFactory(name_ko="(주)창원기계", business_number=valid_business_number(101)),
        OrganisationFactory(name_ko="창원대학교", kind="university", business_number=None),
    )


def test_a_good_file_is_recorded_in_one_audit_batch(hq: Any, firms: Any) -> None:
    activity = ActivityFactory()
    machine, university = firms
    report = import_attendance(
        hq,
        activity,
        _csv(
            "기관명,사업자등록번호,참석자,직위,이메일,상태\n"
            f"(주)창원기계,{machine.business_number},김민준,대표,kim@example.kr,참석\n"
            "창원대학교,,박지훈,교수,,불참\n"
        ),
    )
    assert report.ok and report.created == 2, report.errors
    rows = {a.person_name: a for a in Attendance.objects.all()}
    assert rows["김민준"].organisation == machine and rows["김민준"].status == "attended"
    assert rows["박지훈"].organisation == university and rows["박지훈"].status == "absent"
    batches = AuditEntry.objects.filter(content_type__model="attendance").values_list(
        "batch", flat=True
    )
    assert set(batches) == {report.batch}

    again = import_attendance(hq, activity, _csv("기관명,참석자,상태\n창원대학교,박지훈,참석\n"))
    assert again.ok and again.updated == 1 and again.created == 0
    assert Attendance.objects.get(person_name="박지훈").status == "attended"


def test_one_bad_row_writes_nothing_and_every_bad_row_is_reported(hq: Any, firms: Any) -> None:
    activity = ActivityFactory()
    report = import_attendance(
        hq,
        activity,
        _csv(
            "기관명,사업자등록번호,참석자,이메일,상태\n"
            "(주)창원기계,,김민준,,참석\n"
            "없는회사(주),,이서연,,참석\n"
            "(주)창원기계,,,,참석\n"
            "창원대학교,,박지훈,not-an-email,참석\n"
            "창원대학교,,최유진,,모름\n"
            "(주)창원기계,,김민준,,참석\n"
        ),
    )
    assert not report.ok
    by_row = {(e.row, e.column): e.reason for e in report.errors}
    assert "등록되지 않은 기관" in by_row[(3, "기관명")]
    assert (4, "참석자") in by_row
    assert (5, "이메일") in by_row
    assert (6, "상태") in by_row
    assert "2행" in by_row[(7, "참석자")]
    assert not Attendance.objects.exists() and not AuditEntry.objects.exists()


def test_a_missing_required_column_is_reported(hq: Any) -> None:
    report = import_attendance(hq, ActivityFactory(), _csv("기관명,직위\n(주)창원기계,대표\n"))
    assert [e.column for e in report.errors] == ["참석자"]


def test_xlsx_and_dry_run(hq: Any, firms: Any) -> None:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["기관명", "참석자", "직위"])
    sheet.append(["(주)창원기계", "김민준", "대표"])
    data = stdio.BytesIO()
    book.save(data)
    data.name = "참석자.xlsx"
    report = import_attendance(hq, ActivityFactory(), data, dry_run=True)
    assert report.ok and report.created == 1
    assert not Attendance.objects.exists()


def test_import_outside_scope_is_refused(firms: Any) -> None:
    activity = ActivityFactory()  # capital zone
    staff = user_with_role(Role.REGIONAL_STAFF, zone=province("48").zone)
    with pytest.raises(NotAllowed):
        import_attendance(staff, activity, _csv("기관명,참석자\n(주)창원기계,김민준\n"))


# iCalendar --------------------------------------------------------------------------


def _unfold(text: str) -> list[str]:
    return text.replace("\r\n ", "").split("\r\n")


def test_ics_has_a_calendar_and_korean_events() -> None:
    activity = ActivityFactory(
        title="스마트 공정 자동화 세미나; 1차, 창원",
        starts_at=timezone.make_aware(dt.datetime(2010, 5, 12, 14, 0)),
        place="창원 산업단지 지원센터",
    )
    text = activities_ics([activity], name="창원 기계부품 미니클러스터")
    lines = _unfold(text)
    assert lines[0] == "BEGIN:VCALENDAR" and "END:VCALENDAR" in lines
    assert "VERSION:2.0" in lines and any(line.startswith("PRODID:") for line in lines)
    assert "BEGIN:VEVENT" in lines and "END:VEVENT" in lines
    assert "DTSTART:20100512T050000Z" in lines  # 14:00 KST
    assert "SUMMARY:스마트 공정 자동화 세미나\\; 1차\\, 창원" in lines
    assert "\n" not in text.replace("\r\n", "")  # CRLF only


def test_long_utf8_lines_are_folded_at_75_octets() -> None:
    long_title = "산업단지 클러스터 네트워킹 " * 12
    text = activities_ics([ActivityFactory(title=long_title)], name="일정")
    for line in text.split("\r\n"):
        assert len(line.encode("utf-8")) <= 75
        line.encode("utf-8").decode("utf-8")  # no character split across lines
    assert f"SUMMARY:{long_title}" in _unfold(text)


def test_fold_counts_octets_not_characters() -> None:
    folded = fold("SUMMARY:" + "가" * 40)  # 8 + 120 octets
    first, *rest = folded.split("\r\n")
    assert len(first.encode()) <= 75 and all(part.startswith(" ") for part in rest)
    assert re.sub(r"\r\n ", "", folded) == "SUMMARY:" + "가" * 40
