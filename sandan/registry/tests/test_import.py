"""Importers: all-or-nothing, idempotent, Korean files as published (CP949, XLSX, variants)."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.db.models import Count
from django.test import Client
from django.urls import reverse

from sandan.accounts.roles import Role
from sandan.accounts.tests.factories import user_with_role
from sandan.core import audit
from sandan.core.models import AuditEntry
from sandan.registry.io import import_complexes, import_organisations
from sandan.registry.models import Complex, ComplexStat, Organisation
from sandan.registry.reference import load_reference
from sandan.registry.tests.factories import valid_business_number

pytestmark = pytest.mark.django_db
KICOX_CSV = Path(settings.BASE_DIR) / "data" / "kicox_complexes_20251231.csv"


@pytest.fixture
def reference() -> None:
    load_reference()


def _csv(text: str, encoding: str = "utf-8") -> io.BytesIO:
    data = io.BytesIO(text.encode(encoding))
    data.name = "upload.csv"
    return data


def _bn(seed: int) -> str:
    number = valid_business_number(seed)
    return f"{number[:3]}-{number[3:5]}-{number[5:]}"


def test_shipped_kicox_list_imports_once(reference: None) -> None:
    report = import_complexes(KICOX_CSV)
    assert report.ok, report.errors[:5]
    assert (report.created, report.updated, report.unchanged) == (1363, 0, 0)
    counts = dict(Complex.objects.values_list("kind").annotate(n=Count("pk")).order_by())
    assert counts == {
        "national": 59, "general": 765, "urban_high_tech": 54, "agro_industrial": 485,
    }  # fmt: skip
    assert not Complex.objects.filter(office__isnull=True).exists()
    guro = Complex.objects.get(name_ko="한국수출산업", province__code="11")
    assert guro.kicox_id == "111001"
    assert guro.municipality is not None and guro.municipality.name_ko == "구로구"
    assert guro.designated_area_1000m2 == Decimal("1922.0")
    # The file name carries the date: 입주/가동 become the 2025 Q4 figures.
    assert ComplexStat.objects.filter(year=2025, quarter=4).count() == 1363
    assert AuditEntry.objects.filter(batch=report.batch).count() == 2 * 1363

    audit_rows = AuditEntry.objects.count()
    again = import_complexes(KICOX_CSV)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 1363)
    assert AuditEntry.objects.count() == audit_rows
    assert Complex.objects.count() == 1363


def test_dry_run_writes_nothing(reference: None) -> None:
    report = import_complexes(KICOX_CSV, dry_run=True)
    assert report.ok and report.dry_run and report.created == 1363
    assert not Complex.objects.exists() and not AuditEntry.objects.exists()


CP949_VARIANTS = (
    "단지유형,시도,시·군·구,산업단지명,개발상태,지정면적(천㎡),관리면적(천㎡),입주업체수,가동업체수,"
    "고용(명),생산(억원),수출(백만불)\n"
    '국가산업단지,경상남도,창원시 성산구,창원국가산업단지,완료,"25,299","25,299","2,981","2,850",'
    '"126,041","579,812.5","18,032.1"\n'
    "농공단지,강원도,횡성군,우천농공단지,조성중,-,-,,,-,-,-\n"
    "일반산업단지,전라북도,완주,완주과학산업단지,완료,6302,6302,199,185,9200,31000,520\n"
)


def test_cp949_csv_with_variant_headers(reference: None) -> None:
    report = import_complexes(_csv(CP949_VARIANTS, "cp949"), as_of=dt.date(2010, 3, 31))
    assert report.ok, report.errors
    assert report.created == 3
    changwon = Complex.objects.get(name_ko="창원국가산업단지")
    assert (changwon.kind, changwon.province.code) == ("national", "48")
    assert changwon.municipality is not None and changwon.municipality.code == "48123"
    assert changwon.office is not None and changwon.office.code == "changwon"
    assert changwon.kicox_id.startswith("148")
    stat = ComplexStat.objects.get(complex=changwon, year=2010, quarter=1)
    assert stat.employment_persons == 126041 and stat.output_100m_krw == Decimal("579812.5")
    ucheon = Complex.objects.get(name_ko="우천농공단지")
    assert ucheon.province.code == "51" and ucheon.status == "under_construction"
    assert ucheon.tenants == 0 and ucheon.designated_area_1000m2 == 0
    wanju = Complex.objects.get(name_ko="완주과학산업단지")
    assert wanju.province.code == "52" and wanju.municipality.name_ko == "완주군"  # type: ignore[union-attr]


def test_xlsx_with_title_rows_and_square_metres(reference: None) -> None:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(["전국산업단지현황통계 (2009년 4/4분기)"])
    sheet.append(["단위: ㎡, 개사"])
    sheet.append([])
    sheet.append(
        ["구분", "시도", "시군", "단지명", "단계", "지정면적(㎡)", "입주(개사)", "가동(개사)"]
    )
    sheet.append(["국가", "경기", "안산시", "반월특수", "완료", 15_200_000, 6_543, 6_012])
    sheet.append(["농공", "충북", "청주시 청원구", "오창농공", "완료", 350_456.0, 42, 40])
    sheet.append(["합계", None, None, None, None, 15_550_456, 6_585, 6_052])
    buffer = io.BytesIO()
    workbook.save(buffer)
    upload = SimpleUploadedFile("산업단지현황_20091231.xlsx", buffer.getvalue())
    report = import_complexes(upload, filename=upload.name)
    assert report.ok, report.errors
    assert report.total_rows == 2 and report.created == 2
    banwol = Complex.objects.get(name_ko="반월특수")
    assert banwol.designated_area_1000m2 == Decimal("15200.0")
    assert banwol.office is not None and banwol.office.code == "banwol-sihwa"
    assert ComplexStat.objects.get(complex=banwol, year=2009, quarter=4).tenants == 6543


BAD_COMPLEXES = (
    "유형,시도,시군,단지명,입주업체,가동업체\n"
    "국가,경기,안산시,반월,3000,2900\n"
    "국가,경긱,시흥시,시화,2000,1900\n"  # 3: unknown province
    "일반,충북,청주시,오창과학,12만,100\n"  # 4: not a number
    "공업,충남,아산시,인주,10,5\n"  # 5: unknown kind
    "국가,경기,안산시,반월,3000,2900\n"  # 6: same complex as row 2
)


def test_bad_complex_file_reports_every_row_and_writes_nothing(reference: None) -> None:
    report = import_complexes(_csv(BAD_COMPLEXES))
    assert not report.ok
    found = {(e.row, e.column, e.value) for e in report.errors}
    assert found == {
        (3, "시도", "경긱"),
        (4, "입주업체", "12만"),
        (5, "유형", "공업"),
        (6, "단지명", "반월"),
    }
    assert not Complex.objects.exists() and not AuditEntry.objects.exists()


def test_wrong_header_is_one_error_on_row_1(reference: None) -> None:
    report = import_complexes(_csv("name,type,sido\n반월,국가,경기\n"))
    assert len(report.errors) == 1
    assert report.errors[0].row == 1 and "단지명" in report.errors[0].column


def _organisation_csv(rows: list[str]) -> io.BytesIO:
    header = (
        "기관구분,기관명,영문명,사업자등록번호,업종코드,종업원수,단지코드,주소,담당자,이메일,전화\n"
    )
    return _csv(header + "".join(row + "\n" for row in rows))


def test_organisations_import_and_second_run_changes_nothing(reference: None) -> None:
    import_complexes(KICOX_CSV)
    rows = [
        f"기업,(주)한빛정밀,Hanbit Precision,{_bn(1)},29172,35,241001,"
        "경기도 안산시 단원구 산단로 12,김민준,mj.kim@hanbit.example.kr,031-490-1234",
        f'기업,대성금형,,{_bn(2)},C25,"1,200",241001,,,,',
        "대학,한양대학교 ERICA,Hanyang University ERICA,,,,,경기도 안산시 상록구 한양대학로 55,,,",
    ]
    report = import_organisations(_organisation_csv(rows))
    assert report.ok, report.errors
    assert report.created == 3
    hanbit = Organisation.objects.get(name_ko="(주)한빛정밀")
    assert hanbit.business_number == valid_business_number(1)
    assert hanbit.industry is not None and hanbit.industry.code == "29172"
    assert hanbit.complex is not None and hanbit.complex.kicox_id == "241001"
    assert hanbit.is_small_firm
    assert Organisation.objects.get(name_ko="대성금형").employees == 1200
    assert Organisation.objects.get(name_ko="한양대학교 ERICA").business_number is None

    again = import_organisations(_organisation_csv(rows))
    assert (again.created, again.updated, again.unchanged) == (0, 0, 3)

    rows[1] = rows[1].replace('"1,200"', "48")
    changed = import_organisations(_organisation_csv(rows))
    assert (changed.created, changed.updated, changed.unchanged) == (0, 1, 2)
    entry = AuditEntry.objects.get(batch=changed.batch)
    assert entry.action == "update" and entry.changes["employees"] == [1200, 48]


def test_bulk_audit_matches_entry_for(reference: None) -> None:
    report = import_organisations(_organisation_csv([f"기업,세진테크,,{_bn(7)},,12,,,,,"]))
    organisation = Organisation.objects.get(name_ko="세진테크")
    bulk = AuditEntry.objects.get(batch=report.batch)
    expected = audit.entry_for(None, organisation, "create", {})
    assert bulk.changes == expected.changes
    assert (bulk.object_id, bulk.object_repr, bulk.content_type) == (
        expected.object_id, expected.object_repr, expected.content_type,
    )  # fmt: skip


def test_bad_organisation_file_writes_nothing(reference: None) -> None:
    import_complexes(KICOX_CSV)
    good = _bn(3)
    rows = [
        f"기업,(주)동진산업,,{good},29172,20,241001,,,,",
        "기업,(주)오류상사,,123-45-67890,29172,20,241001,,,,",  # 3: bad check digit
        f"기업,(주)미래화학,,{_bn(4)},99999,20,241001,,,,",  # 4: unknown KSIC
        f"기업,(주)서해기계,,{_bn(5)},29172,20,999999,,,,",  # 5: unknown complex
        f"기업,(주)동진산업 2공장,,{good},29172,20,241001,,,,",  # 6: duplicate number
        "기업,(주)번호없음,,,29172,20,241001,,,,",  # 7: company without a number
    ]
    report = import_organisations(_organisation_csv(rows))
    found = {(e.row, e.column) for e in report.errors}
    assert found == {
        (3, "사업자등록번호"),
        (4, "업종코드"),
        (5, "단지코드"),
        (6, "사업자등록번호"),
        (7, "사업자등록번호"),
    }
    assert next(e for e in report.errors if e.row == 4).value == "99999"
    assert not Organisation.objects.exists()


def test_command_fails_on_bad_file(
    reference: None, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "bad.csv"
    path.write_text(BAD_COMPLEXES, encoding="utf-8")
    with pytest.raises(CommandError):
        call_command("import_complexes", str(path), skip_checks=True)
    assert "row 3, column 시도, value '경긱'" in capsys.readouterr().err
    assert not Complex.objects.exists()


def test_command_dry_run(reference: None, capsys: pytest.CaptureFixture[str]) -> None:
    call_command("import_complexes", str(KICOX_CSV), "--dry-run", skip_checks=True)
    assert "1363 would be created" in capsys.readouterr().out
    assert not Complex.objects.exists()


def _upload(client: Client, content: str, kind: str = "complexes", dry_run: bool = False):  # type: ignore[no-untyped-def]
    data = {"kind": kind, "file": SimpleUploadedFile("complexes.csv", content.encode("utf-8"))}
    if dry_run:
        data["dry_run"] = "on"
    return client.post(reverse("registry:import"), data)


def test_hq_staff_uploads_a_complex_list(reference: None, client: Client) -> None:
    client.force_login(user_with_role(Role.HQ_STAFF))
    assert client.get(reverse("registry:import")).status_code == 200
    response = _upload(client, CP949_VARIANTS)
    assert response.status_code == 200
    assert Complex.objects.count() == 3
    entry = AuditEntry.objects.filter(source="web").first()
    assert entry is not None and entry.actor is not None


def test_company_user_may_not_import(reference: None, client: Client) -> None:
    client.force_login(user_with_role(Role.COMPANY_USER))
    assert client.get(reverse("registry:import")).status_code == 403
    assert _upload(client, CP949_VARIANTS).status_code == 403
    assert not Complex.objects.exists()


def test_bad_upload_shows_every_error_with_400(reference: None, client: Client) -> None:
    client.force_login(user_with_role(Role.HQ_STAFF))
    response = _upload(client, BAD_COMPLEXES)
    assert response.status_code == 400
    html = response.content.decode()
    assert "경긱" in html and "12만" in html and "공업" in html
    assert not Complex.objects.exists()


def _planner_rows(table: str) -> float:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT reltuples FROM pg_class WHERE relname = %s", [table])
        return float(cursor.fetchone()[0])


@pytest.mark.skipif(
    settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql",
    reason="planner statistics are PostgreSQL's (SQLite needs none)",
)
def test_a_large_import_gives_postgresql_statistics_at_once(reference: None) -> None:
    # Without ANALYZE the planner knows nothing of the 1,363 new rows until autovacuum runs,
    # which on some servers is never. Start from statistics of the empty tables (pg_class is
    # updated in place, so an earlier test's ANALYZE would otherwise linger).
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE registry_complex")
        cursor.execute("ANALYZE registry_complexstat")
    assert _planner_rows("registry_complex") <= 0
    report = import_complexes(KICOX_CSV)
    assert report.ok and report.created == 1363
    assert _planner_rows("registry_complex") == 1363
    assert _planner_rows("registry_complexstat") == 1363


def test_small_imports_and_dry_runs_leave_statistics_alone(
    reference: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[tuple[str, ...]] = []
    monkeypatch.setattr(
        "sandan.registry.io.complexes.refresh_statistics",
        lambda *models: calls.append(tuple(m._meta.label for m in models)),
    )
    import_complexes(KICOX_CSV, dry_run=True)
    assert calls == []
    import_complexes(KICOX_CSV)
    assert calls == [("registry.Complex", "registry.ComplexStat", "core.AuditEntry")]
    rows = f"기관명,사업자등록번호,기관구분\n(주)한빛정밀,{_bn(1)},기업\n"
    import_organisations(_csv(rows))
    assert len(calls) == 1  # one row: below ANALYSE_AFTER_ROWS
