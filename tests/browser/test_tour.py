"""The README's tour in Debian's Chromium, on a desktop and on a phone, in Korean and English.

Every page of the tour is opened as the role the tour names, once per language; each is
checked at 1440 px and again at 390 px (the same page, resized): the page body never scrolls
sideways (wide tables scroll inside their own box), and axe-core finds no serious or
critical accessibility violation. A screenshot of each view is saved under
`$SANDAN_TEST_ARTIFACTS/tour/` (default test-artifacts/, not committed). Every problem is
collected first and reported together, so one run shows them all.

One browser, one page and one small world (built with the factories) keep the run short
(about six minutes on two busy cores). What it checks does not depend on the database, so it
runs on SQLite only: CI's second pass, on PostgreSQL, skips it.
"""

from __future__ import annotations

import datetime as dt
import os
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.db import connection, connections
from django.test import Client
from django.utils import timezone

from sandan.accounts.roles import Role
from sandan.accounts.services import request_account
from sandan.accounts.tests.factories import user_with_role
from sandan.councils.tests.factories import ActivityFactory, MembershipFactory, active_council
from sandan.program.models import PlanRun
from sandan.program.planner import PlanRequest
from sandan.program.services import run_plan, start_plan
from sandan.registry.tests.factories import (
    ComplexFactory,
    ComplexStatFactory,
    ExpertFactory,
    OfficeFactory,
    OrganisationFactory,
    province,
)
from sandan.support.tests.factories import (
    AssignmentFactory,
    ProblemFactory,
    hub_of_year,
    ready_project,
    support_year,
)

CHROMIUM = "/usr/bin/chromium"
AXE = Path(__file__).with_name("axe.min.js")
ARTIFACTS = Path(os.environ.get("SANDAN_TEST_ARTIFACTS", "test-artifacts")) / "tour"
WIDTHS = (1440, 390)
LANGUAGES = ("ko", "en")
# SANDAN_TOUR_PAGES=home,calendar runs only the pages so named (while fixing one of them).
ONLY = {name for name in os.environ.get("SANDAN_TOUR_PAGES", "").split(",") if name}

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian's chromium is not installed"),
]


def _world() -> dict[str, Any]:
    """The tour's world, small: the Changwon hub of 2010 with its branch office, a firm and
    its problem, an expert on it, a project with a budget, a council with activities."""
    year = support_year()
    branch = OfficeFactory(code="changwon", name_ko="창원지사", name_en="Changwon Branch")
    changwon = ComplexFactory(
        name_ko="창원국가산업단지",
        name_en="Changwon National Industrial Complex",
        kind="national",
        kicox_id="148001",
        province=province("48"),
        municipality_name="창원시",
        office=branch,
        tenants=2900,
        operating_firms=2650,
    )
    for quarter in (1, 2, 3, 4):
        ComplexStatFactory(complex=changwon, year=2009, quarter=quarter)
    for n in range(12):
        ComplexFactory(name_ko=f"반월시화 제{n + 1}산업단지", province=province("41"))
    hub = hub_of_year(changwon)
    firm = OrganisationFactory(
        name_ko="(주)창원정밀", complex=changwon, contact_email="kim@cwprecision.example.kr"
    )
    expert = ExpertFactory(name_ko="정하늘", specialties="사출 성형 불량 분석, 금형 온도 제어")
    problem = ProblemFactory(organisation=firm)
    AssignmentFactory(problem__organisation=firm, expert=expert)
    project = ready_project(public=13_610_000, cash=3_000_000, in_kind=450_000, hub=hub, lead=firm)
    council = active_council(firms=4, hub=hub)
    MembershipFactory(council=council, organisation=firm)
    now = timezone.now()
    for days, title in ((-3, "금형 기술 세미나"), (4, "자동차부품 과제발굴 회의")):
        ActivityFactory(council=council, title=title, starts_at=now + dt.timedelta(days=days))
    ActivityFactory(
        council=council,
        title="2010년 창원 기계 포럼",
        starts_at=timezone.make_aware(dt.datetime(2010, 5, 12, 10)),
    )
    expert_user = user_with_role(Role.EXPERT, organisation=expert.affiliation)
    expert.user = expert_user
    expert.save()
    hq = user_with_role(Role.HQ_STAFF)
    return {
        "year": year.year,
        "firm": firm,
        "problem": problem,
        "project": project,
        "council": council,
        "plan": _plan(hq, year),
        "account_request": request_account(
            organisation=firm,
            business_number=firm.business_number,
            name="오세훈",
            email="oh@cwprecision.example.kr",
            department="생산기술팀 과장",
            message="애로과제 등록을 위해 계정을 신청합니다.",
            notify=False,
        ),
        "users": {
            "hq": hq,
            "ministry": user_with_role(Role.MINISTRY_OFFICER),
            "company": user_with_role(Role.COMPANY_USER, organisation=firm),
            "coordinator": user_with_role(Role.COORDINATOR, office=branch),
            "regional": user_with_role(Role.REGIONAL_STAFF, zone=hub.zone),
            "expert": expert_user,
            "auditor": user_with_role(Role.AUDITOR),
        },
    }


