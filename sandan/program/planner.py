"""The designation planner: choose hub complexes and assign every linked complex to a hub.

The problem is a p-median (sandan.program.pmedian): clients are the complexes to be
designated, candidates the complexes eligible as hubs, and the cost of serving complex i
from hub j is i's size (operating firms) times a dissimilarity that mixes geographic
distance and industry-mix distance, with weights the user sets. Per-zone hub counts come
from the program year's zone targets (every zone at least one). When links stay inside a
zone (the default), the zones are independent problems solved one by one; with cross-zone
links allowed, one problem with a count constraint per zone is solved.
"""

from __future__ import annotations

import time
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.utils.translation import gettext as _

from sandan.program.models import ProgramYear, ZoneTarget
from sandan.program.pmedian import PMedianError, solve_pmedian
from sandan.registry.geo import LonLat, complex_location
from sandan.registry.models import Complex, Organisation, Zone

# A complex whose firms we do not know is "half similar" to any other: it neither attracts
# nor repels a hub on industry grounds.
UNKNOWN_INDUSTRY_DISTANCE = 0.5
# Costs are scaled and rounded to integers so that the solver's bounds are exact.
COST_SCALE = 100.0

Progress = Callable[[int, str], None]


@dataclass(frozen=True)
class PlanRequest:
    year: int
    hubs: int | None = None  # total hubs; default: the year's target
    zone_hubs: dict[str, int] | None = None  # per zone; default: the year's zone targets
    geo_weight: float = 1.0
    industry_weight: float = 1.0
    geo_scale_km: float = 50.0  # this distance counts as much as a completely different mix
    min_hub_operating_firms: int | None = None  # default: the year's rule
    min_operating_firms: int = 1  # complexes smaller than this are not designated at all
    kinds: tuple[str, ...] = ()
    pinned: tuple[str, ...] = ()  # KICOX ids that must be hubs
    excluded: tuple[str, ...] = ()  # KICOX ids left out entirely
    allow_cross_zone: bool = False
    time_limit: float = 60.0
    universe: tuple[str, ...] = ()  # if given, exactly these KICOX ids are designated

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["kinds"] = list(self.kinds)
        data["pinned"] = list(self.pinned)
        data["excluded"] = list(self.excluded)
        data["universe"] = list(self.universe)
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> PlanRequest:
        values = dict(data)
        for key in ("kinds", "pinned", "excluded", "universe"):
            values[key] = tuple(values.get(key) or ())
        return cls(**values)


@dataclass
class Site:
    """What the planner knows of one complex."""

    pk: int
    kicox_id: str
    name_ko: str
    zone: str
    size: int
    tenants: int
    location: LonLat
    mix: dict[str, float]  # KSIC division → share of the complex's firms


@dataclass
class ZoneOutcome:
    zone: str
    hubs: int
    clients: int
    candidates: int
    objective: float
    lower_bound: float
    proven_optimal: bool
    seconds: float


@dataclass
class Plan:
    hubs: list[dict[str, Any]]
    linked: list[dict[str, Any]]
    zones: list[ZoneOutcome]
    objective: float
    lower_bound: float
    gap: float
    proven_optimal: bool
    seconds: float
    parameters: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {
            "hubs": self.hubs,
            "linked": self.linked,
            "zones": [asdict(z) for z in self.zones],
            "objective": self.objective,
            "lower_bound": self.lower_bound,
            "gap": self.gap,
            "proven_optimal": self.proven_optimal,
            "seconds": self.seconds,
            "parameters": self.parameters,
        }


def _division(code: str) -> str:
    return code[:2] if code[:1].isdigit() else code


