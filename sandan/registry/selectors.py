"""Reads that the pages and the API share. Every one starts from `restrict(user, action)`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet

from sandan.registry.models import (
    Complex,
    ComplexStat,
    Expert,
    Office,
    Organisation,
    Province,
    Zone,
)


@dataclass(frozen=True)
class ComplexFilter:
    kind: str | None = None
    zone: str | None = None  # zone code
    province: str | None = None  # 2-digit province code
    office: str | None = None  # office code
    q: str | None = None


def complexes(user: Any, filters: ComplexFilter | None = None) -> QuerySet[Complex]:
    f = filters or ComplexFilter()
    qs = Complex.objects.restrict(user, "view").select_related(
        "province__zone", "municipality", "office"
    )
    if f.kind:
        qs = qs.filter(kind=f.kind)
    if f.zone:
        qs = qs.filter(province__zone__code=f.zone)
    if f.province:
        qs = qs.filter(province__code=f.province)
    if f.office:
        qs = qs.filter(office__code=f.office)
    if f.q:
        text = f.q.strip()
        qs = qs.filter(
            Q(name_ko__icontains=text)
            | Q(name_en__icontains=text)
            | Q(municipality_name__icontains=text)
            | Q(kicox_id=text)
        )
    return qs.order_by("kicox_id")


def complex_stats(user: Any, complex_id: int | None = None) -> QuerySet[ComplexStat]:
    qs = ComplexStat.objects.restrict(user, "view").select_related("complex")
    if complex_id is not None:
        qs = qs.filter(complex_id=complex_id)
    return qs.order_by("complex_id", "year", "quarter")


@dataclass(frozen=True)
class OrganisationFilter:
    kind: str | None = None
    complex: str | None = None  # KICOX complex id
    zone: str | None = None
    small_firm: bool | None = None
    q: str | None = None


def organisations(user: Any, filters: OrganisationFilter | None = None) -> QuerySet[Organisation]:
    f = filters or OrganisationFilter()
    qs = Organisation.objects.restrict(user, "view").select_related("complex", "industry")
    if f.kind:
        qs = qs.filter(kind=f.kind)
    if f.complex:
        qs = qs.filter(complex__kicox_id=f.complex)
    if f.zone:
        qs = qs.filter(complex__province__zone__code=f.zone)
    if f.small_firm is not None:
        qs = qs.filter(is_small_firm=f.small_firm)
    if f.q:
        text = f.q.strip()
        digits = "".join(ch for ch in text if ch.isdigit())
        condition = Q(name_ko__icontains=text) | Q(name_en__icontains=text)
        if len(digits) == 10:
            condition |= Q(business_number=digits)
        qs = qs.filter(condition)
    return qs.order_by("name_ko", "id")


def experts(user: Any, q: str | None = None, category: str | None = None) -> QuerySet[Expert]:
    qs = Expert.objects.restrict(user, "view").select_related("affiliation")
    if q:
        text = q.strip()
        qs = qs.filter(
            Q(name_ko__icontains=text) | Q(specialties__icontains=text) | Q(title__icontains=text)
        )
    if category:
        qs = (
            qs.filter(service_categories__contains=[category])
            if _json_contains()
            else qs.filter(service_categories__icontains=f'"{category}"')
        )
    return qs.order_by("name_ko", "id")


def _json_contains() -> bool:
    from django.db import connection

    return bool(connection.features.supports_json_field_contains)


def zones(user: Any) -> QuerySet[Zone]:
    return Zone.objects.restrict(user, "view").order_by("order")


def provinces(user: Any, current_only: bool = True) -> QuerySet[Province]:
    qs = Province.objects.restrict(user, "view").select_related("zone")
    if current_only:
        qs = qs.filter(valid_until__isnull=True)
    return qs.order_by("code")


def offices(user: Any) -> QuerySet[Office]:
    return (
        Office.objects.restrict(user, "view")
        .select_related("parent", "zone")
        .order_by("kind", "code")
    )
