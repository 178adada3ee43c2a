"""Password reset by e-mail: a single-use, expiring link; the page never tells whether an
address belongs to an account."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.test import Client

from sandan.accounts.models import User
from sandan.accounts.roles import Role
from sandan.accounts.tests.factories import user_with_role

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "gyeongnam-cluster-2010!"


@pytest.fixture
def coordinator() -> User:
    return user_with_role(Role.COORDINATOR, username="choi.changwon")


def _ask(client: Client, email: str) -> str:
    response = client.post("/accounts/password/reset/", {"email": email}, follow=True)
    assert response.status_code == 200
    # The page as a person reads it (each visitor's form carries its own CSRF token).
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", response.content.decode())


def _link(body: str) -> str:
    match = re.search(r"https?://[^/\s]+(/accounts/password/reset/[^\s]+/)", body)
    assert match, body
    return match.group(1)


def test_the_login_page_links_to_reset_and_to_the_account_request() -> None:
    page = Client().get("/accounts/login/").content.decode()
    assert 'href="/accounts/password/reset/"' in page
    assert 'href="/accounts/request/"' in page


def test_a_known_and_an_unknown_address_get_the_same_answer(coordinator: User) -> None:
    known = _ask(Client(), coordinator.email)
    unknown = _ask(Client(), "nobody@nowhere.example.kr")
    assert "이메일을 확인하세요" in known and known == unknown
    assert [message.to for message in mail.outbox] == [[coordinator.email]]


def test_the_link_sets_a_new_password_once(coordinator: User) -> None:
    client = Client()
    _ask(client, coordinator.email)
    link = _link(mail.outbox[0].body)
    assert "choi.changwon" in mail.outbox[0].body

    form = client.get(link, follow=True)
    assert form.context["validlink"]
    set_url = form.redirect_chain[-1][0]
    done = client.post(
        set_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}, follow=True
    )
    assert "비밀번호를 정했습니다" in done.content.decode()
    assert User.objects.get(pk=coordinator.pk).check_password(NEW_PASSWORD)

    again = Client().get(link, follow=True)
    assert not again.context["validlink"]
    assert "이미 쓰였거나 만료되었습니다" in again.content.decode()


def test_the_link_expires(coordinator: User, settings: object) -> None:
    _ask(Client(), coordinator.email)
    link = _link(mail.outbox[0].body)
    settings.PASSWORD_RESET_TIMEOUT = -1  # type: ignore[attr-defined]
    assert not Client().get(link, follow=True).context["validlink"]


def test_a_weak_new_password_is_refused(coordinator: User) -> None:
    client = Client()
    _ask(client, coordinator.email)
    form = client.get(_link(mail.outbox[0].body), follow=True)
    response = client.post(
        form.redirect_chain[-1][0], {"new_password1": "12345678", "new_password2": "12345678"}
    )
    assert response.status_code == 200 and response.context["form"].errors
    assert not User.objects.get(pk=coordinator.pk).check_password("12345678")


def test_the_reset_pages_speak_english(coordinator: User) -> None:
    client = Client()
    client.cookies["django_language"] = "en"
    page = client.get("/accounts/password/reset/").content.decode()
    assert "Reset password" in page and "krds-input" in page
    assert "Check your e-mail" in _ask(client, coordinator.email)
    assert mail.outbox[0].subject == "[sandan] Resetting your password"
