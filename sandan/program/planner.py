"""The designation planner: one exact model chooses the hubs and the linked complexes.

What the year asks for is data: per zone, exactly `hubs` hub complexes and exactly `linked`
linked complexes (ZoneTarget), every linked complex attached to one hub of its own zone (or,
when the planner is told so, to a hub of another zone nearby), every hub with at least one
linked complex, hubs only among complexes with the year's minimum of operating firms.

Criterion (docs/adr/0015-designation-model.md). The program reaches firms through hubs: a
hub reaches its own operating firms, a linked complex reaches its firms through its hub, and
the nearer and the more alike in industry the two are, the more of it reaches:

    value = Σ_hubs firms(j) + Σ_links firms(i) · affinity(i, j)
    affinity(i, j) = 1 / (1 + geo_weight · km(i, j) / geo_scale_km
                            + industry_weight · industry_distance(i, j))

with industry_distance the total-variation distance of the two complexes' KSIC-division mix
(0 same mix, 1 disjoint). The planner maximises the value over all zones at once with HiGHS
(binary y_j "j is a hub", x_ij "i is linked to hub j"):

    Σ_{j in zone z} y_j = hubs(z)              Σ_{i in zone z, j} x_ij = linked(z)
    y_i + Σ_j x_ij ≤ 1   (one role per complex)  x_ij ≤ y_j   Σ_i x_ij ≥ y_j (hub has a link)

so the hubs, the linked complexes and their assignment come out of the same optimisation;
the result says whether it is proven optimal, or else the remaining gap.
"""

from __future__ import annotations

import math
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

import highspy
import numpy as np
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.utils.translation import gettext as _
from scipy.sparse import coo_matrix

from sandan.program.models import ProgramYear, ZoneTarget
from sandan.registry.geo import LonLat, complex_location
from sandan.registry.models import Complex, Organisation, Zone

# A complex whose firms we do not know is "half similar" to any other: it neither attracts
# nor repels a hub on industry grounds.
UNKNOWN_INDUSTRY_DISTANCE = 0.5
# Values are scaled and rounded to integers so that "optimal" means exactly optimal.
VALUE_SCALE = 100.0

Progress = Callable[[int, str], None]


@dataclass(frozen=True)
class PlanRequest:
    year: int
    hubs: int | None = None  # total hubs; default: the year's target
    zone_hubs: dict[str, int] | None = None  # per zone; default: the year's zone targets
    zone_linked: dict[str, int] | None = None  # per zone; default: the year's zone targets
    geo_weight: float = 1.0
    industry_weight: float = 1.0
    geo_scale_km: float = 50.0  # this distance counts as much as a completely different mix
    min_hub_operating_firms: int | None = None  # default: the year's rule
    min_operating_firms: int = 1  # complexes smaller than this are not designated at all
    kinds: tuple[str, ...] = ()
    pinned: tuple[str, ...] = ()  # KICOX ids that must be hubs
    excluded: tuple[str, ...] = ()  # KICOX ids left out entirely
    allow_cross_zone: bool = False  # links to another zone's hub within geo_scale_km
    time_limit: float = 60.0
    universe: tuple[str, ...] = ()  # if given, only these KICOX ids are considered

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        for key in ("kinds", "pinned", "excluded", "universe"):
            data[key] = list(getattr(self, key))
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> PlanRequest:
        values = {key: value for key, value in data.items() if key in cls.__dataclass_fields__}
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
    linked: int
    hub_target: int
    linked_target: int
    sites: int  # complexes of the zone the planner considered
    candidates: int  # of which may be hubs
    value: float  # the zone's share of the objective (firms reached)
    firms: int  # operating firms of the zone's designated complexes


