"""Problem import: CSV (UTF-8 or CP949) and XLSX, all-or-nothing with a per-row report."""

from __future__ import annotations

import io as stdio
from typing import Any

import pytest
from openpyxl import Workbook

from sandan.accounts.roles import Role
from sandan.accounts.tests.factories import user_with_role
from sandan.core.models import AuditEntry
from sandan.councils.tests.factories import ActivityFactory, CouncilFactory
from sandan.registry.tests.factories import ComplexFactory, OfficeFactory, province
from sandan.support.io import import_problems, problems_template_csv
from sandan.support.models import Problem
from sandan.support.tests.factories import firm_in_hub, hub_of_year, support_year

pytestmark = pytest.mark.django_db

HEADER = "사업자등록번호,제목,내용,원하는 지원,긴급도,활동\n"


def _csv(text: str, encoding: str = "utf-8", name: str = "애로과제.csv") -> Any:
    prefix = "\ufeff" if encoding == "utf-8" else ""
    data = stdio.BytesIO((prefix + text).encode(encoding))
    data.name = name
    return data


@pytest.fixture
def hub() -> Any:
    support_year()
    branch = OfficeFactory(code="changwon", name_ko="창원지사")
    return hub_of_year(
        ComplexFactory(name_ko="창원국가산업단지", province=province("48"), office=branch)
    )


@pytest.fixture
def firms(hub: Any) -> tuple[Any, Any]:
    return firm_in_hub(hub, name_ko="(주)창원기계"), firm_in_hub(hub, name_ko="(주)마산정밀")


@pytest.fixture
def coordinator(hub: Any) -> Any:
    return user_with_role(Role.COORDINATOR, office=hub.complex.office)


def test_a_good_file_creates_problems_with_suggestions_in_one_batch(
    coordinator: Any, firms: Any, hub: Any
) -> None:
    machine, precision = firms
    number = machine.business_number
    dashed = f"{number[:3]}-{number[3:5]}-{number[5:]}"
    report = import_problems(
        _csv(
            HEADER
            + f'{dashed},해외 전시회 참가 지원,"베트남 바이어를 만날 전시회 참가가 필요합니다.",'
            "공동관 참가 지원,높음,\n"
            f"{precision.business_number},CNC 신입 교육,신입 기능공 CNC 실습 교육 필요.,,,\n"
        ),
        coordinator,
    )
    assert report.ok and report.created == 2, report.errors
    problems = {p.title: p for p in Problem.objects.all()}
    fair = problems["해외 전시회 참가 지원"]
    assert fair.organisation == machine and fair.urgency == "high" and fair.hub == hub
    assert fair.source == Problem.Source.IMPORT and fair.submitted_by == coordinator
    assert fair.suggested_category is not None and fair.suggested_category.code == "TOTAL_MARKETING"
    assert problems["CNC 신입 교육"].urgency == "normal"
    batches = set(
        AuditEntry.objects.filter(content_type__model="problem").values_list("batch", flat=True)
    )
    assert batches == {report.batch}


def test_cp949_files_are_read(coordinator: Any, firms: Any) -> None:
    machine, _precision = firms
    report = import_problems(
        _csv(
            HEADER + f"{machine.business_number},도금 폐수 처리,폐수 처리 비용이 큽니다.,,긴급,\n",
            "cp949",
        ),
        coordinator,
    )
    assert report.ok, report.errors
    assert Problem.objects.get().urgency == "urgent"


def test_xlsx_files_are_read(coordinator: Any, firms: Any) -> None:
    machine, _precision = firms
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["사업자등록번호", "제목", "내용", "원하는 지원", "긴급도"])
    sheet.append(
        [
            machine.business_number,
            "ERP 도입 검토",
            "재고 관리가 엑셀이라 오류가 잦습니다.",
            "ERP 컨설팅",
            "보통",
        ]
    )
    data = stdio.BytesIO()
    book.save(data)
    data.seek(0)
    report = import_problems(data, coordinator, filename="애로과제.xlsx")
    assert report.ok and report.created == 1, report.errors


