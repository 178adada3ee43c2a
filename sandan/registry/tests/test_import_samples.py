"""The import page offers a sample file for each importer, written from the importer's own
column description: downloading it and uploading it back imports cleanly, so the two cannot
drift apart."""

from __future__ import annotations

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from sandan.accounts.roles import Role
from sandan.accounts.tests.factories import user_with_role
from sandan.registry.io import (
    COMPLEX_COLUMNS,
    COMPLEX_EXAMPLE,
    ORGANISATION_COLUMNS,
    ORGANISATION_EXAMPLE,
)
from sandan.registry.models import Complex, Organisation
from sandan.registry.reference import load_reference

pytestmark = pytest.mark.django_db


@pytest.fixture
def hq(client: Client) -> Client:
    load_reference()
    client.force_login(user_with_role(Role.HQ_STAFF))
    return client


def _download(client: Client, kind: str) -> bytes:
    response = client.get(reverse("registry:import"), {"sample": kind})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert f'filename="sample-{kind}.csv"' in response["Content-Disposition"]
    return response.content


def _upload(client: Client, kind: str, content: bytes, dry_run: bool) -> str:
    data = {"kind": kind, "file": SimpleUploadedFile(f"sample-{kind}.csv", content)}
    if dry_run:
        data["dry_run"] = "on"
    response = client.post(reverse("registry:import"), data)
    assert response.status_code == 200, response.content.decode()
    return response.content.decode()


def test_every_column_the_importer_reads_has_an_example() -> None:
    assert set(COMPLEX_EXAMPLE) == {column.key for column in COMPLEX_COLUMNS}
    assert set(ORGANISATION_EXAMPLE) == {column.key for column in ORGANISATION_COLUMNS}


def test_the_page_links_both_samples_and_names_their_columns(hq: Client) -> None:
    html = hq.get(reverse("registry:import")).content.decode()
    assert "?sample=complexes" in html and "?sample=organisations" in html
    assert "생산(억원)" in html and "사업자등록번호" in html


def test_a_downloaded_sample_is_excel_ready_and_lists_every_column(hq: Client) -> None:
    content = _download(hq, "complexes")
    assert content.startswith("\ufeff".encode())  # Excel needs the BOM to read Hangul
    header, row = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    assert len(header) == len(COMPLEX_COLUMNS) == len(row)
    assert header[:4] == ["유형", "시도", "시군", "단지명"]
    assert "창원국가산업단지" in row


def test_both_samples_upload_back_without_an_error(hq: Client) -> None:
    complexes = _download(hq, "complexes")
    html = _upload(hq, "complexes", complexes, dry_run=True)
    assert "오류가 없습니다" in html
    assert not Complex.objects.exists()
    _upload(hq, "complexes", complexes, dry_run=False)
    changwon = Complex.objects.get()
    assert changwon.name_ko == "창원국가산업단지" and changwon.tenants == 2900

    # the organisation sample's firm sits in the sample complex
    _upload(hq, "organisations", _download(hq, "organisations"), dry_run=False)
    firm = Organisation.objects.get()
    assert firm.name_ko == "(주)대성정밀" and firm.complex == changwon
    assert firm.industry is not None and firm.industry.code == "29"