@dataclass
class Plan:
    hubs: list[dict[str, Any]]
    linked: list[dict[str, Any]]
    zones: list[ZoneOutcome]
    objective: float  # firms reached (the value above)
    bound: float  # no plan can reach more than this
    gap: float  # (bound - objective) / objective
    proven_optimal: bool
    seconds: float
    solver: dict[str, Any] = field(default_factory=dict)
    parameters: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {
            "hubs": self.hubs,
            "linked": self.linked,
            "zones": [asdict(z) for z in self.zones],
            "objective": self.objective,
            "bound": self.bound,
            "gap": self.gap,
            "proven_optimal": self.proven_optimal,
            "seconds": self.seconds,
            "solver": self.solver,
            "parameters": self.parameters,
        }


def _division(code: str) -> str:
    return code[:2] if code[:1].isdigit() else code


def load_sites(request: PlanRequest) -> list[Site]:
    """The complexes the planner may designate, with their place, size and industry mix."""
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


def distances(sites: Sequence[Site]) -> tuple[np.ndarray, np.ndarray]:
    """(km, industry distance) between every two sites."""
    lon = np.radians([s.location[0] for s in sites])
    lat = np.radians([s.location[1] for s in sites])
    h = (
        np.sin((lat[None, :] - lat[:, None]) / 2) ** 2
        + np.cos(lat[:, None])
        * np.cos(lat[None, :])
        * np.sin((lon[None, :] - lon[:, None]) / 2) ** 2
    )
    km = 2 * 6371.0 * np.arcsin(np.sqrt(np.clip(h, 0.0, 1.0)))
    divisions = sorted({k for s in sites for k in s.mix})
    index = {k: i for i, k in enumerate(divisions)}
    mix = np.zeros((len(sites), max(1, len(divisions))))
    for row, site in enumerate(sites):
        for key, share in site.mix.items():
            mix[row, index[key]] = share
    ind = 0.5 * np.abs(mix[:, None, :] - mix[None, :, :]).sum(axis=2)
    unknown = np.array([not s.mix for s in sites])
    ind = np.where(unknown[:, None] | unknown[None, :], UNKNOWN_INDUSTRY_DISTANCE, ind)
    np.fill_diagonal(km, 0.0)
    np.fill_diagonal(ind, 0.0)
    return km, ind


def affinity(km: np.ndarray, ind: np.ndarray, request: PlanRequest) -> np.ndarray:
    """How much of a linked complex reaches its hub (1 next door with the same mix)."""
    return 1.0 / (
        1.0
        + request.geo_weight * km / max(request.geo_scale_km, 1e-9)
        + request.industry_weight * ind
    )


def _zone_targets(
    program_year: ProgramYear, request: PlanRequest
) -> tuple[dict[str, int], dict[str, int]]:
    """Per zone code: (hubs, linked) the plan must meet exactly."""
    year_targets = {
        t.zone.code: (t.hubs, t.linked)
        for t in ZoneTarget.objects.filter(program_year=program_year).select_related("zone")
    }
    hubs = (
        {code: int(n) for code, n in request.zone_hubs.items()}
        if request.zone_hubs
        else {code: h for code, (h, _l) in year_targets.items()}
    )
    if request.hubs is not None and sum(hubs.values()) != request.hubs:
        hubs = _rescale(hubs, request.hubs)
    linked = (
        {code: int(n) for code, n in request.zone_linked.items()}
        if request.zone_linked is not None
        else {code: n for code, (_h, n) in year_targets.items()}
    )
    unknown = (set(hubs) | set(linked)) - set(Zone.objects.values_list("code", flat=True))
    if unknown:
        raise ValidationError({"zone_hubs": _("알 수 없는 권역: %s") % ", ".join(sorted(unknown))})
    zones = set(hubs) | set(linked)
    return {z: hubs.get(z, 0) for z in zones}, {z: linked.get(z, 0) for z in zones}


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


def zone_names() -> dict[str, str]:
    """Zone code → the name a user reads (in the active language)."""
    from sandan.core.i18n import local_name

    return {zone.code: local_name(zone) for zone in Zone.objects.all()}


