"""The stages of the exact p-median solver that `sandan.program.pmedian` runs in turn.

`pmedian.solve_pmedian` checks the input, builds the cost matrix and decides which stage
runs next; this module holds the stages themselves (docs/adr/0009-p-median-solver.md):
the heuristic upper bound, the Lagrangian lower bound, the reduction it allows, the radius
MIP solved with HiGHS, and the Lagrangian branch and bound used for small ``p``.
Every function here works on numpy arrays of one prepared instance; none validates input.
"""

from __future__ import annotations

import math
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import highspy
import numpy as np
import numpy.typing as npt
from scipy.sparse import csr_matrix

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]


# --------------------------------------------------------------------------- #
# helpers
# --------------------------------------------------------------------------- #


def tol(v: float) -> float:
    return 1e-6 * max(1.0, abs(v))


def round_lb(v: float, integral: bool) -> float:
    if integral and math.isfinite(v):
        return float(math.ceil(v - 1e-6))
    return v


def true_cost(c: FloatArray, sel: IntArray) -> float:
    return float(c[:, sel].min(axis=1).sum())


def feasible(sel: IntArray, c: FloatArray, extra: list[tuple[IntArray, float, float]]) -> bool:
    if not np.isfinite(c[:, sel].min(axis=1)).all():
        return False
    chosen = np.zeros(c.shape[1], dtype=bool)
    chosen[sel] = True
    for idx, lo, up in extra:
        k = int(chosen[idx].sum())
        if k < lo - 1e-9 or k > up + 1e-9:
            return False
    return True


# ----------------------------- heuristic ----------------------------------- #


def _greedy(cb: FloatArray, p: int, allowed: BoolArray, is_fixed: BoolArray) -> IntArray:
    n, _ = cb.shape
    sel: list[int] = [int(j) for j in np.flatnonzero(is_fixed)]
    d1 = cb[:, sel].min(axis=1) if sel else np.full(n, np.inf)
    free = allowed & ~is_fixed
    while len(sel) < p:
        if np.isinf(d1).any():
            gain = np.where(np.isinf(d1)[:, None], np.inf, np.maximum(d1[:, None] - cb, 0.0))
            # prefer covering the clients not yet served, then the saving
            gain_val = np.minimum(gain, 1e300).sum(axis=0)
        else:
            gain_val = np.maximum(d1[:, None] - cb, 0.0).sum(axis=0)
        gain_val = np.where(free, gain_val, -np.inf)
        j = int(np.argmax(gain_val))
        sel.append(j)
        free[j] = False
        d1 = np.minimum(d1, cb[:, j])
    return np.array(sorted(sel), dtype=np.int64)


def _local_search(
    cb: FloatArray, sel: IntArray, allowed: BoolArray, is_fixed: BoolArray, deadline: float
) -> tuple[IntArray, float]:
    """Best-improvement vertex substitution with Whitaker's fast interchange."""
    n, m = cb.shape
    sel = sel.copy()
    p = sel.size
    rows = np.arange(n)
    while True:
        sub = cb[:, sel]
        if p >= 2:
            part = np.argpartition(sub, 1, axis=1)[:, :2]
            a = sub[rows, part[:, 0]]
            b = sub[rows, part[:, 1]]
            first = np.where(a <= b, part[:, 0], part[:, 1])
            d1 = np.minimum(a, b)
            d2 = np.maximum(a, b)
        else:
            first = np.zeros(n, dtype=np.int64)
            d1 = sub[:, 0]
            d2 = np.full(n, np.inf)
        cur = float(d1.sum())
        if time.perf_counter() > deadline:
            return sel, cur
        gain = np.maximum(d1[:, None] - cb, 0.0).sum(axis=0)  # per incoming j
        loss = np.bincount(first, weights=np.minimum(d2, 1e300) - d1, minlength=p)
        contrib = np.where(cb < d2[:, None], d2[:, None] - np.maximum(cb, d1[:, None]), 0.0)
        onehot = np.zeros((n, p))
        onehot[rows, first] = 1.0
        extra = contrib.T @ onehot  # m × p
        delta = loss[None, :] - gain[:, None] - extra
        in_ok = allowed.copy()
        in_ok[sel] = False
        delta[~in_ok, :] = np.inf
        delta[:, is_fixed[sel]] = np.inf
        k = int(np.argmin(delta))
        j_in, pos_out = divmod(k, p)
        if not delta[j_in, pos_out] < -1e-9 * max(1.0, abs(cur)):
            return np.sort(sel), cur
        sel[pos_out] = j_in
        _ = m


