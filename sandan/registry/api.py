"""Registry endpoints. Each list is scoped by `restrict()` through the shared selectors.

No `from __future__ import annotations` here: django-ninja reads the operations'
signatures at import time, and string annotations such as ``Query[ComplexQuery]``
leave its parameter models undefined (every filtered list answered 500).
"""

from decimal import Decimal
from typing import Any, Literal

from django.db.models.functions import Coalesce
from django.http import HttpRequest
from ninja import Query, Router, Schema
from ninja.pagination import paginate
from pydantic import Field

from sandan.api.pagination import Pagination, Rows
from sandan.api.params import Code, Search
from sandan.api.schemas import Row
from sandan.core.privacy import with_contact_flag
from sandan.registry import selectors

router = Router(tags=["registry"])


class ZoneOut(Row):
    code: str
    name_ko: str
    name_en: str
    kind: str


class ProvinceOut(Row):
    code: str
    name_ko: str
    name_en: str
    short_ko: str
    zone: str = Field(validation_alias="zone__code")


class OfficeOut(Row):
    code: str
    kind: str
    name_ko: str
    name_en: str
    parent: str | None = Field(validation_alias="parent__code")
    zone: str | None = Field(validation_alias="zone__code")
    is_illustrative: bool


class ComplexOut(Row):
    kicox_id: str
    name_ko: str
    name_en: str
    kind: str
    zone: str = Field(validation_alias="province__zone__code")
    province: str = Field(validation_alias="province__code")
    # The municipality's code, or the name the source gave when it matched no code.
    municipality: str = Field(validation_alias="municipality_label")
    office: str | None = Field(validation_alias="office__code")
    status: str
    designated_area_1000m2: Decimal
    managed_area_1000m2: Decimal
    year_designated: int | None
    tenants: int
    operating_firms: int


class ComplexStatOut(Row):
    complex: str = Field(validation_alias="complex__kicox_id")
    year: int
    quarter: int
    tenants: int
    operating_firms: int
    employment_persons: int
    output_100m_krw: Decimal
    exports_1m_usd: Decimal


class OrganisationOut(Row):
    personal = ("contact_name", "contact_email", "contact_phone")

    id: int
    kind: str
    name_ko: str
    name_en: str
    business_number: str | None
    industry: str | None = Field(validation_alias="industry__code")
    employees: int | None
    is_small_firm: bool
    complex: str | None = Field(validation_alias="complex__kicox_id")
    contact_name: str
    contact_email: str
    contact_phone: str


class ExpertOut(Row):
    personal = ("email", "phone")

    id: int
    name_ko: str
    title: str
    affiliation: str | None = Field(validation_alias="affiliation__name_ko")
    specialties: str
    service_categories: list[str]
    email: str
    phone: str


ComplexKind = Literal["national", "general", "urban_high_tech", "agro_industrial"]
OrgKind = Literal["company", "university", "institute", "agency"]


class ComplexQuery(Schema):
    kind: ComplexKind | None = None
    zone: Code | None = None
    province: Code | None = None
    office: Code | None = None
    q: Search | None = None


class OrganisationQuery(Schema):
    kind: OrgKind | None = None
    complex: Code | None = None
    zone: Code | None = None
    small_firm: bool | None = None
    q: Search | None = None


class ExpertQuery(Schema):
    q: Search | None = None
    category: Code | None = None


class StatQuery(Schema):
    complex: Code | None = None


def _user(request: HttpRequest) -> Any:
    return request.auth  # type: ignore[attr-defined]


@router.get("/zones", response=list[ZoneOut])
@paginate(Pagination)
def list_zones(request: HttpRequest) -> Any:
    return Rows(selectors.zones(_user(request)), ZoneOut)


@router.get("/provinces", response=list[ProvinceOut])
@paginate(Pagination)
def list_provinces(request: HttpRequest) -> Any:
    return Rows(selectors.provinces(_user(request)), ProvinceOut)


@router.get("/offices", response=list[OfficeOut])
@paginate(Pagination)
def list_offices(request: HttpRequest) -> Any:
    return Rows(selectors.offices(_user(request)), OfficeOut)


@router.get("/complexes", response=list[ComplexOut])
@paginate(Pagination)
def list_complexes(request: HttpRequest, filters: Query[ComplexQuery]) -> Any:
    qs = selectors.complexes(_user(request), selectors.ComplexFilter(**filters.dict()))
    label = Coalesce("municipality__code", "municipality_name")
    return Rows(qs.annotate(municipality_label=label), ComplexOut)


@router.get("/complex-stats", response=list[ComplexStatOut])
@paginate(Pagination)
def list_complex_stats(request: HttpRequest, filters: Query[StatQuery]) -> Any:
    qs = selectors.complex_stats(_user(request))
    if filters.complex:
        qs = qs.filter(complex__kicox_id=filters.complex)
    return Rows(qs, ComplexStatOut)


@router.get("/organisations", response=list[OrganisationOut])
@paginate(Pagination)
def list_organisations(request: HttpRequest, filters: Query[OrganisationQuery]) -> Any:
    user = _user(request)
    qs = selectors.organisations(user, selectors.OrganisationFilter(**filters.dict()))
    return Rows(with_contact_flag(qs, user), OrganisationOut)


@router.get("/experts", response=list[ExpertOut])
@paginate(Pagination)
def list_experts(request: HttpRequest, filters: Query[ExpertQuery]) -> Any:
    user = _user(request)
    qs = selectors.experts(user, q=filters.q, category=filters.category)
    return Rows(with_contact_flag(qs, user), ExpertOut)
