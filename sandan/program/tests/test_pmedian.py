"""Tests of the p-median core (sandan.program.pmedian) and `sandan plan_pmed`."""

from __future__ import annotations

import io
import itertools
import json
from pathlib import Path

import numpy as np
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from sandan.program.orlib import parse_pmed
from sandan.program.pmedian import PMedianError, solve_pmedian

DATA = Path(__file__).resolve().parents[3] / "bench" / "data" / "pmed"


def brute_force(
    d: np.ndarray,
    p: int,
    w: np.ndarray | None = None,
    fixed: tuple[int, ...] = (),
    forbidden: tuple[int, ...] = (),
    extra: list[tuple[list[int], float, float]] | None = None,
) -> float:
    w = np.ones(d.shape[0]) if w is None else w
    best = np.inf
    for sel in itertools.combinations(range(d.shape[1]), p):
        s = set(sel)
        if not set(fixed) <= s or s & set(forbidden):
            continue
        if extra and any(not lo <= len(s & set(idx)) <= up for idx, lo, up in extra):
            continue
        best = min(best, float((w * d[:, list(sel)].min(axis=1)).sum()))
    return best


def plan_pmed(path: Path, *args: str) -> dict[str, object]:
    out = io.StringIO()
    call_command("plan_pmed", str(path), *args, stdout=out)
    lines = out.getvalue().strip().splitlines()
    assert len(lines) == 1
    result: dict[str, object] = json.loads(lines[0])
    return result


# a path 1-2-3-4-5-6 with edge costs 3, 1, 5, 1, 2: positions 0, 3, 4, 9, 10, 12.
# p = 2: {1,2,3} served by 2 (3+0+1) and {4,5,6} by 5 (1+0+2): 7; every other split
# costs at least 12.
TINY = "6 5 2\n1 2 3\n2 3 1\n3 4 5\n4 5 1\n5 6 2\n"


def test_tiny_graph_hand_checked(tmp_path: Path) -> None:
    inst = parse_pmed(TINY)
    d = inst.distance_matrix()
    assert d[0].tolist() == [0, 3, 4, 9, 10, 12]
    res = solve_pmedian(d, 2)
    assert res.objective == 7
    assert res.medians == [1, 4]
    assert res.assignment.tolist() == [1, 1, 1, 4, 4, 4]
    assert res.proven_optimal and res.lower_bound == 7 and res.gap == 0
    f = tmp_path / "tiny.txt"
    f.write_text(TINY)
    out = plan_pmed(f)
    assert out["objective"] == 7 and out["medians"] == [2, 5] and out["proven_optimal"] is True
    assert out["n"] == 6 and out["p"] == 2 and isinstance(out["seconds"], float)


@pytest.mark.parametrize("bnb_max_p", [20, 0])  # Lagrangian B&B and radius-MIP paths
def test_random_instances_against_brute_force(bnb_max_p: int) -> None:
    rng = np.random.default_rng(12345)
    for trial in range(12):
        n = int(rng.integers(5, 13))
        m = n if trial % 3 else int(rng.integers(4, 11))  # some rectangular ones
        pts = rng.integers(0, 30, size=(n + m, 2))
        d = np.abs(pts[:n, None, :] - pts[None, n:, :]).sum(axis=2).astype(float)
        w = rng.integers(1, 5, size=n).astype(float) if trial % 2 else None
        for p in {1, 2, min(3, m), m // 2 or 1, m - 1 or 1}:
            res = solve_pmedian(d, p, weights=w, bnb_max_p=bnb_max_p)
            expect = brute_force(d, p, w)
            assert res.objective == expect, (trial, n, m, p)
            assert res.proven_optimal
            assert len(res.medians) == p
            ww = np.ones(n) if w is None else w
            assert float((ww * d[np.arange(n), res.assignment]).sum()) == expect


def test_fixed_forbidden_and_extra_constraints_against_brute_force() -> None:
    rng = np.random.default_rng(7)
    for _ in range(6):
        n = 10
        pts = rng.integers(0, 50, size=(n, 2))
        d = np.abs(pts[:, None, :] - pts[None, :, :]).sum(axis=2).astype(float)
        fixed, forbidden = (0,), (1, 2)
        extra = [([3, 4, 5, 6], 1.0, 1.0)]  # exactly one hub among 3..6
        res = solve_pmedian(d, 3, fixed_open=fixed, forbidden=forbidden, extra_y_constraints=extra)
        assert res.objective == brute_force(d, 3, None, fixed, forbidden, extra)
        assert 0 in res.medians and not {1, 2} & set(res.medians)
        assert len({3, 4, 5, 6} & set(res.medians)) == 1
        assert res.proven_optimal


def test_invalid_arguments() -> None:
    d = np.ones((3, 3))
    with pytest.raises(PMedianError, match="p must satisfy"):
        solve_pmedian(d, 4)
    with pytest.raises(PMedianError, match="fixed open"):
        solve_pmedian(d, 1, fixed_open=(0, 1))


def test_last_edge_counts(tmp_path: Path) -> None:
    # 1-2 first with cost 1, then again (reversed) with cost 7: the LAST one counts.
    text = "3 3 1\n1 2 1\n2 3 10\n2 1 7\n"
    d = parse_pmed(text).distance_matrix()
    assert d[0, 1] == 7 and d[0, 2] == 17
    f = tmp_path / "dup.txt"
    f.write_text(text)
    out = plan_pmed(f)
    # median 2: 7 + 10 = 17 (it would be 11 if the minimum were kept)
    assert out["objective"] == 17 and out["medians"] == [2]


def test_pmed1_via_command() -> None:
    out = plan_pmed(DATA / "pmed1.txt", "--time-limit", "30")
    assert out["n"] == 100 and out["p"] == 5
    assert out["objective"] == 5819
    assert out["proven_optimal"] is True
    assert out["medians"] == sorted(out["medians"])  # type: ignore[type-var]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("100 200\n1 2 3\n", "line 1 must be 'n m p'"),
        ("3 2 5\n1 2 1\n2 3 1\n", "p must satisfy 1 <= p <= n"),
        ("3 2 1\n1 2 1\n2 4 1\n", "vertex 4 out of range 1..3"),
        ("3 2 1\n1 2 1\n2 x 1\n", "line 3 must be 'i j cost'"),
        ("3 5 1\n1 2 1\n", "announces 5 edges but only 1 follow"),
        ("", "empty file"),
    ],
)
def test_bad_files_raise_command_error(tmp_path: Path, text: str, message: str) -> None:
    f = tmp_path / "bad.txt"
    f.write_text(text)
    with pytest.raises(CommandError) as info:
        call_command("plan_pmed", str(f), stdout=io.StringIO())
    assert message in str(info.value)
    assert str(f) in str(info.value)


def test_missing_file_and_bad_time_limit(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="no such file"):
        call_command("plan_pmed", str(tmp_path / "nope.txt"), stdout=io.StringIO())
    f = tmp_path / "t.txt"
    f.write_text(TINY)
    with pytest.raises(CommandError, match="--time-limit must be positive"):
        call_command("plan_pmed", str(f), "--time-limit", "0", stdout=io.StringIO())
