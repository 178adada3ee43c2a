"""Dues: levels, issuing invoices (idempotent), partial payments, refunds, and the bad input
that is refused with nothing written."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from sandan.accounts.roles import Role
from sandan.accounts.tests.factories import user_with_role
from sandan.core.models import AuditEntry
from sandan.core.services import NotAllowed
from sandan.councils.tests.factories import CouncilFactory, MembershipFactory
from sandan.outreach import selectors, services
from sandan.outreach.models import Invoice, Payment
from sandan.outreach.tests.factories import DUE, ISSUED, council_with_dues

pytestmark = pytest.mark.django_db

PAID_ON = dt.date(2010, 4, 20)


def _pay(invoice: Invoice, amount: Any, **kwargs: Any) -> Payment:
    return services.record_payment(None, invoice, amount_krw=amount, paid_on=PAID_ON, **kwargs)


def test_issuing_twice_issues_only_what_is_missing() -> None:
    world = council_with_dues(members=3)
    assert [i.amount_krw for i in world.invoices] == [300_000] * 3
    newcomer = MembershipFactory(council=world.council)
    services.assign_dues_level(None, membership=newcomer, level=world.level)
    unassigned = MembershipFactory(council=world.council)
    again = services.issue_invoices(
        None,
        council=world.council,
        program_year=world.level.program_year,
        issued_on=ISSUED,
        due_on=DUE,
    )
    assert [i.membership for i in again.issued] == [newcomer]
    assert again.already == 3
    assert again.unassigned == [unassigned]
    assert Invoice.objects.filter(membership__council=world.council).count() == 4


def test_partial_payments_then_refund_keep_the_invoice_balance() -> None:
    invoice = council_with_dues(members=1).invoices[0]
    _pay(invoice, 100_000)
    _pay(invoice, 150_000, method=Payment.Method.CARD)
    invoice.refresh_from_db()
    assert (invoice.paid_krw, invoice.outstanding_krw) == (250_000, 50_000)
    services.refund_payment(
        None, invoice, amount_krw=50_000, paid_on=PAID_ON, reason="이중 납부 정정"
    )
    invoice.refresh_from_db()
    assert invoice.paid_krw == 200_000
    assert sum(p.signed_krw for p in invoice.payments.all()) == invoice.paid_krw
    # Each write is in the audit log: the payment rows and the invoice's balance.
    changes = AuditEntry.objects.filter(content_type__model="invoice", action="update")
    assert changes.count() == 3


def test_a_payment_larger_than_outstanding_is_refused_and_nothing_written() -> None:
    invoice = council_with_dues(members=1).invoices[0]
    _pay(invoice, 250_000)
    with pytest.raises(ValidationError) as error:
        _pay(invoice, 60_000)
    assert "남은 청구액 50,000원" in error.value.message_dict["amount_krw"][0]
    invoice.refresh_from_db()
    assert invoice.paid_krw == 250_000
    assert invoice.payments.count() == 1


@pytest.mark.parametrize("amount", [0, -5_000, None, "10000"])
def test_zero_negative_or_missing_amounts_are_refused(amount: Any) -> None:
    invoice = council_with_dues(members=1).invoices[0]
    with pytest.raises(ValidationError) as error:
        _pay(invoice, amount)
    assert "amount_krw" in error.value.message_dict
    assert not Payment.objects.exists()


def test_a_refund_larger_than_paid_or_without_reason_is_refused() -> None:
    invoice = council_with_dues(members=1).invoices[0]
    _pay(invoice, 100_000)
    with pytest.raises(ValidationError) as error:
        services.refund_payment(None, invoice, amount_krw=100_001, paid_on=PAID_ON, reason="x")
    assert "납부된 100,000원" in error.value.message_dict["amount_krw"][0]
    with pytest.raises(ValidationError) as error:
        services.refund_payment(None, invoice, amount_krw=1, paid_on=PAID_ON, reason=" ")
    assert "note" in error.value.message_dict
    assert invoice.payments.count() == 1


def test_the_database_refuses_an_overpaid_invoice_whatever_writes_it() -> None:
    invoice = council_with_dues(members=1).invoices[0]
    with pytest.raises(IntegrityError), transaction.atomic():
        Invoice.objects.filter(pk=invoice.pk).update(paid_krw=300_001)


def test_a_payment_dated_before_the_invoice_is_refused() -> None:
    invoice = council_with_dues(members=1).invoices[0]
    with pytest.raises(ValidationError) as error:
        services.record_payment(
            None, invoice, amount_krw=1000, paid_on=ISSUED - dt.timedelta(days=1)
        )
    assert "paid_on" in error.value.message_dict


def test_a_level_needs_a_name_and_a_positive_amount() -> None:
    council = CouncilFactory()
    for name, amount, field in (("정회원", 0, "annual_amount_krw"), (" ", 1000, "name")):
        with pytest.raises(ValidationError) as error:
            services.create_dues_level(
                None,
                council=council,
                program_year=council.hub.program_year,
                name=name,
                annual_amount_krw=amount,
            )
        assert field in error.value.message_dict


def test_a_level_cannot_change_once_the_year_is_invoiced() -> None:
    world = council_with_dues(members=1)
    other = services.create_dues_level(
        None,
        council=world.council,
        program_year=world.level.program_year,
        name="특별회원",
        annual_amount_krw=1_000_000,
    )
    with pytest.raises(ValidationError) as error:
        services.assign_dues_level(None, membership=world.members[0], level=other)
    assert "이미 이 연도의 청구서" in error.value.message_dict["level"][0]


def test_a_coordinator_of_another_hub_cannot_record_a_payment() -> None:
    invoice = council_with_dues(members=1).invoices[0]
    outsider = user_with_role(Role.COORDINATOR, complex=CouncilFactory().hub.complex)
    with pytest.raises(NotAllowed):
        _pay(invoice, 1000)  # the system may
        services.record_payment(outsider, invoice, amount_krw=1000, paid_on=PAID_ON)
    invoice.refresh_from_db()
    assert invoice.paid_krw == 1000


def test_arrears_and_lapse_follow_the_grace_rule() -> None:
    world = council_with_dues(members=3)
    paid, late, unpaid = world.invoices
    _pay(paid, 300_000)
    _pay(late, 100_000)
    paid.refresh_from_db()
    year = world.level.program_year
    year.rules = {**year.rules, "dues_grace_days": 60}
    year.save()
    hq = user_with_role(Role.HQ_STAFF)
    within_grace = DUE + dt.timedelta(days=30)
    beyond = DUE + dt.timedelta(days=61)
    assert selectors.status_of(unpaid, within_grace) == "arrears"
    assert selectors.status_of(unpaid, beyond) == "lapsed"
    assert selectors.status_of(paid, beyond) == "paid"
    lapsed = selectors.invoices(hq, selectors.InvoiceFilter(status="lapsed"), beyond)
    assert set(lapsed) == {late, unpaid}
    report = selectors.collection(hq, 2010, beyond)
    assert (report.total.billed_krw, report.total.paid_krw) == (900_000, 400_000)
    assert report.total.arrears_krw == 500_000
    assert report.total.lapsed == 2
    assert str(report.total.rate) == "44.4"
    assert [c.name for c in report.by_council] == [world.council.name]
