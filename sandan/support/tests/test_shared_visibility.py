"""Visible to those who work on it: partner agencies to refer to, and inter-zone projects.

On the shared scope world (scope_world.py): the Banwol project (capital) is inter-zone, with
울산화학(주) of the dongnam zone taking part; 경남테크노파크 is a dongnam agency, 경기테크노파크
a capital one, and 동남권선도산업지원단 has no region (national).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from sandan.accounts.roles import Role
from sandan.accounts.tests.factories import user_with_role
from sandan.core.tests.world import World, every_part, fresh, module_world
from sandan.support.models import Project, Referral


@pytest.fixture(scope="module")
def shared_world(django_db_setup: Any, django_db_blocker: Any) -> Iterator[World]:
    yield from module_world(django_db_blocker, every_part())


@pytest.fixture
def world(shared_world: World, db: Any) -> World:
    return fresh(shared_world)


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _agency_choices(client: Client, problem: Any) -> set[str]:
    response = client.get(reverse("support:problem_detail", args=[problem.pk]))
    assert response.status_code == 200
    form = response.context["referral_form"]
    return {org.name_ko for org in form.fields["agency"].queryset}


# Partner agencies -------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["regional", "coordinator"])
def test_zone_staff_choose_from_their_zones_and_the_national_agencies(
    world: World, role: str
) -> None:
    client = _client(world.users[role])
    choices = _agency_choices(client, world["problem_changwon"])
    assert choices == {"경남테크노파크", "동남권선도산업지원단"}


def test_hq_chooses_from_every_agency(world: World) -> None:
    choices = _agency_choices(_client(world.users["hq"]), world["problem_changwon"])
    assert choices == {"경남테크노파크", "경기테크노파크", "동남권선도산업지원단"}


def test_a_coordinator_refers_a_problem_to_the_zones_technopark(world: World) -> None:
    client = _client(world.users["coordinator"])
    problem = world["problem_changwon"]
    response = client.post(
        reverse("support:problem_refer", args=[problem.pk]),
        {
            "partner_kind": Referral.PartnerKind.TECHNOPARK,
            "agency": world["agency_dongnam"].pk,
            "note": "시험 장비가 테크노파크에 있습니다.",
        },
    )
    assert response.status_code == 302
    referral = Referral.objects.filter(problem=problem).order_by("-pk").first()
    assert referral is not None and referral.agency == world["agency_dongnam"]
    page = client.get(reverse("support:problem_detail", args=[problem.pk])).content.decode()
    assert "경남테크노파크" in page


def test_another_zones_agency_is_not_a_valid_choice(world: World) -> None:
    client = _client(world.users["regional"])
    problem = world["problem_changwon"]
    response = client.post(
        reverse("support:problem_refer", args=[problem.pk]),
        {"partner_kind": Referral.PartnerKind.TECHNOPARK, "agency": world["agency_capital"].pk},
    )
    assert response.status_code == 400
    assert not Referral.objects.filter(problem=problem, agency=world["agency_capital"]).exists()


def test_agency_contacts_stay_masked_for_zone_staff(world: World) -> None:
    from sandan.registry.models import Organisation

    regional = world.users["regional"]
    assert Organisation.objects.restrict(regional, "view").filter(kind="agency").count() == 2
    assert not Organisation.objects.restrict(regional, "contact").filter(kind="agency").exists()
    assert not Organisation.objects.restrict(regional, "change").filter(kind="agency").exists()


def test_companies_and_experts_do_not_get_the_agency_list(world: World) -> None:
    from sandan.registry.models import Organisation

    for role in ("company", "expert"):
        visible = Organisation.objects.restrict(world.users[role], "view")
        assert not visible.filter(kind="agency").exists(), role


# Inter-zone projects ----------------------------------------------------------------------


def test_a_partner_firms_regional_hq_reads_an_inter_zone_project(world: World) -> None:
    project = world["project_banwol"]
    client = _client(world.users["regional"])
    response = client.get(reverse("support:project_detail", args=[project.pk]))
    assert response.status_code == 200
    page = response.content.decode()
    assert project.title in page
    assert "울산화학(주)" in page  # the partner firm of its zone, among the participants
    assert "주관하는 과제입니다" in page  # says why it reads but does not change
    assert reverse("support:project_edit", args=[project.pk]) not in page
    assert reverse("support:project_approve", args=[project.pk]) not in page
    listed = client.get(reverse("support:project_list")).content.decode()
    assert project.title in listed


def test_reading_is_not_changing_or_approving(world: World) -> None:
    project = world["project_banwol"]
    client = _client(world.users["regional"])
    approve = client.post(reverse("support:project_approve", args=[project.pk]))
    assert approve.status_code == 403
    edit = client.get(reverse("support:project_edit", args=[project.pk]))
    assert edit.status_code == 403
    project.refresh_from_db()
    assert project.status == Project.Status.SUBMITTED


def test_the_own_zones_project_shows_no_read_only_notice(world: World) -> None:
    client = _client(world.users["regional"])
    page = client.get(reverse("support:project_detail", args=[world["project_ulsan"].pk]))
    assert "주관하는 과제입니다" not in page.content.decode()


def test_a_coordinator_whose_firm_takes_part_reads_the_project(world: World) -> None:
    """The coordinator of the Ulsan complex (the partner firm's) reads the Banwol project; the
    Changwon branch, none of whose firms take part, does not see it."""
    project = world["project_banwol"]
    ulsan = user_with_role(Role.COORDINATOR, complex=world["cx_dongnam_unmanaged"])
    assert _client(ulsan).get(reverse("support:project_detail", args=[project.pk])).status_code == (
        200
    )
    branch = _client(world.users["coordinator"])
    assert branch.get(reverse("support:project_detail", args=[project.pk])).status_code == 404


def test_the_problems_of_the_leading_zone_stay_out_of_sight(world: World) -> None:
    """Reading a project is not reading the other zone's problems behind it."""
    client = _client(world.users["regional"])
    problem = world["problem_banwol"]
    assert client.get(reverse("support:problem_detail", args=[problem.pk])).status_code == 404
    page = client.get(reverse("support:project_detail", args=[world["project_banwol"].pk]))
    assert problem.title not in page.content.decode()
