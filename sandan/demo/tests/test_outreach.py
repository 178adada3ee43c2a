"""The dues demo: the 2010 hub councils bill their members through the services; paid,
part-paid, unpaid and refunded invoices all occur, every balance matches its payments,
and a rerun adds nothing.

The world (reference, a small registry, the program, the councils, the dues) is built once
per module by `load_demo` inside a transaction rolled back at the end; all tests are slow.
"""

from __future__ import annotations

import datetime as dt
import io
from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest
from django.core.management import call_command
from django.db import transaction
from django.db.models import Sum
from django.test import override_settings

from sandan.core.models import AuditEntry
from sandan.councils.models import Council
from sandan.demo.base import AUDIT_SOURCE
from sandan.demo.outreach import DUE_ON, load_dues_demo
from sandan.outreach.models import Invoice, Payment, Pilot
from sandan.outreach.selectors import self_sufficiency, status_of
from sandan.registry.reference import load_reference

pytestmark = [pytest.mark.slow, pytest.mark.django_db]

SEED = 7


class _Rollback(Exception):
    pass


@pytest.fixture(scope="module")
def world(django_db_setup: Any, django_db_blocker: Any) -> Iterator[None]:
    fast_hasher = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    with django_db_blocker.unblock(), override_settings(PASSWORD_HASHERS=fast_hasher):
        try:
            with transaction.atomic():
                load_reference()
                call_command(
                    "load_demo",
                    seed=SEED,
                    organisations=6000,
                    experts=10,
                    activities=300,
                    problems=0,
                    verbosity=0,
                    stdout=io.StringIO(),
                )
                yield None
                raise _Rollback
        except _Rollback:
            pass


def test_every_running_2010_council_bills_its_members(world: None) -> None:
    councils = Council.objects.filter(hub__program_year__year=2010, memberships__isnull=False)
    billed = set(Invoice.objects.values_list("membership__council", flat=True))
    assert billed and billed == set(councils.values_list("pk", flat=True))
    assert set(Invoice.objects.values_list("amount_krw", flat=True)) == {300_000, 1_000_000}


def test_paid_part_paid_unpaid_and_refunded_all_occur(world: None) -> None:
    day = DUE_ON.replace(year=2011)
    states = Counter(status_of(invoice, day) for invoice in Invoice.objects.all())
    assert states["paid"] > states["lapsed"] > 0
    assert Invoice.objects.filter(paid_krw__gt=0, paid_krw__lt=300_000).exists()
    assert Payment.objects.filter(kind=Payment.Kind.REFUND).exists()


def test_every_balance_is_the_sum_of_its_payments(world: None) -> None:
    for invoice in Invoice.objects.prefetch_related("payments"):
        assert invoice.paid_krw == sum(p.signed_krw for p in invoice.payments.all())
    assert AuditEntry.objects.filter(
        source=AUDIT_SOURCE, content_type__model="payment"
    ).count() == (Payment.objects.count())


def test_hq_confirmed_the_proposed_pilots(world: None) -> None:
    pilots = Pilot.objects.all()
    assert 3 <= pilots.count() <= 5
    assert all(p.proposed and p.reason and p.starts_in == 2011 for p in pilots)
    assert set(pilots.values_list("parts__collection__points", flat=True)) != {"0"}
    for pilot in pilots:
        report = self_sufficiency(pilot, 2011)
        assert report.total.cost_krw > 0 and report.total.ratio is not None
        assert {"donation", "sponsorship", "service_fee"} <= set(report.total.income)
        assert pilot.closed_through == dt.date(2011, 12, 31)


def test_a_rerun_adds_nothing(world: None) -> None:
    before = (Invoice.objects.count(), Payment.objects.aggregate(s=Sum("amount_krw"))["s"])
    summary = load_dues_demo(seed=SEED)
    assert (summary.invoices, summary.paid_krw) == (
        before[0],
        Invoice.objects.aggregate(s=Sum("paid_krw"))["s"],
    )
    assert (Invoice.objects.count(), Payment.objects.aggregate(s=Sum("amount_krw"))["s"]) == before
    assert len(summary.pilots) == Pilot.objects.count()
