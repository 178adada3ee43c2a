"""Confirming a category and assigning an expert answer at once: the request uses the
current triage engine and expert index, the refit runs off-request and is swapped in; the
pages and buttons of the path keep a fixed number of queries."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from sandan.core import background
from sandan.registry.models import Organisation
from sandan.registry.tests.factories import ExpertFactory
from sandan.support import selectors, services
from sandan.support.models import Problem
from sandan.support.services import experts as expert_services
from sandan.support.tests.factories import ProblemFactory, TriagedProblemFactory
from sandan.support.tests.problem_pages.helpers import (
    INJECTION_HELP,
    INJECTION_TEXT,
    INJECTION_TITLE,
    as_user,
    detail,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def off_request(
    settings: Any, monkeypatch: pytest.MonkeyPatch
) -> Iterator[list[Callable[[], None]]]:
    """Refits go to the background, queued here; the test runs them when the worker would."""
    settings.SANDAN_REFIT_IN_BACKGROUND = True
    # A warm process of this test's world: no engine or index of an earlier test's world.
    selectors._triage_engines.forget_all()
    expert_services._matchers.forget_all()
    jobs: list[Callable[[], None]] = []
    monkeypatch.setattr(background, "run_in_background", lambda work, name: jobs.append(work))
    yield jobs
    # A job left queued would leave its engine "being rebuilt" for the next test.
    selectors._triage_engines.forget_all()
    expert_services._matchers.forget_all()


def _drain(jobs: list[Callable[[], None]]) -> None:
    while jobs:
        jobs.pop(0)()


def _triage(problem: Problem, code: str) -> dict[str, Any]:
    chosen = problem.program_year.categories.get(code=code)
    return {"category": chosen.pk, "note": "통화로 확인"}


def test_confirming_a_category_does_not_refit_in_the_request(
    client: Client, coordinator: Any, firm: Organisation, off_request: list[Any]
) -> None:
    first = services.submit_problem(None, firm, INJECTION_TITLE, INJECTION_TEXT, INJECTION_HELP)
    year = first.program_year
    earlier = [ProblemFactory(organisation=firm, text_index=i) for i in (1, 2)]
    services.confirm_triage(coordinator, earlier[0], "TOTAL_MARKETING", "확인")
    services.confirm_triage(coordinator, earlier[1], "FIELD_EDUCATION", "확인")
    _drain(off_request)
    engine = selectors.triage_for_year(year)  # a warm process: the engine of two decisions
    assert engine.history_size == 2
    builds = selectors._triage_engines.builds(year.pk)

    as_user(client, coordinator)
    response = client.post(
        reverse("support:problem_triage", args=[first.pk]), _triage(first, "MFG_EFFICIENCY")
    )
    assert response.status_code == 302
    page = client.get(response["Location"])
    assert page.status_code == 200 and "분야별 확률" in page.content.decode()
    assert selectors.triage_for_year(year) is engine, "the request used the current engine"
    assert selectors._triage_engines.builds(year.pk) == builds, "nothing was fitted in a request"

    assert len(off_request) == 1, "one refit, queued for the worker"
    off_request.pop()()
    refitted = selectors.triage_for_year(year)
    assert refitted is not engine and refitted.history_size == 3
    assert not off_request


def test_assigning_an_expert_reweighs_the_index_instead_of_rebuilding_it(
    coordinator: Any, firm: Organisation, off_request: list[Any]
) -> None:
    busy = ExpertFactory(name_ko="김사출", specialties="사출 성형 불량 분석, 금형 온도 조건")
    ExpertFactory(name_ko="이금형", specialties="사출 성형 불량 분석, 금형 온도 조건")
    problem = TriagedProblemFactory(organisation=firm)
    index = expert_services._matchers.get("all", None)
    services.assign_experts(coordinator, problem, [busy])
    other = TriagedProblemFactory(organisation=firm)
    ranked = {s.expert.pk: s for s in services.suggest_experts(other)}
    assert expert_services._matchers.get("all", None) is index, "the index was kept"
    assert not off_request
    assert "진행 중 배정 1건" in ranked[busy.pk].explanation, "the load is today's"


def test_a_new_expert_is_indexed_off_request(
    coordinator: Any, firm: Organisation, off_request: list[Any]
) -> None:
    ExpertFactory(name_ko="김사출", specialties="사출 성형 불량 분석")
    problem = TriagedProblemFactory(organisation=firm)
    services.suggest_experts(problem)
    index = expert_services._matchers.get("all", None)
    newcomer = ExpertFactory(name_ko="박도금", specialties="도금 박리 불량 분석")
    names = [s.expert.pk for s in services.suggest_experts(problem)]
    assert newcomer.pk not in names and len(off_request) == 1
    off_request.pop()()
    assert expert_services._matchers.get("all", None) is not index
    assert newcomer.pk in [s.expert.pk for s in services.suggest_experts(problem)]


def test_the_problem_page_and_the_confirm_button_keep_their_query_counts(
    client: Client,
    coordinator: Any,
    firm: Organisation,
    django_assert_num_queries: Any,
    off_request: list[Any],
) -> None:
    problem = services.submit_problem(None, firm, INJECTION_TITLE, INJECTION_TEXT, INJECTION_HELP)
    ExpertFactory(specialties="사출 성형 불량 분석")
    as_user(client, coordinator)
    client.get(detail(problem))  # warm: the engine and the expert index exist
    # The page: session, user, scope, the problem and its parts, the engine's and the expert
    # index's freshness checks (two and one), today's expert loads and who is away or at
    # their cap.
    with django_assert_num_queries(25):
        assert client.get(detail(problem)).status_code == 200
    # The button: the checks and writes of the problem and its decision with their audit
    # entries; no history is read (the refit reads it, off-request).
    with django_assert_num_queries(67):
        response = client.post(
            reverse("support:problem_triage", args=[problem.pk]),
            _triage(problem, "MFG_EFFICIENCY"),
        )
    assert response.status_code == 302


def test_a_firm_of_a_ksic_subclass_costs_the_problem_page_no_more_queries(
    client: Client,
    coordinator: Any,
    firm: Organisation,
    django_assert_num_queries: Any,
    off_request: list[Any],
) -> None:
    """The experts' industry match reads the firm's KSIC division: the path up the tree
    (subclass → class → group → division → section) is one query, however deep the firm's
    code is."""
    from sandan.registry.models import Industry

    # A made-up section "Y" (KSIC has A–U), so that no code of another test collides; codes
    # keep KSIC's lengths (at most 6 characters, which PostgreSQL enforces).
    section = Industry.objects.create(code="Y", level="section", name_ko="시험 대분류")
    levels = [("Y91", "division"), ("Y912", "group"), ("Y9121", "class"), ("Y91210", "subclass")]
    chain = [section]
    for code, level in levels:
        chain.append(
            Industry.objects.create(code=code, level=level, name_ko=code, parent=chain[-1])
        )
    ExpertFactory(specialties="사출 성형 불량 분석")
    as_user(client, coordinator)
    Organisation.objects.filter(pk=firm.pk).update(industry=chain[1])  # the division
    problem = services.submit_problem(None, firm, INJECTION_TITLE, INJECTION_TEXT, INJECTION_HELP)
    client.get(detail(problem))  # warm: the engine and the expert index exist
    # The page's 25 (see above) and the firm's industry path.
    with django_assert_num_queries(26):
        client.get(detail(problem))
    Organisation.objects.filter(pk=firm.pk).update(industry=chain[-1])  # the subclass
    with django_assert_num_queries(26):
        assert client.get(detail(problem)).status_code == 200
