"""The header on every screen size, in Chromium: at 390 px a compact KRDS mobile header
whose menu button opens the two-level menu; at 1440 px in English one row of header and
one row of menu; the footer's privacy link everywhere. Screenshots go to test-artifacts/."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from sandan.accounts.roles import Role
from sandan.accounts.tests.factories import user_with_role
from tests.browser.test_walkthrough import ARTIFACTS, CHROMIUM, PASSWORD, _axe_violations
from tests.browser.test_walkthrough import browser_page as browser_page  # the fixture

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian's chromium is not installed"),
]


def _log_in(page: Any, url: str, username: str) -> None:
    page.goto(f"{url}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url(f"{url}/")


@pytest.mark.django_db(transaction=True)
def test_the_header_fits_a_phone_and_a_wide_english_screen(
    browser_page: Any, live_server: Any
) -> None:
    user_with_role(Role.HQ_STAFF, username="hq-header")
    page = browser_page
    ARTIFACTS.mkdir(parents=True, exist_ok=True)

    page.set_viewport_size({"width": 390, "height": 844})
    _log_in(page, live_server.url, "hq-header")
    top = page.evaluate("() => document.querySelector('header').getBoundingClientRect().bottom")
    assert top < 844 * 0.15  # masthead + header: well under the ~45 % of before
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 390
    assert not page.is_visible("nav.main-nav")
    page.screenshot(path=str(ARTIFACTS / "header-390.png"))

    page.click("[data-menu-toggle]")
    assert page.get_attribute("[data-menu-toggle]", "aria-expanded") == "true"
    page.click("nav.main-nav summary >> text=기준정보")
    assert page.is_visible("nav.main-nav .gnb-sub >> text='산업단지'")
    page.screenshot(path=str(ARTIFACTS / "header-390-menu.png"))
    assert not _axe_violations(page)

    page.set_viewport_size({"width": 1440, "height": 900})
    page.goto(f"{live_server.url}/")
    with page.expect_navigation():
        page.select_option("#language-select", "en")
    rows = page.evaluate(
        "() => [document.querySelector('.header-top').getBoundingClientRect().height,"
        " document.querySelector('.main-nav').getBoundingClientRect().height]"
    )
    assert rows[0] < 80 and rows[1] < 70, rows  # one row each, not three
    page.click("nav.main-nav summary >> text=Support")
    assert page.is_visible("nav.main-nav .gnb-sub >> text='Problems'")
    page.keyboard.press("Escape")
    assert not page.is_visible("nav.main-nav .gnb-sub >> text='Problems'")
    page.screenshot(path=str(ARTIFACTS / "header-1440-en.png"))

    page.click("footer >> text=Privacy policy")
    page.wait_for_url("**/privacy/")
    assert "Who can see it" in page.inner_text("main")
    assert not _axe_violations(page)
    page.screenshot(path=str(ARTIFACTS / "privacy-1440-en.png"), full_page=True)
