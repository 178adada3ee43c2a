"""Factories for councils and activities, with realistic Korean data.

`hub_designation()` makes a 2010 program year (if missing) and a hub designation of a
complex; `active_council()` a council that satisfies the 2010 rule (10 firms, a university).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import factory

from sandan.core import clock
from sandan.councils.models import Activity, Attendance, Council, Membership, SubGroup
from sandan.program.models import DEFAULT_RULES, Designation, ProgramYear
from sandan.registry.models import Complex, Organisation
from sandan.registry.tests.factories import ComplexFactory, IndustryFactory, OrganisationFactory


def program_year(year: int = 2010) -> ProgramYear:
    obj, _ = ProgramYear.objects.get_or_create(year=year, defaults={"rules": dict(DEFAULT_RULES)})
    return obj


def hub_designation(complex_: Complex | None = None, year: int = 2010) -> Designation:
    complex_ = complex_ or ComplexFactory(kind="national")
    return Designation.objects.create(
        program_year=program_year(year),
        complex=complex_,
        role=Designation.Role.HUB,
        zone=complex_.province.zone,
    )


def linked_designation(hub: Designation, complex_: Complex | None = None) -> Designation:
    complex_ = complex_ or ComplexFactory()
    return Designation.objects.create(
        program_year=hub.program_year,
        complex=complex_,
        role=Designation.Role.LINKED,
        hub=hub,
        zone=complex_.province.zone,
        is_cross_zone=complex_.province.zone_id != hub.zone_id,
        cross_zone_reason="가치사슬 연계" if complex_.province.zone_id != hub.zone_id else "",
    )


class CouncilFactory(factory.django.DjangoModelFactory[Council]):
    class Meta:
        model = Council

    hub = factory.LazyFunction(hub_designation)
    zone = factory.LazyAttribute(lambda o: o.hub.zone)
    name = factory.Sequence(lambda n: f"기계부품 미니클러스터 {n}")
    theme_kind = Council.ThemeKind.INDUSTRY
    industry = factory.LazyFunction(IndustryFactory)
    status = Council.Status.FORMING


class MembershipFactory(factory.django.DjangoModelFactory[Membership]):
    class Meta:
        model = Membership

    council = factory.SubFactory(CouncilFactory)
    organisation = factory.LazyAttribute(
        lambda o: OrganisationFactory(complex=o.council.hub.complex)
    )
    role = Membership.Role.MEMBER
    joined_on = dt.date(2010, 3, 2)
    annual_fee_krw = 300_000


class SubGroupFactory(factory.django.DjangoModelFactory[SubGroup]):
    class Meta:
        model = SubGroup

    council = factory.SubFactory(CouncilFactory)
    name = factory.Sequence(lambda n: f"금형 분과 {n}")


class ActivityFactory(factory.django.DjangoModelFactory[Activity]):
    class Meta:
        model = Activity

    council = factory.SubFactory(CouncilFactory)
    kind = Activity.Kind.SEMINAR
    title = factory.Sequence(lambda n: f"스마트 공정 자동화 세미나 {n}")
    starts_at = factory.LazyFunction(lambda: clock.now() + dt.timedelta(days=10))
    place = "창원 산업단지 지원센터 2층 대회의실"
    agenda = "1. 공정 자동화 사례 발표\n2. 애로사항 토론"


class AttendanceFactory(factory.django.DjangoModelFactory[Attendance]):
    class Meta:
        model = Attendance

    activity = factory.SubFactory(ActivityFactory)
    organisation = factory.LazyAttribute(
        lambda o: OrganisationFactory(complex=o.activity.council.hub.complex)
    )
    person_name = factory.Sequence(lambda n: f"김민준{n}")
    person_title = "대표"
    status = Attendance.Status.ATTENDED


def university(complex_: Complex | None = None, **kwargs: Any) -> Organisation:
    return OrganisationFactory(
        kind=Organisation.Kind.UNIVERSITY,
        name_ko=kwargs.pop("name_ko", "창원대학교"),
        business_number=None,
        complex=complex_,
        **kwargs,
    )


def active_council(firms: int = 10, with_university: bool = True, **kwargs: Any) -> Council:
    """A council with `firms` member firms (and a university): the 2010 rule holds."""
    council = CouncilFactory(**kwargs)
    for _n in range(firms):
        MembershipFactory(council=council)
    if with_university:
        MembershipFactory(council=council, organisation=university(), role=Membership.Role.ADVISOR)
    council.status = Council.Status.ACTIVE
    council.save()
    return council