def _check_feasible(
    by_zone: dict[str, list[Site]],
    hubs: dict[str, int],
    linked: dict[str, int],
    min_hub: int,
    pinned: set[str],
    cross_zone: bool,
) -> list[str]:
    names = zone_names()
    errors: list[str] = []
    for zone in sorted(set(hubs) | set(linked)):
        name = names.get(zone, zone)
        sites = by_zone.get(zone, [])
        eligible = [s for s in sites if s.size >= min_hub or s.kicox_id in pinned]
        pinned_here = [s for s in sites if s.kicox_id in pinned]
        h, n = hubs.get(zone, 0), linked.get(zone, 0)
        if h > len(eligible):
            errors.append(
                _("%(zone)s: 거점단지 %(n)d개를 요청했지만 자격을 갖춘 후보는 %(m)d개입니다.")
                % {"zone": name, "n": h, "m": len(eligible)}
            )
        if h + n > len(sites):
            errors.append(
                _(
                    "%(zone)s: 거점단지 %(h)d개와 연계단지 %(n)d개를 지정해야 하지만 "
                    "대상 단지는 %(m)d개입니다."
                )
                % {"zone": name, "h": h, "n": n, "m": len(sites)}
            )
        if not cross_zone and h > n:
            errors.append(
                _(
                    "%(zone)s: 거점단지마다 연계단지가 있어야 하므로 연계단지 목표(%(n)d개)가 "
                    "거점단지 목표(%(h)d개)보다 적을 수 없습니다."
                )
                % {"zone": name, "h": h, "n": n}
            )
        if not cross_zone and n and not h:
            errors.append(
                _("%(zone)s: 연계단지 목표가 있지만 거점단지 목표가 없습니다.") % {"zone": name}
            )
        if len(pinned_here) > h:
            errors.append(
                _("%(zone)s: 고정한 거점단지(%(k)d개)가 목표(%(n)d개)보다 많습니다.")
                % {"zone": name, "k": len(pinned_here), "n": h}
            )
    return errors


@dataclass
class _Model:
    sites: list[Site]
    candidates: list[int]  # site indices that may be hubs (column j of y)
    pairs: np.ndarray  # (k, 2): site index i, candidate position j
    pair_value: np.ndarray  # scaled integer value of each pair
    hub_value: np.ndarray  # scaled integer value of each candidate as a hub


