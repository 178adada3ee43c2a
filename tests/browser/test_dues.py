"""The council dues and pilot pages in Chromium, at desktop width and at 390 px: the
collection overview with its chart, a council's dues, an invoice with its payment form, the
pilots' readiness and a pilot's ledger; axe-core finds no serious or critical violation on
any of them."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from sandan.accounts.roles import Role
from sandan.accounts.tests.factories import user_with_role
from sandan.outreach import services
from sandan.outreach.tests.factories import council_with_dues
from tests.browser.test_walkthrough import CHROMIUM, PASSWORD, _check, browser_page

__all__ = ["browser_page"]

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not __import__("pathlib").Path(CHROMIUM).exists(), reason="no chromium"),
]


@pytest.mark.django_db(transaction=True)
def test_dues_and_pilot_pages_at_desktop_and_phone_width(
    browser_page: Any, live_server: Any
) -> None:
    world = council_with_dues(members=3)
    services.record_payment(
        None, world.invoices[0], amount_krw=300_000, paid_on=dt.date(2010, 4, 20)
    )
    services.record_payment(
        None, world.invoices[1], amount_krw=100_000, paid_on=dt.date(2010, 4, 21)
    )
    pilot = services.confirm_pilot(None, hub=world.council.hub, starts_in=2011, reason="시범")
    services.record_ledger_entry(
        None, pilot, kind="running_cost", amount_krw=15_000_000, on=dt.date(2011, 1, 25)
    )
    services.record_ledger_entry(
        None,
        pilot,
        kind="donation",
        amount_krw=9_000_000,
        on=dt.date(2011, 1, 25),
        counterparty="(주)동양기계",
        receipt_number="G-1",
    )
    user_with_role(Role.HQ_STAFF, username="hq-dues")
    page = browser_page
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", "hq-dues")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]:not(.lang-switch button)")
    page.wait_for_url(f"{live_server.url}/")
    pages = {
        "dues-overview": "/outreach/dues/?year=2010",
        "dues-council": f"/outreach/dues/councils/{world.council.pk}/?year=2010",
        "dues-invoice": f"/outreach/dues/invoices/{world.invoices[1].pk}/",
        "dues-invoices": "/outreach/dues/invoices/",
        "pilots": "/outreach/pilots/?year=2010",
        "pilot": f"/outreach/pilots/{pilot.pk}/",
    }
    for width, suffix in ((1280, ""), (390, "-390")):
        page.set_viewport_size({"width": width, "height": 900})
        for name, path in pages.items():
            page.goto(f"{live_server.url}{path}")
            assert "회비" in page.inner_text("main") or "자립" in page.inner_text("main")
            _check(page, f"{name}{suffix}")
    page.goto(f"{live_server.url}{pages['dues-invoice']}")
    page.fill("input[name=payment-amount_krw]", "999999")
    page.click("form:has(input[value=payment]) button[type=submit]")
    assert "남은 청구액 200,000원" in page.inner_text("main")
