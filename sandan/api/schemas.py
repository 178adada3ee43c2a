"""API objects. Related rows appear by their natural codes; personal data is masked for
rows that the selector did not flag `contact_visible`."""

from __future__ import annotations

from decimal import Decimal
from typing import Any, ClassVar

from ninja import Schema
from pydantic import BaseModel, Field, model_validator

from sandan.core.privacy import mask_unless_visible


class Row(BaseModel):
    """One row of an API list, read from `QuerySet.values(*Row.lookups())`.

    A field that comes from a related row names its lookup as `validation_alias`
    (`zone: str = Field(validation_alias="province__zone__code")`); the output keeps the
    field's name. Validating plain dicts is several times cheaper per row than building
    model instances and reading them through ninja's attribute resolver (ADR 0006).
    Fields named in `personal` are masked unless the row's `contact_visible` is true
    (`sandan.core.privacy`).
    """

    personal: ClassVar[tuple[str, ...]] = ()

    @classmethod
    def lookups(cls) -> list[str]:
        names = [str(field.validation_alias or name) for name, field in cls.model_fields.items()]
        return [*names, "contact_visible"] if cls.personal else names

    @model_validator(mode="before")
    @classmethod
    def _mask_personal(cls, data: Any) -> Any:
        if cls.personal and isinstance(data, dict):
            mask_unless_visible(data, cls.personal)
        return data


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


class ErrorOut(Schema):
    detail: str