def heuristic(
    cb: FloatArray,
    p: int,
    allowed: BoolArray,
    is_fixed: BoolArray,
    rng: np.random.Generator,
    deadline: float,
) -> tuple[IntArray, float]:
    sel = _greedy(cb, p, allowed, is_fixed)
    best, best_val = _local_search(cb, sel, allowed, is_fixed, deadline)
    free_pos = np.flatnonzero(~is_fixed[best])
    if free_pos.size == 0:
        return best, best_val
    pool_all = np.flatnonzero(allowed & ~is_fixed)
    stall = 0
    while time.perf_counter() < deadline and stall < 8:
        # perturb: replace a few free medians by random candidates
        cur = best.copy()
        k = min(free_pos.size, int(rng.integers(1, max(2, min(4, free_pos.size) + 1))))
        out = rng.choice(np.flatnonzero(~is_fixed[cur]), size=k, replace=False)
        pool = np.setdiff1d(pool_all, cur)
        if pool.size < k:
            break
        cur[out] = rng.choice(pool, size=k, replace=False)
        cand, val = _local_search(cb, cur, allowed, is_fixed, deadline)
        if val < best_val - 1e-9:
            best, best_val, stall = cand, val, 0
        else:
            stall += 1
    return best, best_val


# ----------------------------- Lagrangian ---------------------------------- #


@dataclass
class Lagrangian:
    bound: float
    lam: FloatArray
    rho: FloatArray  # per candidate: sum_i min(0, c_ij - lam_i)
    iterations: int


def _lag_select(
    rho: FloatArray, p: int, allowed: BoolArray, is_fixed: BoolArray
) -> tuple[IntArray, float]:
    nfix = int(is_fixed.sum())
    free_rho = np.where(allowed & ~is_fixed, rho, np.inf)
    k = p - nfix
    pick = np.argpartition(free_rho, k - 1)[:k] if k > 0 else np.zeros(0, dtype=np.int64)
    sel = np.concatenate([np.flatnonzero(is_fixed), pick]).astype(np.int64)
    return sel, float(rho[sel].sum())


def lagrangian(
    cb: FloatArray,
    p: int,
    allowed: BoolArray,
    is_fixed: BoolArray,
    ub: float,
    incumbent: IntArray,
    integral: bool,
    deadline: float,
) -> Lagrangian:
    sub = cb[:, incumbent]
    srt = np.sort(sub, axis=1)
    lam = srt[:, 1] if srt.shape[1] > 1 else srt[:, 0].copy()
    lam = np.minimum(lam, np.max(np.where(np.isfinite(cb), cb, 0.0)))
    target_ub = ub if math.isfinite(ub) else float(srt[:, 0].sum())
    best = -math.inf
    best_lam = lam.copy()
    theta = 2.0
    since = 0
    it = 0
    max_it = 3000
    while it < max_it:
        it += 1
        red = np.minimum(cb - lam[:, None], 0.0)
        rho = red.sum(axis=0)
        sel, srho = _lag_select(rho, p, allowed, is_fixed)
        val = float(lam.sum()) + srho
        if val > best + 1e-9:
            if val > best + 1e-6 * max(1.0, abs(best)):
                since = 0
            best, best_lam = val, lam.copy()
        else:
            since += 1
        if math.isfinite(ub) and round_lb(best, integral) >= ub - tol(ub):
            break
        if since >= 25:
            theta *= 0.5
            since = 0
            if theta < 1e-4:
                break
        if it % 16 == 0 and time.perf_counter() > deadline:
            break
        g = 1.0 - (cb[:, sel] < lam[:, None]).sum(axis=1)
        norm = float(g @ g)
        if norm == 0.0:
            best, best_lam = val, lam.copy()
            break
        step = theta * (target_ub - val) / norm
        if step <= 0:
            step = theta * 1e-3 * max(1.0, abs(val)) / norm
        lam = np.maximum(lam + step * g, 0.0)
    rho = np.minimum(cb - best_lam[:, None], 0.0).sum(axis=0)
    _, srho = _lag_select(rho, p, allowed, is_fixed)
    bound = float(best_lam.sum()) + srho
    return Lagrangian(bound=bound, lam=best_lam, rho=rho, iterations=it)


