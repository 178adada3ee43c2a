"""Service-levels benchmark: `service_levels` and the /support/service-levels/ page at
national scale (target: `service_levels` well under 100 ms for HQ at 20,000 problems).

Builds (once, on the SQLite file that bench/support.py uses, or --database-url) the world of
bench/support.py — the national registry, program, councils and the support demo at
national scale (20,000 problems of 2010) — then times, in process, for an HQ user
(national), a regional user (동남권) and a coordinator (창원지사):
`sandan.support.selectors.service_levels(user, 2010)`, the 50 oldest overdue problems
(`overdue_problems`) and the page with Django's test client. Prints one JSON line per user
and measure (min and median of --runs, in ms; the page's queries; "ok" when the minimum of
`service_levels` is under 100 ms). Prints only: nothing is appended to bench/results.

Usage: python bench/service_levels.py [--runs 15] [--database-url URL] [--fresh]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.designation import setup  # noqa: E402
from bench.support import build  # noqa: E402

TARGET_MS = 100.0


def _times(call: Callable[[], Any], runs: int) -> tuple[float, float]:
    call()  # warm the caches
    samples = []
    for _n in range(runs):
        begin = time.perf_counter()
        call()
        samples.append((time.perf_counter() - begin) * 1000)
    return min(samples), statistics.median(samples)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--fresh", action="store_true", help="rebuild the SQLite file")
    args = parser.parse_args()
    database_url = setup(args.database_url, fresh=args.fresh)
    build()

    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, setup_test_environment
    from django.urls import reverse

    from sandan.accounts.models import User
    from sandan.program.models import ProgramYear
    from sandan.support.models import Problem
    from sandan.support.selectors import overdue_problems, service_levels

    setup_test_environment()
    year = ProgramYear.objects.get(year=2010)
    url = f"{reverse('support:service_levels')}?year=2010"
    common = {
        "bench": "service_levels",
        "database": database_url.split(":", 1)[0],
        "problems": Problem.objects.filter(program_year=year).count(),
    }
    for username in ("hq", "regional", "coordinator"):
        user = User.objects.get(username=username)
        client = Client()
        client.force_login(user)
        measures: dict[str, Callable[[], Any]] = {
            "service_levels": lambda user=user: service_levels(user, year),
            "overdue 50": lambda user=user: list(overdue_problems(user)[:50]),
            "page": lambda client=client: client.get(url),
        }
        for label, call in measures.items():
            low, median = _times(call, args.runs)
            record = {
                **common,
                "user": username,
                "measure": label,
                "min_ms": round(low, 2),
                "median_ms": round(median, 2),
            }
            if label == "service_levels":
                record["ok"] = low < TARGET_MS
            if label == "page":
                with CaptureQueriesContext(connection) as captured:
                    assert client.get(url).status_code == 200
                record["queries"] = len(captured.captured_queries)
            print(json.dumps(record, ensure_ascii=False), flush=True)


if __name__ == "__main__":
    main()
