"""sandan.core.forms: a service's ValidationError onto a form (`run_service`) or into error
messages (`run_action`); its result otherwise; NotAllowed left to Django's 403."""

from __future__ import annotations

from typing import NoReturn

import pytest
from django import forms
from django.contrib.messages import get_messages
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.handlers.exception import convert_exception_to_response
from django.http import HttpRequest, HttpResponse
from django.test import RequestFactory

from sandan.core.forms import FAILED, add_model_errors, run_action, run_service
from sandan.core.services import NotAllowed


class NoteForm(forms.Form):
    title = forms.CharField()
    body = forms.CharField(required=False)


def _valid_form() -> NoteForm:
    form = NoteForm({"title": "제목", "body": "본문"})
    assert form.is_valid()
    return form


def _raise(error: Exception) -> NoReturn:
    raise error


def _request() -> HttpRequest:
    request = RequestFactory().post("/")
    request._messages = CookieStorage(request)  # type: ignore[attr-defined]
    return request


def test_success_returns_the_result_and_leaves_the_form_alone() -> None:
    form = _valid_form()
    assert run_service(form, lambda: 42) == 42
    assert run_service(form, lambda: None) is None  # a service without a result succeeds too
    assert form.is_valid() and not form.errors


def test_field_errors_go_on_their_fields_others_on_top() -> None:
    form = _valid_form()
    error = ValidationError({"title": "제목이 겹칩니다.", "status": "닫힌 과제입니다."})
    assert run_service(form, lambda: _raise(error)) is FAILED
    assert form.errors["title"] == ["제목이 겹칩니다."]
    assert form.non_field_errors() == ["닫힌 과제입니다."]
    assert not form.is_valid()


def test_rename_maps_a_model_field_to_its_form_field() -> None:
    form = _valid_form()
    error = ValidationError({"reason": "사유를 적어 주세요."})
    assert run_service(form, lambda: _raise(error), {"reason": "body"}) is FAILED
    assert form.errors["body"] == ["사유를 적어 주세요."]
    assert not form.non_field_errors()


def test_a_plain_message_is_a_non_field_error() -> None:
    form = _valid_form()
    assert run_service(form, lambda: _raise(ValidationError("저장할 수 없습니다."))) is FAILED
    assert form.non_field_errors() == ["저장할 수 없습니다."]
    assert set(form.errors) == {"__all__"}


def test_add_model_errors_keeps_every_message_of_a_list() -> None:
    form = _valid_form()
    add_model_errors(form, ValidationError(["하나", "둘"]))
    assert form.non_field_errors() == ["하나", "둘"]


def test_run_action_turns_errors_into_messages() -> None:
    request = _request()
    error = ValidationError({"status": "이미 끝났습니다.", "date": ["날짜가 없습니다."]})
    assert run_action(request, lambda: _raise(error)) is FAILED
    shown = [(m.level_tag, m.message) for m in get_messages(request)]
    assert shown == [("error", "이미 끝났습니다."), ("error", "날짜가 없습니다.")]


def test_run_action_success_returns_the_result_without_messages() -> None:
    request = _request()
    assert run_action(request, lambda: [1, 2]) == [1, 2]
    assert not list(get_messages(request))


def test_not_allowed_propagates() -> None:
    with pytest.raises(NotAllowed):
        run_service(_valid_form(), lambda: _raise(NotAllowed("권한이 없습니다.")))
    with pytest.raises(NotAllowed):
        run_action(_request(), lambda: _raise(NotAllowed("권한이 없습니다.")))


def test_not_allowed_is_the_same_403_as_a_permission_denied() -> None:
    """Views no longer turn NotAllowed into PermissionDenied: Django's answer is the same."""

    def view(error: Exception) -> HttpResponse:
        form = _valid_form()
        run_service(form, lambda: _raise(error))
        return HttpResponse("saved")

    message = "이 작업을 할 권한이 없습니다."
    ours = convert_exception_to_response(lambda r: view(NotAllowed(message)))(_request())
    before = convert_exception_to_response(lambda r: view(PermissionDenied(message)))(_request())
    assert ours.status_code == before.status_code == 403
    # The same 403 page with the view's reason (the pages differ only in their CSRF tokens).
    for response in (ours, before):
        body = response.content.decode()
        assert "접근 권한이 없습니다" in body and message in body