# ----------------------------- reduction ----------------------------------- #


@dataclass
class Reduction:
    y_lower: FloatArray
    y_upper: FloatArray
    serve: BoolArray  # clients × candidates: may i be served by j in an improving solution
    no_improving: bool
    stats: dict[str, Any]


def reduce(
    c: FloatArray,
    p: int,
    allowed: BoolArray,
    is_fixed: BoolArray,
    lag: Lagrangian,
    target: float,
) -> Reduction:
    n, m = c.shape
    y_lo = is_fixed.astype(np.float64)
    y_up = allowed.astype(np.float64)
    finite = np.isfinite(c)
    serve = finite & allowed[None, :]
    no_improving = False
    if math.isfinite(target):
        rho = lag.rho
        sel, _ = _lag_select(rho, p, allowed, is_fixed)
        in_sel = np.zeros(m, dtype=bool)
        in_sel[sel] = True
        free_sel = in_sel & ~is_fixed
        free_out = allowed & ~in_sel
        lb = lag.bound
        rho_last = float(rho[free_sel].max()) if free_sel.any() else math.inf
        rho_next = float(rho[free_out].min()) if free_out.any() else math.inf
        # y_j = 1 for j outside the Lagrangian set costs rho_j - rho_last extra
        pen_open = np.where(free_out, rho - rho_last, 0.0)
        close0 = free_out & (lb + pen_open > target)
        y_up[close0] = 0.0
        # y_j = 0 for j inside the set costs rho_next - rho_j extra
        open1 = free_sel & (lb + (rho_next - rho) > target)
        y_lo[open1] = 1.0
        serve &= y_up[None, :] > 0
        # client i served by j costs max(0, c_ij - lam_i) extra (plus opening j)
        with np.errstate(invalid="ignore"):
            extra = np.maximum(c - lag.lam[:, None], 0.0) + pen_open[None, :]
        serve &= lb + extra <= target
        if int(y_up.sum()) < p or int(y_lo.sum()) > p or not serve.any(axis=1).all():
            no_improving = True
    # the nearest open candidate is among the (#open-able - p + 1) nearest and no
    # farther than any candidate fixed open
    if not no_improving:
        cm = np.where(serve, c, np.inf)
        cap = np.full(n, np.inf)
        ones = np.flatnonzero(y_lo > 0)
        if ones.size:
            cap = c[:, ones].min(axis=1)
        n_open_able = int((y_up > 0).sum())
        k = n_open_able - p  # index of the (n_open_able - p + 1)-th nearest
        if 0 <= k < m:
            kth = np.partition(np.where(y_up[None, :] > 0, c, np.inf), k, axis=1)[:, k]
            cap = np.minimum(cap, kth)
        serve &= cm <= cap[:, None]
        if not serve.any(axis=1).all():
            no_improving = True
    stats = {
        "fixed_closed": int((allowed & (y_up == 0)).sum()),
        "fixed_open": int(((y_lo > 0) & ~is_fixed).sum()),
        "serve_pairs": int(serve.sum()),
    }
    return Reduction(y_lo, y_up, serve, no_improving, stats)


# ----------------------------- radius MIP ---------------------------------- #


@dataclass
class MipOutcome:
    medians: IntArray | None
    optimal: bool
    infeasible: bool
    dual_bound: float
    stats: dict[str, Any]


