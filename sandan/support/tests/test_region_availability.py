"""Region and availability in expert matching: nearness breaks near-ties, an expert away or
at their cap of open cases is neither suggested nor assignable."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from sandan.core import clock
from sandan.registry.models import Organisation
from sandan.registry.tests.factories import ExpertFactory, province
from sandan.support import services
from sandan.support.models import ExpertAssignment
from sandan.support.tests.factories import AssignmentFactory, TriagedProblemFactory

pytestmark = pytest.mark.django_db

SAME = "사출 성형 불량 분석, 금형 온도 제어"


def test_equal_specialties_prefer_the_firms_province_then_its_zone(
    coordinator: Any, firm: Organisation
) -> None:
    # The firm is in 경남 (동남권): 울산 is the same zone, 경기 is far.
    problem = TriagedProblemFactory(organisation=firm, text_index=0)
    far = ExpertFactory(name_ko="경기전문가", specialties=SAME, province=province("41"))
    zone = ExpertFactory(name_ko="울산전문가", specialties=SAME, province=province("31"))
    near = ExpertFactory(name_ko="경남전문가", specialties=SAME, province=province("48"))
    ranked = services.suggest_experts(problem, k=3)
    assert [s.expert for s in ranked] == [near, zone, far]
    assert [s.region for s in ranked] == ["province", "zone", ""]
    assert "같은 시·도" in ranked[0].explanation
    assert "같은 광역경제권" in ranked[1].explanation


def test_nearness_does_not_beat_a_clearly_better_specialty(
    coordinator: Any, firm: Organisation
) -> None:
    problem = TriagedProblemFactory(organisation=firm, text_index=0)
    far = ExpertFactory(name_ko="경기전문가", specialties=SAME, province=province("41"))
    ExpertFactory(
        name_ko="경남마케팅",
        specialties="해외 마케팅, 수출 바이어 발굴",
        province=province("48"),
    )
    assert services.suggest_experts(problem, k=2)[0].expert == far


def test_an_expert_without_a_region_of_their_own_counts_from_their_affiliation(
    coordinator: Any, firm: Organisation
) -> None:
    problem = TriagedProblemFactory(organisation=firm, text_index=0)
    ExpertFactory(name_ko="경기전문가", specialties=SAME, province=province("41"))
    # An expert of an institute in the firm's own complex (but not of the firm itself).
    local = ExpertFactory(
        name_ko="단지전문가",
        specialties=SAME,
        affiliation__complex=firm.complex,
    )
    assert local.province is None
    assert services.suggest_experts(problem, k=2)[0].expert == local


def test_an_expert_away_today_is_neither_suggested_nor_assignable(
    coordinator: Any, firm: Organisation
) -> None:
    problem = TriagedProblemFactory(organisation=firm, text_index=0)
    today = clock.today()
    away = ExpertFactory(
        name_ko="휴가중",
        specialties=SAME,
        unavailable_from=today - dt.timedelta(days=1),
        unavailable_until=today + dt.timedelta(days=6),
    )
    back = ExpertFactory(
        name_ko="복귀함",
        specialties=SAME,
        unavailable_from=today - dt.timedelta(days=20),
        unavailable_until=today - dt.timedelta(days=1),
    )
    names = [s.expert.name_ko for s in services.suggest_experts(problem, k=5)]
    assert back.name_ko in names and away.name_ko not in names
    with pytest.raises(ValidationError) as error:
        services.assign_experts(coordinator, problem, [away])
    assert "부재 중" in str(error.value)
    assert not ExpertAssignment.objects.filter(expert=away).exists()


def test_an_expert_at_their_cap_of_open_cases_is_left_out_until_one_ends(
    coordinator: Any, firm: Organisation
) -> None:
    problem = TriagedProblemFactory(organisation=firm, text_index=0)
    busy = ExpertFactory(name_ko="바쁜전문가", specialties=SAME, max_open_cases=1)
    other = AssignmentFactory(expert=busy)
    assert busy.name_ko not in [s.expert.name_ko for s in services.suggest_experts(problem)]
    with pytest.raises(ValidationError) as error:
        services.assign_experts(coordinator, problem, [busy])
    assert "최대 동시 배정 1건" in str(error.value)

    services.end_assignment(None, other, ExpertAssignment.Status.COMPLETED)
    assert busy.name_ko in [s.expert.name_ko for s in services.suggest_experts(problem)]
    assert services.assign_experts(coordinator, problem, [busy])
