"""Experts on a problem: the assigned expert's cases and mentoring notes, constant query
counts, who may be assigned, ending an assignment."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from sandan.registry.models import Organisation
from sandan.registry.tests.factories import (
    ExpertFactory,
)
from sandan.support.models import (
    ExpertAssignment,
    MentoringNote,
    Problem,
)
from sandan.support.tests.factories import (
    AssignmentFactory,
    TriagedProblemFactory,
)
from sandan.support.tests.problem_pages.helpers import (
    as_user,
    detail,
)

pytestmark = pytest.mark.django_db


# Matching, cases and notes -------------------------------------------------------------


def test_an_assigned_expert_sees_the_case_and_writes_a_note(
    client: Client, coordinator: Any, firm: Organisation, expert_user: Any
) -> None:
    problem = TriagedProblemFactory(organisation=firm, text_index=0)
    expert = expert_user.expert_profile
    as_user(client, coordinator)
    page = client.get(detail(problem)).content.decode()
    assert "정하늘" in page and "고른 전문가 배정" in page  # ranked and assignable
    assert expert.email in page  # coordinators see experts' contact data

    response = client.post(
        reverse("support:problem_assign", args=[problem.pk]), {"experts": [expert.pk]}
    )
    assert response.status_code == 302
    assignment = ExpertAssignment.objects.get()
    assert assignment.expert == expert and assignment.match_score is not None
    problem.refresh_from_db()
    assert problem.status == Problem.Status.MATCHED

    as_user(client, expert_user)
    cases = client.get(reverse("support:case_list")).content.decode()
    assert problem.title in cases
    case_url = reverse("support:case_detail", args=[assignment.pk])
    case = client.get(case_url).content.decode()
    assert problem.description in case
    assert firm.contact_email not in case and "•••" in case  # the firm's contact is masked
    saved = client.post(
        case_url,
        {"date": "2010-05-03", "body": "금형 온도 기록을 확인하고 보압 시간 연장을 권고함"},
    )
    assert saved.status_code == 302
    assert MentoringNote.objects.get().author == expert_user

    as_user(client, coordinator)
    assert "보압 시간 연장을 권고함" in client.get(detail(problem)).content.decode()
    assert (
        client.post(case_url, {"date": "2010-05-04", "body": "코디네이터 메모"}).status_code == 403
    )
    assert MentoringNote.objects.count() == 1


def test_an_empty_mentoring_note_is_a_field_error(client: Client, expert_user: Any) -> None:
    assignment = AssignmentFactory(expert=expert_user.expert_profile)
    as_user(client, expert_user)
    response = client.post(
        reverse("support:case_detail", args=[assignment.pk]), {"date": "2010-05-03", "body": " "}
    )
    assert response.status_code == 400 and "body" in response.context["form"].errors
    assert not MentoringNote.objects.exists()


def test_an_expert_sees_only_their_own_cases(client: Client, expert_user: Any) -> None:
    mine = AssignmentFactory(expert=expert_user.expert_profile)
    theirs = AssignmentFactory(problem=TriagedProblemFactory(title="남의 배정 과제"))
    as_user(client, expert_user)
    body = client.get(reverse("support:case_list")).content.decode()
    assert mine.problem.title in body and "남의 배정 과제" not in body
    assert client.get(reverse("support:case_detail", args=[theirs.pk])).status_code == 404
    assert client.get(detail(theirs.problem)).status_code == 404
    listed = client.get(reverse("support:problem_list")).content.decode()
    assert mine.problem.title in listed and "남의 배정 과제" not in listed


def test_case_list_query_count_is_constant(
    client: Client, expert_user: Any, django_assert_num_queries: Any
) -> None:
    expert = expert_user.expert_profile
    AssignmentFactory(expert=expert)
    as_user(client, expert_user)
    url = reverse("support:case_list")
    client.get(url)
    # session, user, expert profile, its open cases (for the availability form), memberships,
    # count, page (notes counted in it)
    with django_assert_num_queries(7):
        client.get(url)
    for _n in range(8):
        assignment = AssignmentFactory(expert=expert)
        MentoringNote.objects.create(
            assignment=assignment, author=expert_user, body="현장 점검", date="2010-05-03"
        )
    with django_assert_num_queries(7):
        response = client.get(url)
    assert response.status_code == 200 and "총 <strong>9</strong>건" in response.content.decode()


def test_problem_detail_query_count_does_not_grow_with_assignments(
    client: Client,
    coordinator: Any,
    firm: Organisation,
    expert_user: Any,
    django_assert_max_num_queries: Any,
) -> None:
    problem = TriagedProblemFactory(organisation=firm, status=Problem.Status.MATCHED)
    first = AssignmentFactory(problem=problem, expert=expert_user.expert_profile)
    as_user(client, coordinator)
    client.get(detail(problem))
    with django_assert_max_num_queries(24) as base:
        client.get(detail(problem))
    baseline = len(base.captured_queries)
    for _n in range(4):
        MentoringNote.objects.create(
            assignment=first, author=expert_user, body="공정 점검", date="2010-05-03"
        )
        AssignmentFactory(problem=problem)
    client.get(detail(problem))  # the matcher rebuilds once after new assignments
    with django_assert_max_num_queries(baseline):
        response = client.get(detail(problem))
    assert response.status_code == 200
    assert response.content.decode().count("공정 점검") == 4


def test_an_expert_of_the_firms_own_organisation_cannot_be_assigned(
    client: Client, coordinator: Any, firm: Organisation
) -> None:
    insider = ExpertFactory(name_ko="내부자", affiliation=firm)
    problem = TriagedProblemFactory(organisation=firm)
    as_user(client, coordinator)
    page = client.get(detail(problem)).content.decode()
    assert "내부자" not in page  # never proposed
    response = client.post(
        reverse("support:problem_assign", args=[problem.pk]), {"experts": [insider.pk]}
    )
    assert response.status_code == 400 and "이해충돌" in response.content.decode()
    assert not ExpertAssignment.objects.exists()


def test_an_assignment_is_ended(client: Client, coordinator: Any, firm: Organisation) -> None:
    assignment = AssignmentFactory(problem=TriagedProblemFactory(organisation=firm))
    as_user(client, coordinator)
    response = client.post(
        reverse("support:assignment_end", args=[assignment.pk]),
        {"status": "completed", "reason": "자문 종료"},
    )
    assert response.status_code == 302
    assignment.refresh_from_db()
    assert assignment.status == ExpertAssignment.Status.COMPLETED
    again = client.post(
        reverse("support:assignment_end", args=[assignment.pk]), {"status": "withdrawn"}
    )
    assert again.status_code == 400 and "진행 중인 배정만" in again.content.decode()
