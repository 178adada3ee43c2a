"""Problems raised at a networking activity, and every problem page for every role."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from sandan.accounts.roles import Role
from sandan.accounts.tests.factories import user_with_role
from sandan.councils.models import Activity
from sandan.councils.tests.factories import ActivityFactory, CouncilFactory, MembershipFactory
from sandan.registry.models import Organisation
from sandan.support.models import (
    Problem,
)
from sandan.support.tests.factories import (
    AssignmentFactory,
    ProblemFactory,
    ReferralFactory,
    TriagedProblemFactory,
    firm_in_hub,
)
from sandan.support.tests.problem_pages.helpers import (
    as_user,
    detail,
)

pytestmark = pytest.mark.django_db


# Activities ---------------------------------------------------------------------------


def test_problems_raised_at_an_activity_are_recorded_and_listed(
    client: Client, coordinator: Any, hub: Any
) -> None:
    council = CouncilFactory(hub=hub)
    member = MembershipFactory(
        council=council, organisation=firm_in_hub(hub, name_ko="(주)마산정밀")
    )
    activity = ActivityFactory(council=council, kind=Activity.Kind.DISCOVERY)
    url = reverse("support:activity_problems", args=[activity.pk])
    as_user(client, coordinator)
    page = client.get(url).content.decode()
    assert "(주)마산정밀" in page

    form = {
        "rows-TOTAL_FORMS": "3",
        "rows-INITIAL_FORMS": "0",
        "rows-0-organisation": member.organisation.pk,
        "rows-0-title": "도금 박리 불량",
        "rows-0-description": "전기 도금 후 박리가 생깁니다.",
        "rows-0-urgency": "normal",
        "rows-1-organisation": member.organisation.pk,
        "rows-1-title": "수출 바이어 발굴",
        "rows-1-description": "",
        "rows-1-urgency": "normal",
        "rows-2-urgency": "normal",
    }
    missing = client.post(url, form)
    assert missing.status_code == 400 and not Problem.objects.exists()

    form["rows-1-description"] = "해외 판로가 없습니다."
    assert client.post(url, form).status_code == 302
    problems = Problem.objects.filter(activity=activity)
    assert problems.count() == 2 and {p.source for p in problems} == {"activity"}
    activity.refresh_from_db()
    assert activity.problems_raised == 2

    shown = client.get(reverse("councils:activity_detail", args=[activity.pk])).content.decode()
    assert "도금 박리 불량" in shown and url in shown


def test_a_company_cannot_record_activity_problems(
    client: Client, company: Any, firm: Organisation, hub: Any
) -> None:
    council = CouncilFactory(hub=hub)
    MembershipFactory(council=council, organisation=firm)
    activity = ActivityFactory(council=council)
    as_user(client, company)
    url = reverse("support:activity_problems", args=[activity.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, {"rows-TOTAL_FORMS": "1", "rows-INITIAL_FORMS": "0"})
    assert response.status_code == 403 and not Problem.objects.exists()


# Every role ---------------------------------------------------------------------------


def test_every_page_renders_for_every_role(
    client: Client,
    hub: Any,
    firm: Organisation,
    company: Any,
    coordinator: Any,
    expert_user: Any,
) -> None:
    problem = TriagedProblemFactory(organisation=firm)
    assignment = AssignmentFactory(problem=problem, expert=expert_user.expert_profile)
    ReferralFactory(problem=ProblemFactory(organisation=firm, status="referred"))
    activity = ActivityFactory(council=CouncilFactory(hub=hub))
    users = [
        user_with_role(Role.MINISTRY_OFFICER),
        user_with_role(Role.HQ_STAFF),
        user_with_role(Role.AUDITOR),
        user_with_role(Role.REGIONAL_STAFF, zone=hub.zone),
        coordinator,
        company,
        expert_user,
    ]
    urls = [
        reverse("support:problem_list"),
        reverse("support:problem_create"),
        reverse("support:problem_import"),
        detail(problem),
        reverse("support:case_list"),
        reverse("support:case_detail", args=[assignment.pk]),
        reverse("support:activity_problems", args=[activity.pk]),
    ]
    for user in users:
        as_user(client, user)
        for url in urls:
            response = client.get(url)
            assert response.status_code in (200, 403, 404), (user, url, response.status_code)
            body = response.content.decode()
            assert 'style="' not in body and "<script>" not in body, (user, url)  # CSP
        assert client.get(detail(problem)).status_code == 200, user
    # Masking: the company sees its expert's name but not the expert's e-mail.
    as_user(client, company)
    page = client.get(detail(problem)).content.decode()
    assert expert_user.expert_profile.name_ko in page
    assert expert_user.expert_profile.email not in page