def _build(
    sites: list[Site],
    hubs: dict[str, int],
    linked: dict[str, int],
    min_hub: int,
    request: PlanRequest,
    km: np.ndarray,
    ind: np.ndarray,
) -> tuple[_Model, highspy.HighsLp]:
    pinned = set(request.pinned)
    candidates = [
        i
        for i, s in enumerate(sites)
        if hubs.get(s.zone, 0) > 0 and (s.size >= min_hub or s.kicox_id in pinned)
    ]
    zone_of = np.array([s.zone for s in sites])
    cand = np.array(candidates, dtype=np.int64)
    n, m = len(sites), len(candidates)
    may_link = np.array([linked.get(s.zone, 0) > 0 for s in sites])
    allowed = (zone_of[:, None] == zone_of[cand][None, :]) & may_link[:, None]
    if request.allow_cross_zone:
        allowed |= (km[:, cand] <= request.geo_scale_km) & may_link[:, None]
    allowed &= np.arange(n)[:, None] != cand[None, :]
    ii, jj = np.nonzero(allowed)
    sizes = np.array([s.size for s in sites], dtype=float)
    aff = affinity(km[ii, cand[jj]], ind[ii, cand[jj]], request)
    pair_value = np.rint(sizes[ii] * aff * VALUE_SCALE)
    hub_value = np.rint(sizes[cand] * VALUE_SCALE)
    k = ii.size
    # Columns: y_0..y_{m-1}, then x_0..x_{k-1}.
    zones = sorted(set(hubs) | set(linked))
    rows: list[np.ndarray] = []
    cols: list[np.ndarray] = []
    vals: list[np.ndarray] = []
    lower: list[float] = []
    upper: list[float] = []
    row = 0

    def add(r: np.ndarray, c: np.ndarray, v: np.ndarray) -> None:
        rows.append(r)
        cols.append(c)
        vals.append(v)

    # Per zone: exactly hubs(z) hubs and linked(z) linked complexes.
    for zone in zones:
        in_zone = np.flatnonzero(zone_of[cand] == zone)
        add(np.full(in_zone.size, row), in_zone, np.ones(in_zone.size))
        lower.append(hubs.get(zone, 0))
        upper.append(hubs.get(zone, 0))
        row += 1
        links = np.flatnonzero(zone_of[ii] == zone)
        add(np.full(links.size, row), m + links, np.ones(links.size))
        lower.append(linked.get(zone, 0))
        upper.append(linked.get(zone, 0))
        row += 1
    # One role per complex: y_i + Σ_j x_ij ≤ 1.
    position = np.full(n, -1)
    position[cand] = np.arange(m)
    add(row + ii, m + np.arange(k), np.ones(k))
    has_y = position >= 0
    add(row + np.flatnonzero(has_y), position[has_y], np.ones(int(has_y.sum())))
    lower.extend([-highspy.kHighsInf] * n)
    upper.extend([1.0] * n)
    row += n
    # A link needs its hub: x_ij - y_j ≤ 0.
    add(row + np.arange(k), m + np.arange(k), np.ones(k))
    add(row + np.arange(k), jj, -np.ones(k))
    lower.extend([-highspy.kHighsInf] * k)
    upper.extend([0.0] * k)
    row += k
    # Every hub has a linked complex: Σ_i x_ij - y_j ≥ 0.
    add(row + jj, m + np.arange(k), np.ones(k))
    add(row + np.arange(m), np.arange(m), -np.ones(m))
    lower.extend([0.0] * m)
    upper.extend([highspy.kHighsInf] * m)
    row += m
    matrix = coo_matrix(
        (np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))),
        shape=(row, m + k),
    ).tocsc()
    lp = highspy.HighsLp()
    lp.num_col_ = m + k
    lp.num_row_ = row
    lp.sense_ = highspy.ObjSense.kMaximize
    lp.col_cost_ = np.concatenate([hub_value, pair_value])
    pinned_col = np.array([sites[i].kicox_id in pinned for i in candidates], dtype=float)
    lp.col_lower_ = np.concatenate([pinned_col, np.zeros(k)])
    lp.col_upper_ = np.ones(m + k)
    lp.row_lower_ = np.array(lower, dtype=float)
    lp.row_upper_ = np.array(upper, dtype=float)
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.num_col_ = m + k
    lp.a_matrix_.num_row_ = row
    lp.a_matrix_.start_ = matrix.indptr.astype(np.int32)
    lp.a_matrix_.index_ = matrix.indices.astype(np.int32)
    lp.a_matrix_.value_ = matrix.data.astype(float)
    lp.integrality_ = [highspy.HighsVarType.kInteger] * (m + k)
    model = _Model(
        sites=sites,
        candidates=candidates,
        pairs=np.stack([ii, jj], axis=1),
        pair_value=pair_value,
        hub_value=hub_value,
    )
    return model, lp


