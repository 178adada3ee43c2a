from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from sandan.accounts.roles import Role
from sandan.accounts.tests.factories import user_with_role
from sandan.core.models import AuditEntry
from sandan.program.defaults import load_program_year
from sandan.program.models import Designation, ProgramYear
from sandan.program.services import approve_program_year, copy_program_year, designate
from sandan.registry.tests.factories import ComplexFactory, province, zone

pytestmark = pytest.mark.django_db

CODES_2010 = [
    "PROD_COMMERCIALIZATION",
    "MFG_EFFICIENCY",
    "TECH_MGMT_SUPPORT",
    "TOTAL_MARKETING",
    "FIELD_EDUCATION",
]


@pytest.fixture
def year_2010() -> ProgramYear:
    for code in ("capital", "chungcheong", "honam", "daegyeong", "dongnam", "gangwon", "jeju"):
        zone(code)
    return load_program_year(2010)


def test_2010_defaults_come_from_the_data_file(year_2010: ProgramYear) -> None:
    assert year_2010.hub_target == 25
    assert year_2010.linked_target == 125
    assert year_2010.budget_total_krw == 66_300_000_000
    assert list(year_2010.categories.values_list("code", flat=True)) == CODES_2010
    assert year_2010.rule("council_min_firms") == 10
    assert load_program_year(2010).pk == year_2010.pk  # loading again changes nothing


def test_copy_from_last_year_creates_a_draft_with_the_same_policy(year_2010: ProgramYear) -> None:
    hq = user_with_role(Role.HQ_STAFF)
    year_2011 = copy_program_year(None, year_2010, 2011)
    assert year_2011.status == ProgramYear.Status.DRAFT
    assert list(year_2011.categories.values_list("code", flat=True)) == CODES_2010
    assert year_2011.zone_targets.count() == 7
    assert year_2011.hub_target == 25
    assert hq is not None


def test_linked_complex_must_name_a_hub_of_the_same_year(year_2010: ProgramYear) -> None:
    changwon = ComplexFactory(name_ko="창원", province=province("48"), operating_firms=90)
    with pytest.raises(ValidationError) as info:
        designate(None, program_year=year_2010, complex=changwon, role="linked")
    assert "hub" in info.value.message_dict
    assert not Designation.objects.exists()


def test_cross_zone_link_needs_a_reason(year_2010: ProgramYear) -> None:
    banwol = ComplexFactory(
        name_ko="반월", province=province("41"), operating_firms=500, tenants=600
    )
    changwon = ComplexFactory(name_ko="창원", province=province("48"), operating_firms=90)
    hub = designate(None, program_year=year_2010, complex=banwol, role="hub")
    with pytest.raises(ValidationError) as info:
        designate(None, program_year=year_2010, complex=changwon, role="linked", hub=hub)
    assert "cross_zone_reason" in info.value.message_dict
    linked = designate(
        None,
        program_year=year_2010,
        complex=changwon,
        role="linked",
        hub=hub,
        cross_zone_reason="자동차 부품 가치사슬 연계",
    )
    assert linked.is_cross_zone


def test_hub_needs_enough_operating_firms(year_2010: ProgramYear) -> None:
    small = ComplexFactory(name_ko="소규모농공", operating_firms=12, tenants=15)
    with pytest.raises(ValidationError) as info:
        designate(None, program_year=year_2010, complex=small, role="hub")
    assert "complex" in info.value.message_dict


def test_database_refuses_a_linked_designation_without_hub(year_2010: ProgramYear) -> None:
    complex_ = ComplexFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Designation.objects.create(
            program_year=year_2010, complex=complex_, role="linked", zone=zone("capital")
        )


def test_one_designation_per_complex_per_year(year_2010: ProgramYear) -> None:
    complex_ = ComplexFactory(operating_firms=100)
    designate(None, program_year=year_2010, complex=complex_, role="hub")
    with pytest.raises(IntegrityError), transaction.atomic():
        Designation.objects.create(
            program_year=year_2010, complex=complex_, role="hub", zone=zone("capital")
        )


def test_after_approval_changes_need_a_reason_and_are_audited(year_2010: ProgramYear) -> None:
    ministry = user_with_role(Role.MINISTRY_OFFICER)
    banwol = ComplexFactory(name_ko="반월", operating_firms=500, tenants=600)
    sihwa = ComplexFactory(name_ko="시화", operating_firms=400, tenants=450)
    hub = designate(None, program_year=year_2010, complex=banwol, role="hub")
    approve_program_year(ministry, year_2010)
    year_2010.refresh_from_db()
    assert year_2010.status == ProgramYear.Status.APPROVED
    with pytest.raises(ValidationError) as info:
        designate(None, program_year=year_2010, complex=sihwa, role="linked", hub=hub)
    assert "reason" in info.value.message_dict
    designate(
        None,
        program_year=year_2010,
        complex=sihwa,
        role="linked",
        hub=hub,
        reason="2010.4 최종계획 반영",
    )
    entry = AuditEntry.objects.filter(object_repr__contains="시화").latest("at")
    assert entry.reason == "2010.4 최종계획 반영"
