"""Pages and actions of the demo (`make bench`): every page of the README tour for each demo
role, and the main buttons, each within 300 ms at the 95th percentile on this machine.

Builds (once) the demo world of `make demo` — `sandan load_demo --seed 2010`: the 2009
registry, program years, councils and 3,000 problems — into bench/tmp/demo.sqlite3 (or the
database of --database-url). Then, in process with Django's test client and with the
models refitted in the background as in the demo server, logs in as each role and times
every page of the tour (p50/p95 over --runs requests after one warm-up), and the actions
of the support path, each on a fresh object: a firm submits a problem, the coordinator
confirms its category (the triage engine refits off-request), assigns an expert, and the
regional HQ approves a submitted project. Prints one JSON line per page or action and a
summary, and appends them to bench/results/actions.jsonl, with the machine's load average
(other work on a shared machine inflates wall times; `cpu_p50_ms` is the page's own CPU).

Usage: python bench/actions.py [--runs 10] [--actions 10] [--database-url URL] [--fresh]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import logging
import os
import platform
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
TMP = ROOT / "bench" / "tmp"
DEMO_DB = TMP / "demo.sqlite3"
RESULTS = ROOT / "bench" / "results" / "actions.jsonl"
TARGET_P95_MS = 300.0
ROLES = ("hq", "ministry", "regional", "coordinator", "company", "expert", "auditor")


def setup(database_url: str | None, *, fresh: bool) -> str:
    sys.path.insert(0, str(ROOT))
    TMP.mkdir(parents=True, exist_ok=True)
    if database_url is None:
        if fresh:
            for suffix in ("", "-wal", "-shm"):
                Path(f"{DEMO_DB}{suffix}").unlink(missing_ok=True)
        database_url = f"sqlite:///{DEMO_DB}"
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("SANDAN_LOG_LEVEL", "ERROR")
    import django

    django.setup()
    return database_url


def build() -> float:
    """The world of `make demo` (skipped when the database holds it already)."""
    from django.core.management import call_command

    from sandan.registry.models import Complex

    started = time.perf_counter()
    call_command("migrate", verbosity=0, interactive=False)
    if not Complex.objects.exists():
        print("building the demo world (load_demo --seed 2010, a few minutes) …")
        call_command("load_reference")
        call_command("load_demo", seed=2010)
    return time.perf_counter() - started


def _percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    p95 = ordered[max(0, int(len(ordered) * 0.95 + 0.5) - 1)]
    return statistics.median(ordered), p95


def _first(queryset: Any) -> Any:
    return queryset.order_by("-pk").first()


def tour(user: Any) -> list[tuple[str, str]]:
    """(label, url) of the tour's pages, with objects the user may see."""
    from django.urls import reverse

    from sandan.councils.models import Activity, Council
    from sandan.registry.models import Complex, Expert, Organisation
    from sandan.support.models import Problem, Project

    pages = [
        ("dashboard", reverse("analytics:dashboard")),
        ("complex list", reverse("registry:complex_list")),
        ("organisation list", reverse("registry:organisation_list")),
        ("expert list", reverse("registry:expert_list")),
        ("import", reverse("registry:import")),
        ("program years", reverse("program:year_list")),
        ("program year 2010", reverse("program:year_detail", args=[2010])),
        ("designations 2010", reverse("program:designations", args=[2010])),
        ("planner 2010", reverse("program:planner", args=[2010])),
        ("council list", reverse("councils:council_list")),
        ("activity list", reverse("councils:activity_list")),
        ("calendar", reverse("councils:calendar")),
        ("problem list", reverse("support:problem_list")),
        ("problem form", reverse("support:problem_create")),
        ("case list", reverse("support:case_list")),
        ("project list", reverse("support:project_list")),
        ("outcomes", reverse("support:outcome_dashboard")),
        ("service levels", reverse("support:service_levels")),
        ("audit log", reverse("core:audit_log")),
        ("profile", reverse("accounts:profile")),
    ]
    objects: list[tuple[str, Any, Callable[[Any], str]]] = [
        ("complex", Complex, lambda o: reverse("registry:complex_detail", args=[o.kicox_id])),
        (
            "organisation",
            Organisation,
            lambda o: reverse("registry:organisation_detail", args=[o.pk]),
        ),
        ("expert", Expert, lambda o: reverse("registry:expert_detail", args=[o.pk])),
        ("council", Council, lambda o: reverse("councils:council_detail", args=[o.pk])),
        ("activity", Activity, lambda o: reverse("councils:activity_detail", args=[o.pk])),
        ("problem", Problem, lambda o: reverse("support:problem_detail", args=[o.pk])),
        ("project", Project, lambda o: reverse("support:project_detail", args=[o.pk])),
    ]
    for label, model, url in objects:
        found = _first(model.objects.restrict(user, "view"))
        if found is not None:
            pages.append((f"{label} detail", url(found)))
    return pages


