"""Registry benchmark at national scale (`make bench`).

For each database (SQLite file and PostgreSQL): build the national world (the 1,363 real
complexes of data/, 130,000 organisations, 5 years of quarterly stats), time the import of
the 130,000 organisations, serve the app with gunicorn (2 workers) on 127.0.0.1, and measure
p50/p95/p99 and requests/s of the complex list, a complex detail, the organisation list and
the API complex list, with 1 and with 8 clients. A bare Django list of the same size (the
floor, `bench/floor_urls.py`) is measured in the same run; the ratios to it are printed.
Results are appended as JSON lines to bench/results/registry.jsonl.

Usage: python bench/registry.py [--db sqlite|postgresql|both] [--seconds 8] [--reuse]
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import os
import random
import signal
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import loadgen  # noqa: E402

BIN = ROOT / ".venv" / "bin"
TMP = ROOT / "bench" / "tmp"
RESULTS = ROOT / "bench" / "results" / "registry.jsonl"
PG_URL = "postgres://postgres@127.0.0.1:5432/{name}"
ORGANISATIONS = 130_000
TARGET_P95_MS = 50.0
TARGET_IMPORT_S = 15.0


def sandan(env: dict[str, str], *args: str, quiet: bool = False) -> str:
    out = subprocess.run(
        [str(BIN / "sandan"), *args],
        env=env,
        cwd=ROOT,
        check=True,
        capture_output=quiet,
        text=True,
    )
    return out.stdout or ""


def python(env: dict[str, str], code: str) -> str:
    out = subprocess.run(
        [str(BIN / "python"), "-c", code],
        env=env,
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    )
    return out.stdout.strip()


def database_env(kind: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings",
        SANDAN_SECURE_COOKIES="0",
        SANDAN_ALLOWED_HOSTS="127.0.0.1,localhost",
        SANDAN_LOG_LEVEL="ERROR",
    )
    if kind == "sqlite":
        env["DATABASE_URL"] = f"sqlite:///{TMP / 'bench.sqlite3'}"
    else:
        env["DATABASE_URL"] = PG_URL.format(name="sandan_bench")
    return env


def fresh_database(kind: str) -> None:
    TMP.mkdir(parents=True, exist_ok=True)
    if kind == "sqlite":
        for path in TMP.glob("bench.sqlite3*"):
            path.unlink()
        return
    for sql in ("DROP DATABASE IF EXISTS sandan_bench", "CREATE DATABASE sandan_bench"):
        subprocess.run(
            ["psql", "-h", "127.0.0.1", "-U", "postgres", "-d", "postgres", "-qc", sql],
            check=True,
        )


def write_organisation_file(env: dict[str, str], path: Path, count: int, seed: int = 7) -> None:
    """130,000 companies in KICOX complexes, in the importer's Korean layout."""
    ids = python(
        env,
        "import django; django.setup();"
        "from sandan.registry.models import Complex;"
        "print(','.join(Complex.objects.order_by('kicox_id').values_list('kicox_id', flat=True)))",
    ).split(",")
    sys.path.insert(0, str(ROOT))
    from sandan.registry.validators import business_check_digit

    rng = random.Random(seed)
    seen: set[str] = set()
    stems = [
        "대성",
        "한빛",
        "세원",
        "동양",
        "삼우",
        "태광",
        "우진",
        "신흥",
        "대한",
        "미래",
        "성진",
        "금강",
    ]
    tails = ["정밀", "기계", "산업", "테크", "전자", "화학", "금속", "오토텍", "소재", "플라텍"]
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(
            [
                "기관구분",
                "기관명",
                "사업자등록번호",
                "업종코드",
                "종업원수",
                "단지코드",
                "담당자",
                "이메일",
                "전화",
            ]
        )
        while len(seen) < count:
            office, kind = rng.randint(101, 899), rng.choice([81, 86, 87, 88])
            head = f"{office:03d}{kind:02d}{rng.randint(1, 9999):04d}"
            number = head + str(business_check_digit(head))
            if number in seen:
                continue
            seen.add(number)
            n = len(seen)
            writer.writerow(
                [
                    "기업",
                    f"(주){rng.choice(stems)}{rng.choice(tails)}{n}",
                    number,
                    rng.choice(["C25", "C26", "C28", "C29", "C30", "C20", "C22", "C24"]),
                    int(rng.paretovariate(1.2) * 5),
                    rng.choice(ids),
                    "김민준",
                    f"contact{n}@example.kr",
                    "031-490-1234",
                ]
            )


