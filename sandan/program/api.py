"""Program endpoints: program years and designations.

(No `from __future__ import annotations`: django-ninja reads signatures at import time.)
"""

from typing import Any, Literal

from django.http import HttpRequest
from ninja import Query, Router, Schema
from ninja.pagination import paginate

from sandan.api.pagination import Pagination
from sandan.api.params import Code, Year
from sandan.program import selectors

router = Router(tags=["program"])


class ZoneTargetOut(Schema):
    zone: str
    hubs: int
    linked: int

    @staticmethod
    def resolve_zone(obj: Any) -> str:
        return str(obj.zone.code)


class CategoryOut(Schema):
    code: str
    name_ko: str
    name_en: str
    description: str
    keywords: list[str]

    @staticmethod
    def resolve_keywords(obj: Any) -> list[str]:
        return list(obj.keyword_list)


class ProgramYearOut(Schema):
    year: int
    status: str
    hub_target: int
    linked_target: int
    budget_total_krw: int
    rules: dict[str, Any]
    hubs_designated: int
    linked_designated: int
    zone_targets: list[ZoneTargetOut]
    categories: list[CategoryOut]

    @staticmethod
    def resolve_hubs_designated(obj: Any) -> int:
        return int(obj.hub_count)

    @staticmethod
    def resolve_linked_designated(obj: Any) -> int:
        return int(obj.linked_count)

    @staticmethod
    def resolve_zone_targets(obj: Any) -> list[Any]:
        return list(obj.zone_targets.all())

    @staticmethod
    def resolve_categories(obj: Any) -> list[Any]:
        return list(obj.categories.all())


class DesignationOut(Schema):
    id: int
    year: int
    role: str
    complex: str
    complex_name_ko: str
    zone: str
    hub: str | None
    is_cross_zone: bool
    cross_zone_reason: str

    @staticmethod
    def resolve_year(obj: Any) -> int:
        return int(obj.program_year.year)

    @staticmethod
    def resolve_complex(obj: Any) -> str:
        return str(obj.complex.kicox_id)

    @staticmethod
    def resolve_complex_name_ko(obj: Any) -> str:
        return str(obj.complex.name_ko)

    @staticmethod
    def resolve_zone(obj: Any) -> str:
        return str(obj.zone.code)

    @staticmethod
    def resolve_hub(obj: Any) -> str | None:
        return str(obj.hub.complex.kicox_id) if obj.hub_id else None


class DesignationQuery(Schema):
    year: Year | None = None
    role: Literal["hub", "linked"] | None = None
    zone: Code | None = None
    hub: Code | None = None


@router.get("/program-years", response=list[ProgramYearOut])
@paginate(Pagination)
def list_program_years(request: HttpRequest) -> Any:
    return selectors.program_years(request.auth).prefetch_related(  # type: ignore[attr-defined]
        "zone_targets__zone", "categories"
    )


@router.get("/designations", response=list[DesignationOut])
@paginate(Pagination)
def list_designations(request: HttpRequest, filters: Query[DesignationQuery]) -> Any:
    return selectors.designations(
        request.auth,  # type: ignore[attr-defined]
        selectors.DesignationFilter(**filters.dict()),
    )