def plan_designation(request: PlanRequest, progress: Progress | None = None) -> Plan:
    """Solve the designation problem of `request` and explain every choice."""
    started = time.perf_counter()
    report = progress or (lambda _pct, _stage: None)
    program_year = ProgramYear.objects.filter(year=request.year).first()
    if program_year is None:
        raise ValidationError({"year": _("%s년 사업연도가 없습니다.") % request.year})
    report(2, _("단지 자료를 읽는 중"))
    hubs, linked = _zone_targets(program_year, request)
    sites = [s for s in load_sites(request) if hubs.get(s.zone, 0) + linked.get(s.zone, 0) > 0]
    by_zone: dict[str, list[Site]] = defaultdict(list)
    for site in sites:
        by_zone[site.zone].append(site)
    min_hub = request.min_hub_operating_firms
    if min_hub is None:
        min_hub = int(program_year.rule("hub_min_operating_firms") or 0)
    errors = _check_feasible(
        by_zone, hubs, linked, min_hub, set(request.pinned), request.allow_cross_zone
    )
    if errors:
        raise ValidationError({"hubs": " ".join(errors)})
    report(10, _("거리와 업종 구성을 비교하는 중"))
    km, ind = distances(sites)
    model, lp = _build(sites, hubs, linked, min_hub, request, km, ind)
    report(
        20,
        _("권역 %(zones)d곳, 단지 %(sites)d곳 가운데 거점·연계단지를 고르는 중")
        % {"zones": len(by_zone), "sites": len(sites)},
    )
    solver = highspy.Highs()  # type: ignore[no-untyped-call]
    solver.setOptionValue("output_flag", False)
    solver.setOptionValue(
        "time_limit", max(1.0, request.time_limit - (time.perf_counter() - started))
    )
    solver.setOptionValue("mip_rel_gap", 0.0)
    solver.setOptionValue("mip_abs_gap", 1.0 - 1e-6)  # integer values: < 1 apart is equal
    solver.setOptionValue("random_seed", 0)
    solver.setOptionValue("threads", 1)
    solver.passModel(lp)
    solve_started = time.perf_counter()
    solver.run()
    status = solver.getModelStatus()
    info = solver.getInfo()
    if status == highspy.HighsModelStatus.kInfeasible:
        raise ValidationError({"hubs": _("권역 목표를 모두 만족하는 지정안이 없습니다.")})
    if info.primal_solution_status != 2:  # no feasible solution
        raise ValidationError(
            {"time_limit": _("계산 시간 안에 지정안을 찾지 못했습니다. 시간 한도를 늘려 보세요.")}
        )
    report(95, _("선정 이유를 정리하는 중"))
    values = np.asarray(solver.getSolution().col_value)
    m = len(model.candidates)
    chosen_hubs = [model.candidates[j] for j in np.flatnonzero(values[:m] > 0.5)]
    chosen_pairs = model.pairs[np.flatnonzero(values[m:] > 0.5)]
    objective = float(info.objective_function_value)
    bound = float(info.mip_dual_bound) if math.isfinite(info.mip_dual_bound) else objective
    proven = status == highspy.HighsModelStatus.kOptimal
    if proven:
        bound = objective
    hub_rows, linked_rows = _explain(model, chosen_hubs, chosen_pairs, km, ind, request)
    outcomes = _zone_outcomes(model, hubs, linked, min_hub, request, hub_rows, linked_rows)
    report(100, _("완료"))
    return Plan(
        hubs=hub_rows,
        linked=linked_rows,
        zones=outcomes,
        objective=round(objective / VALUE_SCALE, 2),
        bound=round(bound / VALUE_SCALE, 2),
        gap=round(max(0.0, bound - objective) / max(1.0, abs(objective)), 6),
        proven_optimal=proven,
        seconds=round(time.perf_counter() - started, 3),
        solver={
            "status": solver.modelStatusToString(status),
            "variables": int(lp.num_col_),
            "constraints": int(lp.num_row_),
            "nodes": int(info.mip_node_count),
            "solve_seconds": round(time.perf_counter() - solve_started, 3),
            "min_hub_operating_firms": min_hub,
        },
        parameters=request.as_dict(),
    )


