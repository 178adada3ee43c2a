"""Every project page answers every demo role without an error."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from sandan.accounts.roles import Role
from sandan.accounts.tests.factories import user_with_role
from sandan.registry.models import Organisation
from sandan.registry.tests.factories import (
    ComplexFactory,
    ExpertFactory,
    OrganisationFactory,
    province,
)
from sandan.support import services
from sandan.support.models import (
    Outcome,
    Participant,
    Project,
)
from sandan.support.tests.factories import (
    ProblemFactory,
    TriagedProblemFactory,
    firm_in_hub,
)
from sandan.support.tests.project_pages.helpers import (
    _submitted,
    _url,
    as_user,
)

pytestmark = pytest.mark.django_db


# Every page, every role ------------------------------------------------------------


def test_every_page_answers_every_demo_role_without_an_error(
    client: Client, branch: Any, hub: Any, firm: Organisation
) -> None:
    project = services.approve_project(None, _submitted(hub, lead=firm))
    services.start_project(None, project)
    expert = ExpertFactory()
    expert_user = user_with_role(Role.EXPERT, organisation=expert.affiliation)
    expert.user = expert_user
    expert.save()
    Participant.objects.create(project=project, expert=expert, role="expert")
    users = {
        "ministry": user_with_role(Role.MINISTRY_OFFICER),
        "hq": user_with_role(Role.HQ_STAFF),
        "auditor": user_with_role(Role.AUDITOR),
        "regional": user_with_role(Role.REGIONAL_STAFF, zone=hub.zone),
        "coordinator": user_with_role(Role.COORDINATOR, office=branch),
        "company": user_with_role(Role.COMPANY_USER, organisation=firm),
        "expert": expert_user,
    }
    pages = [
        _url("project_list"),
        _url("project_detail", project.pk),
        _url("project_edit", project.pk),
        _url("project_budget", project.pk),
        _url("project_participant_add", project.pk),
        _url("project_milestone_add", project.pk),
        _url("project_document_add", project.pk),
        _url("project_approve", project.pk),
        _url("project_cancel", project.pk),
        _url("project_outcome", project.pk, firm.pk),
        _url("project_create"),
        _url("outcome_dashboard"),
        _url("service_levels"),
    ]
    for name, user in users.items():
        as_user(client, user)
        for url in pages:
            response = client.get(url)
            assert response.status_code in (200, 403, 404), (name, url, response.status_code)
            body = response.content.decode()
            # CSP: no inline style or script (chart data goes in JSON script elements).
            assert "style=" not in body and "<script>" not in body, (name, url)
        assert client.get(_url("project_detail", project.pk)).status_code == 200, name
        assert client.get(_url("outcome_dashboard")).status_code == 200, name
        assert client.get(_url("service_levels")).status_code == 200, name


def test_pages_need_login_but_the_survey_does_not(client: Client) -> None:
    for name in ("project_list", "project_create", "outcome_dashboard", "service_levels"):
        assert client.get(_url(name)).status_code == 302
    assert client.get(_url("survey_answer", "x" * 43)).status_code == 404


def test_bad_participant_and_outcome_input_is_400_and_saves_nothing(
    client: Client, coordinator: Any, hub: Any, firm: Organisation
) -> None:
    project = services.approve_project(None, _submitted(hub, lead=firm))
    services.start_project(None, project)
    as_user(client, coordinator)
    before = project.participants.count()
    response = client.post(_url("project_participant_add", project.pk), {})
    assert response.status_code == 400
    assert "참여 기관이나 전문가 중 하나만 고르세요" in response.content.decode()
    expert = ExpertFactory()
    both = {"organisation": firm_in_hub(hub).pk, "expert": expert.pk, "reason": "보강"}
    assert client.post(_url("project_participant_add", project.pk), both).status_code == 400
    assert project.participants.count() == before

    response = client.post(
        _url("project_outcome", project.pk, firm.pk),
        {"patents_filed": "-1", "sales_increase_krw": "많이"},
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "입력한 내용을 확인하세요" in body
    assert not Outcome.objects.exists()
    stranger = OrganisationFactory()
    assert client.get(_url("project_outcome", project.pk, stranger.pk)).status_code == 404


def test_editing_an_approved_project_needs_a_reason_which_is_audited(
    client: Client, coordinator: Any, hub: Any
) -> None:
    from sandan.core.audit import history_of

    project = services.approve_project(None, _submitted(hub, title="금형 수명 연장"))
    as_user(client, coordinator)
    data = {
        "title": "금형 수명 연장과 열처리 개선",
        "summary": project.summary,
        "type": project.type,
        "category": project.category_id,
        "scope": project.scope,
        "start_date": "2010-04-01",
        "end_date": "2010-09-30",
    }
    response = client.post(_url("project_edit", project.pk), data)
    assert response.status_code == 400
    assert "승인된 과제를 바꾸려면 사유를 적어 주세요" in response.content.decode()
    project.refresh_from_db()
    assert project.title == "금형 수명 연장"
    response = client.post(
        _url("project_edit", project.pk), {**data, "reason": "열처리 공정 추가 요청"}
    )
    project.refresh_from_db()
    assert response.status_code == 302 and project.title == "금형 수명 연장과 열처리 개선"
    assert history_of(project).first().reason == "열처리 공정 추가 요청"


def test_a_project_from_two_complexes_problems_is_an_inter_complex_project(
    client: Client, coordinator: Any, hub: Any, firm: Organisation
) -> None:
    from sandan.support.tests.factories import firm_in_linked

    neighbour = firm_in_linked(
        hub, ComplexFactory(office=hub.complex.office, province=province("48"))
    )
    first = TriagedProblemFactory(organisation=firm, text_index=0)
    second = TriagedProblemFactory(organisation=neighbour, text_index=0)
    as_user(client, coordinator)
    page = client.get(_url("project_create"), {"problems": [first.pk, second.pk]})
    assert "과제 범위: 산단간 연계" in page.content.decode()
    response = client.post(
        _url("project_create"),
        {"problems": [first.pk, second.pk], "title": "사출 불량 공동 대응", "type": "joint_rnd"},
    )
    assert response.status_code == 302
    project = Project.objects.get(title="사출 불량 공동 대응")
    assert project.scope == Project.Scope.INTER_COMPLEX
    assert set(project.problems.all()) == {first, second}
    assert project.participants.get(role="lead_firm").organisation == firm
    assert project.participants.get(organisation=neighbour).role == Participant.Role.FIRM


def test_a_project_cannot_be_made_from_an_untriaged_problem(
    client: Client, coordinator: Any, firm: Organisation
) -> None:
    problem = ProblemFactory(organisation=firm)
    as_user(client, coordinator)
    assert client.get(_url("project_create"), {"problems": problem.pk}).status_code == 404
    response = client.post(
        _url("project_create"), {"problems": [], "title": "빈 과제", "type": "mentoring"}
    )
    assert response.status_code == 400 and not Project.objects.exists()
