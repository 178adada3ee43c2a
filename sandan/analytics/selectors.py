"""Dashboard reads: national aggregates in a constant number of queries.

Every query starts from `restrict(user, "view")`, so a zone-scoped user would see the
same page built from the rows they may see.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Count, Max, Q, Sum

from sandan.registry import selectors as registry
from sandan.registry.models import Complex, ComplexStat, Province, Zone

KINDS: tuple[str, ...] = tuple(Complex.Kind.values)


@dataclass
class ZoneRow:
    zone: Zone
    by_kind: dict[str, int]
    total: int
    tenants: int
    operating_firms: int

    @property
    def cells(self) -> list[int]:
        return [self.by_kind.get(kind, 0) for kind in KINDS]


@dataclass
class LatestQuarter:
    year: int
    quarter: int
    employment_persons: int
    output_100m_krw: Decimal
    exports_1m_usd: Decimal
    illustrative: bool = False  # some of the quarter's figures are made up (the demo's)


@dataclass
class Overview:
    kinds: list[tuple[str, str]]
    by_kind: dict[str, int]
    zone_rows: list[ZoneRow]
    total: int
    tenants: int
    operating_firms: int
    province_counts: dict[str, int]
    provinces: list[Province]
    latest: LatestQuarter | None
    kind_totals: list[int] = field(default_factory=list)


def overview(user: Any) -> Overview:
    """Counts by kind and zone, firm totals, complexes per province, the latest quarter.

    Five queries whatever the number of complexes: zones, zone × kind, per province,
    provinces, and the latest quarter's sums (plus one to find that quarter).
    """
    complexes = Complex.objects.restrict(user, "view")
    zones = list(registry.zones(user))
    grouped = (
        complexes.values("province__zone_id", "kind")
        .annotate(n=Count("id"), tenants=Sum("tenants"), operating=Sum("operating_firms"))
        .order_by()
    )
    cells: dict[int, dict[str, int]] = defaultdict(dict)
    firms: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    for row in grouped:
        zone_id = row["province__zone_id"]
        cells[zone_id][row["kind"]] = row["n"]
        firms[zone_id][0] += row["tenants"] or 0
        firms[zone_id][1] += row["operating"] or 0
    zone_rows = [
        ZoneRow(
            zone=zone,
            by_kind=cells.get(zone.pk, {}),
            total=sum(cells.get(zone.pk, {}).values()),
            tenants=firms[zone.pk][0] if zone.pk in firms else 0,
            operating_firms=firms[zone.pk][1] if zone.pk in firms else 0,
        )
        for zone in zones
    ]
    by_kind = {kind: sum(row.by_kind.get(kind, 0) for row in zone_rows) for kind in KINDS}
    province_counts = {
        row["province__code"]: row["n"]
        for row in complexes.values("province__code").annotate(n=Count("id")).order_by()
    }
    provinces = list(registry.provinces(user, current_only=False))
    return Overview(
        kinds=[(kind, str(label)) for kind, label in Complex.Kind.choices],
        by_kind=by_kind,
        kind_totals=[by_kind[kind] for kind in KINDS],
        zone_rows=zone_rows,
        total=sum(row.total for row in zone_rows),
        tenants=sum(row.tenants for row in zone_rows),
        operating_firms=sum(row.operating_firms for row in zone_rows),
        province_counts=province_counts,
        provinces=provinces,
        latest=latest_quarter(user),
    )


def latest_quarter(user: Any) -> LatestQuarter | None:
    stats = ComplexStat.objects.restrict(user, "view")
    last_year = stats.aggregate(year=Max("year"))["year"]
    if last_year is None:
        return None
    last = (
        stats.filter(year=last_year)
        .values("quarter")
        .annotate(
            employment=Sum("employment_persons"),
            output=Sum("output_100m_krw"),
            exports=Sum("exports_1m_usd"),
            illustrative=Count("id", filter=Q(is_illustrative=True)),
        )
        .order_by("-quarter")
        .first()
    )
    if last is None:  # pragma: no cover - a year with rows has a quarter
        return None
    return LatestQuarter(
        year=last_year,
        quarter=last["quarter"],
        employment_persons=last["employment"] or 0,
        output_100m_krw=last["output"] or Decimal(0),
        exports_1m_usd=last["exports"] or Decimal(0),
        illustrative=bool(last["illustrative"]),
    )