def build_radius_model(
    c: FloatArray,
    serve: BoolArray,
    p: int,
    y_lower: FloatArray,
    y_upper: FloatArray,
    extra: Sequence[tuple[IntArray, float, float]] = (),
) -> tuple[highspy.HighsLp, dict[str, Any]]:
    """Elloumi's radius formulation, chained (sparse) form, restricted to ``serve``.

    For client ``i`` let ``D_i^1 < … < D_i^K`` be the distinct costs of the
    candidates that may serve it.  ``z_i^k`` (k < K) is 1 when no open candidate
    lies within ``D_i^k``.  Rows::

        z_i^1 + sum_{j: c_ij = D^1} y_j >= 1
        z_i^k - z_i^{k-1} + sum_{j: c_ij = D^k} y_j >= 0      (1 < k < K)
        -z_i^{K-1} + sum_{j: c_ij = D^K} y_j >= 0

    objective ``sum_i D_i^1 + sum_k (D_i^{k+1} - D_i^k) z_i^k``; ``sum_j y_j = p``.
    Columns: ``y`` (m, integer) first, then the ``z`` variables.
    """
    m = c.shape[1]
    ii, jj = np.nonzero(serve)
    vv = c[ii, jj]
    order = np.lexsort((vv, ii))
    ii, jj, vv = ii[order], jj[order], vv[order]
    nnz_y = ii.size
    new_level = np.ones(nnz_y, dtype=bool)
    new_level[1:] = (ii[1:] != ii[:-1]) | (vv[1:] != vv[:-1])
    level_of = np.cumsum(new_level) - 1  # global level (= row) index of each entry
    n_levels = int(level_of[-1]) + 1 if nnz_y else 0
    lvl_client = ii[new_level]
    lvl_cost = vv[new_level]
    first_of_client = np.ones(n_levels, dtype=bool)
    first_of_client[1:] = lvl_client[1:] != lvl_client[:-1]
    last_of_client = np.ones(n_levels, dtype=bool)
    last_of_client[:-1] = lvl_client[1:] != lvl_client[:-1]
    # a z variable for every level except each client's last
    has_z = ~last_of_client
    z_col = np.full(n_levels, -1, dtype=np.int64)
    n_z = int(has_z.sum())
    z_col[has_z] = m + np.arange(n_z)
    z_cost = (np.roll(lvl_cost, -1) - lvl_cost)[has_z]
    offset = float(lvl_cost[first_of_client].sum())

    # COO entries
    r_y, c_y, v_y = level_of, jj, np.ones(nnz_y)
    r_z1 = np.flatnonzero(has_z)  # +z_i^k in row k
    c_z1 = z_col[has_z]
    r_z2 = np.flatnonzero(~first_of_client)  # -z_i^{k-1} in row k
    c_z2 = z_col[r_z2 - 1]
    rows = np.concatenate([r_y, r_z1, r_z2])
    cols = np.concatenate([c_y, c_z1, c_z2])
    vals = np.concatenate([v_y, np.ones(r_z1.size), -np.ones(r_z2.size)])
    a = csr_matrix((vals, (rows, cols)), shape=(n_levels, m + n_z))
    row_lo = np.where(first_of_client, 1.0, 0.0)
    row_up = np.full(n_levels, highspy.kHighsInf)

    # sum y = p, extra constraints
    ext_rows = [(np.arange(m), float(p), float(p))]
    ext_rows += [(idx, lo, up) for idx, lo, up in extra]
    e_ptr = [0]
    e_idx: list[IntArray] = []
    for idx, _, _ in ext_rows:
        u = np.unique(idx)
        e_idx.append(u)
        e_ptr.append(e_ptr[-1] + u.size)
    e_cat = np.concatenate(e_idx) if e_idx else np.zeros(0, dtype=np.int64)

    lp = highspy.HighsLp()
    lp.num_col_ = m + n_z
    lp.num_row_ = n_levels + len(ext_rows)
    lp.col_cost_ = np.concatenate([np.zeros(m), z_cost])
    lp.col_lower_ = np.concatenate([y_lower, np.zeros(n_z)])
    lp.col_upper_ = np.concatenate([y_upper, np.ones(n_z)])
    lp.row_lower_ = np.concatenate([row_lo, [lo for _, lo, _ in ext_rows]])
    lp.row_upper_ = np.concatenate([row_up, [up for _, _, up in ext_rows]])
    lp.offset_ = offset
    lp.a_matrix_.format_ = highspy.MatrixFormat.kRowwise
    lp.a_matrix_.num_col_ = m + n_z
    lp.a_matrix_.num_row_ = lp.num_row_
    lp.a_matrix_.start_ = np.concatenate([a.indptr, a.indptr[-1] + np.asarray(e_ptr[1:])]).astype(
        np.int32
    )
    lp.a_matrix_.index_ = np.concatenate([a.indices, e_cat]).astype(np.int32)
    lp.a_matrix_.value_ = np.concatenate([a.data, np.ones(e_cat.size)])
    lp.integrality_ = [highspy.HighsVarType.kInteger] * m + [highspy.HighsVarType.kContinuous] * n_z
    info = {
        "mip_rows": int(lp.num_row_),
        "mip_cols": int(lp.num_col_),
        "mip_nnz": int(a.nnz + e_cat.size),
    }
    return lp, info


