"""What every part of the demo shares: seeded randomness, progress bars, the error."""

from __future__ import annotations

import datetime as dt
import math
import random
import sys
from collections.abc import Iterable, Iterator, Sequence
from typing import TypeVar

T = TypeVar("T")

AUDIT_SOURCE = "demo"  # the source of every audit entry the demo writes

# The day the demo's world is "as of" (ADR 0017): its records end the day before, its
# councils' coming activities follow it within the year, and `make demo` serves the site
# held at it (SANDAN_AS_OF), so that every page states it and none contradicts another.
AS_OF_DATE = dt.date(2010, 12, 20)


# --- randomness ------------------------------------------------------------------------------


def rng_for(seed: int, *key: object) -> random.Random:
    """An independent, reproducible stream for (seed, key): str seeds hash with SHA-512."""
    return random.Random(":".join([str(seed), *map(str, key)]))


def weighted_choice(rng: random.Random, weights: dict[str, int]) -> str:
    keys = sorted(weights)
    return rng.choices(keys, weights=[weights[k] for k in keys], k=1)[0]


def apportion(total: int, weights: Sequence[float]) -> list[int]:
    """Largest-remainder apportionment of `total` over `weights` (ties to the lower index)."""
    whole = sum(weights)
    if total <= 0 or whole <= 0:
        return [0] * len(weights)
    exact = [total * w / whole for w in weights]
    counts = [math.floor(x) for x in exact]
    order = sorted(range(len(weights)), key=lambda i: (-(exact[i] - counts[i]), i))
    for i in order[: total - sum(counts)]:
        counts[i] += 1
    return counts


# --- progress and timing ---------------------------------------------------------------------


def progress_bar(items: Iterable[T], total: int, desc: str, progress: bool) -> Iterator[T]:
    if not progress:
        yield from items
        return
    from tqdm import tqdm

    yield from tqdm(items, total=total, desc=desc, unit="rows", file=sys.stderr, mininterval=0.5)


class DemoError(RuntimeError):
    """The demo could not be built (missing reference data, an import failed)."""
