"""Expert matching and assignment, and the assigned expert's mentoring notes."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ValidationError

from sandan.accounts.roles import Role
from sandan.accounts.tests.factories import user_with_role
from sandan.core.services import NotAllowed
from sandan.registry.models import Organisation
from sandan.registry.tests.factories import ExpertFactory
from sandan.support import services
from sandan.support.models import ExpertAssignment, MentoringNote, Problem
from sandan.support.tests.factories import AssignmentFactory, ProblemFactory, TriagedProblemFactory

pytestmark = pytest.mark.django_db


# Matching and mentoring -------------------------------------------------------------


def test_experts_are_ranked_without_the_firms_own(coordinator: Any, firm: Organisation) -> None:
    problem = TriagedProblemFactory(organisation=firm, text_index=0)
    injection = ExpertFactory(name_ko="김성형", specialties="사출 성형 불량 분석, 금형 온도 제어")
    ExpertFactory(
        name_ko="박마케팅",
        specialties="해외 마케팅, 수출 바이어 발굴",
        service_categories=["TOTAL_MARKETING"],
    )
    insider = ExpertFactory(
        name_ko="이내부", specialties="사출 성형 불량 분석, 금형", affiliation=firm
    )
    ranked = services.suggest_experts(problem, k=5)
    names = [s.expert.name_ko for s in ranked]
    assert names[0] == injection.name_ko
    assert insider.name_ko not in names
    assert ranked[0].explanation


def test_assigning_experts_matches_the_problem(coordinator: Any, firm: Organisation) -> None:
    problem = TriagedProblemFactory(organisation=firm)
    experts = [ExpertFactory(), ExpertFactory()]
    assignments = services.assign_experts(
        coordinator, problem, experts, scores={experts[0].pk: 0.8}
    )
    problem.refresh_from_db()
    assert problem.status == Problem.Status.MATCHED and problem.matched_at is not None
    assert {a.expert for a in assignments} == set(experts)
    assert assignments[0].match_score == 0.8


def test_an_expert_of_the_firm_itself_is_never_assigned(
    coordinator: Any, firm: Organisation
) -> None:
    problem = TriagedProblemFactory(organisation=firm)
    insider = ExpertFactory(affiliation=firm)
    with pytest.raises(ValidationError) as error:
        services.assign_experts(coordinator, problem, [insider])
    assert "이해충돌" in error.value.message_dict["experts"][0]
    assert not ExpertAssignment.objects.exists()


def test_an_untriaged_problem_gets_no_expert(coordinator: Any, firm: Organisation) -> None:
    problem = ProblemFactory(organisation=firm)
    with pytest.raises(ValidationError):
        services.assign_experts(coordinator, problem, [ExpertFactory()])


def test_an_expert_is_assigned_once(coordinator: Any, firm: Organisation) -> None:
    assignment = AssignmentFactory(problem=TriagedProblemFactory(organisation=firm))
    with pytest.raises(ValidationError):
        services.assign_experts(coordinator, assignment.problem, [assignment.expert])


def test_only_the_assigned_expert_writes_mentoring_notes(
    coordinator: Any, firm: Organisation
) -> None:
    expert_user = user_with_role(Role.EXPERT)
    assignment = AssignmentFactory(
        problem=TriagedProblemFactory(organisation=firm), expert=ExpertFactory(user=expert_user)
    )
    note = services.add_mentoring_note(
        expert_user, assignment, "금형 냉각수 유량 점검, 보압 2단 제어 제안"
    )
    assert note.author == expert_user
    with pytest.raises(NotAllowed):
        services.add_mentoring_note(coordinator, assignment, "대신 작성")
    other_expert = user_with_role(Role.EXPERT)
    ExpertFactory(user=other_expert)
    with pytest.raises(NotAllowed):
        services.add_mentoring_note(other_expert, assignment, "남의 배정")
    with pytest.raises(ValidationError):
        services.add_mentoring_note(expert_user, assignment, "")
    assert MentoringNote.objects.count() == 1
