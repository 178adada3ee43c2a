"""Support benchmark (`make bench`): the problem list and a project detail at national scale
(target p95 ≤ 50 ms).

Builds (once, on the SQLite file that bench/designation.py and bench/councils.py use, or
--database-url) the national world as `sandan load_demo --scale national` does — the
registry, the program, the councils (bench/councils.py `build`) — and the support demo at
national scale (sandan.demo.support: 20,000 problems of 2010 with their triage, experts,
projects, referrals, outcomes and surveys). Then times, in process with Django's test
client, the problem list (first page, a later page, filtered by status and by category) and
a project detail (a completed project with participants, budget, milestones, outcomes and
surveys), for an HQ user (national), a regional user (동남권) and a coordinator (창원지사),
and prints one JSON line per page and user (p50/p95 in ms, queries and their time per
request, the slowest queries of a page over the target). The lines
are appended to bench/results/support.jsonl, with a summary line.

Usage: python bench/support.py [--runs 40] [--database-url URL] [--fresh]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import platform
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.councils import _time  # noqa: E402
from bench.councils import build as build_councils  # noqa: E402
from bench.designation import setup  # noqa: E402

RESULTS = ROOT / "bench" / "results" / "support.jsonl"
TARGET_P95_MS = 50.0
PROBLEMS = 20_000
# The pages the target is about; the others are printed for information.
TARGETED = ("problem list", "problem list status", "problem list category", "project detail")


def build() -> dict[str, float]:
    from django.db import connection

    from sandan.demo.support.load import load_support_demo

    timings = build_councils()
    step = time.perf_counter()
    summary = load_support_demo(seed=1, scale="national", log=print)
    timings["support"] = time.perf_counter() - step
    for line in summary.lines():
        print(line)
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    timings["total"] = timings.get("total", 0.0) + timings["support"]
    return timings


def _queries(client: Any, url: str) -> tuple[int, float, list[tuple[float, str]]]:
    """Queries of one request: how many, their time in all (ms; the debug cursor rounds
    each to a millisecond) and the slowest ones (ms, SQL), so a slow page says whether the
    database or the rendering is to blame."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        client.get(url)
    timed = [(float(q["time"]) * 1000, q["sql"][:400]) for q in captured.captured_queries]
    slowest = sorted(timed, reverse=True)[:3]
    return len(timed), sum(ms for ms, _sql in timed), slowest


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=40)
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--fresh", action="store_true", help="rebuild the SQLite file")
    args = parser.parse_args()
    database_url = setup(args.database_url, fresh=args.fresh)
    timings = build()

    from django.test import Client
    from django.test.utils import setup_test_environment
    from django.urls import reverse

    from sandan.accounts.models import User
    from sandan.support.models import Problem, Project

    setup_test_environment()
    problems = Problem.objects.count()
    projects = Project.objects.count()
    coordinator = User.objects.get(username="coordinator")
    office = coordinator.memberships.get(is_active=True).office_id
    assert office is not None
    # A completed project of the coordinator's office (창원, 동남권), so that every user
    # reaches it: the one with the most participants.
    from django.db.models import Count

    project = (
        Project.objects.filter(status="completed", hub__complex__office_id=office)
        .annotate(n=Count("participants"))
        .order_by("-n", "pk")
        .first()
    )
    assert project is not None, "no completed project in the coordinator's office"
    problem_list = reverse("support:problem_list")
    pages = [
        ("problem list", problem_list),
        ("problem list status", f"{problem_list}?status=triaged"),
        ("problem list category", f"{problem_list}?category=MFG_EFFICIENCY&year=2010"),
        ("problem list p20", f"{problem_list}?page=20"),
        ("project detail", reverse("support:project_detail", args=[project.pk])),
        ("project list", reverse("support:project_list")),
    ]
    at = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    common = {
        "bench": "support",
        "at": at,
        "host": platform.node(),
        "database": database_url.split(":", 1)[0],
        "problems": problems,
        "projects": projects,
    }
    records: list[dict[str, Any]] = []
    worst = 0.0
    for username in ("hq", "regional", "coordinator"):
        client = Client()
        client.force_login(User.objects.get(username=username))
        for label, url in pages:
            p50, p95 = _time(client, url, args.runs)
            count, sql_ms, slowest = _queries(client, url)
            if label in TARGETED:
                worst = max(worst, p95)
            record = {
                **common,
                "user": username,
                "page": label,
                "url": url,
                "p50_ms": round(p50, 2),
                "p95_ms": round(p95, 2),
                "queries": count,
                "sql_ms": round(sql_ms, 1),
                "targeted": label in TARGETED,
            }
            if p95 > TARGET_P95_MS:
                record["slowest_queries"] = [
                    {"ms": round(ms, 2), "sql": sql} for ms, sql in slowest
                ]
            records.append(record)
            print(json.dumps(record, ensure_ascii=False))
    ok = worst <= TARGET_P95_MS and problems >= PROBLEMS
    summary = {
        **common,
        "page": "summary",
        "build_seconds": {k: round(v, 1) for k, v in timings.items()},
        "runs": args.runs,
        "worst_targeted_p95_ms": round(worst, 2),
        "target_p95_ms": TARGET_P95_MS,
        "ok": ok,
    }
    print(json.dumps(summary, ensure_ascii=False))
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    with RESULTS.open("a", encoding="utf-8") as handle:
        for record in [*records, summary]:
            handle.write(json.dumps(record, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
