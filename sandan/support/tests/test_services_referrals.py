"""Referrals of problems to partner agencies."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ValidationError

from sandan.registry.models import Organisation
from sandan.registry.tests.factories import OrganisationFactory
from sandan.support import services
from sandan.support.models import Problem, Referral
from sandan.support.tests.factories import ProblemFactory, TriagedProblemFactory

pytestmark = pytest.mark.django_db


# Referrals --------------------------------------------------------------------------


def test_a_referral_sends_the_problem_to_a_partner_and_closes_it(
    coordinator: Any, firm: Organisation
) -> None:
    problem = ProblemFactory(organisation=firm)
    agency = OrganisationFactory(
        kind=Organisation.Kind.AGENCY, business_number=None, name_ko="경남테크노파크"
    )
    referral = services.refer_problem(
        coordinator, problem, "technopark", agency, "장비 공동활용 사업이 적합"
    )
    problem.refresh_from_db()
    assert problem.status == Problem.Status.REFERRED
    services.update_referral(coordinator, referral, "accepted")
    services.update_referral(coordinator, referral, "completed", "시험 장비 3회 무상 사용")
    problem.refresh_from_db()
    referral.refresh_from_db()
    assert referral.closed_at is not None and referral.outcome == "시험 장비 3회 무상 사용"
    assert problem.status == Problem.Status.CLOSED


def test_a_declined_referral_returns_the_problem(coordinator: Any, firm: Organisation) -> None:
    problem = TriagedProblemFactory(organisation=firm)
    referral = services.refer_problem(coordinator, problem, "local_government", note="지자체 사업")
    services.update_referral(coordinator, referral, "declined", "올해 예산 소진")
    problem.refresh_from_db()
    assert problem.status == Problem.Status.TRIAGED


def test_referral_to_a_firm_or_unknown_kind_is_refused(
    coordinator: Any, firm: Organisation
) -> None:
    problem = ProblemFactory(organisation=firm)
    with pytest.raises(ValidationError) as error:
        services.refer_problem(coordinator, problem, "technopark", firm)
    assert "agency" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        services.refer_problem(coordinator, problem, "bank")
    assert "partner_kind" in error.value.message_dict
    assert not Referral.objects.exists()
