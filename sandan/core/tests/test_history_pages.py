"""History and audit-log pages render, filter and mask personal fields."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from sandan.accounts.roles import Role
from sandan.accounts.tests.factories import user_with_role
from sandan.registry import services
from sandan.registry.tests.factories import OrganisationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def changed_organisation() -> Any:
    organisation = OrganisationFactory(contact_name="김민준")
    editor = user_with_role(Role.HQ_STAFF, username="editor")
    services.update_organisation(editor, organisation, contact_name="박서준", reason="담당자 교체")
    return organisation


def test_history_masks_personal_fields_for_ministry(
    client: Client, changed_organisation: Any
) -> None:
    client.force_login(user_with_role(Role.MINISTRY_OFFICER))

    body = client.get(
        reverse("core:object_history", args=["organisation", changed_organisation.pk])
    ).content.decode()

    # The field as the forms name it, not its column.
    assert "담당자 교체" in body and '<th scope="row">담당자</th>' in body
    assert "박서준" not in body and "•••" in body


def test_history_shows_personal_fields_to_hq(client: Client, changed_organisation: Any) -> None:
    client.force_login(user_with_role(Role.HQ_STAFF))

    body = client.get(
        reverse("core:object_history", args=["organisation", changed_organisation.pk])
    ).content.decode()

    assert "김민준" in body and "박서준" in body


def test_audit_log_filters_by_actor_and_source(client: Client, changed_organisation: Any) -> None:
    client.force_login(user_with_role(Role.AUDITOR))
    url = reverse("core:audit_log")

    mine = client.get(url, {"actor": "editor", "source": "web"})
    nobody = client.get(url, {"actor": "nobody"})

    assert mine.status_code == 200 and mine.context["page"].paginator.count == 1
    assert nobody.context["page"].paginator.count == 0
    assert "style=" not in mine.content.decode()
