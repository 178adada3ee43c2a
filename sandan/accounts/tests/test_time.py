"""People and time (ADR 0017): a role's validity and an account request's dates are facts of
the organisation, read against the site's clock, so that a world held "as of" a date (the
demo's) shows roles in force on that date; API tokens keep the real clock."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client

from sandan.accounts import services
from sandan.accounts.models import AccountRequest, ApiToken, Membership, User
from sandan.accounts.roles import Role, roles_of
from sandan.accounts.tests.conftest import World, client_for
from sandan.core.models import AuditEntry

AS_OF = dt.date(2010, 12, 20)


@pytest.fixture(autouse=True)
def _as_of_the_demo(settings: Any) -> None:
    settings.SANDAN_AS_OF = AS_OF.isoformat()


def _coordinator_until(world: World, until: dt.date) -> Membership:
    membership = world.coordinator.memberships.get()
    membership.valid_until = until
    membership.save(update_fields=["valid_until"])
    return membership


def test_a_role_running_to_next_month_of_the_world_is_in_force(world: World) -> None:
    # Over by the machine's calendar, in force on the day the site is held at.
    membership = _coordinator_until(world, dt.date(2011, 1, 31))
    assert membership.status == "in_force"
    assert Membership.objects.in_force().filter(pk=membership.pk).exists()
    assert roles_of(User.objects.get(pk=world.coordinator.pk)) == {Role.COORDINATOR}
    page = client_for(world.hq).get(f"/accounts/people/{world.coordinator.pk}/").content
    assert "유효" in page.decode()


def test_a_role_that_ended_before_the_worlds_day_no_longer_counts(world: World) -> None:
    _coordinator_until(world, dt.date(2010, 12, 19))
    assert User.objects.get(pk=world.coordinator.pk).scope_grants() == []
    assert client_for(world.coordinator).get("/accounts/people/").status_code == 403


def test_ending_a_role_today_ends_it_on_the_worlds_day(world: World) -> None:
    membership = world.coordinator.memberships.get()
    client = client_for(world.hq)
    form = client.get(f"/accounts/roles/{membership.pk}/end/").context["form"]
    assert form.fields["on"].initial == AS_OF
    services.end_membership(world.hq, membership, reason="인사 이동")
    membership.refresh_from_db()
    assert membership.valid_until == AS_OF and membership.status == "ended"


def test_the_api_reads_roles_on_the_worlds_day(world: World) -> None:
    _coordinator_until(world, dt.date(2011, 1, 31))
    _, raw = ApiToken.issue(world.coordinator, name="test")
    response = Client().get("/api/v1/organisations", HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert response.status_code == 200
    assert [row["id"] for row in response.json()["items"]] == [world.ansan.firm.pk]
    token = ApiToken.objects.get(user=world.coordinator)
    # The token itself lives on the real clock: made and used in the machine's present.
    assert token.created_at.date() > AS_OF and token.last_used_at is not None
    assert token.last_used_at.date() > AS_OF


def test_an_approved_request_is_dated_on_the_worlds_day_and_counts_at_once(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        Client().post(
            "/accounts/request/",
            {
                "business_number": world.ansan.firm.business_number or "",
                "name": "오세훈",
                "email": "oh@ansan-precision.example.kr",
                "consent": "on",
            },
        )
        request = AccountRequest.objects.get()
        client_for(world.coordinator).post(f"/accounts/requests/{request.pk}/approve/")
    request.refresh_from_db()
    assert request.status == "approved"
    assert request.created_at.date() == AS_OF and request.decided_at is not None
    assert request.decided_at.date() == AS_OF
    user = User.objects.get(username="oh@ansan-precision.example.kr")
    assert user.memberships.get().valid_from == AS_OF
    assert roles_of(user) == {Role.COMPANY_USER}
    entry = AuditEntry.objects.filter(content_type__model="accountrequest").latest("id")
    assert entry.at.date() == AS_OF
