"""Writes go through services that check scope, run in one transaction and leave an audit trail."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ValidationError

from sandan.accounts.roles import Role
from sandan.accounts.tests.factories import user_with_role
from sandan.core import audit
from sandan.core.models import AuditAction, AuditEntry
from sandan.core.services import NotAllowed
from sandan.core.tests.world import World, build_world
from sandan.registry import services
from sandan.registry.models import ComplexStat, Expert, Organisation
from sandan.registry.tests.factories import valid_business_number


@pytest.fixture
def world(db: Any) -> World:
    return build_world()


def entries_about(obj: Any) -> list[AuditEntry]:
    return list(audit.history_of(obj))


def test_regional_staff_of_another_zone_may_not_update(world: World) -> None:
    capital_staff = user_with_role(Role.REGIONAL_STAFF, zone=world["capital"])
    org = world["company_dongnam"]
    count = AuditEntry.objects.count()

    with pytest.raises(NotAllowed):
        services.update_organisation(capital_staff, org, name_ko="바뀐 이름")

    org.refresh_from_db()
    assert org.name_ko == "(주)창원기계"
    assert AuditEntry.objects.count() == count


def test_moving_an_organisation_out_of_scope_is_refused_and_rolled_back(world: World) -> None:
    regional = world.users["regional"]
    org = world["company_dongnam"]
    count = AuditEntry.objects.count()

    with pytest.raises(NotAllowed):
        services.update_organisation(
            regional, org, complex=world["cx_capital"], name_ko="수도권으로 옮긴 회사"
        )

    org.refresh_from_db()
    assert org.complex_id == world["cx_dongnam"].pk
    assert org.name_ko == "(주)창원기계"
    assert AuditEntry.objects.count() == count


def test_coordinator_creates_inside_its_scope_and_it_is_audited(world: World) -> None:
    coordinator = world.users["coordinator"]
    number = valid_business_number(4242)

    org = services.create_organisation(
        coordinator,
        kind="company",
        name_ko="(주)마산정공",
        business_number=f"{number[:3]}-{number[3:5]}-{number[5:]}",
        employees=12,
        complex=world["cx_dongnam"],
    )

    assert org.business_number == number  # stored without hyphens
    assert org.is_small_firm is True or Organisation.objects.get(pk=org.pk).is_small_firm
    [entry] = entries_about(org)
    assert entry.actor == coordinator
    assert entry.action == AuditAction.CREATE
    assert entry.source == "web"
    assert entry.changes["name_ko"] == [None, "(주)마산정공"]
    assert entry.changes["business_number"] == [None, number]
    assert entry.changes["complex_id"] == [None, world["cx_dongnam"].pk]
    assert entry.changes["employees"] == [None, 12]
    assert all(before is None for before, _after in entry.changes.values())


def test_coordinator_may_not_create_outside_its_scope(world: World) -> None:
    count, audits = Organisation.objects.count(), AuditEntry.objects.count()
    with pytest.raises(NotAllowed):
        services.create_organisation(
            world.users["coordinator"],
            kind="company",
            name_ko="(주)안산금속",
            business_number=valid_business_number(777),
            complex=world["cx_capital"],
        )
    assert Organisation.objects.count() == count
    assert AuditEntry.objects.count() == audits


def test_company_user_may_not_create_organisations(world: World) -> None:
    with pytest.raises(NotAllowed):
        services.create_organisation(
            world.users["company"],
            kind="company",
            name_ko="(주)자회사",
            business_number=valid_business_number(778),
            complex=world["cx_dongnam"],
        )
    assert not Organisation.objects.filter(name_ko="(주)자회사").exists()


def test_update_records_only_the_changed_fields(world: World) -> None:
    org = world["company_dongnam"]
    company_user = world.users["company"]

    updated = services.update_organisation(
        company_user, org, employees=60, contact_phone="055-210-0000", name_ko="(주)창원기계"
    )

    assert updated.employees == 60
    [entry] = [e for e in entries_about(org) if e.action == AuditAction.UPDATE]
    assert entry.actor == company_user
    assert entry.changes == {
        "employees": [35, 60],
        "contact_phone": ["031-490-1234", "055-210-0000"],
    }


def test_update_that_changes_nothing_records_nothing(world: World) -> None:
    org = world["company_dongnam"]
    count = AuditEntry.objects.count()

    services.update_organisation(world.users["hq"], org, name_ko=org.name_ko, employees=35)

    assert AuditEntry.objects.count() == count


def test_hq_deletes_and_the_old_values_are_kept(world: World) -> None:
    org = world["company_capital"]
    pk, number = org.pk, org.business_number

    services.delete_organisation(world.users["hq"], org, reason="폐업")

    assert not Organisation.objects.filter(pk=pk).exists()
    entry = AuditEntry.objects.get(object_id=str(pk), action=AuditAction.DELETE)
    assert entry.actor == world.users["hq"]
    assert entry.reason == "폐업"
    assert entry.object_repr == "(주)반월정밀"
    assert entry.changes["business_number"] == [number, None]
    assert entry.changes["name_ko"] == ["(주)반월정밀", None]


@pytest.mark.parametrize("role", ["regional", "coordinator", "company", "ministry", "auditor"])
def test_only_hq_deletes(world: World, role: str) -> None:
    org = world["company_dongnam"]
    with pytest.raises(NotAllowed):
        services.delete_organisation(world.users[role], org)
    assert Organisation.objects.filter(pk=org.pk).exists()


@pytest.mark.parametrize("role", ["ministry", "auditor"])
def test_readers_write_nothing(world: World, role: str) -> None:
    user = world.users[role]
    with pytest.raises(NotAllowed):
        services.update_organisation(user, world["company_dongnam"], employees=1)
    with pytest.raises(NotAllowed):
        services.update_complex(user, world["cx_dongnam"], tenants=121)
    with pytest.raises(NotAllowed):
        services.create_organisation(
            user, kind="university", name_ko="감사대학교", complex=world["cx_dongnam"]
        )
    assert (
        world["company_dongnam"].employees
        == Organisation.objects.get(pk=world["company_dongnam"].pk).employees
    )


def test_bad_business_number_is_a_validation_error_and_writes_nothing(world: World) -> None:
    count, audits = Organisation.objects.count(), AuditEntry.objects.count()
    good = valid_business_number(99)
    bad = good[:9] + str((int(good[9]) + 1) % 10)

    with pytest.raises(ValidationError) as error:
        services.create_organisation(
            world.users["hq"], kind="company", name_ko="(주)오류", business_number=bad
        )

    assert "business_number" in error.value.message_dict
    assert Organisation.objects.count() == count
    assert AuditEntry.objects.count() == audits


def test_duplicate_business_number_is_a_validation_error_and_writes_nothing(
    world: World,
) -> None:
    existing = world["company_capital"]
    audits = AuditEntry.objects.count()

    with pytest.raises(ValidationError) as error:
        services.create_organisation(
            world.users["hq"],
            kind="company",
            name_ko="(주)복제",
            business_number=existing.business_number,
        )
    assert "business_number" in error.value.message_dict

    with pytest.raises(ValidationError):
        services.update_organisation(
            world.users["hq"],
            world["company_dongnam"],
            business_number=existing.business_number,
        )

    assert not Organisation.objects.filter(name_ko="(주)복제").exists()
    world["company_dongnam"].refresh_from_db()
    assert world["company_dongnam"].business_number != existing.business_number
    assert AuditEntry.objects.count() == audits


def test_a_company_needs_a_business_number(world: World) -> None:
    with pytest.raises(ValidationError):
        services.create_organisation(
            world.users["hq"], kind="company", name_ko="(주)무번호", business_number=""
        )


def test_expert_edits_own_record_only(world: World) -> None:
    expert_user = world.users["expert"]
    own, other = world["expert_linked"], world["expert_capital"]

    services.update_expert(expert_user, own, specialties="용접 자동화")
    with pytest.raises(NotAllowed):
        services.update_expert(expert_user, other, specialties="용접 자동화")

    assert Expert.objects.get(pk=own.pk).specialties == "용접 자동화"
    assert Expert.objects.get(pk=other.pk).specialties != "용접 자동화"


def test_regional_staff_records_stats_inside_the_zone_only(world: World) -> None:
    regional = world.users["regional"]
    stat = services.record_complex_stat(
        regional,
        complex=world["cx_dongnam"],
        year=2010,
        quarter=1,
        tenants=130,
        operating_firms=120,
    )
    assert stat.pk
    with pytest.raises(NotAllowed):
        services.record_complex_stat(
            regional, complex=world["cx_capital"], year=2010, quarter=1, tenants=1
        )
    assert not ComplexStat.objects.filter(complex=world["cx_capital"], year=2010).exists()


def test_system_writes_are_audited_without_actor(world: World) -> None:
    org = services.create_organisation(
        None, kind="agency", name_ko="경남테크노파크", source="import"
    )
    [entry] = entries_about(org)
    assert entry.actor is None
    assert entry.source == "import"


def test_deleting_a_referenced_row_is_a_validation_error_not_a_crash(world: World) -> None:
    university = world["university_dongnam"]  # an expert is affiliated with it
    audits = AuditEntry.objects.count()

    with pytest.raises(ValidationError) as error:
        services.delete_organisation(world.users["hq"], university)

    assert error.value.code == "protected"
    assert Organisation.objects.filter(pk=university.pk).exists()
    assert AuditEntry.objects.count() == audits
