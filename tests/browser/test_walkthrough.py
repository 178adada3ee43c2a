"""A person's first walk through sandan in Debian's Chromium, driven by Playwright.

Logs in, opens the dashboard, the complex list and one complex, switches to English, saves a
screenshot of each page under test-artifacts/, and runs axe-core (vendored next to this file)
on every page: no serious or critical accessibility violation is allowed.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.db import connections

from sandan.accounts.roles import Role
from sandan.accounts.tests.factories import user_with_role
from sandan.registry.tests.factories import (
    ComplexFactory,
    ComplexStatFactory,
    OrganisationFactory,
    province,
)

CHROMIUM = "/usr/bin/chromium"
AXE = Path(__file__).with_name("axe.min.js")
ARTIFACTS = Path(os.environ.get("SANDAN_TEST_ARTIFACTS", "test-artifacts"))
PASSWORD = "sandan-test-pw-2010"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian's chromium is not installed"),
]


@pytest.fixture
def browser_page(live_server: Any, settings: Any, monkeypatch: Any) -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    settings.SESSION_COOKIE_SECURE = False
    settings.CSRF_COOKIE_SECURE = False
    settings.LANGUAGE_COOKIE_SECURE = False
    # Playwright's sync API runs an event loop in this thread; the test's ORM calls are safe
    # here, and only here (the variable is removed again after the test).
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        # axe is injected as a script tag; our own CSP would (rightly) refuse it.
        context = browser.new_context(
            bypass_csp=True, locale="ko-KR", viewport={"width": 1280, "height": 900}
        )
        page = context.new_page()
        try:
            yield page
        finally:
            # While Playwright's event loop runs in this thread, Django keeps the test's
            # database connections apart from the thread's own (asgiref's Local follows the
            # running loop), so the transactional teardown, run after the loop has stopped,
            # never sees them: left open, one kept PostgreSQL from dropping the test database
            # ("is being accessed by other users"). Close them while the loop still runs.
            connections.close_all()
            context.close()
            browser.close()


def _axe_violations(page: Any) -> list[dict[str, Any]]:
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [v for v in result["violations"] if v["impact"] in {"serious", "critical"}]


def _check(page: Any, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
    violations = _axe_violations(page)
    summary = [
        (v["id"], v["impact"], [node["target"] for node in v["nodes"][:3]]) for v in violations
    ]
    assert not violations, f"{name}: accessibility violations {summary}"


@pytest.mark.django_db(transaction=True)
def test_walk_through_the_registry_in_korean_and_english(
    browser_page: Any, live_server: Any
) -> None:
    changwon = ComplexFactory(
        name_ko="창원국가산업단지",
        name_en="Changwon National Industrial Complex",
        kind="national",
        kicox_id="148001",
        province=province("48"),
        municipality_name="창원시",
        tenants=2900,
        operating_firms=2650,
    )
    for quarter in (1, 2, 3, 4):
        ComplexStatFactory(complex=changwon, year=2009, quarter=quarter)
    OrganisationFactory(name_ko="(주)대성정밀", complex=changwon)
    ComplexFactory(name_ko="반월국가산업단지", kind="national", kicox_id="141001")
    user_with_role(Role.HQ_STAFF, username="hq-browser")
    page = browser_page

    page.goto(f"{live_server.url}/accounts/login/")
    _check(page, "01-login")
    page.fill("input[name=username]", "hq-browser")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]:not(.lang-switch button)")
    page.wait_for_url(f"{live_server.url}/")
    assert "산업단지" in page.inner_text("main")
    _check(page, "02-dashboard")

    page.click("nav.main-nav summary >> text=기준정보")
    page.click("nav.main-nav .gnb-sub >> text='산업단지'")
    page.wait_for_url("**/registry/complexes/**")
    assert "창원국가산업단지" in page.inner_text("main")
    _check(page, "03-complex-list")

    page.click("main >> text=창원국가산업단지")
    page.wait_for_url("**/registry/complexes/148001/**")
    assert "(주)대성정밀" in page.inner_text("main")
    _check(page, "04-complex-detail")

    page.select_option("#language-select", "en")
    page.click("form.lang-switch button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert page.get_attribute("html", "lang") == "en"
    assert "Changwon" in page.inner_text("main") or "Complex" in page.inner_text("main")
    _check(page, "05-complex-detail-en")

    page.goto(f"{live_server.url}/")
    assert "Dashboard" in page.inner_text("body")
    _check(page, "06-dashboard-en")
