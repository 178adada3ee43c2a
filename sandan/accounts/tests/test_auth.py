"""Login, lockout, logout, password change, security headers and API tokens."""

from __future__ import annotations

import hashlib
import io
from typing import Any

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse

from sandan.accounts.models import ApiToken, User
from sandan.accounts.roles import Role
from sandan.accounts.tests.factories import UserFactory, user_with_role
from sandan.core.models import AuditEntry

PASSWORD = "sandan-test-pw-2010"  # the factories' password
LOGIN = "/accounts/login/"


@pytest.fixture
def user(db: Any) -> User:
    return user_with_role(Role.HQ_STAFF, username="kim.hq")


def logged_in_user_id(client: Client) -> str | None:
    return client.session.get("_auth_user_id")


def login(client: Client, username: str, password: str) -> Any:
    return client.post(LOGIN, {"username": username, "password": password})


def test_login_with_the_right_password(client: Client, user: User) -> None:
    response = login(client, "kim.hq", PASSWORD)
    assert response.status_code == 302
    assert logged_in_user_id(client) == str(user.pk)


def test_login_with_a_wrong_password_stays_on_the_form(client: Client, user: User) -> None:
    response = login(client, "kim.hq", "wrong-password")
    assert response.status_code == 200
    assert response.context["form"].errors
    assert logged_in_user_id(client) is None


def test_sixth_attempt_after_five_failures_is_locked_out(client: Client, user: User) -> None:
    assert settings.AXES_FAILURE_LIMIT == 5
    for _attempt in range(5):
        login(client, "kim.hq", "wrong-password")

    response = login(client, "kim.hq", PASSWORD)

    assert response.status_code in {403, 429}
    assert logged_in_user_id(client) is None


def test_lockout_is_per_username(client: Client, user: User) -> None:
    other = UserFactory(username="lee.branch")
    for _attempt in range(5):
        login(client, "kim.hq", "wrong-password")
    response = login(client, "lee.branch", PASSWORD)
    assert response.status_code == 302
    assert logged_in_user_id(client) == str(other.pk)


def test_logout_only_by_post(client: Client, user: User) -> None:
    client.force_login(user)
    assert client.get("/accounts/logout/").status_code == 405
    assert logged_in_user_id(client) == str(user.pk)

    response = client.post("/accounts/logout/")

    assert response.status_code == 302
    assert logged_in_user_id(client) is None


def test_password_change_needs_the_old_password(client: Client, user: User) -> None:
    client.force_login(user)
    response = client.post(
        "/accounts/password/",
        {
            "old_password": "not-my-password",
            "new_password1": "Gumi-Cluster-2010!",
            "new_password2": "Gumi-Cluster-2010!",
        },
    )
    assert response.status_code == 200
    assert "old_password" in response.context["form"].errors
    user.refresh_from_db()
    assert user.check_password(PASSWORD)


@pytest.mark.parametrize("weak", ["12345678", "password", "kim.hq2010", "short"])
def test_password_change_validates_the_new_password(client: Client, user: User, weak: str) -> None:
    client.force_login(user)
    response = client.post(
        "/accounts/password/",
        {"old_password": PASSWORD, "new_password1": weak, "new_password2": weak},
    )
    assert response.status_code == 200
    assert "new_password2" in response.context["form"].errors
    user.refresh_from_db()
    assert user.check_password(PASSWORD)


