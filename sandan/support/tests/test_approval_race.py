"""Two approvals at the same time cannot both pass the year's grant cap (PostgreSQL).

Each approval locks the rows of its participating firms before it sums their grants, so the
second one waits, then sees the first one's approved project and raises the over-cap flag.
"""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections

from sandan.accounts.roles import Role
from sandan.accounts.tests.factories import user_with_role
from sandan.registry.tests.factories import ComplexFactory, province
from sandan.support import services
from sandan.support.models import DuplicateFlag, Project
from sandan.support.tests.factories import category, firm_in_hub, hub_of_year, ready_project

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="needs row locks (PostgreSQL)"
)


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_approvals_do_not_both_pass_the_cap(monkeypatch: Any) -> None:
    hub = hub_of_year(ComplexFactory(name_ko="창원국가산업단지", province=province("48")))
    firm = firm_in_hub(hub, name_ko="(주)창원정밀")
    regional = user_with_role(Role.REGIONAL_STAFF, zone=hub.zone)
    coordinator = user_with_role(Role.HQ_STAFF)
    projects = []
    for code, title in (
        ("TOTAL_MARKETING", "베트남 전시회 참가"),
        ("FIELD_EDUCATION", "CNC 현장 교육"),
    ):
        project = ready_project(
            public=60_000_000,
            cash=15_000_000,
            in_kind=0,
            hub=hub,
            lead=firm,
            title=title,
            summary=title,
            category=category(code),
        )
        projects.append(services.submit_project(coordinator, project))

    # Widen the window between the check and the commit, so that without the lock both
    # approvals would check before either commits.
    check = services.duplicate_flags

    def slow_check(project: Project) -> Any:
        found = check(project)
        time.sleep(0.5)
        return found

    monkeypatch.setattr(services.workflow, "duplicate_flags", slow_check)
    barrier = threading.Barrier(2)
    results: dict[int, Any] = {}

    def approve(project: Project) -> None:
        try:
            barrier.wait(timeout=10)
            results[project.pk] = services.approve_project(regional, project).status
        except ValidationError as error:
            results[project.pk] = error
        finally:
            connections.close_all()

    threads = [threading.Thread(target=approve, args=(p,)) for p in projects]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    approved = [pk for pk, value in results.items() if value == Project.Status.APPROVED]
    refused = [value for value in results.values() if isinstance(value, ValidationError)]
    assert len(approved) == 1 and len(refused) == 1, results
    assert "overrides" in refused[0].message_dict
    loser = next(pk for pk in results if pk not in approved)
    assert DuplicateFlag.objects.filter(project_id=loser, kind="over_cap").exists()
    assert Project.objects.filter(status="approved").count() == 1
