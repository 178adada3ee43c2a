"""The outcome report as a PDF: valid, Hangul embedded (text extracts as Korean), the same
figures as the dashboard, and the same scope (zone, own firm, login)."""

from __future__ import annotations

import io
from typing import Any

import pypdf
import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from sandan.accounts.roles import Role
from sandan.accounts.tests.factories import user_with_role
from sandan.program.models import ProgramYear
from sandan.registry.models import Organisation
from sandan.registry.tests.factories import ComplexFactory, OfficeFactory, province
from sandan.support import services
from sandan.support.models import Project
from sandan.support.tests.factories import firm_in_hub, hub_of_year, ready_project, support_year

pytestmark = pytest.mark.django_db

ANSWERS = {"overall": 5, "timeliness": 4, "expertise": 5, "usefulness": 4, "recommend": 3}
PDF_URL = reverse("support:outcome_report_pdf")
DASHBOARD_URL = reverse("support:outcome_dashboard")
# Session, user, memberships, program years and the aggregates of `outcome_figures`: the
# same number however many firms, hubs and zones the report lists.
QUERIES = 12


@pytest.fixture
def hub() -> Any:
    support_year()
    complex_ = ComplexFactory(
        name_ko="창원국가산업단지",
        kind="national",
        province=province("48"),
        office=OfficeFactory(code="changwon", name_ko="창원지사"),
    )
    return hub_of_year(complex_)


@pytest.fixture
def firm(hub: Any) -> Organisation:
    return firm_in_hub(hub, name_ko="(주)창원정밀")


@pytest.fixture
def capital_hub() -> Any:
    support_year()
    return hub_of_year(
        ComplexFactory(name_ko="반월시화국가산업단지", kind="national", province=province("41"))
    )


def _running(hub: Any, lead: Organisation) -> Project:
    project = services.submit_project(None, ready_project(hub=hub, lead=lead))
    return services.start_project(None, services.approve_project(None, project))


def _text(content: bytes) -> str:
    reader = pypdf.PdfReader(io.BytesIO(content))
    return "\n".join(page.extract_text() for page in reader.pages)


def _pdf(client: Client, user: Any, **params: str) -> str:
    client.force_login(user)
    response = client.get(PDF_URL, {"year": "2010", **params})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    return _text(response.content)


def test_the_pdf_has_the_dashboards_figures_in_hangul_that_is_embedded(
    client: Client, hub: Any, firm: Organisation
) -> None:
    project = _running(hub, firm)
    services.record_outcome(
        None,
        project,
        firm,
        patents_filed=3,
        prototypes=2,
        new_hires=4,
        sales_increase_krw=12_345_678_900,
        exports_increase_usd=250_000,
    )
    token = services.complete_project(None, project)[0][1]
    services.answer_survey(token, ANSWERS, "")
    client.force_login(user_with_role(Role.HQ_STAFF))
    dashboard = client.get(DASHBOARD_URL, {"year": "2010"})
    overall = dashboard.context["overall"]
    category = dashboard.context["by_category"][0]["name"]
    assert category == project.category.name_ko

    response = client.get(PDF_URL, {"year": "2010"})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="sandan-outcomes-2010.pdf"'
    assert response.content.startswith(b"%PDF-")
    reader = pypdf.PdfReader(io.BytesIO(response.content))
    text = "\n".join(page.extract_text() for page in reader.pages)

    # Korean comes back out of the file: the glyphs are embedded with a Unicode map.
    for words in (
        "지원과제 성과 보고서",
        "2010년 사업",
        "범위: 전국",
        "분야별 성과 건수",
        "지원서비스 분야별 성과 합계",
        "거점단지별",
        "권역별",
        "합계",
        category,
        "창원국가산업단지",
        "동남권",
        "전반적 만족도",
    ):
        assert words in text, words
    # The dashboard's numbers, with thousands separators.
    assert overall["sales_increase_krw"] == 12_345_678_900
    assert "12,345,678,900" in text  # the tables
    assert "12,346" in text  # the key figure in millions of won
    assert f"{overall['exports_increase_usd']:,}" == "250,000" and "250,000" in text
    assert "3 / 0" in text  # patents filed / granted
    assert "5.00" in text and "4.00" in text and "3.00" in text  # the averages of one answer
    assert "100.0%" in text  # one survey sent, one answered

    assert reader.metadata is not None and reader.metadata.title == "지원과제 성과 보고서"
    assert reader.trailer["/Root"]["/Lang"] == "ko"
    fonts = reader.pages[0]["/Resources"]["/Font"]
    for font in fonts.values():
        font = font.get_object()
        assert "/ToUnicode" in font
        descendant = font["/DescendantFonts"][0].get_object()
        assert "/FontFile2" in descendant["/FontDescriptor"]  # embedded, not the viewer's
        assert str(font["/BaseFont"]).split("+")[1].startswith("PretendardGOV")


