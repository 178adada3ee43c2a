"""The assigned expert answers an assignment (accept, or decline with a reason) and sets
their availability from their cases page; the coordinator sees the answer; the problem page
says how far the suggested category leads the runner-up."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from sandan.core import clock
from sandan.core.models import AuditEntry
from sandan.core.services import NotAllowed
from sandan.registry.models import Organisation
from sandan.registry.tests.factories import ExpertFactory
from sandan.support import services
from sandan.support.models import ExpertAssignment, Problem
from sandan.support.tests.factories import TriagedProblemFactory
from sandan.support.tests.problem_pages.helpers import as_user, detail

pytestmark = pytest.mark.django_db


def _assigned(coordinator: Any, firm: Organisation, expert_user: Any) -> ExpertAssignment:
    problem = TriagedProblemFactory(organisation=firm, text_index=0)
    (assignment,) = services.assign_experts(coordinator, problem, [expert_user.expert_profile])
    return assignment


def test_the_expert_declines_with_a_reason_and_the_coordinator_can_reassign(
    client: Client, coordinator: Any, firm: Organisation, expert_user: Any
) -> None:
    assignment = _assigned(coordinator, firm, expert_user)
    problem = assignment.problem
    as_user(client, expert_user)
    cases = client.get(reverse("support:case_list")).content.decode()
    assert "응답 대기" in cases
    case_url = reverse("support:case_detail", args=[assignment.pk])
    assert "배정에 응답하기" in client.get(case_url).content.decode()
    answer_url = reverse("support:case_answer", args=[assignment.pk])

    # A decline needs a reason.
    missing = client.post(answer_url, {"answer": "decline", "reason": " "})
    assert missing.status_code == 400
    assert "거절 사유를 적어 주세요." in missing.content.decode()
    assignment.refresh_from_db()
    assert assignment.status == ExpertAssignment.Status.ACTIVE

    declined = client.post(answer_url, {"answer": "decline", "reason": "8월 해외 출장으로 불가"})
    assert declined.status_code == 302
    assignment.refresh_from_db()
    problem.refresh_from_db()
    assert assignment.status == ExpertAssignment.Status.DECLINED
    assert assignment.decline_reason == "8월 해외 출장으로 불가" and assignment.ended_at
    assert problem.status == Problem.Status.TRIAGED and problem.matched_at is None
    entry = AuditEntry.objects.filter(
        content_type__model="expertassignment", object_id=str(assignment.pk)
    ).latest("id")
    assert entry.actor == expert_user and entry.reason == "8월 해외 출장으로 불가"
    assert "declined" in str(entry.changes.get("status"))
    # No second answer.
    assert client.post(answer_url, {"answer": "accept"}).status_code == 400

    as_user(client, coordinator)
    page = client.get(detail(problem)).content.decode()
    assert "전문가가 거절함" in page and "8월 해외 출장으로 불가" in page
    # The declined expert is not suggested again; another can be assigned.
    names = [s.expert.pk for s in services.suggest_experts(problem)]
    assert expert_user.expert_profile.pk not in names
    other = ExpertFactory(name_ko="대체전문가")
    services.assign_experts(coordinator, problem, [other])
    problem.refresh_from_db()
    assert problem.status == Problem.Status.MATCHED


def test_the_expert_accepts_and_the_coordinator_sees_it(
    client: Client, coordinator: Any, firm: Organisation, expert_user: Any
) -> None:
    assignment = _assigned(coordinator, firm, expert_user)
    as_user(client, expert_user)
    answer_url = reverse("support:case_answer", args=[assignment.pk])
    assert client.post(answer_url, {"answer": "accept"}).status_code == 302
    assignment.refresh_from_db()
    assert assignment.accepted_at is not None
    assert assignment.status == ExpertAssignment.Status.ACTIVE
    assert AuditEntry.objects.filter(
        content_type__model="expertassignment", object_id=str(assignment.pk), actor=expert_user
    ).exists()
    case = client.get(reverse("support:case_detail", args=[assignment.pk])).content.decode()
    assert "배정에 응답하기" not in case and "수락했습니다" in case

    as_user(client, coordinator)
    assert "전문가 수락" in client.get(detail(assignment.problem)).content.decode()
    # Only the assigned expert answers.
    assert client.post(answer_url, {"answer": "decline", "reason": "대신"}).status_code == 403
    with pytest.raises(NotAllowed):
        services.decline_assignment(coordinator, assignment, "대신")


def test_the_expert_marks_a_period_away_on_their_cases_page(
    client: Client, coordinator: Any, firm: Organisation, expert_user: Any
) -> None:
    expert = expert_user.expert_profile
    problem = TriagedProblemFactory(organisation=firm, text_index=0)
    assert expert in [s.expert for s in services.suggest_experts(problem)]
    as_user(client, expert_user)
    url = reverse("support:case_availability")
    wrong = client.post(url, {"unavailable_from": "2030-08-14", "unavailable_until": "2030-08-01"})
    assert wrong.status_code == 400
    assert "부재 종료일은 시작일보다 빠를 수 없습니다." in wrong.content.decode()

    today = clock.today()
    saved = client.post(
        url,
        {
            "unavailable_from": today.isoformat(),
            "unavailable_until": (today + dt.timedelta(days=7)).isoformat(),
            "max_open_cases": "2",
        },
    )
    assert saved.status_code == 302
    expert.refresh_from_db()
    assert expert.max_open_cases == 2 and expert.unavailable_from == today
    assert "오늘은 부재 중" in client.get(reverse("support:case_list")).content.decode()
    assert expert not in [s.expert for s in services.suggest_experts(problem)]
    with pytest.raises(NotAllowed):
        services.set_availability(
            coordinator, expert, unavailable_from=None, unavailable_until=None, max_open_cases=None
        )


def test_the_margin_over_the_runner_up_is_said_in_korean_and_english(
    client: Client, coordinator: Any, firm: Organisation
) -> None:
    problem = TriagedProblemFactory(organisation=firm, text_index=0)
    Problem.objects.filter(pk=problem.pk).update(
        suggested_category=problem.category, suggestion_confidence=0.6, suggestion_margin=0.34
    )
    as_user(client, coordinator)
    assert "2위 분야보다 34%p 앞섬" in client.get(detail(problem)).content.decode()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    assert "34 pp ahead of the runner-up" in client.get(detail(problem)).content.decode()

    Problem.objects.filter(pk=problem.pk).update(suggestion_margin=0.04)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "ko"
    page = client.get(detail(problem)).content.decode()
    assert "2위 분야보다 4%p 앞섬" in page and "2위 분야와 비슷함" in page


def test_a_new_problem_stores_its_margin(coordinator: Any, firm: Organisation) -> None:
    problem = TriagedProblemFactory(organisation=firm, text_index=0)
    suggestion = services.suggest_category(problem)
    assert suggestion is not None
    top, second = suggestion.ranking[0][1], suggestion.ranking[1][1]
    assert suggestion.margin == pytest.approx(top - second, abs=0.01)
