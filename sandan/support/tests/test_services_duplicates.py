"""The duplicate-funding check at approval: same firm and category, a near-copy of the text,
the year's grant cap, and the overrides each flag needs."""

from __future__ import annotations

from typing import Any

import numpy
import pytest
from django.core.exceptions import ValidationError

from sandan.core import clock
from sandan.registry.models import Organisation
from sandan.support import services
from sandan.support.models import DuplicateFlag, Project
from sandan.support.services.duplicates import Funding, duplicate_funding_flags
from sandan.support.tests.factories import ProjectFactory, budget, category, firm_in_hub
from sandan.support.tests.services_helpers import approvable

pytestmark = pytest.mark.django_db


def _funded(hub: Any, firm: Organisation, public: int = 40_000_000, **kwargs: Any) -> Project:
    project = ProjectFactory(
        hub=hub, lead=firm, status=Project.Status.APPROVED, approved_at=clock.now(), **kwargs
    )
    budget(project, public, 10_000_000)
    return project


def test_same_firm_same_category_is_flagged_and_needs_an_override(
    coordinator: Any, regional: Any, hub: Any, firm: Organisation
) -> None:
    earlier = _funded(hub, firm, title="프레스 금형 수명 연장 지원")
    project = approvable(
        coordinator,
        hub,
        lead=firm,
        title="도장 라인 에너지 절감 지원",
        summary="도장 건조로 폐열 회수",
    )
    with pytest.raises(ValidationError) as error:
        services.approve_project(regional, project)
    assert "overrides" in error.value.message_dict
    flag = DuplicateFlag.objects.get(project=project)
    assert flag.kind == DuplicateFlag.Kind.SAME_CATEGORY
    assert flag.other_project == earlier and flag.organisation == firm
    project.refresh_from_db()
    assert project.status == Project.Status.SUBMITTED
    with pytest.raises(ValidationError):
        services.approve_project(regional, project, overrides={flag.pk: "  "})
    approved = services.approve_project(
        regional, project, overrides={flag.pk: "다른 공정(도장)이라 중복 아님"}
    )
    assert approved.status == Project.Status.APPROVED
    flag.refresh_from_db()
    assert flag.overridden_by == regional and flag.override_reason.startswith("다른 공정")


def test_a_very_similar_text_is_flagged_in_another_category(
    coordinator: Any, regional: Any, hub: Any, firm: Organisation
) -> None:
    text = (
        "사출 금형 온도 제어와 성형 조건 최적화로 자동차 내장 부품 수축 불량률을 2% 이하로 낮춘다."
    )
    _funded(
        hub,
        firm,
        title="사출 성형 불량 저감 지원",
        summary=text,
        category=category("TECH_MGMT_SUPPORT"),
    )
    project = approvable(coordinator, hub, lead=firm, title="사출성형 불량 저감 지원", summary=text)
    with pytest.raises(ValidationError):
        services.approve_project(regional, project)
    flag = DuplicateFlag.objects.get(project=project)
    assert flag.kind == DuplicateFlag.Kind.SIMILAR_TEXT and (flag.similarity or 0) >= 0.6


def test_different_work_of_the_same_firm_is_not_similar(hub: Any, firm: Organisation) -> None:
    matrix = services.text_similarity(
        [
            "사출 금형 온도 제어로 수축 불량률을 낮춘다.",
            "베트남 하노이 전시회 공동관 참가와 바이어 상담회 지원.",
            "사출 금형의 온도를 제어해 수축 불량률을 낮춘다.",
        ]
    )
    assert matrix[0, 1] < 0.2
    assert matrix[0, 2] > 0.6


def test_the_years_grant_cap_is_flagged(
    coordinator: Any, regional: Any, hub: Any, firm: Organisation
) -> None:
    _funded(
        hub,
        firm,
        public=70_000_000,
        category=category("TOTAL_MARKETING"),
        title="해외 전시회 참가",
        summary="베트남 전시회",
    )
    project = approvable(
        coordinator,
        hub,
        lead=firm,
        public=40_000_000,
        cash=10_000_000,
        summary="CNC 교육",
        title="현장 교육",
    )
    with pytest.raises(ValidationError) as error:
        services.approve_project(regional, project)
    flag = DuplicateFlag.objects.get(project=project, kind=DuplicateFlag.Kind.OVER_CAP)
    assert "110,000,000" in flag.detail
    assert str(flag.pk) in " ".join(error.value.message_dict["overrides"])