def time_page(client: Any, url: str, runs: int) -> dict[str, Any]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    first = client.get(url)  # warm-up
    samples = []
    cpu = []
    for _n in range(runs):
        begin, begin_cpu = time.perf_counter(), time.process_time()
        client.get(url)
        samples.append((time.perf_counter() - begin) * 1000)
        cpu.append((time.process_time() - begin_cpu) * 1000)
    with CaptureQueriesContext(connection) as captured:
        client.get(url)
    p50, p95 = _percentiles(samples)
    return {
        "status": first.status_code,
        "p50_ms": round(p50, 1),
        "p95_ms": round(p95, 1),
        # The process's own CPU time: what the page costs, whatever else runs on the machine.
        "cpu_p50_ms": round(statistics.median(cpu), 1),
        "queries": len(captured.captured_queries),
    }


def settle() -> float:
    """Wait for the models being refitted off-request (threads named ``refit-…``, see
    sandan.core.background) and return how long that took, in seconds. A request does not
    wait for them; the bench waits between steps so that one step's refit, running in the
    same process, does not slow the next step's timing (a user takes seconds between two
    clicks; a server's other workers run on the other core)."""
    import threading

    begin = time.perf_counter()
    for thread in threading.enumerate():
        if thread.name.startswith("refit-"):
            thread.join()
    return time.perf_counter() - begin


def time_action(
    client: Any, prepare: Callable[[int], tuple[str, dict[str, Any]] | None], n: int
) -> dict[str, Any]:
    """POST ``n`` times, each on a fresh object ``prepare(i)`` gives (outside the timing)."""
    samples: list[float] = []
    statuses: set[int] = set()
    for i in range(n):
        settle()
        prepared = prepare(i)
        if prepared is None:
            break
        url, data = prepared
        begin = time.perf_counter()
        response = client.post(url, data)
        samples.append((time.perf_counter() - begin) * 1000)
        statuses.add(response.status_code)
    if not samples:
        return {"status": "no object to act on", "n": 0}
    p50, p95 = _percentiles(samples)
    return {
        "status": sorted(statuses),
        "n": len(samples),
        "p50_ms": round(p50, 1),
        "p95_ms": round(p95, 1),
        "max_ms": round(max(samples), 1),
    }


