"""Outcomes of the participating firms and their one-time satisfaction surveys."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from sandan.core import clock
from sandan.registry.models import Organisation
from sandan.support import services
from sandan.support.models import Outcome, Project, Survey, SurveyResponse
from sandan.support.tests.factories import ProjectFactory, firm_in_hub

pytestmark = pytest.mark.django_db


# Outcomes and surveys ---------------------------------------------------------------


def _running(hub: Any, firm: Organisation) -> Project:
    return ProjectFactory(
        hub=hub,
        lead=firm,
        status=Project.Status.IN_PROGRESS,
        approved_at=clock.now(),
        started_at=clock.now(),
    )


def test_outcomes_are_recorded_once_per_firm_and_updated(
    coordinator: Any, hub: Any, firm: Organisation
) -> None:
    project = _running(hub, firm)
    services.record_outcome(
        coordinator, project, firm, patents_filed=1, sales_before_krw=1_200_000_000
    )
    outcome = services.record_outcome(coordinator, project, firm, patents_filed=2, new_hires=3)
    assert Outcome.objects.count() == 1
    assert outcome.patents_filed == 2 and outcome.new_hires == 3


def test_negative_or_foreign_outcomes_are_refused(
    coordinator: Any, hub: Any, firm: Organisation
) -> None:
    project = _running(hub, firm)
    with pytest.raises(ValidationError) as error:
        services.record_outcome(coordinator, project, firm, new_hires=-1, prototypes="두 개")
    assert {"new_hires", "prototypes"} <= set(error.value.message_dict)
    with pytest.raises(ValidationError):
        services.record_outcome(coordinator, project, firm_in_hub(hub), new_hires=1)
    assert not Outcome.objects.exists()


ANSWERS = {"overall": 5, "timeliness": 4, "expertise": 5, "usefulness": 4, "recommend": 5}


def _survey(hub: Any, firm: Organisation) -> tuple[Survey, str]:
    project = _running(hub, firm)
    return services.complete_project(None, project)[0]


def test_a_survey_link_works_once(hub: Any, firm: Organisation) -> None:
    survey, token = _survey(hub, firm)
    response = services.answer_survey(token, ANSWERS, "전문가 조언이 큰 도움이 되었습니다.")
    assert response.overall == 5
    survey.refresh_from_db()
    assert survey.answered_at is not None
    with pytest.raises(ValidationError) as error:
        services.answer_survey(token, {**ANSWERS, "overall": 1}, "두 번째")
    assert "이미 응답" in error.value.message_dict["token"][0]
    assert SurveyResponse.objects.get().overall == 5


def test_an_expired_or_unknown_link_is_refused(hub: Any, firm: Organisation) -> None:
    survey, token = _survey(hub, firm)
    later = survey.expires_at + dt.timedelta(minutes=1)
    with pytest.raises(ValidationError) as error:
        services.answer_survey(token, ANSWERS, now=later)
    assert "끝난" in error.value.message_dict["token"][0]
    with pytest.raises(ValidationError):
        services.answer_survey("not-a-token", ANSWERS)
    assert not SurveyResponse.objects.exists()


def test_answers_outside_one_to_five_are_refused(hub: Any, firm: Organisation) -> None:
    survey, token = _survey(hub, firm)
    with pytest.raises(ValidationError) as error:
        services.answer_survey(token, {**ANSWERS, "overall": 6, "recommend": None})
    assert {"overall", "recommend"} <= set(error.value.message_dict)
    survey.refresh_from_db()
    assert survey.answered_at is None


def test_a_resent_link_replaces_the_old_one(coordinator: Any, hub: Any, firm: Organisation) -> None:
    survey, old = _survey(hub, firm)
    new = services.resend_survey(coordinator, survey)
    with pytest.raises(ValidationError):
        services.answer_survey(old, ANSWERS)
    assert services.answer_survey(new, ANSWERS).survey == survey


def test_survey_link_is_an_absolute_address_of_the_site(settings: Any) -> None:
    settings.SANDAN_SITE_URL = "https://sandan.kicox.example"
    assert services.survey_link("abc123") == "https://sandan.kicox.example/support/survey/abc123/"