def build_world(kind: str, env: dict[str, str]) -> dict[str, Any]:
    fresh_database(kind)
    started = time.perf_counter()
    sandan(env, "migrate", "--noinput", quiet=True)
    sandan(env, "load_reference", quiet=True)
    sandan(
        env,
        "import_complexes",
        str(ROOT / "data" / "kicox_complexes_20251231.csv"),
        "--as-of",
        "2025-12-31",
        quiet=True,
    )
    org_file = TMP / "organisations_130k.csv"
    if not org_file.exists():
        write_organisation_file(env, org_file, ORGANISATIONS)
    timing = python(
        env,
        "import django, time; django.setup();"
        "from sandan.registry.io import import_organisations;"
        f"t = time.perf_counter(); r = import_organisations({str(org_file)!r});"
        "print(round(time.perf_counter() - t, 2), r.created, len(r.errors))",
    )
    import_seconds, created, errors = timing.split()
    if int(errors):
        raise SystemExit(f"organisation import rejected the benchmark file ({errors} errors)")
    # The rest of the national world (stats, experts, demo users) on top of the same rows.
    # The registry's pages are measured; the support demo (minutes at this scale) is not needed.
    sandan(env, "load_demo", "--scale", "national", "--seed", "1", "--problems", "0", quiet=True)
    if kind == "postgresql":
        # Measure the steady state a production server reaches on its own: autovacuum
        # analyses freshly loaded tables within a minute, but this machine's server runs with
        # autovacuum off, and without statistics the planner joins all 1,363 complexes before
        # taking 50 (complex list 44 → 32 ms in process once analysed).
        subprocess.run(
            [
                "psql",
                "-h",
                "127.0.0.1",
                "-U",
                "postgres",
                "-d",
                "sandan_bench",
                "-qc",
                "VACUUM ANALYZE",
            ],
            check=True,
        )
    return {
        "import_organisations_seconds": float(import_seconds),
        "organisations_imported": int(created),
        "build_seconds": round(time.perf_counter() - started, 1),
    }


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def gunicorn(env: dict[str, str], settings: str) -> Any:
    port = free_port()
    server_env = dict(env, DJANGO_SETTINGS_MODULE=settings)
    process = subprocess.Popen(
        [
            str(BIN / "gunicorn"),
            "config.wsgi:application",
            "-w",
            "2",
            "-b",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
            "--access-logfile",
            "/dev/null",
        ],
        env=server_env,
        cwd=ROOT,
        start_new_session=True,
    )
    try:
        deadline = time.time() + 60
        while time.time() < deadline:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.3)
        yield f"http://127.0.0.1:{port}"
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=20)


def credentials(env: dict[str, str]) -> tuple[str, str, str]:
    """A session cookie and an API token of HQ staff, and a big complex's id."""
    out = python(
        env,
        "import django; django.setup();"
        "from django.contrib.auth import SESSION_KEY, BACKEND_SESSION_KEY, HASH_SESSION_KEY;"
        "from django.contrib.sessions.backends.db import SessionStore;"
        "from sandan.accounts.models import User, Membership;"
        "from sandan.accounts.services import create_api_token;"
        "from sandan.registry.models import Complex;"
        "u, _ = User.objects.get_or_create(username='bench-hq');"
        "Membership.objects.get_or_create(user=u, role='hq_staff');"
        "s = SessionStore(); s[SESSION_KEY] = str(u.pk);"
        "s[BACKEND_SESSION_KEY] = 'django.contrib.auth.backends.ModelBackend';"
        "s[HASH_SESSION_KEY] = u.get_session_auth_hash(); s.create();"
        "c = Complex.objects.order_by('-tenants').first();"
        "print(s.session_key, create_api_token(None, u, 'bench'), c.kicox_id)",
    )
    session, token, kicox_id = out.split()
    return session, token, kicox_id


