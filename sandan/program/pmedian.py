"""Exact p-median solver: heuristic upper bound, Lagrangian bound + fixing, radius MIP.

The p-median problem: given a cost ``C[i, j] = w_i * d[i, j]`` for serving
client ``i`` from candidate facility ``j``, open exactly ``p`` candidates so as
to minimise the sum over clients of the cost to the *nearest* open candidate.

Pipeline (see docs/adr/0009-p-median-solver.md):

1. **Upper bound** — greedy construction followed by best-improvement vertex
   substitution (Teitz–Bart / Whitaker fast interchange, fully vectorised with
   numpy), plus a few perturbation restarts.
2. **Lower bound** — Lagrangian relaxation of the assignment constraints
   (Beasley 1985/1993), maximised by subgradient optimisation.  Its optimum
   equals the LP bound of the strong formulation.
3. **Reduction** — with an incumbent of value ``UB`` any *improving* solution
   must have cost ``<= UB - 1`` (integer data).  The Lagrangian gives, for every
   candidate ``j``, a bound on solutions with ``y_j = 1`` (resp. ``0``), and for
   every pair ``(i, j)`` a bound on solutions in which ``i`` is served by ``j``.
   Whatever bound exceeds the target is fixed away: candidates are closed or
   opened, and each client keeps only the candidates that may serve it
   (radius reduction à la García, Labbé & Marín 2011).
4. **Radius MIP** — the reduced problem is solved with HiGHS using Elloumi's
   (2010) radius formulation in its sparse "chained" form, warm-started with the
   incumbent.  If the reduced model is infeasible or cannot beat the incumbent,
   the incumbent is optimal.

This module checks the input and runs the stages in that order; the stages themselves
live in `sandan.program.pmedian_stages`.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

from sandan.program.pmedian_stages import (
    IntArray,
    feasible,
    heuristic,
    lagrangian,
    lagrangian_bnb,
    reduce,
    round_lb,
    solve_radius_mip,
    tol,
    true_cost,
)

ProgressCallback = Callable[[str, dict[str, Any]], None]
ExtraYConstraint = tuple[Sequence[int], float, float]


class PMedianError(ValueError):
    """The p-median input is inconsistent (bad p, shapes, infeasible fixings)."""


@dataclass
class PMedianResult:
    objective: float
    medians: list[int]  # candidate (column) indices, sorted, 0-based
    assignment: IntArray  # per client: the candidate index serving it
    proven_optimal: bool
    gap: float  # (objective - lower_bound) / max(1, |objective|)
    lower_bound: float
    seconds: float
    stats: dict[str, Any] = field(default_factory=dict)


# --------------------------------------------------------------------------- #
# public entry point
# --------------------------------------------------------------------------- #


def solve_pmedian(
    distance: npt.ArrayLike,
    p: int,
    *,
    weights: npt.ArrayLike | None = None,
    fixed_open: Iterable[int] = (),
    forbidden: Iterable[int] = (),
    extra_y_constraints: Sequence[ExtraYConstraint] = (),
    time_limit: float = 60.0,
    progress: ProgressCallback | None = None,
    seed: int = 0,
    bnb_max_p: int = 20,
) -> PMedianResult:
    """Solve a p-median problem to proven optimality (within ``time_limit``).

    ``distance`` is clients × candidates (may be rectangular); ``inf`` marks a
    pair that may not be assigned.  ``extra_y_constraints`` are linear
    constraints ``lower <= sum(y[j] for j in indices) <= upper`` on the opening
    variables (e.g. per-zone hub counts).
    """
    t0 = time.perf_counter()
    deadline = t0 + max(0.0, float(time_limit))

    def emit(stage: str, **info: Any) -> None:
        if progress is not None:
            progress(stage, info)

    d = np.asarray(distance, dtype=np.float64)
    if d.ndim != 2 or d.shape[0] == 0 or d.shape[1] == 0:
        raise PMedianError("distance must be a non-empty 2-D array (clients × candidates)")
    n, m = d.shape
    if np.isnan(d).any() or (d < 0).any():
        raise PMedianError("distances must be non-negative numbers (inf = not allowed)")
    w = np.ones(n) if weights is None else np.asarray(weights, dtype=np.float64).reshape(-1)
    if w.shape != (n,) or not np.isfinite(w).all() or (w < 0).any():
        raise PMedianError("weights must be finite, non-negative, one per client")
    fixed = sorted({int(j) for j in fixed_open})
    forb = sorted({int(j) for j in forbidden})
    for j in (*fixed, *forb):
        if not 0 <= j < m:
            raise PMedianError(f"candidate index {j} out of range 0..{m - 1}")
    if set(fixed) & set(forb):
        raise PMedianError("a candidate cannot be both fixed open and forbidden")
    allowed = np.ones(m, dtype=bool)
    allowed[forb] = False
    is_fixed = np.zeros(m, dtype=bool)
    is_fixed[fixed] = True
    if not 1 <= p <= int(allowed.sum()):
        raise PMedianError(f"p must satisfy 1 <= p <= {int(allowed.sum())} allowed candidates")
    if len(fixed) > p:
        raise PMedianError(f"{len(fixed)} candidates fixed open but p = {p}")
    extra = [
        (np.asarray(list(idx), dtype=np.int64), float(lo), float(up))
        for idx, lo, up in extra_y_constraints
    ]
    for idx, _, _ in extra:
        if idx.size and (idx.min() < 0 or idx.max() >= m):
            raise PMedianError("extra_y_constraints: candidate index out of range")

    c = w[:, None] * d  # cost matrix; inf where not assignable (0*inf -> nan handled below)
    c[np.isnan(c)] = np.inf
    finite = np.isfinite(c)
    integral = bool(np.all(np.mod(c[finite], 1.0) == 0.0))
    big = (float(c[finite].max()) if finite.any() else 1.0) * (n + 1) + 1.0
    cb = np.where(finite, c, big)  # heuristic cost with a big penalty for forbidden pairs

    stats: dict[str, Any] = {"clients": n, "candidates": m, "integral": integral}

    # 1. heuristic ------------------------------------------------------------
    rng = np.random.default_rng(seed)
    heur_budget = min(0.15 * time_limit, 2.0 + 0.002 * n * m / 1000.0)
    best_set, _ = heuristic(cb, p, allowed, is_fixed, rng, t0 + heur_budget)
    ub_feasible = feasible(best_set, c, extra)
    ub = true_cost(c, best_set) if ub_feasible else math.inf
    stats["heuristic_objective"] = ub
    stats["heuristic_seconds"] = round(time.perf_counter() - t0, 3)
    emit("heuristic", objective=ub, seconds=stats["heuristic_seconds"])

    # 2. Lagrangian bound ---------------------------------------------------
    lag = lagrangian(cb, p, allowed, is_fixed, ub, best_set, integral, deadline)
    stats["lagrangian_bound"] = lag.bound
    stats["lagrangian_iterations"] = lag.iterations
    stats["lagrangian_seconds"] = round(time.perf_counter() - t0 - stats["heuristic_seconds"], 3)
    emit("lagrangian", bound=lag.bound, iterations=lag.iterations)
    lb = round_lb(lag.bound, integral)

    def finish(
        sel: IntArray, lower: float, optimal: bool, extra_stats: dict[str, Any] | None = None
    ) -> PMedianResult:
        if extra_stats:
            stats.update(extra_stats)
        sel = np.sort(sel)
        obj = true_cost(c, sel)
        sub = c[:, sel]
        assign = sel[np.argmin(sub, axis=1)]
        lower = min(lower, obj)
        if optimal:
            lower = obj
        gap = (obj - lower) / max(1.0, abs(obj)) if math.isfinite(obj) else math.inf
        secs = time.perf_counter() - t0
        emit("done", objective=obj, lower_bound=lower, seconds=secs)
        return PMedianResult(
            objective=float(obj),
            medians=[int(j) for j in sel],
            assignment=assign.astype(np.int64),
            proven_optimal=optimal,
            gap=float(gap),
            lower_bound=float(lower),
            seconds=secs,
            stats=stats,
        )

    if ub_feasible and lb >= ub - tol(ub):
        return finish(best_set, lb, True, {"stage_closed": "lagrangian"})

    # 3. reduction ------------------------------------------------------------
    target = (ub - 1.0 + 1e-6) if (integral and math.isfinite(ub)) else ub * (1 + 1e-9) + 1e-9
    red = reduce(c, p, allowed, is_fixed, lag, target)
    stats.update(red.stats)
    emit("reduction", **red.stats)
    if red.no_improving:
        if not ub_feasible:
            raise PMedianError("the p-median problem is infeasible")
        return finish(best_set, ub, True, {"stage_closed": "reduction"})

    remaining = deadline - time.perf_counter()
    if not extra and ub_feasible and p - len(fixed) <= bnb_max_p:
        # 4a. small p: the LP gap is largest; Lagrangian branch and bound
        bnb = lagrangian_bnb(
            cb, p, red.y_lower, red.y_upper, red.serve, lag.lam, best_set, ub, integral, deadline
        )
        emit("bnb", **bnb.stats)
        if bnb.best_val < ub:
            best_set, ub = bnb.best, bnb.best_val
        lower = max(lb, round_lb(bnb.lower_bound, integral))
        return finish(
            best_set,
            lower,
            bnb.complete or lower >= ub - tol(ub),
            {**bnb.stats, "stage_closed": "bnb"},
        )

    # 4b. radius MIP --------------------------------------------------------------
    mip = solve_radius_mip(
        c, p, red, extra, best_set if ub_feasible else None, integral, max(remaining, 0.5)
    )
    stats.update(mip.stats)
    emit("mip", **mip.stats)
    if mip.medians is not None:
        cand_val = true_cost(c, mip.medians)
        if cand_val < ub and feasible(mip.medians, c, extra):
            best_set, ub, ub_feasible = mip.medians, cand_val, True
    if not ub_feasible:
        if mip.infeasible:
            raise PMedianError("the p-median problem is infeasible")
        raise PMedianError("no feasible solution found within the time limit")
    if mip.infeasible or mip.optimal:
        return finish(best_set, ub, True, {"stage_closed": "mip"})
    lower = max(lb, round_lb(min(mip.dual_bound, ub), integral))
    return finish(best_set, lower, lower >= ub - tol(ub))