def test_the_dashboard_links_the_pdf_with_its_filters(client: Client, hub: Any) -> None:
    client.force_login(user_with_role(Role.HQ_STAFF))
    body = client.get(DASHBOARD_URL, {"year": "2010", "zone": "dongnam"}).content.decode()
    assert f'href="{PDF_URL}?year=2010&amp;zone=dongnam"' in body
    assert "PDF로 내려받기" in body


def test_a_regional_user_gets_the_figures_of_their_zone_only(
    client: Client, hub: Any, firm: Organisation, capital_hub: Any
) -> None:
    services.record_outcome(None, _running(hub, firm), firm, new_hires=4, cost_saved_krw=7_777_777)
    capital_firm = firm_in_hub(capital_hub, name_ko="(주)시화금속")
    services.record_outcome(
        None, _running(capital_hub, capital_firm), capital_firm, cost_saved_krw=9_876_543
    )
    regional = user_with_role(Role.REGIONAL_STAFF, zone=hub.zone)
    text = _pdf(client, regional)
    assert "창원국가산업단지" in text and "7,777,777" in text
    assert "반월시화국가산업단지" not in text and "9,876,543" not in text
    assert "17,654,320" not in text  # nor the national total
    assert f"범위: {hub.zone.name_ko}" in text
    # A zone filter is not theirs to set: it is ignored, the scope still holds.
    text = _pdf(client, regional, zone="capital")
    assert "9,876,543" not in text and "7,777,777" in text

    # National staff narrow the report to a zone, as on the dashboard.
    hq = user_with_role(Role.HQ_STAFF)
    text = _pdf(client, hq)
    assert "7,777,777" in text and "9,876,543" in text and "17,654,320" in text
    text = _pdf(client, hq, zone="capital")
    assert "9,876,543" in text and "7,777,777" not in text
    assert "반월시화국가산업단지" in text and "창원국가산업단지" not in text


def test_a_company_gets_only_its_own_figures(client: Client, hub: Any, firm: Organisation) -> None:
    project = _running(hub, firm)
    partner = firm_in_hub(hub, name_ko="(주)마산금속")
    project.participants.create(organisation=partner, role="firm")
    services.record_outcome(None, project, firm, patents_filed=1, sales_increase_krw=7_000_000)
    services.record_outcome(None, project, partner, patents_filed=4, sales_increase_krw=9_999_999)
    company = user_with_role(Role.COMPANY_USER, organisation=firm)
    client.force_login(company)
    dashboard = client.get(DASHBOARD_URL, {"year": "2010"})
    assert dashboard.context["overall"]["sales_increase_krw"] == 7_000_000
    text = _pdf(client, company)
    assert "7,000,000" in text
    assert "9,999,999" not in text and "16,999,999" not in text
    assert "(주)창원정밀" in text  # the scope line names the firm


def test_bad_filters_are_ignored_and_anonymous_users_are_sent_to_log_in(
    client: Client, hub: Any, firm: Organisation
) -> None:
    response = client.get(PDF_URL, {"year": "2010"})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse(settings.LOGIN_URL))
    services.record_outcome(None, _running(hub, firm), firm, certifications=2)
    text = _pdf(client, user_with_role(Role.HQ_STAFF), year="abc", zone="nowhere", hub="12")
    assert "2010년 사업" in text and "범위: 전국" in text


def test_without_a_program_year_there_is_no_report(client: Client) -> None:
    assert not ProgramYear.objects.exists()
    client.force_login(user_with_role(Role.HQ_STAFF))
    assert client.get(PDF_URL).status_code == 404


def test_the_report_runs_a_fixed_number_of_queries(
    client: Client, hub: Any, firm: Organisation, capital_hub: Any, django_assert_num_queries: Any
) -> None:
    client.force_login(user_with_role(Role.HQ_STAFF))
    services.record_outcome(None, _running(hub, firm), firm, new_hires=1)
    with django_assert_num_queries(QUERIES):
        assert client.get(PDF_URL, {"year": "2010"}).status_code == 200
    for index in range(3):
        other = firm_in_hub(capital_hub, name_ko=f"(주)시화{index}")
        services.record_outcome(None, _running(capital_hub, other), other, new_hires=index)
    with django_assert_num_queries(QUERIES):
        assert client.get(PDF_URL, {"year": "2010"}).status_code == 200


def test_the_english_interface_gets_an_english_report(
    client: Client, hub: Any, firm: Organisation
) -> None:
    services.record_outcome(None, _running(hub, firm), firm, new_hires=3)
    client.force_login(user_with_role(Role.HQ_STAFF))
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    response = client.get(PDF_URL, {"year": "2010"})
    assert response.status_code == 200
    text = _text(response.content)
    assert "Key figures" in text and "주요 수치" not in text
    assert "Total" in text and "합계" not in text
