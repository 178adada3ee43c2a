"""HQ creates accounts and grants and ends roles in the product; everyone else who manages
people sees only those of their own scope."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import timezone

from sandan.accounts import services
from sandan.accounts.models import Membership, User
from sandan.accounts.roles import Role, roles_of
from sandan.accounts.tests.conftest import World, client_for
from sandan.core.models import AuditAction, AuditEntry
from sandan.core.services import NotAllowed

NEW_COORDINATOR = {
    "username": "han.ansan",
    "display_name": "한지민",
    "email": "han.ansan@kicox.example.kr",
    "role": Role.COORDINATOR,
    "scope_kind": "office",
}


def _new_coordinator(world: World, **extra: object) -> dict[str, object]:
    return {**NEW_COORDINATOR, "office": world.ansan.office.pk, **extra}


def test_hq_creates_a_coordinator_who_sets_a_password_by_e_mail(
    world: World, django_capture_on_commit_callbacks: object
) -> None:
    client = client_for(world.hq)
    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        response = client.post("/accounts/people/new/", _new_coordinator(world))

    created = User.objects.get(username="han.ansan")
    assert response.status_code == 302 and response.url == f"/accounts/people/{created.pk}/"
    assert not created.has_usable_password()  # nobody but the person ever knows it
    assert roles_of(created) == {Role.COORDINATOR}
    assert created.memberships.get().office == world.ansan.office
    (message,) = mail.outbox
    assert message.to == ["han.ansan@kicox.example.kr"]
    assert "/accounts/password/reset/" in message.body and "han.ansan" in message.body
    page = client.get(response.url).content.decode()
    assert "한지민" in page and "안산지사" in page and "유효" in page


def test_creating_an_account_is_audited(world: World) -> None:
    services.create_account(
        world.hq,
        username="han.ansan",
        email="han@kicox.example.kr",
        display_name="한지민",
        role=Role.COORDINATOR,
        office=world.ansan.office,
    )
    created = User.objects.get(username="han.ansan")
    logged = AuditEntry.objects.filter(actor=world.hq, action=AuditAction.CREATE)
    assert {entry.content_type.model for entry in logged} == {"user", "membership"}
    user_entry = logged.get(content_type__model="user")
    assert user_entry.object_id == str(created.pk)
    assert "password" not in str(user_entry.changes.get("password", ""))  # a digest at most


@pytest.mark.parametrize("who", ["regional", "coordinator", "company", "auditor"])
def test_only_hq_creates_accounts(world: World, who: str) -> None:
    actor = getattr(world, who)
    response = client_for(actor).post("/accounts/people/new/", _new_coordinator(world))
    assert response.status_code == 403
    assert not User.objects.filter(username="han.ansan").exists()
    with pytest.raises(NotAllowed):
        services.create_account(
            actor,
            username="han.ansan",
            email="han@kicox.example.kr",
            display_name="한지민",
            role=Role.COORDINATOR,
            office=world.ansan.office,
        )


def test_only_hq_grants_roles(world: World) -> None:
    for actor in (world.regional, world.coordinator):
        with pytest.raises(NotAllowed):
            services.grant_role(actor, world.company, Role.COORDINATOR, office=world.ansan.office)
    page = client_for(world.regional).get(f"/accounts/people/{world.company.pk}/roles/new/")
    assert page.status_code == 403


def test_a_role_needs_a_scope_that_fits_it(world: World) -> None:
    response = client_for(world.hq).post(
        "/accounts/people/new/", {**NEW_COORDINATOR, "scope_kind": "national"}
    )
    assert response.status_code == 400
    assert "범위는" in response.content.decode()  # "a coordinator's scope must be one of …"
    assert not User.objects.filter(username="han.ansan").exists()


def test_the_chosen_scope_must_be_filled_in(world: World) -> None:
    response = client_for(world.hq).post(
        "/accounts/people/new/", {**NEW_COORDINATOR, "scope_kind": "complex", "complex_code": ""}
    )
    assert response.status_code == 400
    assert response.context["form"].errors["complex_code"]


def test_a_role_granted_with_a_later_start_counts_only_from_that_day(world: World) -> None:
    later = timezone.localdate() + dt.timedelta(days=10)
    client = client_for(world.hq)
    response = client.post(
        f"/accounts/people/{world.company.pk}/roles/new/",
        {
            "role": Role.COMPANY_USER,
            "scope_kind": "organisation",
            "business_number": world.changwon.firm.business_number,
            "valid_from": later.isoformat(),
        },
    )
    assert response.status_code == 302
    granted = Membership.objects.get(user=world.company, organisation=world.changwon.firm)
    assert granted.valid_from == later and granted.status == "upcoming"
    fresh = User.objects.get(pk=world.company.pk)
    assert [g.scope_ids for g in fresh.scope_grants()] == [frozenset({world.ansan.firm.pk})]
    assert "시작 전" in client.get(f"/accounts/people/{world.company.pk}/").content.decode()


def test_an_end_date_before_the_start_is_refused(world: World) -> None:
    response = client_for(world.hq).post(
        "/accounts/people/new/",
        _new_coordinator(world, valid_from="2026-05-01", valid_until="2026-04-30"),
    )
    assert response.status_code == 400
    assert response.context["form"].errors["valid_until"]


def test_hq_ends_a_role_today_and_it_stops_counting_at_once(world: World) -> None:
    membership = world.coordinator.memberships.get()
    client = client_for(world.hq)
    response = client.post(
        f"/accounts/roles/{membership.pk}/end/",
        {"on": timezone.localdate().isoformat(), "reason": "인사 이동 (창원지사 전보)"},
    )
    assert response.status_code == 302
    membership.refresh_from_db()
    assert membership.status == "ended" and membership.valid_until == timezone.localdate()
    assert User.objects.get(pk=world.coordinator.pk).scope_grants() == []
    entry = AuditEntry.objects.get(
        content_type__model="membership", object_id=str(membership.pk), action="update"
    )
    assert entry.actor == world.hq and entry.reason == "인사 이동 (창원지사 전보)"
    # The coordinator now reaches nothing of the branch.
    page = client_for(world.coordinator).get("/accounts/people/")
    assert page.status_code == 403


def test_a_role_ended_on_a_later_day_counts_until_then(world: World) -> None:
    membership = world.coordinator.memberships.get()
    end = timezone.localdate() + dt.timedelta(days=30)
    services.end_membership(world.hq, membership, on=end, reason="계약 종료 예정")
    membership.refresh_from_db()
    assert membership.is_active and membership.valid_until == end
    assert roles_of(User.objects.get(pk=world.coordinator.pk)) == {Role.COORDINATOR}


def test_only_hq_ends_roles_and_an_ended_role_cannot_end_again(world: World) -> None:
    membership = world.company.memberships.get()
    response = client_for(world.coordinator).post(
        f"/accounts/roles/{membership.pk}/end/", {"on": "2026-01-01", "reason": "x"}
    )
    assert response.status_code == 403
    services.end_membership(world.hq, membership, reason="퇴사")
    with pytest.raises(ValidationError):
        services.end_membership(world.hq, membership, reason="again")


def _listed(user: User, query: str = "") -> set[str]:
    response = client_for(user).get(f"/accounts/people/{query}")
    assert response.status_code == 200
    return {person.username for person in response.context["page"].object_list}


def test_hq_and_the_auditor_see_every_account(world: World) -> None:
    everyone = set(User.objects.values_list("username", flat=True))
    assert _listed(world.hq) == everyone
    assert _listed(world.auditor) == everyone


def test_a_regional_hq_sees_the_people_of_its_zone_only(world: World) -> None:
    # Its own staff membership, the 안산 coordinator (office in the zone) and the 안산 firm's
    # user (organisation in a complex of the zone); not 창원, not the national roles.
    assert _listed(world.regional) == {"lee.capital", "choi.ansan", "kim.firm"}


def test_a_coordinator_sees_the_people_of_its_branch(world: World) -> None:
    assert _listed(world.coordinator) == {"choi.ansan", "kim.firm"}
    assert _listed(world.other_coordinator) == {"jung.changwon"}


def test_people_out_of_scope_are_not_found(world: World) -> None:
    response = client_for(world.other_coordinator).get(f"/accounts/people/{world.company.pk}/")
    assert response.status_code == 404


def test_firms_and_the_ministry_have_no_people_pages(world: World) -> None:
    assert client_for(world.company).get("/accounts/people/").status_code == 403
    ministry = services.create_account(
        world.hq,
        username="ministry.kim",
        email="kim@motie.example.kr",
        display_name="김주무관",
        role=Role.MINISTRY_OFFICER,
    )
    assert client_for(ministry).get("/accounts/people/").status_code == 403


def test_the_list_filters_by_role_and_status(world: World) -> None:
    services.end_membership(world.hq, world.company.memberships.get(), reason="퇴사")
    assert _listed(world.hq, "?role=coordinator") == {"choi.ansan", "jung.changwon"}
    assert _listed(world.hq, "?status=ended") == {"kim.firm"}
    assert _listed(world.coordinator, "?q=kim") == {"kim.firm"}


def test_a_membership_shows_only_the_scopes_the_reader_may_see(world: World) -> None:
    services.grant_role(world.hq, world.coordinator, Role.COORDINATOR, office=world.changwon.office)
    response = client_for(world.regional).get(f"/accounts/people/{world.coordinator.pk}/")
    page = response.content.decode()
    assert "안산지사" in page and "창원지사" not in page


def test_the_english_list_counts_people_not_experts(world: World) -> None:
    client = client_for(world.coordinator)
    client.cookies["django_language"] = "en"
    page = client.get("/accounts/people/").content.decode()
    assert "<strong>2</strong> people in total" in page and "experts in total" not in page


def test_the_english_person_page_offers_to_grant_a_role(world: World) -> None:
    client = client_for(world.hq)
    client.cookies["django_language"] = "en"
    page = client.get(f"/accounts/people/{world.coordinator.pk}/").content.decode()
    assert ">Grant a role</a>" in page and ">Role assignment</a>" not in page