def _zone_outcomes(
    model: _Model,
    hubs: dict[str, int],
    linked: dict[str, int],
    min_hub: int,
    request: PlanRequest,
    hub_rows: list[dict[str, Any]],
    linked_rows: list[dict[str, Any]],
) -> list[ZoneOutcome]:
    pinned = set(request.pinned)
    order = {
        code: i
        for i, code in enumerate(Zone.objects.order_by("order").values_list("code", flat=True))
    }
    outcomes = []
    for zone in sorted(set(hubs) | set(linked), key=lambda z: order.get(z, 99)):
        sites = [s for s in model.sites if s.zone == zone]
        zone_hubs = [h for h in hub_rows if h["zone"] == zone]
        zone_linked = [row for row in linked_rows if row["zone"] == zone]
        outcomes.append(
            ZoneOutcome(
                zone=zone,
                hubs=len(zone_hubs),
                linked=len(zone_linked),
                hub_target=hubs.get(zone, 0),
                linked_target=linked.get(zone, 0),
                sites=len(sites),
                candidates=sum(1 for s in sites if s.size >= min_hub or s.kicox_id in pinned),
                value=round(
                    sum(h["operating_firms"] for h in zone_hubs)
                    + sum(row["reached_firms"] for row in zone_linked),
                    2,
                ),
                firms=sum(h["operating_firms"] for h in zone_hubs)
                + sum(row["operating_firms"] for row in zone_linked),
            )
        )
    return outcomes


def _top_mix(mix: dict[str, float], n: int = 3) -> list[list[Any]]:
    return [
        [code, round(share, 3)] for code, share in sorted(mix.items(), key=lambda kv: -kv[1])[:n]
    ]


def _explain(
    model: _Model,
    chosen_hubs: list[int],
    chosen_pairs: np.ndarray,
    km: np.ndarray,
    ind: np.ndarray,
    request: PlanRequest,
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """One row per hub and per linked complex, with the figures that made the choice."""
    sites = model.sites
    hub_rows: dict[int, dict[str, Any]] = {}
    for i in sorted(chosen_hubs, key=lambda i: (sites[i].zone, -sites[i].size, sites[i].kicox_id)):
        site = sites[i]
        hub_rows[i] = {
            "kicox_id": site.kicox_id,
            "name_ko": site.name_ko,
            "zone": site.zone,
            "operating_firms": site.size,
            "tenants": site.tenants,
            "industry_mix": _top_mix(site.mix),
            "linked_count": 0,
            "linked_firms": 0,
            "pinned": site.kicox_id in request.pinned,
        }
    linked_rows: list[dict[str, Any]] = []
    for i, j in chosen_pairs:
        site, hub_index = sites[int(i)], model.candidates[int(j)]
        hub = sites[hub_index]
        hub_rows[hub_index]["linked_count"] += 1
        hub_rows[hub_index]["linked_firms"] += site.size
        aff = float(affinity(km[i, hub_index], ind[i, hub_index], request))
        others = [
            h
            for h in hub_rows
            if h != hub_index and (request.allow_cross_zone or sites[h].zone == site.zone)
        ]
        alternative = max(
            others, key=lambda h: affinity(km[i, h], ind[i, h], request), default=None
        )
        linked_rows.append(
            {
                "kicox_id": site.kicox_id,
                "name_ko": site.name_ko,
                "zone": site.zone,
                "hub": hub.kicox_id,
                "hub_name_ko": hub.name_ko,
                "operating_firms": site.size,
                "km": round(float(km[i, hub_index]), 1),
                "industry_distance": round(float(ind[i, hub_index]), 3),
                "affinity": round(aff, 3),
                "reached_firms": round(site.size * aff, 2),
                "industry_mix": _top_mix(site.mix),
                "alternative": None
                if alternative is None
                else {
                    "hub": sites[alternative].kicox_id,
                    "hub_name_ko": sites[alternative].name_ko,
                    "km": round(float(km[i, alternative]), 1),
                    "affinity": round(
                        float(affinity(km[i, alternative], ind[i, alternative], request)), 3
                    ),
                },
            }
        )
    linked_rows.sort(
        key=lambda row: (row["zone"], row["hub"], -row["operating_firms"], row["kicox_id"])
    )
    return list(hub_rows.values()), linked_rows
