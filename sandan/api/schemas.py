"""API objects. Related rows appear by their natural codes; personal data is masked for
rows that the selector did not flag `contact_visible`."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from ninja import Schema

from sandan.registry.selectors import masked


def _code(obj: Any, path: str) -> str | None:
    for name in path.split("."):
        obj = getattr(obj, name, None)
        if obj is None:
            return None
    return str(obj)


def _personal(obj: Any, name: str) -> str:
    return masked(getattr(obj, name), bool(getattr(obj, "contact_visible", False)))


class ZoneOut(Schema):
    code: str
    name_ko: str
    name_en: str
    kind: str


class ProvinceOut(Schema):
    code: str
    name_ko: str
    name_en: str
    short_ko: str
    zone: str

    @staticmethod
    def resolve_zone(obj: Any) -> str | None:
        return _code(obj, "zone.code")


class OfficeOut(Schema):
    code: str
    kind: str
    name_ko: str
    name_en: str
    parent: str | None
    zone: str | None
    is_illustrative: bool

    @staticmethod
    def resolve_parent(obj: Any) -> str | None:
        return _code(obj, "parent.code")

    @staticmethod
    def resolve_zone(obj: Any) -> str | None:
        return _code(obj, "zone.code")


class ComplexOut(Schema):
    kicox_id: str
    name_ko: str
    name_en: str
    kind: str
    zone: str
    province: str
    municipality: str
    office: str | None
    status: str
    designated_area_1000m2: Decimal
    managed_area_1000m2: Decimal
    year_designated: int | None
    tenants: int
    operating_firms: int

    @staticmethod
    def resolve_zone(obj: Any) -> str | None:
        return _code(obj, "province.zone.code")

    @staticmethod
    def resolve_province(obj: Any) -> str | None:
        return _code(obj, "province.code")

    @staticmethod
    def resolve_municipality(obj: Any) -> str:
        return _code(obj, "municipality.code") or obj.municipality_name

    @staticmethod
    def resolve_office(obj: Any) -> str | None:
        return _code(obj, "office.code")


class ComplexStatOut(Schema):
    complex: str
    year: int
    quarter: int
    tenants: int
    operating_firms: int
    employment_persons: int
    output_100m_krw: Decimal
    exports_1m_usd: Decimal

    @staticmethod
    def resolve_complex(obj: Any) -> str | None:
        return _code(obj, "complex.kicox_id")


class OrganisationOut(Schema):
    id: int
    kind: str
    name_ko: str
    name_en: str
    business_number: str | None
    industry: str | None
    employees: int | None
    is_small_firm: bool
    complex: str | None
    contact_name: str
    contact_email: str
    contact_phone: str

    @staticmethod
    def resolve_industry(obj: Any) -> str | None:
        return _code(obj, "industry.code")

    @staticmethod
    def resolve_complex(obj: Any) -> str | None:
        return _code(obj, "complex.kicox_id")

    @staticmethod
    def resolve_contact_name(obj: Any) -> str:
        return _personal(obj, "contact_name")

    @staticmethod
    def resolve_contact_email(obj: Any) -> str:
        return _personal(obj, "contact_email")

    @staticmethod
    def resolve_contact_phone(obj: Any) -> str:
        return _personal(obj, "contact_phone")


class ExpertOut(Schema):
    id: int
    name_ko: str
    title: str
    affiliation: str | None
    specialties: str
    service_categories: list[str]
    email: str
    phone: str

    @staticmethod
    def resolve_affiliation(obj: Any) -> str | None:
        return _code(obj, "affiliation.name_ko")

    @staticmethod
    def resolve_email(obj: Any) -> str:
        return _personal(obj, "email")

    @staticmethod
    def resolve_phone(obj: Any) -> str:
        return _personal(obj, "phone")


class ErrorOut(Schema):
    detail: str
