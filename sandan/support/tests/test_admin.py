"""Every support admin list opens (a wrong list_display or filter would be a 500)."""

from __future__ import annotations

from typing import Any

import pytest
from django.apps import apps
from django.contrib.admin import site
from django.urls import reverse

from sandan.accounts.tests.factories import UserFactory
from sandan.support.tests.factories import ProblemFactory, ProjectFactory

pytestmark = pytest.mark.django_db


def test_every_changelist_opens(client: Any) -> None:
    admin_user = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(admin_user)
    ProblemFactory()
    project = ProjectFactory()
    registered = [m for m in apps.get_app_config("support").get_models() if m in site._registry]
    assert len(registered) >= 12
    for model in registered:
        url = reverse(f"admin:support_{model._meta.model_name}_changelist")
        assert client.get(url).status_code == 200, url
    change = reverse("admin:support_project_change", args=[project.pk])
    assert client.get(change).status_code == 200
