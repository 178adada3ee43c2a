"""The problem list (scope, filters, overdue marks, constant query count) and triage
(confirm or override the suggestion)."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from sandan.core import clock
from sandan.registry.models import Organisation
from sandan.support import services
from sandan.support.models import (
    Problem,
    TriageDecision,
)
from sandan.support.tests.factories import (
    ProblemFactory,
    TriagedProblemFactory,
    category,
    firm_in_hub,
    hub_of_year,
)
from sandan.support.tests.problem_pages.helpers import (
    INJECTION_HELP,
    INJECTION_TEXT,
    INJECTION_TITLE,
    as_user,
    detail,
)

pytestmark = pytest.mark.django_db


# List -------------------------------------------------------------------------------


def test_a_company_sees_only_its_own_problems(
    client: Client, company: Any, firm: Organisation, other_firm: Organisation
) -> None:
    own = ProblemFactory(organisation=firm, title="우리 회사 사출 불량")
    foreign = ProblemFactory(organisation=other_firm, title="다른 회사 도금 박리")
    as_user(client, company)
    body = client.get(reverse("support:problem_list"), {"zone": "capital"}).content.decode()
    assert own.title in body and foreign.title not in body
    assert "거점단지 코드" not in body  # no zone or hub filter for a firm
    assert client.get(detail(foreign)).status_code == 404
    assert client.get(detail(own)).status_code == 200


def test_problem_list_query_count_is_constant(
    client: Client, coordinator: Any, firm: Organisation, django_assert_num_queries: Any
) -> None:
    ProblemFactory(organisation=firm)
    TriagedProblemFactory(organisation=firm)
    as_user(client, coordinator)
    url = reverse("support:problem_list")
    client.get(url)
    # session, user, years, memberships, office subtree, zones, categories, count, page,
    # years of the overdue rule, the page's overdue rows
    with django_assert_num_queries(11):
        client.get(url)
    for _n in range(12):
        TriagedProblemFactory(organisation=firm_in_hub(hub_of_year(firm.complex)))
    with django_assert_num_queries(11):
        response = client.get(url)
    assert response.status_code == 200
    assert "총 <strong>14</strong>건" in response.content.decode()


def test_problem_list_filters(client: Client, coordinator: Any, firm: Organisation) -> None:
    fair = ProblemFactory(
        organisation=firm,
        title="해외 전시회 참가 지원",
        suggested_category=category("TOTAL_MARKETING"),
    )
    mould = TriagedProblemFactory(organisation=firm, title="금형 수명 연장", text_index=0)
    as_user(client, coordinator)
    url = reverse("support:problem_list")

    def titles(**query: str) -> str:
        return client.get(url, query).content.decode()

    by_category = titles(category="TOTAL_MARKETING")
    assert fair.title in by_category and mould.title not in by_category
    assert "추천" in by_category  # the suggestion is marked as such
    by_status = titles(status="triaged")
    assert mould.title in by_status and fair.title not in by_status
    by_text = titles(q="전시회")
    assert fair.title in by_text and mould.title not in by_text


def test_overdue_problems_are_marked_and_filtered(
    client: Client, coordinator: Any, firm: Organisation
) -> None:
    import datetime as dt

    late = ProblemFactory(
        organisation=firm,
        title="오래 기다린 과제",
        submitted_at=clock.now() - dt.timedelta(days=9),
    )
    fresh = ProblemFactory(organisation=firm, title="어제 들어온 과제")
    as_user(client, coordinator)
    body = client.get(reverse("support:problem_list"), {"overdue": "on"}).content.decode()
    assert late.title in body and fresh.title not in body
    assert "기한 지남" in body and "9일" in body


# Triage -----------------------------------------------------------------------------


def test_a_coordinator_confirms_the_suggestion(
    client: Client, coordinator: Any, firm: Organisation
) -> None:
    problem = services.submit_problem(None, firm, INJECTION_TITLE, INJECTION_TEXT, INJECTION_HELP)
    as_user(client, coordinator)
    page = client.get(detail(problem)).content.decode()
    assert "분류 확정" in page and "추천 전문가" in page
    assert "분야별 확률" in page and "현장맞춤형 교육" in page  # every category, ranked
    response = client.post(
        reverse("support:problem_triage", args=[problem.pk]),
        {"category": problem.suggested_category_id, "note": ""},
    )
    assert response.status_code == 302
    problem.refresh_from_db()
    decision = TriageDecision.objects.get()
    assert problem.status == Problem.Status.TRIAGED and problem.triaged_at is not None
    assert not decision.overridden and decision.decided_by == coordinator


def test_a_coordinator_overrides_the_suggestion_with_a_note(
    client: Client, coordinator: Any, firm: Organisation
) -> None:
    problem = services.submit_problem(None, firm, INJECTION_TITLE, INJECTION_TEXT, INJECTION_HELP)
    training = category("FIELD_EDUCATION")
    as_user(client, coordinator)
    without_reason = client.post(
        reverse("support:problem_triage", args=[problem.pk]), {"category": training.pk}
    )
    assert without_reason.status_code == 400
    assert "이유를 적어 주세요" in without_reason.content.decode()
    assert not TriageDecision.objects.exists()
    client.post(
        reverse("support:problem_triage", args=[problem.pk]),
        {"category": training.pk, "note": "직원 교육이 먼저 필요하다고 통화로 확인"},
    )
    decision = TriageDecision.objects.get()
    assert decision.overridden and decision.chosen == training
    assert decision.note == "직원 교육이 먼저 필요하다고 통화로 확인"
    page = client.get(detail(problem)).content.decode()
    assert "직원 교육이 먼저 필요하다고 통화로 확인" in page and "현장맞춤형 교육" in page


def test_a_category_of_another_year_is_refused(
    client: Client, coordinator: Any, firm: Organisation
) -> None:
    problem = ProblemFactory(organisation=firm)
    other_year = category("MFG_EFFICIENCY", year=2011)
    as_user(client, coordinator)
    response = client.post(
        reverse("support:problem_triage", args=[problem.pk]), {"category": other_year.pk}
    )
    assert response.status_code == 400
    assert "category" in response.context["triage_form"].errors
    problem.refresh_from_db()
    assert problem.status == Problem.Status.SUBMITTED and not TriageDecision.objects.exists()
