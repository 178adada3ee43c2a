"""A firm asks for an account with its business registration number; a coordinator of the
firm's complex approves it, and the requester sets a password from the e-mail."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core import mail
from django.test import Client

from sandan.accounts import services
from sandan.accounts.models import AccountRequest, User
from sandan.accounts.roles import Role, roles_of
from sandan.accounts.tests.conftest import World, client_for
from sandan.core.models import AuditEntry
from sandan.core.services import NotAllowed

NEW_PASSWORD = "hanbit-precision-2010!"


def _dashed(number: str) -> str:
    return f"{number[:3]}-{number[3:5]}-{number[5:]}"


def _request(world: World, **extra: str) -> dict[str, str]:
    return {
        "business_number": _dashed(world.ansan.firm.business_number or ""),
        "name": "오세훈",
        "email": "oh@ansan-precision.example.kr",
        "phone": "031-490-5678",
        "department": "생산기술팀 과장",
        "message": "애로과제 등록을 위해 계정을 신청합니다.",
        "consent": "on",
        **extra,
    }


def _submit(world: World, capture: Any, **extra: str) -> Any:
    with capture(execute=True):
        return Client().post("/accounts/request/", _request(world, **extra))


def _link_in(body: str) -> str:
    match = re.search(r"https?://[^/\s]+(/accounts/password/reset/[^\s]+/)", body)
    assert match, body
    return match.group(1)


def test_the_whole_way_from_request_to_first_login(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    capture = django_capture_on_commit_callbacks
    firm = Client()
    with capture(execute=True):
        response = firm.post("/accounts/request/", _request(world))
    assert response.status_code == 302 and response.url == "/accounts/request/sent/"
    assert "(주)안산정밀의 계정 신청을 접수했습니다" in firm.get(response.url).content.decode()
    request = AccountRequest.objects.get()
    assert request.organisation == world.ansan.firm and request.status == "pending"
    (received,) = mail.outbox
    assert received.to == ["oh@ansan-precision.example.kr"] and "접수" in received.subject

    coordinator = client_for(world.coordinator)
    listing = coordinator.get("/accounts/requests/").content.decode()
    assert "(주)안산정밀" in listing and "오세훈" in listing
    with capture(execute=True):
        approved = coordinator.post(f"/accounts/requests/{request.pk}/approve/")
    assert approved.status_code == 302

    user = User.objects.get(username="oh@ansan-precision.example.kr")
    assert roles_of(user) == {Role.COMPANY_USER}
    assert user.memberships.get().organisation == world.ansan.firm
    request.refresh_from_db()
    assert (request.status, request.decided_by, request.user) == (
        "approved",
        world.coordinator,
        user,
    )
    approval = mail.outbox[-1]
    assert approval.to == ["oh@ansan-precision.example.kr"] and "승인" in approval.subject

    visitor = Client()
    form_page = visitor.get(_link_in(approval.body), follow=True)
    assert form_page.context["validlink"]
    done = visitor.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert done.status_code == 302
    assert (
        visitor.post(
            "/accounts/login/",
            {"username": "oh@ansan-precision.example.kr", "password": NEW_PASSWORD},
        ).status_code
        == 302
    )
    # The new user works inside its own firm.
    assert visitor.get(f"/registry/organisations/{world.ansan.firm.pk}/").status_code == 200


def test_the_request_says_so_when_the_firm_is_not_registered(world: World) -> None:
    response = Client().post("/accounts/request/", _request(world, business_number="220-81-62517"))
    assert response.status_code == 400
    errors = response.context["form"].errors["business_number"]
    assert any("등록된 기업이 없습니다" in error for error in errors)
    assert not AccountRequest.objects.exists() and not mail.outbox


def test_a_mistyped_business_number_is_caught_by_its_check_digit(world: World) -> None:
    number = world.ansan.firm.business_number or ""
    wrong = number[:9] + str((int(number[9]) + 1) % 10)
    response = Client().post("/accounts/request/", _request(world, business_number=wrong))
    assert response.status_code == 400
    assert response.context["form"].errors["business_number"]


def test_the_requester_must_agree_to_the_use_of_personal_data(world: World) -> None:
    data = _request(world)
    del data["consent"]
    response = Client().post("/accounts/request/", data)
    assert response.status_code == 400 and response.context["form"].errors["consent"]


def test_the_same_person_cannot_ask_twice_while_a_request_waits(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    _submit(world, django_capture_on_commit_callbacks)
    again = Client().post("/accounts/request/", _request(world))
    assert again.status_code == 400
    assert AccountRequest.objects.count() == 1


def test_a_coordinator_of_another_branch_neither_sees_nor_decides_it(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    _submit(world, django_capture_on_commit_callbacks)
    request = AccountRequest.objects.get()
    other = client_for(world.other_coordinator)
    assert "(주)안산정밀" not in other.get("/accounts/requests/").content.decode()
    assert other.get(f"/accounts/requests/{request.pk}/").status_code == 404
    assert other.post(f"/accounts/requests/{request.pk}/approve/").status_code == 404
    with pytest.raises(NotAllowed):
        services.approve_account_request(world.other_coordinator, request)
    # The firm's own users and the auditor do not decide requests either.
    assert client_for(world.company).get("/accounts/requests/").status_code == 403
    assert (
        client_for(world.auditor).post(f"/accounts/requests/{request.pk}/approve/").status_code
        == 403
    )
    request.refresh_from_db()
    assert request.status == "pending"


def test_the_regional_hq_of_the_zone_may_decide_it_too(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    _submit(world, django_capture_on_commit_callbacks)
    request = AccountRequest.objects.get()
    page = client_for(world.regional).get(f"/accounts/requests/{request.pk}/")
    assert page.context["may_decide"] is True


def test_a_rejection_needs_a_reason_which_the_requester_is_told(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    _submit(world, django_capture_on_commit_callbacks)
    request = AccountRequest.objects.get()
    coordinator = client_for(world.coordinator)
    assert (
        coordinator.post(f"/accounts/requests/{request.pk}/reject/", {"reason": ""}).status_code
        == 400
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = coordinator.post(
            f"/accounts/requests/{request.pk}/reject/",
            {"reason": "재직 여부를 확인할 수 없습니다. 회사 대표 메일로 다시 신청하세요."},
        )
    assert response.status_code == 302
    request.refresh_from_db()
    assert request.status == "rejected"
    assert not User.objects.filter(username="oh@ansan-precision.example.kr").exists()
    rejection = mail.outbox[-1]
    assert "반려" in rejection.subject and "재직 여부를 확인할 수 없습니다" in rejection.body
    # A decided request is not decided again.
    coordinator.post(f"/accounts/requests/{request.pk}/approve/")
    assert not User.objects.filter(username="oh@ansan-precision.example.kr").exists()


def test_every_step_is_in_the_audit_log(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    _submit(world, django_capture_on_commit_callbacks)
    request = AccountRequest.objects.get()
    services.approve_account_request(world.coordinator, request)
    entries = AuditEntry.objects.order_by("id")
    steps = [(e.content_type.model, e.action, e.actor_id) for e in entries]
    assert steps[-4:] == [
        ("accountrequest", "create", None),  # the firm, not logged in
        ("user", "create", world.coordinator.pk),
        ("membership", "create", world.coordinator.pk),
        ("accountrequest", "update", world.coordinator.pk),
    ]
    assert entries.last().changes["status"] == ["pending", "approved"]  # type: ignore[union-attr]


def test_the_e_mails_speak_the_requesters_language(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    client = Client()
    client.cookies["django_language"] = "en"
    with django_capture_on_commit_callbacks(execute=True):
        page = client.get("/accounts/request/")
        assert "Request a company account" in page.content.decode()
        client.post("/accounts/request/", _request(world))
    assert mail.outbox[-1].subject == "[sandan] Your account request has been received"
    with django_capture_on_commit_callbacks(execute=True):
        services.approve_account_request(world.coordinator, AccountRequest.objects.get())
    assert mail.outbox[-1].subject == "[sandan] Your account request has been approved"


def test_the_decision_buttons_say_what_they_do_in_english(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    _submit(world, django_capture_on_commit_callbacks)
    client = client_for(world.coordinator)
    client.cookies["django_language"] = "en"
    page = client.get(f"/accounts/requests/{AccountRequest.objects.get().pk}/").content.decode()
    buttons = re.findall(r"<button[^>]*>\s*([^<]+?)\s*</button>", page)
    assert "Approve" in buttons and "Reject" in buttons
    assert "Approved" not in buttons and "Rejected" not in buttons
