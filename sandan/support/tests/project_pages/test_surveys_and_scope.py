"""The one-time survey link (unknown, expired, incomplete, resent), and what each user sees
of a project: their own outcome, masked contacts, documents within scope."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from sandan.accounts.roles import Role
from sandan.accounts.tests.factories import user_with_role
from sandan.core import clock
from sandan.registry.models import Organisation
from sandan.support import services
from sandan.support.models import (
    Participant,
    Project,
    ProjectDocument,
    Survey,
    SurveyResponse,
)
from sandan.support.tests.factories import (
    ProjectFactory,
    firm_in_hub,
)
from sandan.support.tests.project_pages.helpers import (
    ANSWERS,
    _submitted,
    _url,
    as_user,
)

pytestmark = pytest.mark.django_db


# Surveys ----------------------------------------------------------------------------


def _completed_with_survey(hub: Any, firm: Organisation) -> tuple[Project, str]:
    project = services.approve_project(None, _submitted(hub, lead=firm))
    services.start_project(None, project)
    pairs = services.complete_project(None, project)
    return project, pairs[0][1]


def test_an_unknown_or_expired_survey_link_says_so_and_changes_nothing(
    hub: Any, firm: Organisation
) -> None:
    _project, token = _completed_with_survey(hub, firm)
    anonymous = Client()
    unknown = anonymous.post(_url("survey_answer", "no-such-token"), ANSWERS)
    assert unknown.status_code == 404
    assert "유효하지 않은 조사 링크입니다" in unknown.content.decode()
    Survey.objects.update(
        sent_at=clock.now() - dt.timedelta(days=31),
        expires_at=clock.now() - dt.timedelta(minutes=1),
    )
    expired = anonymous.post(_url("survey_answer", token), ANSWERS)
    assert expired.status_code == 410
    assert "조사 기간이 끝난 링크입니다" in expired.content.decode()
    assert not SurveyResponse.objects.exists()
    assert Survey.objects.get().answered_at is None


def test_a_survey_missing_an_answer_is_400_with_the_item_named(
    hub: Any, firm: Organisation
) -> None:
    _project, token = _completed_with_survey(hub, firm)
    answers = {k: v for k, v in ANSWERS.items() if k != "timeliness"}
    response = Client().post(_url("survey_answer", token), answers)
    assert response.status_code == 400
    assert "1점부터 5점 중에서 골라 주세요" in response.content.decode()
    assert not SurveyResponse.objects.exists()
    # The link still works after a bad attempt.
    assert Client().post(_url("survey_answer", token), ANSWERS).status_code == 200


def test_a_resent_survey_link_replaces_the_old_one(
    client: Client, coordinator: Any, hub: Any, firm: Organisation
) -> None:
    project, old = _completed_with_survey(hub, firm)
    survey = Survey.objects.get()
    as_user(client, coordinator)
    response = client.post(_url("project_survey_resend", project.pk, survey.pk))
    assert response.status_code == 302
    assert len(mail.outbox) >= 1
    new = re.search(r"/support/survey/([A-Za-z0-9_-]+)/", mail.outbox[-1].body)
    assert new is not None and new.group(1) != old
    assert Client().get(_url("survey_answer", old)).status_code == 404
    assert Client().get(_url("survey_answer", new.group(1))).status_code == 200


# Scope, masking and documents --------------------------------------------------------


def test_a_company_sees_its_project_and_only_its_own_outcome(
    client: Client, hub: Any, firm: Organisation
) -> None:
    project = services.approve_project(None, _submitted(hub, lead=firm))
    partner = firm_in_hub(hub, name_ko="(주)마산금속")
    Participant.objects.create(project=project, organisation=partner, role="firm")
    services.start_project(None, project)
    services.record_outcome(None, project, firm, patents_filed=1, sales_increase_krw=7_000_000)
    services.record_outcome(None, project, partner, patents_filed=4, sales_increase_krw=9_999_999)
    other = ProjectFactory(hub=hub, title="다른 기업의 과제")

    as_user(client, user_with_role(Role.COMPANY_USER, organisation=firm))
    listing = client.get(_url("project_list")).content.decode()
    assert project.title in listing and "다른 기업의 과제" not in listing
    body = client.get(_url("project_detail", project.pk)).content.decode()
    assert "7,000,000" in body and "9,999,999" not in body
    assert _url("project_cancel", project.pk) not in body  # no workflow buttons
    assert _url("project_outcome", project.pk, firm.pk) not in body
    assert client.get(_url("project_detail", other.pk)).status_code == 404
    assert client.post(_url("project_cancel", project.pk), {"reason": "x"}).status_code == 403
    dashboard = client.get(_url("outcome_dashboard"), {"year": "2010"})
    assert dashboard.context["overall"]["sales_increase_krw"] == 7_000_000


def test_contacts_are_masked_for_the_ministry(client: Client, hub: Any, firm: Organisation) -> None:
    project = ProjectFactory(hub=hub, lead=firm)
    as_user(client, user_with_role(Role.MINISTRY_OFFICER))
    body = client.get(_url("project_detail", project.pk)).content.decode()
    assert "(주)창원정밀" in body and firm.contact_phone not in body and "•••" in body
    as_user(client, user_with_role(Role.HQ_STAFF))
    assert firm.contact_phone in client.get(_url("project_detail", project.pk)).content.decode()


def test_documents_are_checked_and_downloaded_within_scope(
    client: Client, coordinator: Any, capital_staff: Any, hub: Any
) -> None:
    project = ProjectFactory(hub=hub)
    as_user(client, coordinator)
    fake = SimpleUploadedFile("계획서.pdf", b"MZ not a pdf at all", "application/pdf")
    response = client.post(_url("project_document_add", project.pk), {"file": fake})
    assert response.status_code == 400 and not ProjectDocument.objects.exists()
    pdf = SimpleUploadedFile("계획서.pdf", b"%PDF-1.4\n" + b"0" * 500, "application/pdf")
    response = client.post(
        _url("project_document_add", project.pk), {"file": pdf, "title": "과제 계획서"}
    )
    assert response.status_code == 302
    document = ProjectDocument.objects.get()
    download = client.get(_url("project_document", document.pk))
    assert download.status_code == 200 and b"".join(download.streaming_content).startswith(b"%PDF")
    as_user(client, capital_staff)
    assert client.get(_url("project_document", document.pk)).status_code == 404


def test_the_history_page_is_linked_for_those_who_may_read_it(
    client: Client, coordinator: Any, hub: Any
) -> None:
    project = ProjectFactory(hub=hub)
    as_user(client, coordinator)
    history = reverse("core:object_history", args=["project", project.pk])
    assert history in client.get(_url("project_detail", project.pk)).content.decode()
    assert client.get(history).status_code == 200
