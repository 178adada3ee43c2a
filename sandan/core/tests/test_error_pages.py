"""Error pages: 400, 403, 404, 500 and CSRF failures in Korean (and English), in the site's
layout where there is a request, with the reason a view gave."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import translation
from django.views import defaults

from sandan.accounts.roles import Role
from sandan.accounts.tests.factories import user_with_role


@pytest.fixture
def company_client(client: Client, db: Any) -> Client:
    client.force_login(user_with_role(Role.COMPANY_USER, username="lee.company"))
    return client


def text(response: Any) -> str:
    return response.content.decode()


def test_unknown_address_is_a_korean_404_in_the_layout(company_client: Client) -> None:
    response = company_client.get("/registry/no-such-page/")
    assert response.status_code == 404
    body = text(response)
    assert "페이지를 찾을 수 없습니다" in body
    assert "주소가 바뀌었거나 없어진 페이지입니다" in body
    assert 'id="krds-header-site"' in body and "main-nav" in body  # the signed-in layout
    assert "Resolver404" not in body and "Not Found" not in body


def test_a_views_own_404_reason_is_shown(company_client: Client) -> None:
    response = company_client.get(reverse("registry:complex_detail", args=["999999"]))
    assert response.status_code == 404
    assert "산업단지를 찾을 수 없습니다." in text(response)


def test_403_names_the_reason_the_view_gave(company_client: Client) -> None:
    response = company_client.get(reverse("councils:council_create"))
    assert response.status_code == 403
    body = text(response)
    assert "접근 권한이 없습니다" in body
    assert "협의체를 만들 권한이 없습니다." in body
    assert "소속 광역본부나 본사 담당자에게 문의하세요" in body
    assert "<h1>403 Forbidden</h1>" not in body


def test_403_without_a_reason_says_so_in_general(db: Any) -> None:
    request = RequestFactory().get("/somewhere/")
    from django.contrib.auth.models import AnonymousUser

    request.user = AnonymousUser()
    response = defaults.permission_denied(request, PermissionDenied())
    assert response.status_code == 403
    assert "이 페이지를 보거나 이 작업을 할 권한이 없습니다." in text(response)
    assert "로그인" in text(response)  # anonymous: offered the login page


def test_500_renders_without_a_request_context(db: Any) -> None:
    response = defaults.server_error(RequestFactory().get("/"))
    assert response.status_code == 500
    body = text(response)
    assert "일시적인 오류가 났습니다" in body
    assert "입력한 내용은 저장되지 않았을 수 있습니다" in body
    assert "core/sandan.css" in body


def test_500_in_english() -> None:
    with translation.override("en"):
        response = defaults.server_error(RequestFactory().get("/"))
    assert "Something went wrong" in text(response)


def test_a_post_without_a_csrf_token_gets_the_korean_csrf_page(db: Any) -> None:
    client = Client(enforce_csrf_checks=True)
    response = client.post(reverse("accounts:login"), {"username": "x", "password": "y"})
    assert response.status_code == 403
    body = text(response)
    assert "보안 확인에 실패했습니다" in body
    assert "페이지를 새로 고친 뒤 다시 보내 주세요" in body


def test_404_in_english(company_client: Client) -> None:
    company_client.post(reverse("set_language"), {"language": "en"})
    response = company_client.get("/registry/no-such-page/")
    assert response.status_code == 404
    assert "Page not found" in text(response)


def test_an_unknown_api_address_answers_json(db: Any) -> None:
    response = Client().get("/api/v1/no-such-list")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"detail": "Not Found"}


def test_an_api_server_error_answers_json(db: Any) -> None:
    from sandan.core.errors import server_error

    response = server_error(RequestFactory().get("/api/v1/complexes"))
    assert response.status_code == 500
    assert json.loads(response.content) == {"detail": "Internal server error"}
    page = server_error(RequestFactory().get("/registry/complexes/"))
    assert page.status_code == 500 and "일시적인 오류가 났습니다" in page.content.decode()