def solve_radius_mip(
    c: FloatArray,
    p: int,
    red: Reduction,
    extra: Sequence[tuple[IntArray, float, float]],
    incumbent: IntArray | None,
    integral: bool,
    time_limit: float,
) -> MipOutcome:
    t = time.perf_counter()
    lp, info = build_radius_model(c, red.serve, p, red.y_lower, red.y_upper, extra)
    info["mip_build_seconds"] = round(time.perf_counter() - t, 3)
    h = highspy.Highs()  # type: ignore[no-untyped-call]
    h.setOptionValue("output_flag", False)
    h.setOptionValue("time_limit", float(time_limit))
    h.setOptionValue("mip_rel_gap", 0.0)
    h.setOptionValue("mip_abs_gap", 1.0 - 1e-6 if integral else 1e-6)
    h.passModel(lp)
    m = c.shape[1]
    if incumbent is not None:
        ok = bool(
            np.all(red.y_upper[incumbent] > 0)
            and np.all(red.y_lower[np.setdiff1d(np.arange(m), incumbent)] == 0)
            and red.serve[:, incumbent].any(axis=1).all()
        )
        if ok:
            h.setSolution(int(incumbent.size), incumbent.astype(np.int32), np.ones(incumbent.size))
        info["mip_warm_start"] = ok
    h.run()
    status = h.getModelStatus()
    mi = h.getInfo()
    info["mip_status"] = h.modelStatusToString(status)
    info["mip_nodes"] = int(mi.mip_node_count)
    info["mip_seconds"] = round(time.perf_counter() - t, 3)
    infeasible = status == highspy.HighsModelStatus.kInfeasible
    optimal = status == highspy.HighsModelStatus.kOptimal
    medians: IntArray | None = None
    if mi.primal_solution_status == 2 or optimal:  # kSolutionStatusFeasible
        col = np.asarray(h.getSolution().col_value)[:m]
        medians = np.flatnonzero(col > 0.5).astype(np.int64)
        if medians.size != p:
            medians = None
    dual = float(mi.mip_dual_bound) if math.isfinite(mi.mip_dual_bound) else -math.inf
    return MipOutcome(medians, optimal, infeasible, dual, info)


# ----------------------- Lagrangian branch and bound ----------------------- #


_BNB = {"theta0": 2.0, "patience": 8, "theta_min": 1e-3, "max_it": 150, "root_it": 300}


@dataclass
class BnbOutcome:
    best: IntArray
    best_val: float
    lower_bound: float
    complete: bool
    stats: dict[str, Any]


@dataclass
class _Node:
    cands: IntArray  # candidate (column) ids still open-able
    forced: BoolArray  # over cands: fixed open
    lam: FloatArray  # warm-start multipliers
    bound: float  # parent's bound
    cost: FloatArray  # clients × cands; `big` where the pair cannot occur


