"""The navigation every page gets: the user's roles and which menus they may open."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.test import RequestFactory

from sandan.accounts.context_processors import navigation
from sandan.accounts.roles import Role
from sandan.accounts.tests.factories import UserFactory, user_with_role

pytestmark = pytest.mark.django_db


def _navigation_of(user: object) -> dict[str, object]:
    request = RequestFactory().get("/")
    request.user = user  # type: ignore[assignment]
    return navigation(request)


def test_an_anonymous_visitor_has_no_roles_and_no_menus() -> None:
    assert _navigation_of(AnonymousUser()) == {
        "user_roles": [],
        "can_import": False,
        "can_see_people": False,
        "can_read_history": False,
        "menu": [],
    }


def test_hq_staff_may_import_and_read_history() -> None:
    shown = _navigation_of(user_with_role(Role.HQ_STAFF))
    menu = shown.pop("menu")
    assert shown == {
        "user_roles": ["공단 본사"],
        "can_import": True,
        "can_see_people": True,
        "can_read_history": True,
    }
    assert [group.key for group in menu] == [  # type: ignore[attr-defined]
        "home",
        "support",
        "councils",
        "results",
        "program",
        "registry",
        "admin",
    ]


def test_an_auditor_reads_history_but_does_not_import() -> None:
    shown = _navigation_of(user_with_role(Role.AUDITOR))
    assert shown["can_read_history"] is True and shown["can_import"] is False


def test_a_company_user_gets_neither_menu() -> None:
    shown = _navigation_of(user_with_role(Role.COMPANY_USER))
    assert shown["user_roles"] == ["기업 사용자"]
    assert shown["can_import"] is False and shown["can_read_history"] is False
    assert shown["can_see_people"] is False


def test_a_superuser_without_memberships_gets_both_menus() -> None:
    admin = UserFactory(is_superuser=True)
    shown = _navigation_of(admin)
    menu = shown.pop("menu")
    assert shown == {
        "user_roles": [],
        "can_import": True,
        "can_see_people": True,
        "can_read_history": True,
    }
    assert len(menu) == 7  # type: ignore[arg-type]


def test_coordinators_and_regional_staff_see_the_people_of_their_scope() -> None:
    for role in (Role.COORDINATOR, Role.REGIONAL_STAFF):
        assert _navigation_of(user_with_role(role))["can_see_people"] is True
    assert _navigation_of(user_with_role(Role.MINISTRY_OFFICER))["can_see_people"] is False


def test_the_processor_is_installed_for_every_page(settings: object) -> None:
    processors = settings.TEMPLATES[0]["OPTIONS"]["context_processors"]  # type: ignore[attr-defined]
    assert "sandan.accounts.context_processors.navigation" in processors