def _plan(hq: Any, year: Any) -> PlanRun:
    """A designation plan for the tour's world: two hubs and five linked complexes in the
    capital region (the Changwon hub in force would be retired)."""
    request = PlanRequest(
        year=year.year,
        zone_hubs={"capital": 2},
        zone_linked={"capital": 5},
        min_hub_operating_firms=50,
        time_limit=30,
    )
    plan_run = run_plan(start_plan(hq, year, request))
    assert plan_run.status == PlanRun.Status.DONE, plan_run.error
    return plan_run


def _tour(world: dict[str, Any]) -> list[tuple[str, str, str]]:
    """(name, role, path) of every page the README's tour visits, in its order."""
    year, problem, project = world["year"], world["problem"], world["project"]
    users = world["users"]
    pages = [
        ("login", "", "/accounts/login/"),
        ("home", "hq", "/"),
        ("overview", "hq", "/overview/"),
        ("complex-list", "hq", "/registry/complexes/"),
        ("complex-detail", "hq", "/registry/complexes/148001/"),
        ("organisation-list", "hq", "/registry/organisations/"),
        ("organisation-detail", "hq", f"/registry/organisations/{world['firm'].pk}/"),
        ("expert-list", "hq", "/registry/experts/"),
        ("import", "hq", "/registry/import/"),
        ("profile", "hq", "/accounts/profile/"),
        ("program-years", "hq", "/program/"),
        ("program-year", "hq", f"/program/{year}/"),
        ("designations", "hq", f"/program/{year}/designations/"),
        ("planner", "hq", f"/program/{year}/planner/"),
        ("plan", "hq", f"/program/plans/{world['plan'].pk}/"),
        ("council-list", "hq", "/councils/"),
        ("council-detail", "hq", f"/councils/{world['council'].pk}/"),
        ("calendar", "company", "/councils/calendar/"),
        ("activity-list", "coordinator", "/councils/activities/"),
        ("problem-new", "company", "/support/problems/new/"),
        ("problem-list", "coordinator", "/support/problems/"),
        ("problem-detail", "coordinator", f"/support/problems/{problem.pk}/"),
        ("project-list", "regional", "/support/projects/"),
        ("project-detail", "regional", f"/support/projects/{project.pk}/"),
        ("outcomes", "hq", "/support/outcomes/"),
        ("service-levels", "hq", "/support/service-levels/"),
        ("cases", "expert", "/support/cases/"),
        ("audit-log", "auditor", "/history/"),
        ("people", "hq", "/accounts/people/"),
        ("person", "hq", f"/accounts/people/{users['coordinator'].pk}/"),
        ("role-new", "hq", f"/accounts/people/{users['coordinator'].pk}/roles/new/"),
        ("account-new", "hq", "/accounts/people/new/"),
        ("account-requests", "coordinator", "/accounts/requests/"),
        (
            "account-request-detail",
            "coordinator",
            f"/accounts/requests/{world['account_request'].pk}/",
        ),
        ("account-request", "", "/accounts/request/"),
        ("password-reset", "", "/accounts/password/reset/"),
        ("privacy", "", "/privacy/"),
        ("home-company", "company", "/"),
        ("home-coordinator", "coordinator", "/"),
        ("home-regional", "regional", "/"),
        ("home-ministry", "ministry", "/"),
        ("home-expert", "expert", "/"),
        ("home-auditor", "auditor", "/"),
    ]
    return [page for page in pages if not ONLY or page[0] in ONLY]


