"""Dues API: lists and detail scoped like the pages, the collection of a year, bad input
answered 4xx, and list query counts constant as rows grow."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from sandan.accounts.models import ApiToken
from sandan.accounts.roles import Role
from sandan.accounts.tests.factories import user_with_role
from sandan.outreach import services
from sandan.outreach.tests.factories import council_with_dues

pytestmark = pytest.mark.django_db

PAID_ON = dt.date(2010, 4, 20)


class Api:
    def __init__(self, user: Any) -> None:
        self.client = Client()
        token, self.raw = ApiToken.issue(user)
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now())

    def get(self, path: str, **query: Any) -> Any:
        return self.client.get(f"/api/v1/{path}", query, HTTP_AUTHORIZATION=f"Bearer {self.raw}")


def test_invoice_detail_lists_payments_that_add_up_to_paid() -> None:
    invoice = council_with_dues(members=1).invoices[0]
    services.record_payment(None, invoice, amount_krw=200_000, paid_on=PAID_ON)
    services.refund_payment(None, invoice, amount_krw=50_000, paid_on=PAID_ON, reason="정정")
    body = Api(user_with_role(Role.HQ_STAFF)).get(f"dues/invoices/{invoice.pk}").json()
    assert body["paid_krw"] == 150_000
    assert body["outstanding_krw"] == 150_000
    assert sum(p["signed_krw"] for p in body["payments"]) == body["paid_krw"]
    assert body["status"] == "lapsed"  # due 2010-04-30, long past the grace period


def test_a_member_firm_reads_only_its_own_invoices() -> None:
    world = council_with_dues(members=2)
    mine, theirs = world.invoices
    api = Api(user_with_role(Role.COMPANY_USER, organisation=mine.membership.organisation))
    body = api.get("dues/invoices").json()
    assert [row["number"] for row in body["items"]] == [mine.number]
    assert api.get(f"dues/invoices/{theirs.pk}").status_code == 404
    assert api.get("dues/levels").json()["count"] == 1


def test_collection_of_a_year_and_bad_parameters() -> None:
    world = council_with_dues(members=4)
    services.record_payment(None, world.invoices[0], amount_krw=300_000, paid_on=PAID_ON)
    api = Api(user_with_role(Role.MINISTRY_OFFICER))
    body = api.get("dues/collection", year=2010).json()
    assert body["total"]["billed_krw"] == 1_200_000
    assert body["total"]["rate_pct"] == "25.0"
    assert body["by_council"][0]["name"] == world.council.name
    assert api.get("dues/collection", year=1800).status_code == 422
    assert api.get("dues/invoices", status="bogus").status_code == 422
    assert api.get("dues/invoices/0").status_code == 422


def test_invoice_list_queries_constant() -> None:
    api = Api(user_with_role(Role.HQ_STAFF))
    council_with_dues(members=2)
    with CaptureQueriesContext(connection) as few:
        api.get("dues/invoices")
    council_with_dues(members=6)
    with CaptureQueriesContext(connection) as more:
        body = api.get("dues/invoices").json()
    assert body["count"] == 8
    assert len(more.captured_queries) == len(few.captured_queries)


def test_readiness_and_pilots_from_the_api() -> None:
    world = council_with_dues(members=2)
    services.record_payment(None, world.invoices[0], amount_krw=300_000, paid_on=PAID_ON)
    hq = user_with_role(Role.HQ_STAFF)
    api = Api(hq)
    rows = api.get("pilots/readiness", year=2010).json()
    assert [row["hub"] for row in rows] == [world.council.hub_id]
    assert rows[0]["proposed"] is True
    assert sum(Decimal(p["points"]) for p in rows[0]["parts"]) == Decimal(rows[0]["score"])
    services.confirm_pilot(hq, hub=world.council.hub, starts_in=2011, reason="징수 실적")
    pilots = api.get("pilots", year=2010).json()
    assert pilots["count"] == 1 and pilots["items"][0]["reason"] == "징수 실적"
    firm = Api(user_with_role(Role.COMPANY_USER, organisation=world.members[0].organisation))
    assert firm.get("pilots/readiness", year=2010).json() == []
    assert firm.get("pilots").json()["count"] == 0


def test_a_pilots_ratio_can_be_recomputed_from_its_ledger() -> None:
    world = council_with_dues(members=2)
    services.record_payment(None, world.invoices[0], amount_krw=300_000, paid_on=PAID_ON)
    pilot = services.confirm_pilot(None, hub=world.council.hub, starts_in=2011, reason="시범")
    day = dt.date(2010, 6, 1)
    services.record_ledger_entry(
        None,
        pilot,
        kind="donation",
        amount_krw=900_000,
        on=day,
        counterparty="김기부",
        receipt_number="G-7",
    )
    services.record_ledger_entry(None, pilot, kind="running_cost", amount_krw=800_000, on=day)
    api = Api(user_with_role(Role.MINISTRY_OFFICER))
    listed = api.get("pilots", year=2010).json()["items"][0]
    assert (listed["private_income_krw"], listed["running_cost_krw"]) == (1_200_000, 800_000)
    assert listed["self_sufficiency_pct"] == "150.0"
    ledger = api.get(f"pilots/{pilot.pk}/ledger", year=2010).json()
    income = sum(e["amount_krw"] for e in ledger["entries"] if e["kind"] != "running_cost")
    cost = sum(e["amount_krw"] for e in ledger["entries"] if e["kind"] == "running_cost")
    assert Decimal(income * 100 / cost).quantize(Decimal("0.1")) == Decimal(
        ledger["self_sufficiency_pct"]
    )
    assert {e["source"] for e in ledger["entries"]} == {"ledger", "dues"}
    firm = Api(user_with_role(Role.COMPANY_USER, organisation=world.members[0].organisation))
    assert firm.get(f"pilots/{pilot.pk}/ledger").status_code == 404
