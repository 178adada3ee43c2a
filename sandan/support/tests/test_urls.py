"""Every support page needs a login (but the survey link, whose token is the key), and the
buttons that change something answer only POST."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import URLPattern, reverse

from sandan.accounts.roles import Role
from sandan.accounts.tests.factories import user_with_role
from sandan.support import urls

pytestmark = pytest.mark.django_db

PUBLIC = {"survey_answer"}
POST_ONLY = {
    "problem_triage",
    "problem_assign",
    "problem_refer",
    "problem_reject",
    "problem_close",
    "problem_attachment_add",
    "assignment_end",
    "referral_update",
    "project_participant_remove",
    "project_milestone_complete",
    "project_submit",
    "project_recheck",
    "project_start",
    "project_complete",
    "project_survey_resend",
}


def address(pattern: URLPattern) -> str:
    kwargs: dict[str, Any] = {
        name: "token" if converter.__class__.__name__ == "StringConverter" else 1
        for name, converter in pattern.pattern.converters.items()
    }
    return reverse(f"support:{pattern.name}", kwargs=kwargs)


PATTERNS = [p for p in urls.urlpatterns if isinstance(p, URLPattern)]


@pytest.mark.parametrize("pattern", PATTERNS, ids=lambda p: p.name)
def test_every_page_but_the_survey_needs_a_login(client: Client, pattern: URLPattern) -> None:
    response = client.get(address(pattern))
    if pattern.name in PUBLIC:
        assert response.status_code in (404, 410)  # an unknown token, not a login page
    else:
        assert response.status_code == 302
        assert "login" in response["Location"]


@pytest.mark.parametrize("name", sorted(POST_ONLY))
def test_buttons_answer_only_post(client: Client, name: str) -> None:
    client.force_login(user_with_role(Role.HQ_STAFF))
    pattern = next(p for p in PATTERNS if p.name == name)
    assert client.get(address(pattern)).status_code == 405
