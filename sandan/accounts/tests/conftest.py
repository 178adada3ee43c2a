"""A small world for the people pages: two zones, a branch office in each with a complex and
a firm, and the staff who run them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client

from sandan.accounts.models import User
from sandan.accounts.roles import Role
from sandan.accounts.tests.factories import user_with_role
from sandan.registry.models import Complex, Office, Organisation
from sandan.registry.tests.factories import (
    ComplexFactory,
    OfficeFactory,
    OrganisationFactory,
    province,
    zone,
)

PASSWORD = "sandan-test-pw-2010"  # the factories' password


@dataclass
class Side:
    """One zone's branch office, its complex and a firm in it."""

    office: Office
    complex: Complex
    firm: Organisation


@dataclass
class World:
    ansan: Side  # 수도권 (capital zone)
    changwon: Side  # 동남권 (dongnam zone)
    hq: User
    regional: User  # 수도권 regional HQ
    coordinator: User  # the 안산 branch
    other_coordinator: User  # the 창원 branch
    company: User  # a user of the 안산 firm
    auditor: User


def _side(zone_code: str, province_code: str, name: str, seed: int) -> Side:
    office = OfficeFactory(code=f"{name}-branch", name_ko=f"{name}지사", zone=zone(zone_code))
    complex_ = ComplexFactory(
        kicox_id=f"9{seed:05d}",
        name_ko=f"{name}국가산업단지",
        province=province(province_code),
        office=office,
    )
    firm = OrganisationFactory(name_ko=f"(주){name}정밀", complex=complex_)
    return Side(office=office, complex=complex_, firm=firm)


@pytest.fixture
def world(db: Any) -> World:
    ansan = _side("capital", "41", "안산", 1)
    changwon = _side("dongnam", "48", "창원", 2)
    return World(
        ansan=ansan,
        changwon=changwon,
        hq=user_with_role(Role.HQ_STAFF, username="park.hq"),
        regional=user_with_role(Role.REGIONAL_STAFF, username="lee.capital", zone=zone("capital")),
        coordinator=user_with_role(Role.COORDINATOR, username="choi.ansan", office=ansan.office),
        other_coordinator=user_with_role(
            Role.COORDINATOR, username="jung.changwon", office=changwon.office
        ),
        company=user_with_role(Role.COMPANY_USER, username="kim.firm", organisation=ansan.firm),
        auditor=user_with_role(Role.AUDITOR, username="yoon.audit"),
    )


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client