def actions(clients: dict[str, Any], users: dict[str, Any], n: int) -> list[tuple[str, str, Any]]:
    """(role, label, result) of the support path's buttons."""
    from django.urls import reverse

    from sandan.support import services
    from sandan.support.models import DuplicateFlag, Problem, Project

    coordinator = users["coordinator"]
    results: list[tuple[str, str, Any]] = []

    def submit(i: int) -> tuple[str, dict[str, Any]]:
        return reverse("support:problem_create"), {
            "title": f"사출 성형품 수축 불량 {i}",
            "description": "여름철만 되면 수축 불량률이 8%까지 올라갑니다. 금형 온도와 보압 "
            "조건을 바꿔 봤지만 원인을 못 찾았습니다.",
            "help_wanted": "성형 조건 최적화와 불량 원인 분석을 도와줄 전문가가 필요합니다.",
            "urgency": "normal",
        }

    results.append(("company", "submit problem", time_action(clients["company"], submit, n)))

    waiting = Problem.objects.restrict(coordinator, "change").filter(status="submitted")

    def confirm(_i: int) -> tuple[str, dict[str, Any]] | None:
        problem = _first(waiting.select_related("program_year"))
        if problem is None:
            return None
        chosen = problem.suggested_category_id or problem.program_year.categories.first().pk
        url = reverse("support:problem_triage", args=[problem.pk])
        return url, {"category": chosen, "note": "전화로 확인했습니다"}

    results.append(
        ("coordinator", "confirm category", time_action(clients["coordinator"], confirm, n))
    )

    triaged = Problem.objects.restrict(coordinator, "change").filter(status="triaged")

    def assign(_i: int) -> tuple[str, dict[str, Any]] | None:
        problem = _first(triaged)
        if problem is None:
            return None
        ranked = services.suggest_experts(problem, k=1)
        if not ranked:
            return None
        url = reverse("support:problem_assign", args=[problem.pk])
        return url, {"experts": [ranked[0].expert.pk]}

    results.append(("coordinator", "assign expert", time_action(clients["coordinator"], assign, n)))

    submitted = Project.objects.restrict(users["regional"], "approve").filter(status="submitted")

    def approve(_i: int) -> tuple[str, dict[str, Any]] | None:
        project = _first(submitted)
        if project is None:
            return None
        flags = DuplicateFlag.objects.filter(project=project).values_list("pk", flat=True)
        data = {f"override_{pk}": "별개 과제임을 확인했습니다" for pk in flags}
        return reverse("support:project_approve", args=[project.pk]), data

    results.append(("regional", "approve project", time_action(clients["regional"], approve, n)))
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10, help="requests per page")
    parser.add_argument("--actions", type=int, default=10, help="objects per action")
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--fresh", action="store_true", help="rebuild the SQLite file")
    args = parser.parse_args()
    database_url = setup(args.database_url, fresh=args.fresh)
    build_seconds = build()

    from django.conf import settings
    from django.test import Client
    from django.test.utils import setup_test_environment

    from sandan.accounts.models import User

    setup_test_environment()
    logging.getLogger("django.request").setLevel(logging.ERROR)  # 403s are expected
    settings.SANDAN_REFIT_IN_BACKGROUND = True  # as the demo server runs
    # Served as `make demo` serves it: held as of the demo's date (ADR 0017), so that a
    # firm's new problem belongs to program year 2010.
    if not settings.SANDAN_AS_OF:
        from sandan.demo.base import AS_OF_DATE

        settings.SANDAN_AS_OF = AS_OF_DATE.isoformat()
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    users = {name: User.objects.get(username=name) for name in ROLES}
    clients = {}
    for name, user in users.items():
        clients[name] = Client()
        clients[name].force_login(user)
    common = {
        "bench": "actions",
        "at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "host": platform.node(),
        "database": database_url.split(":", 1)[0],
        "cpus": os.cpu_count(),
        # The 1-minute load average when the run starts: other work on the machine slows
        # every request; compare runs at similar load.
        "load_average": round(os.getloadavg()[0], 2),
    }
    records: list[dict[str, Any]] = []
    # The first request of a process loads the Korean analyser and the models; a server
    # pays it once, at its first request, not per page.
    clients["coordinator"].get(tour(users["coordinator"])[-2][1])
    common["first_fit_seconds"] = round(settle(), 1)
    for name in ROLES:
        for label, url in tour(users[name]):
            record = {**common, "role": name, "page": label, "url": url}
            record.update(time_page(clients[name], url, args.runs))
            records.append(record)
            print(json.dumps(record, ensure_ascii=False))
    for role, label, result in actions(clients, users, args.actions):
        record = {**common, "role": role, "action": label, **result}
        records.append(record)
        print(json.dumps(record, ensure_ascii=False))
    timed = [r for r in records if "p95_ms" in r]
    worst = max(timed, key=lambda r: r["p95_ms"])
    over = [
        f"{r['role']} {r.get('page') or r.get('action')}"
        for r in timed
        if r["p95_ms"] > TARGET_P95_MS
    ]
    summary = {
        **common,
        "page": "summary",
        "build_seconds": round(build_seconds, 1),
        "runs": args.runs,
        "pages": sum(1 for r in records if "page" in r),
        "actions": sum(1 for r in records if "action" in r),
        "worst_p95_ms": worst["p95_ms"],
        "worst": f"{worst['role']} {worst.get('page') or worst.get('action')}",
        "over_target": over,
        "target_p95_ms": TARGET_P95_MS,
        "ok": not over,
        "load_average_at_end": round(os.getloadavg()[0], 2),
    }
    print(json.dumps(summary, ensure_ascii=False))
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    with RESULTS.open("a", encoding="utf-8") as handle:
        for record in [*records, summary]:
            handle.write(json.dumps(record, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