def lagrangian_bnb(
    cb: FloatArray,
    p: int,
    y_lower: FloatArray,
    y_upper: FloatArray,
    serve: BoolArray,
    lam0: FloatArray,
    incumbent: IntArray,
    ub: float,
    integral: bool,
    deadline: float,
) -> BnbOutcome:
    """Depth-first branch and bound on the opening variables.

    Every node solves the Lagrangian relaxation of the assignment constraints
    over a sparse set of allowed (client, candidate) pairs, warm-started from
    its parent's multipliers, then applies penalty tests that close or open
    candidates and drop pairs that cannot occur in an improving solution (which
    both strengthens and speeds up the relaxation further down the tree).
    Designed for small p, where the LP/Lagrangian gap is largest.
    """
    best, best_val = incumbent.copy(), ub
    nodes = 0
    lagr_iters = 0

    def target() -> float:
        return best_val - 1.0 + 1e-6 if integral else best_val * (1 - 1e-9)

    def leaf(sel: IntArray) -> None:
        nonlocal best, best_val
        val = float(cb[:, sel].min(axis=1).sum())
        if val < best_val:
            best, best_val = np.sort(sel), val

    root_cands = np.flatnonzero(y_upper > 0)
    pos = np.full(cb.shape[1], -1, dtype=np.int64)
    pos[root_cands] = np.arange(root_cands.size)
    big = float(cb.max()) * 4.0 + 1.0
    root_cost = np.where(serve[:, root_cands], cb[:, root_cands], big)
    stack = [_Node(root_cands, y_lower[root_cands] > 0, lam0.copy(), -math.inf, root_cost)]
    complete = True
    while stack:
        if time.perf_counter() > deadline:
            complete = False
            break
        node = stack.pop()
        if node.bound > target():
            continue
        nodes += 1
        cands, forced, lam, cr = node.cands, node.forced, node.lam, node.cost
        k = cands.size
        nf = int(forced.sum())
        if nf > p or k < p:
            continue
        if nf == p or k == p:
            leaf(cands[forced] if nf == p else cands)
            continue
        if (cr.min(axis=1) >= big).any():
            continue  # some client cannot be served in an improving solution
        free = ~forced
        kfree = p - nf
        theta = _BNB["theta0"] if nodes > 1 else 0.5
        since = 0
        node_best = -math.inf
        node_lam = lam
        node_rho = np.zeros(k)
        node_sel = forced
        max_it = int(_BNB["max_it"] if nodes > 1 else _BNB["root_it"])
        for _ in range(max_it):
            lagr_iters += 1
            rho = np.minimum(cr - lam[:, None], 0.0).sum(axis=0)
            frho = np.where(free, rho, np.inf)
            pick = np.argpartition(frho, kfree - 1)[:kfree]
            sel_mask = forced.copy()
            sel_mask[pick] = True
            val = float(lam.sum() + rho[sel_mask].sum())
            if val > node_best + 1e-9:
                if val > node_best + 1e-4:
                    since = 0
                node_best, node_lam, node_rho, node_sel = val, lam, rho, sel_mask
            else:
                since += 1
            if node_best > target():
                break
            if since >= _BNB["patience"]:
                theta *= 0.5
                since = 0
                if theta < _BNB["theta_min"]:
                    break
            g = 1.0 - (cr[:, sel_mask] < lam[:, None]).sum(axis=1)
            norm = float(g @ g)
            if norm == 0.0:
                break
            lam = np.maximum(lam + theta * (best_val - val) / norm * g, 0.0)
        bound = max(node_best, node.bound)
        if bound > target():
            continue
        rho, sel_mask = node_rho, node_sel
        leaf(cands[sel_mask])  # the Lagrangian solution is a feasible p-set
        t = target()
        if bound > t:
            continue
        # penalty tests
        free_sel = sel_mask & free
        free_out = ~sel_mask
        rho_last = float(rho[free_sel].max()) if free_sel.any() else math.inf
        rho_next = float(rho[free_out].min()) if free_out.any() else math.inf
        pen_open = np.where(free_out, rho - rho_last, 0.0)
        close = free_out & (node_best + pen_open > t)
        open_ = free_sel & (node_best + rho_next - rho > t)
        forced = forced | open_
        # pairs that cannot occur in an improving solution of this subtree
        keep = ~close
        cr = cr[:, keep]
        drop = node_best + np.maximum(cr - node_lam[:, None], 0.0) + pen_open[keep][None, :] > t
        cr = np.where(drop, big, cr)
        cands, forced, rho, sel_mask = cands[keep], forced[keep], rho[keep], sel_mask[keep]
        nf = int(forced.sum())
        if nf > p or cands.size < p:
            continue
        if nf == p or cands.size == p:
            leaf(cands[forced] if nf == p else cands)
            continue
        # branch on the free selected candidate with the largest "stay open" penalty
        free_sel = sel_mask & ~forced
        if free_sel.any():
            j = int(np.argmax(np.where(free_sel, rho_next - rho, -np.inf)))
        else:
            j = int(np.argmin(np.where(~forced, rho, np.inf)))
        f1 = forced.copy()
        f1[j] = True
        keep0 = np.ones(cands.size, dtype=bool)
        keep0[j] = False
        # y_j = 0 explored after y_j = 1
        stack.append(_Node(cands[keep0], forced[keep0], node_lam, bound, cr[:, keep0]))
        stack.append(_Node(cands, f1, node_lam, bound, cr))
    lower = best_val if complete else min([best_val] + [e.bound for e in stack])
    stats = {"bnb_nodes": nodes, "bnb_lagrangian_iterations": lagr_iters, "bnb_complete": complete}
    return BnbOutcome(best, best_val, lower, complete, stats)
