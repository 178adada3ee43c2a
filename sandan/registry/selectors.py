"""Reads that the pages and the API share. Every one starts from `restrict(user, action)`."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet

from sandan.registry.models import (
    Complex,
    ComplexStat,
    Expert,
    Office,
    OfficeTerm,
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


def offices(user: Any, current_only: bool = True) -> QuerySet[Office]:
    """KICOX offices; by default only those that exist today (not the merged ones)."""
    qs = Office.objects.restrict(user, "view")
    if current_only:
        qs = qs.filter(Q(valid_until__isnull=True) | Q(valid_until__gte=dt.date.today()))
    return qs.select_related("parent", "zone").order_by("kind", "code")


# KICOX's organisation as history -----------------------------------------------------


def _valid_on(office: Office, day: dt.date) -> bool:
    return (office.valid_from is None or office.valid_from <= day) and (
        office.valid_until is None or day <= office.valid_until
    )


@dataclass
class OrgHistory:
    """Every office and its earlier parents (two queries), to answer "as of a date": which
    offices existed, the parent of each, the chain from a branch up to the HQ. Records of
    2005–2009 thus resolve to the regional HQ of their time (경인지역본부, not 수도권본부).
    Offices are reference data every role reads, so this reads them unrestricted."""

    offices: dict[int, Office]
    terms: dict[int, list[OfficeTerm]]

    @classmethod
    def load(cls) -> OrgHistory:
        offices = {o.pk: o for o in Office.objects.select_related("zone", "successor")}
        terms: dict[int, list[OfficeTerm]] = {}
        for term in OfficeTerm.objects.order_by("valid_until"):
            terms.setdefault(term.office_id, []).append(term)
        return cls(offices, terms)

    def parent_on(self, office_id: int, day: dt.date) -> Office | None:
        for term in self.terms.get(office_id, []):
            if (term.valid_from is None or term.valid_from <= day) and day <= term.valid_until:
                return self.offices[term.parent_id]
        parent_id = self.offices[office_id].parent_id
        return self.offices[parent_id] if parent_id else None

    def chain(self, office_id: int | None, day: dt.date) -> list[Office]:
        """The office and its parents as of `day`, lowest first (branch, regional HQ, HQ)."""
        chain: list[Office] = []
        current = self.offices.get(office_id) if office_id else None
        while current is not None and len(chain) < 5:
            chain.append(current)
            current = self.parent_on(current.pk, day)
        return chain

    def regional_on(self, office_id: int | None, day: dt.date) -> Office | None:
        """The regional HQ an office belonged to on `day` (itself, for a regional HQ)."""
        return next(
            (o for o in self.chain(office_id, day) if o.kind == Office.Kind.REGIONAL_HQ), None
        )

    def tree(self, day: dt.date) -> list[tuple[Office, list[Office]]]:
        """The offices that existed on `day` as (HQ or regional HQ, its branches on that day)."""
        alive = [o for o in self.offices.values() if _valid_on(o, day)]
        heads = sorted(
            (o for o in alive if o.kind != Office.Kind.BRANCH),
            key=lambda o: (o.kind != Office.Kind.HQ, o.zone.order if o.zone else 0, o.code),
        )
        children: dict[int, list[Office]] = {}
        for office in alive:
            if office.kind == Office.Kind.BRANCH:
                parent = self.parent_on(office.pk, day)
                if parent is not None:
                    children.setdefault(parent.pk, []).append(office)
        return [(head, sorted(children.get(head.pk, []), key=lambda o: o.code)) for head in heads]

    def changes(self) -> list[Office]:
        """Offices that began or ended at some date, by that date (the reorganisations)."""
        dated = [o for o in self.offices.values() if o.valid_from or o.valid_until]
        return sorted(dated, key=lambda o: (o.valid_until or o.valid_from or dt.date.min, o.code))