def load_sites(request: PlanRequest) -> list[Site]:
    """The complexes to designate, with their place, size and industry mix."""
    complexes = Complex.objects.select_related("province__zone").filter(
        operating_firms__gte=request.min_operating_firms
    )
    if request.kinds:
        complexes = complexes.filter(kind__in=request.kinds)
    if request.excluded:
        complexes = complexes.exclude(kicox_id__in=request.excluded)
    if request.universe:
        complexes = complexes.filter(kicox_id__in=request.universe)
    rows = list(complexes.order_by("kicox_id"))
    pinned = set(request.pinned)
    missing = pinned - {c.kicox_id for c in rows}
    if missing:
        raise ValidationError(
            {"pinned": _("고정한 거점단지가 후보에 없습니다: %s") % ", ".join(sorted(missing))}
        )
    counts: dict[int, Counter[str]] = defaultdict(Counter)
    for row in (
        Organisation.objects.filter(
            kind=Organisation.Kind.COMPANY,
            complex__in=[c.pk for c in rows],
            industry__isnull=False,
        )
        .values("complex_id", "industry__code")
        .annotate(n=Count("id"))
    ):
        counts[row["complex_id"]][_division(row["industry__code"])] += row["n"]
    sites = []
    for c in rows:
        location = complex_location(c) or (127.5, 36.0)
        total = sum(counts[c.pk].values())
        mix = {k: v / total for k, v in counts[c.pk].items()} if total else {}
        sites.append(
            Site(
                pk=c.pk,
                kicox_id=c.kicox_id,
                name_ko=c.name_ko,
                zone=c.province.zone.code,
                size=max(1, c.operating_firms),
                tenants=c.tenants,
                location=location,
                mix=mix,
            )
        )
    return sites


def industry_distance(a: dict[str, float], b: dict[str, float]) -> float:
    """Total variation distance of two industry mixes (0 same, 1 disjoint)."""
    if not a or not b:
        return UNKNOWN_INDUSTRY_DISTANCE
    return 0.5 * sum(abs(a.get(k, 0.0) - b.get(k, 0.0)) for k in set(a) | set(b))