def measure(kind: str, seconds: float, reuse: bool) -> dict[str, Any]:
    env = database_env(kind)
    world: dict[str, Any] = {}
    if not reuse:
        print(f"[{kind}] building the national world …", flush=True)
        world = build_world(kind, env)
        print(
            f"[{kind}] imported {world['organisations_imported']:,} organisations in "
            f"{world['import_organisations_seconds']} s (target ≤ {TARGET_IMPORT_S} s)"
        )
    session, token, kicox_id = credentials(env)
    cookie = {"Cookie": f"sessionid={session}"}
    bearer = {"Authorization": f"Bearer {token}"}
    targets = {
        "complex_list": ("/registry/complexes/", cookie),
        "complex_detail": (f"/registry/complexes/{kicox_id}/", cookie),
        "organisation_list": ("/registry/organisations/", cookie),
        "api_complex_list": ("/api/v1/complexes", bearer),
        "api_organisation_list": ("/api/v1/organisations", bearer),
    }
    figures: dict[str, Any] = {}
    with gunicorn(env, "config.settings") as base:
        for name, (path, headers) in targets.items():
            for clients in (1, 8):
                result = loadgen.run(
                    base + path, headers=headers, clients=clients, duration=seconds
                )
                figures[f"{name}@{clients}"] = result.as_dict()
    with gunicorn(env, "bench.floor_settings") as base:
        for name, path in {"floor_page": "/floor/page/", "floor_json": "/floor/json/"}.items():
            for clients in (1, 8):
                result = loadgen.run(base + path, clients=clients, duration=seconds)
                figures[f"{name}@{clients}"] = result.as_dict()
    ratios = {
        "api_p95_over_floor_json_p95": _ratio(
            figures, "api_organisation_list@1", "floor_json@1", "p95_ms"
        ),
        "api_rps8_over_floor_json_rps8": _ratio(
            figures, "api_organisation_list@8", "floor_json@8", "rps"
        ),
        "page_p95_over_floor_page_p95": _ratio(
            figures, "organisation_list@1", "floor_page@1", "p95_ms"
        ),
        "page_rps8_over_floor_page_rps8": _ratio(
            figures, "organisation_list@8", "floor_page@8", "rps"
        ),
    }
    return {"database": kind, **world, "figures": figures, "ratios": ratios}


def _ratio(figures: dict[str, Any], a: str, b: str, key: str) -> float:
    return round(figures[a][key] / figures[b][key], 2) if figures[b][key] else float("nan")


def report(run: dict[str, Any]) -> None:
    print(f"\n== {run['database']} ==")
    columns = ("clients", "p50 ms", "p95 ms", "p99 ms", "req/s", "errors")
    print(f"{'target':<28}" + "".join(f"{c:>9}" for c in columns))
    for key, fig in run["figures"].items():
        name, clients = key.split("@")
        flag = ""
        if clients == "1" and not name.startswith("floor"):
            flag = "  ok" if fig["p95_ms"] <= TARGET_P95_MS else "  OVER TARGET"
        print(
            f"{name:<28}{clients:>8}{fig['p50_ms']:>9}{fig['p95_ms']:>9}{fig['p99_ms']:>9}"
            f"{fig['rps']:>9}{fig['errors']:>8}{flag}"
        )
    for name, value in run["ratios"].items():
        print(f"  {name}: {value}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--seconds", type=float, default=8.0)
    parser.add_argument("--reuse", action="store_true", help="skip building the world")
    args = parser.parse_args()
    kinds = ["sqlite", "postgresql"] if args.db == "both" else [args.db]
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
    ).stdout.strip()
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    for kind in kinds:
        run = measure(kind, args.seconds, args.reuse)
        run.update(at=dt.datetime.now().isoformat(timespec="seconds"), commit=commit)
        report(run)
        with RESULTS.open("a", encoding="utf-8") as handle:
            handle.write(json.dumps(run, ensure_ascii=False) + "\n")
    print(f"\nrecorded in {RESULTS.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
