"""The dues pages as users meet them: HQ runs a council's dues, a clerk's bad payment is
refused on its field, a member firm sees and downloads only its own invoices and receipts
(PDFs with Hangul), and list pages cost the same number of queries as rows grow."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from pypdf import PdfReader

from sandan.accounts.roles import Role
from sandan.accounts.tests.factories import user_with_role
from sandan.councils.tests.factories import MembershipFactory
from sandan.outreach import services
from sandan.outreach.models import DuesLevel, Invoice, Payment
from sandan.outreach.tests.factories import council_with_dues

pytestmark = pytest.mark.django_db

PAID_ON = dt.date(2010, 4, 20)


@pytest.fixture
def hq(client: Client) -> Any:
    user = user_with_role(Role.HQ_STAFF)
    client.force_login(user)
    return user


def _text(pdf: bytes) -> str:
    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def test_hq_sets_a_level_assigns_it_and_issues_invoices(client: Client, hq: Any) -> None:
    world = council_with_dues(members=1)
    url = reverse("outreach:council_dues", args=[world.council.pk]) + "?year=2010"
    response = client.post(
        url, {"action": "level", "level-name": "특별회원", "level-annual_amount_krw": "1000000"}
    )
    assert response.status_code == 302
    special = DuesLevel.objects.get(name="특별회원")
    newcomer = MembershipFactory(council=world.council)
    response = client.post(
        url,
        {"action": "assign", "assign-membership": newcomer.pk, "assign-level": special.pk},
    )
    assert response.status_code == 302
    form = {"action": "issue", "issue-issued_on": "2010-05-01", "issue-due_on": "2010-05-31"}
    client.post(url, form)
    client.post(url, form)  # again: nothing more
    assert Invoice.objects.filter(membership=newcomer).get().amount_krw == 1_000_000
    page = client.get(url).content.decode()
    assert "특별회원" in page
    assert "1,000,000" in page


def test_a_level_of_zero_won_is_refused_on_its_field(client: Client, hq: Any) -> None:
    world = council_with_dues(members=1)
    url = reverse("outreach:council_dues", args=[world.council.pk])
    response = client.post(
        url, {"action": "level", "level-name": "무료", "level-annual_amount_krw": "0"}
    )
    assert response.status_code == 400
    assert "금액은 0원보다 커야 합니다." in response.content.decode()
    assert not DuesLevel.objects.filter(name="무료").exists()


def test_a_payment_above_outstanding_is_refused_with_the_amount_left(
    client: Client, hq: Any
) -> None:
    invoice = council_with_dues(members=1).invoices[0]
    url = reverse("outreach:invoice_detail", args=[invoice.pk])
    ok = {
        "action": "payment",
        "payment-amount_krw": "200000",
        "payment-paid_on": "2010-04-20",
        "payment-method": "transfer",
    }
    assert client.post(url, ok).status_code == 302
    response = client.post(url, {**ok, "payment-amount_krw": "100001"})
    assert response.status_code == 400
    assert "남은 청구액 100,000원" in response.content.decode()
    refund = {
        "action": "refund",
        "refund-amount_krw": "300000",
        "refund-paid_on": "2010-04-21",
        "refund-method": "transfer",
        "refund-note": "탈퇴",
    }
    response = client.post(url, refund)
    assert response.status_code == 400
    assert "납부된 200,000원" in response.content.decode()
    invoice.refresh_from_db()
    assert invoice.paid_krw == 200_000 and invoice.payments.count() == 1


def test_a_member_firm_sees_and_downloads_only_its_own(client: Client) -> None:
    world = council_with_dues(members=2)
    mine, theirs = world.invoices
    payment = services.record_payment(None, mine, amount_krw=120_000, paid_on=PAID_ON)
    other = services.record_payment(None, theirs, amount_krw=1_000, paid_on=PAID_ON)
    firm = mine.membership.organisation
    client.force_login(user_with_role(Role.COMPANY_USER, organisation=firm))
    # The overview is for staff: a member firm lands on its own invoices.
    response = client.get(reverse("outreach:dues_overview"))
    assert response.url == reverse("outreach:invoice_list")
    page = client.get(reverse("outreach:invoice_list")).content.decode()
    assert mine.number in page and theirs.number not in page
    detail = client.get(reverse("outreach:invoice_detail", args=[mine.pk])).content.decode()
    assert "납부 기록" not in detail  # reads only
    receipt = client.get(reverse("outreach:receipt_pdf", args=[payment.pk]))
    assert receipt["Content-Type"] == "application/pdf"
    text = _text(receipt.content)
    assert "협의체 회비 영수증" in text and firm.name_ko in text and "120,000원" in text
    invoice_pdf = client.get(reverse("outreach:invoice_pdf", args=[mine.pk]))
    assert "180,000원" in _text(invoice_pdf.content)  # what is left
    assert client.get(reverse("outreach:invoice_detail", args=[theirs.pk])).status_code == 404
    assert client.get(reverse("outreach:receipt_pdf", args=[other.pk])).status_code == 404
    assert (
        client.post(
            reverse("outreach:invoice_detail", args=[mine.pk]),
            {"action": "payment", "payment-amount_krw": "1", "payment-paid_on": "2010-04-20"},
        ).status_code
        == 403
    )
    assert Payment.objects.count() == 2


def test_a_coordinator_of_another_hub_sees_no_dues_of_this_council(client: Client) -> None:
    world = council_with_dues(members=1)
    other = council_with_dues(members=1)
    client.force_login(user_with_role(Role.COORDINATOR, complex=other.council.hub.complex))
    url = reverse("outreach:council_dues", args=[world.council.pk])
    assert client.get(url).status_code == 404
    invoice = world.invoices[0]
    assert client.get(reverse("outreach:invoice_detail", args=[invoice.pk])).status_code == 404


def test_overview_shows_collection_with_a_chart_and_constant_queries(
    client: Client, hq: Any, django_assert_max_num_queries: Any
) -> None:
    world = council_with_dues(members=2)
    services.record_payment(None, world.invoices[0], amount_krw=300_000, paid_on=PAID_ON)
    url = reverse("outreach:dues_overview") + "?year=2010"
    client.get(url)
    with django_assert_max_num_queries(20) as few:
        response = client.get(url)
    page = response.content.decode()
    assert "collection-chart-data" in page and "50.0" in page
    for _n in range(3):
        council_with_dues(members=3)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(url)
    assert response.status_code == 200


def test_invoice_list_query_count_is_constant(
    client: Client, hq: Any, django_assert_max_num_queries: Any
) -> None:
    council_with_dues(members=2)
    url = reverse("outreach:invoice_list")
    client.get(url)
    with django_assert_max_num_queries(20) as few:
        client.get(url)
    council_with_dues(members=6)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(url)
    assert "총 <strong>8</strong>건" in response.content.decode()


def test_council_dues_page_query_count_is_constant(
    client: Client, hq: Any, django_assert_max_num_queries: Any
) -> None:
    world = council_with_dues(members=2)
    url = reverse("outreach:council_dues", args=[world.council.pk])
    client.get(url)
    with django_assert_max_num_queries(40) as few:
        client.get(url)
    for _n in range(5):
        member = MembershipFactory(council=world.council)
        services.assign_dues_level(None, membership=member, level=world.level)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(url)
    assert response.status_code == 200