def dissimilarity(
    clients: Sequence[Site], candidates: Sequence[Site], request: PlanRequest
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(weighted cost, km, industry distance) matrices, clients × candidates."""
    lon_c = np.radians([s.location[0] for s in clients])[:, None]
    lat_c = np.radians([s.location[1] for s in clients])[:, None]
    lon_h = np.radians([s.location[0] for s in candidates])[None, :]
    lat_h = np.radians([s.location[1] for s in candidates])[None, :]
    h = (
        np.sin((lat_h - lat_c) / 2) ** 2
        + np.cos(lat_c) * np.cos(lat_h) * np.sin((lon_h - lon_c) / 2) ** 2
    )
    km = 2 * 6371.0 * np.arcsin(np.sqrt(np.clip(h, 0.0, 1.0)))
    divisions = sorted({k for s in (*clients, *candidates) for k in s.mix})
    index = {k: i for i, k in enumerate(divisions)}

    def matrix(sites: Sequence[Site]) -> np.ndarray:
        out = np.zeros((len(sites), max(1, len(divisions))))
        for row, site in enumerate(sites):
            for key, share in site.mix.items():
                out[row, index[key]] = share
        return out

    mix_c, mix_h = matrix(clients), matrix(candidates)
    ind = 0.5 * np.abs(mix_c[:, None, :] - mix_h[None, :, :]).sum(axis=2)
    unknown = (
        np.array([not s.mix for s in clients])[:, None]
        | np.array([not s.mix for s in candidates])[None, :]
    )
    ind = np.where(unknown, UNKNOWN_INDUSTRY_DISTANCE, ind)
    same = (
        np.array([s.pk for s in clients])[:, None] == np.array([s.pk for s in candidates])[None, :]
    )
    km = np.where(same, 0.0, km)
    ind = np.where(same, 0.0, ind)
    unit = request.geo_weight * km / max(request.geo_scale_km, 1e-9) + request.industry_weight * ind
    sizes = np.array([s.size for s in clients], dtype=float)[:, None]
    cost = np.rint(unit * sizes * COST_SCALE)
    return cost, km, ind


def _zone_targets(
    program_year: ProgramYear, request: PlanRequest, zones: set[str]
) -> dict[str, int]:
    if request.zone_hubs:
        targets = {code: int(n) for code, n in request.zone_hubs.items()}
    else:
        targets = {
            t.zone.code: t.hubs
            for t in ZoneTarget.objects.filter(program_year=program_year).select_related("zone")
        }
    if not targets:
        targets = {code: 1 for code in zones}
    if request.hubs is not None and sum(targets.values()) != request.hubs:
        targets = _rescale(targets, request.hubs)
    unknown = set(targets) - set(Zone.objects.values_list("code", flat=True))
    if unknown:
        raise ValidationError({"zone_hubs": _("알 수 없는 권역: %s") % ", ".join(sorted(unknown))})
    return targets


def _rescale(targets: dict[str, int], total: int) -> dict[str, int]:
    """Spread `total` hubs over zones in proportion to the targets, each zone at least one."""
    zones = sorted(targets)
    if total < len(zones):
        raise ValidationError(
            {"hubs": _("권역마다 거점단지가 하나 이상 필요합니다(최소 %d개).") % len(zones)}
        )
    weight = sum(targets.values()) or len(zones)
    shares = {z: max(1, int(total * (targets[z] or 1) / weight)) for z in zones}
    while sum(shares.values()) < total:
        shares[max(zones, key=lambda z: total * (targets[z] or 1) / weight - shares[z])] += 1
    while sum(shares.values()) > total:
        shares[max((z for z in zones if shares[z] > 1), key=lambda z: shares[z])] -= 1
    return shares


def plan_designation(request: PlanRequest, progress: Progress | None = None) -> Plan:
    """Solve the designation problem of `request` and explain every choice."""
    started = time.perf_counter()
    report = progress or (lambda _pct, _stage: None)
    program_year = ProgramYear.objects.filter(year=request.year).first()
    if program_year is None:
        raise ValidationError({"year": _("%s년 사업연도가 없습니다.") % request.year})
    report(2, _("단지 자료를 읽는 중"))
    sites = load_sites(request)
    by_zone: dict[str, list[Site]] = defaultdict(list)
    for site in sites:
        by_zone[site.zone].append(site)
    targets = _zone_targets(program_year, request, set(by_zone))
    min_hub = request.min_hub_operating_firms
    if min_hub is None:
        min_hub = int(program_year.rule("hub_min_operating_firms") or 0)
    pinned = set(request.pinned)
    errors = _check_feasible(by_zone, targets, min_hub, pinned, request.allow_cross_zone)
    if errors:
        raise ValidationError(errors)

    def eligible(site: Site) -> bool:
        return site.kicox_id in pinned or site.size >= min_hub

    groups = (
        [("*", sites)]
        if request.allow_cross_zone
        else [(zone, by_zone[zone]) for zone in sorted(by_zone) if targets.get(zone, 0) > 0]
    )
    hubs: list[dict[str, Any]] = []
    linked: list[dict[str, Any]] = []
    outcomes: list[ZoneOutcome] = []
    budget = request.time_limit
    for number, (zone, clients) in enumerate(groups):
        share = 5 + int(90 * number / max(1, len(groups)))
        report(share, _("%s 권역 계산 중") % zone if zone != "*" else _("전국 계산 중"))
        candidates = [s for s in clients if eligible(s)]
        cost, km, ind = dissimilarity(clients, candidates, request)
        if not request.allow_cross_zone:
            p = targets[zone]
            extra: list[tuple[list[int], float, float]] = []
        else:
            zones_of = [c.zone for c in candidates]
            extra = [
                ([j for j, z in enumerate(zones_of) if z == code], float(n), float(n))
                for code, n in targets.items()
            ]
            p = sum(targets.values())
        fixed = [j for j, c in enumerate(candidates) if c.kicox_id in pinned]
        remaining = max(1.0, request.time_limit - (time.perf_counter() - started))
        try:
            result = solve_pmedian(
                cost,
                p,
                fixed_open=fixed,
                extra_y_constraints=extra,
                time_limit=min(budget, remaining),
            )
        except PMedianError as exc:
            raise ValidationError({"hubs": str(exc)}) from exc
        outcomes.append(
            ZoneOutcome(
                zone=zone,
                hubs=p,
                clients=len(clients),
                candidates=len(candidates),
                objective=result.objective / COST_SCALE,
                lower_bound=result.lower_bound / COST_SCALE,
                proven_optimal=result.proven_optimal,
                seconds=round(result.seconds, 3),
            )
        )
        _explain(
            clients, candidates, result.medians, result.assignment, cost, km, ind, hubs, linked
        )
    objective = sum(o.objective for o in outcomes)
    lower = sum(o.lower_bound for o in outcomes)
    report(100, _("완료"))
    return Plan(
        hubs=hubs,
        linked=linked,
        zones=outcomes,
        objective=round(objective, 2),
        lower_bound=round(lower, 2),
        gap=round((objective - lower) / max(1.0, abs(objective)), 6),
        proven_optimal=all(o.proven_optimal for o in outcomes),
        seconds=round(time.perf_counter() - started, 3),
        parameters=request.as_dict(),
    )


def _check_feasible(
    by_zone: dict[str, list[Site]],
    targets: dict[str, int],
    min_hub: int,
    pinned: set[str],
    cross_zone: bool,
) -> dict[str, str]:
    errors: list[str] = []
    for zone, count in sorted(targets.items()):
        sites = by_zone.get(zone, [])
        eligible = [s for s in sites if s.size >= min_hub or s.kicox_id in pinned]
        pinned_here = [s for s in sites if s.kicox_id in pinned]
        if count < 1 and sites and not cross_zone:
            errors.append(_("%(zone)s: 거점단지가 최소 1개 필요합니다.") % {"zone": zone})
        if count > len(eligible):
            errors.append(
                _("%(zone)s: 거점단지 %(n)d개를 요청했지만 자격을 갖춘 후보는 %(m)d개입니다.")
                % {"zone": zone, "n": count, "m": len(eligible)}
            )
        if len(pinned_here) > count:
            errors.append(
                _("%(zone)s: 고정한 거점단지(%(k)d개)가 목표(%(n)d개)보다 많습니다.")
                % {"zone": zone, "k": len(pinned_here), "n": count}
            )
    for zone, sites in by_zone.items():
        if sites and zone not in targets and not cross_zone:
            errors.append(_("%(zone)s: 단지가 있지만 거점단지 목표가 없습니다.") % {"zone": zone})
    return {"hubs": " ".join(errors)} if errors else {}


def _top_mix(mix: dict[str, float], n: int = 3) -> list[list[Any]]:
    return [
        [code, round(share, 3)] for code, share in sorted(mix.items(), key=lambda kv: -kv[1])[:n]
    ]


def _explain(
    clients: Sequence[Site],
    candidates: Sequence[Site],
    medians: Sequence[int],
    assignment: np.ndarray,
    cost: np.ndarray,
    km: np.ndarray,
    ind: np.ndarray,
    hubs: list[dict[str, Any]],
    linked: list[dict[str, Any]],
) -> None:
    open_columns = list(medians)
    hub_pks = {candidates[j].pk for j in open_columns}
    entries: dict[int, dict[str, Any]] = {}
    for j in open_columns:
        site = candidates[j]
        entries[j] = {
            "kicox_id": site.kicox_id,
            "name_ko": site.name_ko,
            "zone": site.zone,
            "operating_firms": site.size,
            "tenants": site.tenants,
            "industry_mix": _top_mix(site.mix),
            "linked_count": 0,
        }
    for i, site in enumerate(clients):
        if site.pk in hub_pks:  # a hub serves itself, even where another hub ties at 0
            continue
        j = int(assignment[i])
        entries[j]["linked_count"] += 1
        ranked = sorted(open_columns, key=lambda col: cost[i, col])
        alternative = next((col for col in ranked if col != j), None)
        linked.append(
            {
                "kicox_id": site.kicox_id,
                "name_ko": site.name_ko,
                "zone": site.zone,
                "hub": candidates[j].kicox_id,
                "hub_name_ko": candidates[j].name_ko,
                "km": round(float(km[i, j]), 1),
                "industry_distance": round(float(ind[i, j]), 3),
                "cost": float(cost[i, j]) / COST_SCALE,
                "industry_mix": _top_mix(site.mix),
                "alternative": None
                if alternative is None
                else {
                    "hub": candidates[alternative].kicox_id,
                    "hub_name_ko": candidates[alternative].name_ko,
                    "km": round(float(km[i, alternative]), 1),
                    "extra_cost": float(cost[i, alternative] - cost[i, j]) / COST_SCALE,
                },
            }
        )
    hubs.extend(entries.values())
