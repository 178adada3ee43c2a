"""Reader for Beasley's OR-Library p-median instances (pmed1 … pmed40).

File format: the first line is ``n m p``; then ``m`` lines ``i j cost`` of an
undirected graph on vertices ``1..n``.  The distance matrix is the all-pairs
shortest-path matrix of that graph.  When an edge ``(i, j)`` appears more than
once, the *last* occurrence counts (this is how Beasley's own generator and the
published optima treat the files, so the dict is built by overwriting, never by
taking the minimum).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import shortest_path


class InstanceError(ValueError):
    """The file is not a valid OR-Library p-median instance."""


@dataclass(frozen=True)
class PMedInstance:
    n: int
    p: int
    edges: dict[tuple[int, int], int]  # 0-based (min, max) -> cost, last occurrence wins

    def distance_matrix(self) -> npt.NDArray[np.float64]:
        """All-pairs shortest paths (Dijkstra from every vertex)."""
        if self.edges:
            keys = np.array(list(self.edges.keys()), dtype=np.int64)
            costs = np.array(list(self.edges.values()), dtype=np.float64)
        else:
            keys = np.zeros((0, 2), dtype=np.int64)
            costs = np.zeros(0, dtype=np.float64)
        # Zero-cost edges would vanish from a sparse matrix; they do not occur in
        # OR-Library files, but keep them by a tiny epsilon and round afterwards.
        eps = 1e-9
        vals = np.where(costs == 0, eps, costs)
        rows = np.concatenate([keys[:, 0], keys[:, 1]])
        cols = np.concatenate([keys[:, 1], keys[:, 0]])
        graph = csr_matrix((np.concatenate([vals, vals]), (rows, cols)), shape=(self.n, self.n))
        dist = np.asarray(shortest_path(graph, method="D", directed=False), dtype=np.float64)
        finite = np.isfinite(dist)
        dist[finite] = np.round(dist[finite])
        return dist


def parse_pmed(text: str, *, source: str = "input") -> PMedInstance:
    """Parse the text of an OR-Library p-median file; raise InstanceError if invalid."""
    lines = [ln for ln in text.splitlines() if ln.strip()]
    if not lines:
        raise InstanceError(f"{source}: empty file")
    header = lines[0].split()
    if len(header) != 3 or not all(_is_int(t) for t in header):
        raise InstanceError(f"{source}: line 1 must be 'n m p' (three integers), got {lines[0]!r}")
    n, m, p = (int(t) for t in header)
    if n < 1:
        raise InstanceError(f"{source}: n must be at least 1, got {n}")
    if m < 0:
        raise InstanceError(f"{source}: m must be non-negative, got {m}")
    if not 1 <= p <= n:
        raise InstanceError(f"{source}: p must satisfy 1 <= p <= n (n={n}), got p={p}")
    if len(lines) - 1 < m:
        raise InstanceError(
            f"{source}: header announces {m} edges but only {len(lines) - 1} follow"
        )
    edges: dict[tuple[int, int], int] = {}
    for lineno, line in enumerate(lines[1 : m + 1], start=2):
        parts = line.split()
        if len(parts) != 3 or not all(_is_int(t) for t in parts):
            raise InstanceError(f"{source}: line {lineno} must be 'i j cost', got {line!r}")
        i, j, c = (int(t) for t in parts)
        for v in (i, j):
            if not 1 <= v <= n:
                raise InstanceError(f"{source}: line {lineno}: vertex {v} out of range 1..{n}")
        if c < 0:
            raise InstanceError(f"{source}: line {lineno}: negative cost {c}")
        if i == j:
            continue
        a, b = (i - 1, j - 1) if i < j else (j - 1, i - 1)
        edges[(a, b)] = c  # last occurrence wins
    return PMedInstance(n=n, p=p, edges=edges)


def read_pmed(path: str | Path) -> PMedInstance:
    p = Path(path)
    try:
        text = p.read_text(encoding="ascii", errors="strict")
    except FileNotFoundError:
        raise InstanceError(f"{p}: no such file") from None
    except UnicodeDecodeError:
        raise InstanceError(f"{p}: not an ASCII text file") from None
    except OSError as exc:
        raise InstanceError(f"{p}: cannot read ({exc.strerror})") from None
    return parse_pmed(text, source=str(p))


def _is_int(token: str) -> bool:
    try:
        int(token)
    except ValueError:
        return False
    return True