def test_one_bad_row_writes_nothing_and_every_error_is_listed(coordinator: Any, firms: Any) -> None:
    machine, precision = firms
    long_title = "가" * 201
    report = import_problems(
        _csv(
            HEADER
            + f"{machine.business_number},판로 개척,수출 준비가 필요합니다.,,,\n"
            + "1234567890,없는 기업,내용,,,\n"
            + f"{precision.business_number},{long_title},내용,,,\n"
            + f"{precision.business_number},제목,,,,\n"
            + f"{machine.business_number},판로 개척,다른 내용,,아주급함,\n"
        ),
        coordinator,
    )
    assert not report.ok
    found = {(e.row, e.column) for e in report.errors}
    assert found == {(3, "사업자등록번호"), (4, "제목"), (5, "내용"), (6, "긴급도")}
    assert not Problem.objects.exists()


def test_a_repeated_row_is_named(coordinator: Any, firms: Any) -> None:
    machine, _precision = firms
    row = f"{machine.business_number},판로 개척,수출 준비가 필요합니다.,,,\n"
    report = import_problems(_csv(HEADER + row + row), coordinator)
    assert [(e.row, e.column) for e in report.errors] == [(3, "제목")]
    assert "2행" in report.errors[0].reason


def test_firms_outside_the_importers_scope_are_refused(coordinator: Any, firms: Any) -> None:
    other_hub = hub_of_year(ComplexFactory(name_ko="반월국가산업단지", province=province("41")))
    outsider = firm_in_hub(other_hub, name_ko="(주)반월정밀")
    machine, _precision = firms
    report = import_problems(
        _csv(
            HEADER
            + f"{machine.business_number},판로 개척,수출 준비,,,\n"
            + f"{outsider.business_number},교육,CNC 교육,,,\n"
        ),
        coordinator,
    )
    assert [(e.row, e.column) for e in report.errors] == [(3, "사업자등록번호")]
    assert not Problem.objects.exists()


def test_activity_rows_link_to_their_activity(coordinator: Any, firms: Any, hub: Any) -> None:
    activity = ActivityFactory(council=CouncilFactory(hub=hub, zone=hub.zone))
    machine, _precision = firms
    report = import_problems(
        _csv(
            HEADER
            + f"{machine.business_number},금형 수명,금형이 빨리 마모됩니다.,,,{activity.pk}\n"
        ),
        coordinator,
    )
    assert report.ok, report.errors
    problem = Problem.objects.get()
    assert problem.activity == activity and problem.source == Problem.Source.ACTIVITY


def test_an_unknown_activity_is_refused(coordinator: Any, firms: Any) -> None:
    machine, _precision = firms
    report = import_problems(
        _csv(HEADER + f"{machine.business_number},금형 수명,금형 마모,,,99999\n"), coordinator
    )
    assert [(e.row, e.column) for e in report.errors] == [(2, "활동")]


def test_a_dry_run_reports_without_writing(coordinator: Any, firms: Any) -> None:
    machine, _precision = firms
    report = import_problems(
        _csv(HEADER + f"{machine.business_number},판로 개척,수출 준비,,,\n"),
        coordinator,
        dry_run=True,
    )
    assert report.ok and report.created == 1
    assert not Problem.objects.exists()
    assert not AuditEntry.objects.filter(content_type__model="problem").exists()


def test_a_file_without_the_required_columns_is_refused(coordinator: Any) -> None:
    report = import_problems(_csv("이름,전화\n김민준,010\n"), coordinator)
    assert not report.ok and report.errors[0].reason == "필수 열이 없습니다."


def test_the_template_reads_back(coordinator: Any) -> None:
    report = import_problems(
        _csv(problems_template_csv().decode("utf-8-sig")), coordinator, dry_run=True
    )
    # The template's example firm does not exist here: only that row is reported.
    assert [(e.row, e.column) for e in report.errors] == [(2, "사업자등록번호")]