@pytest.fixture
def browser_page(live_server: Any, settings: Any, monkeypatch: Any) -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    settings.SESSION_COOKIE_SECURE = False
    settings.CSRF_COOKIE_SECURE = False
    settings.LANGUAGE_COOKIE_SECURE = False
    # Playwright's sync API runs an event loop in this thread (see test_walkthrough.py).
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        # axe is injected as a script tag; our own CSP would (rightly) refuse it.
        context = browser.new_context(bypass_csp=True, viewport={"width": 1440, "height": 900})
        page = context.new_page()
        # The first problem page fits the triage and matching models (seconds on a busy
        # machine); later pages reuse them.
        page.set_default_navigation_timeout(120_000)
        try:
            yield page
        finally:
            connections.close_all()  # see test_walkthrough.py
            context.close()
            browser.close()


def _session_cookie(user: Any) -> str:
    client = Client()
    client.force_login(user)
    return client.cookies[settings.SESSION_COOKIE_NAME].value


# Colour contrast is two thirds of axe's time and does not change with the window's width:
# it is checked at the first width only.
AXE_OPTIONS = {
    WIDTHS[0]: "{resultTypes: ['violations']}",
    WIDTHS[1]: "{resultTypes: ['violations'], rules: {'color-contrast': {enabled: false}}}",
}


def _problems_of_view(page: Any, label: str, width: int) -> list[str]:
    """What is wrong with the page as it is shown now: sideways scrolling, axe violations."""
    found = []
    scroll_width, window_width = page.evaluate(
        "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    if scroll_width > window_width:
        wide = page.evaluate(
            """() => [...document.querySelectorAll('body *')]
                 .filter(e => e.getBoundingClientRect().right > innerWidth + 1)
                 .slice(0, 3).map(e => e.tagName + '.' + [...e.classList].join('.'))"""
        )
        found.append(
            f"{label}: the page is {scroll_width} px wide in a {window_width} px window {wide}"
        )
    result = page.evaluate(f"async () => await axe.run(document, {AXE_OPTIONS[width]})")
    for violation in result["violations"]:
        if violation["impact"] in {"serious", "critical"}:
            targets = [node["target"] for node in violation["nodes"][:3]]
            found.append(f"{label}: {violation['id']} ({violation['impact']}) {targets}")
    return found


@pytest.mark.django_db(transaction=True)
def test_the_tour_fits_every_screen_and_passes_axe_in_both_languages(
    browser_page: Any, live_server: Any
) -> None:
    if connection.vendor != "sqlite":
        pytest.skip("the tour checks layout and accessibility: it runs once, on SQLite")
    world = _world()
    sessions = {role: _session_cookie(user) for role, user in world["users"].items()}
    page = browser_page
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    problems: list[str] = []
    started = time.monotonic()
    for language in LANGUAGES:
        for name, role, path in _tour(world):
            page.context.clear_cookies()
            cookies = [{"name": settings.LANGUAGE_COOKIE_NAME, "value": language}]
            if role:
                cookies.append({"name": settings.SESSION_COOKIE_NAME, "value": sessions[role]})
            page.context.add_cookies([{**c, "url": live_server.url} for c in cookies])
            page.set_viewport_size({"width": WIDTHS[0], "height": 900})
            response = page.goto(f"{live_server.url}{path}")
            assert response is not None and response.status == 200, (
                f"{name} as {role or 'a visitor'}: {response and response.status}"
            )
            assert page.get_attribute("html", "lang") == language, name
            page.add_script_tag(path=str(AXE))
            for width in WIDTHS:
                page.set_viewport_size({"width": width, "height": 900})
                label = f"{name} ({language}, {width} px)"
                page.screenshot(
                    path=str(ARTIFACTS / f"{name}-{language}-{width}.png"), full_page=True
                )
                problems.extend(_problems_of_view(page, label, width))
    print(f"tour: {2 * len(_tour(world))} pages, {time.monotonic() - started:.1f} s")
    assert not problems, "\n".join(problems)
