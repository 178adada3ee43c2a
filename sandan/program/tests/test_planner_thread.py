"""The planner's worker thread gives its database connection back when it ends (PostgreSQL).

With persistent connections (CONN_MAX_AGE) a finished thread that does not close its
connection leaves a backend attached to the database: a server keeps it until the age runs out,
and the test run cannot drop its database ("database ... is being accessed by other users").
"""

from __future__ import annotations

import queue
import threading
from typing import Any

import pytest
from django.db import connection
from django.test import Client

from sandan.accounts.roles import Role
from sandan.accounts.tests.factories import user_with_role
from sandan.program import services
from sandan.program.defaults import load_program_year
from sandan.program.models import PlanRun
from sandan.registry.tests.factories import zone

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="SQLite's in-memory test database keeps its connections open by design",
    ),
]


def test_planner_thread_closes_its_database_connection(
    settings: Any, monkeypatch: Any, django_capture_on_commit_callbacks: Any
) -> None:
    settings.SANDAN_RUN_JOBS_INLINE = False
    # Persistent connections, as deployed: the worker's connection is made with these settings.
    monkeypatch.setitem(connection.settings_dict, "CONN_MAX_AGE", 60)
    for code in ("capital", "chungcheong", "honam", "daegyeong", "dongnam", "gangwon", "jeju"):
        zone(code)
    load_program_year(2010)
    used: queue.Queue[tuple[threading.Thread, Any]] = queue.Queue()

    def run_plan(plan_run: PlanRun) -> PlanRun:
        # The worker's own connection (another thread's than the test's).
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        used.put((threading.current_thread(), connection.connection))
        return plan_run

    monkeypatch.setattr(services, "run_plan", run_plan)
    client = Client()
    client.force_login(user_with_role(Role.HQ_STAFF))
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/program/2010/planner/",
            {
                "geo_weight": 1,
                "industry_weight": 1,
                "geo_scale_km": 50,
                "min_operating_firms": 1,
                "time_limit": 30,
            },
        )
    assert response.status_code == 302
    worker, raw = used.get(timeout=30)
    worker.join(timeout=30)
    assert worker is not threading.current_thread() and not worker.is_alive()
    assert raw is not connection.connection
    assert raw.closed