def test_unrelated_firms_are_not_flagged(coordinator: Any, regional: Any, hub: Any) -> None:
    _funded(hub, firm_in_hub(hub))
    project = approvable(coordinator, hub)
    assert services.approve_project(regional, project).status == Project.Status.APPROVED
    assert not DuplicateFlag.objects.exists()


# The rule over plain data ---------------------------------------------------------------


def _plain(key: int, firms: list[int], category: str = "TECH", **kwargs: Any) -> Funding:
    fields: dict[str, Any] = {
        "title": f"과제 {key}",
        "text": f"과제 {key}의 내용",
        "category_name": "기술지원",
        "grants": {},
        **kwargs,
    }
    return Funding(key=key, category=category, firms=firms, **fields)


def _no_similarity(texts: Any) -> Any:
    return [[0.0] * len(texts) for _row in texts]


def test_the_rule_flags_the_same_firm_in_the_same_category_only() -> None:
    candidate = _plain(1, [10, 11])
    funded = [_plain(2, [10]), _plain(3, [12]), _plain(4, [11], category="MARKETING")]
    flags = duplicate_funding_flags(
        candidate,
        funded,
        year=2024,
        cap_krw=100_000_000,
        similarity_threshold=0.5,
        firm_names={10: "(주)창원정밀"},
        similarity=lambda texts: numpy.zeros((len(texts), len(texts))),
    )
    assert [(f.kind, f.organisation_id, f.other_project_id) for f in flags] == [
        (DuplicateFlag.Kind.SAME_CATEGORY, 10, 2)
    ]
    assert "(주)창원정밀" in flags[0].detail and "과제 2" in flags[0].detail


def test_the_rule_flags_a_text_at_the_threshold_in_any_category() -> None:
    candidate = _plain(1, [10])
    funded = [_plain(2, [10], category="MARKETING"), _plain(3, [10], category="EDU")]
    matrix = numpy.array([[1.0, 0.5, 0.49], [0.5, 1.0, 0.0], [0.49, 0.0, 1.0]])
    flags = duplicate_funding_flags(
        candidate,
        funded,
        year=2024,
        cap_krw=100_000_000,
        similarity_threshold=0.5,
        similarity=lambda texts: matrix,
    )
    assert [(f.kind, f.other_project_id, f.similarity) for f in flags] == [
        (DuplicateFlag.Kind.SIMILAR_TEXT, 2, 0.5)
    ]


def test_the_rule_adds_up_a_firms_grants_of_the_year_against_the_cap() -> None:
    candidate = _plain(1, [10, 11], grants={10: 40_000_000, 11: 10_000_000})
    funded = [
        _plain(2, [10], category="A", grants={10: 70_000_000}),
        _plain(3, [12], category="B", grants={12: 90_000_000}),
    ]
    flags = duplicate_funding_flags(
        candidate,
        funded,
        year=2024,
        cap_krw=100_000_000,
        similarity_threshold=0.5,
        similarity=lambda texts: numpy.zeros((len(texts), len(texts))),
    )
    assert [(f.kind, f.organisation_id, f.other_project_id) for f in flags] == [
        (DuplicateFlag.Kind.OVER_CAP, 10, None)
    ]
    assert "110,000,000원" in flags[0].detail and "2024년" in flags[0].detail


def test_the_rule_finds_nothing_without_funded_projects_of_the_firms() -> None:
    assert (
        duplicate_funding_flags(
            _plain(1, [10], grants={10: 200_000_000}),
            [],
            year=2024,
            cap_krw=300_000_000,
            similarity_threshold=0.5,
            similarity=_no_similarity,
        )
        == []
    )