def test_password_change_works_and_keeps_the_session(client: Client, user: User) -> None:
    client.force_login(user)
    response = client.post(
        "/accounts/password/",
        {
            "old_password": PASSWORD,
            "new_password1": "Gumi-Cluster-2010!",
            "new_password2": "Gumi-Cluster-2010!",
        },
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password("Gumi-Cluster-2010!")
    assert client.get("/accounts/profile/").status_code == 200


def test_password_change_needs_login(client: Client, db: Any) -> None:
    response = client.get("/accounts/password/")
    assert response.status_code == 302
    assert response["Location"].startswith(LOGIN)


def test_session_cookie_is_httponly_and_secure(client: Client, user: User) -> None:
    assert settings.SESSION_COOKIE_SECURE is True
    assert settings.CSRF_COOKIE_SECURE is True
    login(client, "kim.hq", PASSWORD)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    assert cookie["httponly"]
    assert cookie["secure"]
    assert cookie["samesite"] == "Lax"


def test_pages_carry_a_content_security_policy(client: Client, db: Any) -> None:
    response = client.get(LOGIN)
    assert response.status_code == 200
    policy = response["Content-Security-Policy"]
    assert "default-src 'self'" in policy
    assert "frame-ancestors 'none'" in policy
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_login_form_enforces_csrf(user: User) -> None:
    browser = Client(enforce_csrf_checks=True)
    refused = browser.post(LOGIN, {"username": "kim.hq", "password": PASSWORD})
    assert refused.status_code == 403
    assert logged_in_user_id(browser) is None

    browser.get(LOGIN)
    token = browser.cookies[settings.CSRF_COOKIE_NAME].value
    accepted = browser.post(
        LOGIN, {"username": "kim.hq", "password": PASSWORD, "csrfmiddlewaretoken": token}
    )
    assert accepted.status_code == 302
    assert logged_in_user_id(browser) == str(user.pk)


# API tokens -------------------------------------------------------------------------------


def test_create_api_token_command_prints_a_working_token(client: Client, user: User) -> None:
    out = io.StringIO()
    call_command("create_api_token", "kim.hq", stdout=out)
    raw = out.getvalue().strip()

    assert raw.startswith(ApiToken.PREFIX)
    found = ApiToken.objects.find(raw)
    assert found is not None and found.user == user
    response = client.get("/api/v1/zones", HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert response.status_code == 200


def test_create_api_token_command_refuses_unknown_users(db: Any) -> None:
    with pytest.raises(CommandError, match="no such user"):
        call_command("create_api_token", "nobody", stdout=io.StringIO())
    assert not ApiToken.objects.exists()


def test_profile_shows_a_new_token_once_and_stores_only_its_hash(
    client: Client, user: User
) -> None:
    client.force_login(user)

    response = client.post("/accounts/profile/", {"name": "엑셀 연동"})

    assert response.status_code == 200
    raw = response.context["new_token"]
    assert raw and raw.startswith(ApiToken.PREFIX)
    assert raw in response.content.decode()
    token = ApiToken.objects.get(user=user)
    assert token.name == "엑셀 연동"
    assert token.key_hash == hashlib.sha256(raw.encode()).hexdigest()
    assert raw not in {token.key_hash, token.hint, token.name}
    # Neither the token nor its full hash reaches the audit log.
    for entry in AuditEntry.objects.all():
        text = str(entry.changes)
        assert raw not in text and token.key_hash not in text

    again = client.get("/accounts/profile/")
    assert raw not in again.content.decode()
    assert again.context["new_token"] is None


def test_profile_rejects_a_blank_token_name(client: Client, user: User) -> None:
    client.force_login(user)
    response = client.post("/accounts/profile/", {"name": ""})
    assert response.status_code == 400
    assert not ApiToken.objects.exists()


def test_profile_needs_login(client: Client, db: Any) -> None:
    assert client.get("/accounts/profile/").status_code == 302


def test_revoke_own_token_by_post_only(client: Client, user: User) -> None:
    token, raw = ApiToken.issue(user)
    client.force_login(user)
    url = reverse("accounts:revoke_token", args=[token.pk])

    assert client.get(url).status_code == 405
    token.refresh_from_db()
    assert token.revoked_at is None

    response = client.post(url)

    assert response.status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert ApiToken.objects.find(raw) is None
    api = Client().get("/api/v1/zones", HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert api.status_code == 401


def test_nobody_revokes_another_users_token(client: Client, user: User) -> None:
    other = UserFactory(username="park.company")
    token, raw = ApiToken.issue(other)
    client.force_login(user)

    response = client.post(reverse("accounts:revoke_token", args=[token.pk]))

    assert response.status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None
    assert ApiToken.objects.find(raw) is not None


def test_token_of_an_inactive_user_does_not_authenticate(user: User) -> None:
    _token, raw = ApiToken.issue(user)
    user.is_active = False
    user.save()
    assert ApiToken.objects.find(raw) is None


def test_token_lookup_resolves_the_active_memberships_in_one_query(
    user: User, django_assert_num_queries: Any
) -> None:
    from datetime import timedelta

    from django.utils import timezone

    from sandan.accounts.models import Membership
    from sandan.registry.tests.factories import OfficeFactory
    from sandan.registry.tests.factories import zone as zone_of

    regional = OfficeFactory(code="regional-x", kind="regional")
    branch = OfficeFactory(code="branch-x", parent=regional)
    zone = zone_of("dongnam")
    Membership.objects.create(user=user, role=Role.REGIONAL_STAFF, office=regional)
    Membership.objects.create(user=user, role=Role.COORDINATOR, zone=zone)
    today = timezone.localdate()
    Membership.objects.create(
        user=user, role=Role.AUDITOR, valid_until=today - timedelta(days=1)
    )  # expired yesterday
    Membership.objects.create(user=user, role=Role.AUDITOR, is_active=False)
    Membership.objects.create(user=user, role=Role.EXPERT, valid_until=today)  # last day
    _token, raw = ApiToken.issue(user)

    # The token, its user and the memberships in one query; the office scope walks its
    # tree (two levels below the regional office: the branch, then nothing).
    with django_assert_num_queries(3):
        found = ApiToken.objects.find(raw)

    assert found is not None and found.user == user
    expected = {m.as_grant() for m in Membership.objects.active_for(user)}
    assert set(found.user._sandan_grants) == expected  # type: ignore[attr-defined]
    roles = {grant.role for grant in expected}
    assert roles == {Role.HQ_STAFF, Role.REGIONAL_STAFF, Role.COORDINATOR, Role.EXPERT}
    office_grant = next(g for g in expected if g.role == Role.REGIONAL_STAFF)
    assert office_grant.scope_ids == {regional.pk, branch.pk}


def test_token_of_a_user_without_memberships_authenticates_with_no_grants(db: Any) -> None:
    lonely = UserFactory(username="no.roles")
    _token, raw = ApiToken.issue(lonely)
    found = ApiToken.objects.find(raw)
    assert found is not None and found.user == lonely
    assert found.user._sandan_grants == []  # type: ignore[attr-defined]
    # Such a user reaches no rows.
    response = Client().get("/api/v1/organisations", HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert response.status_code == 200 and response.json()["count"] == 0


def test_token_needs_touch_only_when_last_use_is_older_than_asked(user: User) -> None:
    from datetime import timedelta

    from django.utils import timezone

    token, raw = ApiToken.issue(user)
    now = timezone.now()
    found = ApiToken.objects.find(raw, stale_before=now - timedelta(minutes=5))
    assert found is not None and found.needs_touch  # never used
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=now - timedelta(minutes=1))
    found = ApiToken.objects.find(raw, stale_before=now - timedelta(minutes=5))
    assert found is not None and not found.needs_touch and found.token_id == token.pk
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=now - timedelta(minutes=6))
    found = ApiToken.objects.find(raw, stale_before=now - timedelta(minutes=5))
    assert found is not None and found.needs_touch
