"""Service levels, overdue problems and the reminders about them."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core import mail

from sandan.accounts.roles import Role
from sandan.accounts.tests.factories import user_with_role
from sandan.core import clock
from sandan.registry.models import Organisation
from sandan.registry.tests.factories import OfficeFactory
from sandan.support import services
from sandan.support.models import Problem
from sandan.support.selectors import overdue_problems, service_levels
from sandan.support.tests.factories import (
    ProblemFactory,
    TriagedProblemFactory,
    category,
    support_year,
)

pytestmark = pytest.mark.django_db


# Service levels ---------------------------------------------------------------------


def test_service_levels_measure_each_stage(coordinator: Any, hub: Any, firm: Organisation) -> None:
    start = clock.now() - dt.timedelta(days=60)
    for days in (2, 4, 10):
        ProblemFactory(
            organisation=firm,
            status=Problem.Status.CLOSED,
            submitted_at=start,
            triaged_at=start + dt.timedelta(days=days),
            category=category(),
            project_started_at=start + dt.timedelta(days=days + 10),
            resolved_at=start + dt.timedelta(days=days + 40),
        )
    levels = service_levels(coordinator, support_year())
    overall = levels["overall"]
    assert overall.problems == 3
    assert overall.stages["intake_to_triage"].median_days == 4
    assert overall.stages["intake_to_triage"].p90_days == pytest.approx(8.8)
    assert overall.stages["start_to_completion"].median_days == 30
    assert [row.category_name for row in levels["rows"]] == ["제조기술효율화"]


def test_overdue_problems_follow_the_years_rules(coordinator: Any, firm: Organisation) -> None:
    now = clock.now()
    late = ProblemFactory(organisation=firm, submitted_at=now - dt.timedelta(days=6))
    ProblemFactory(organisation=firm, submitted_at=now - dt.timedelta(days=2))
    stuck = TriagedProblemFactory(
        organisation=firm,
        submitted_at=now - dt.timedelta(days=50),
        triaged_at=now - dt.timedelta(days=40),
    )
    found = {p.pk: p.overdue_stage for p in overdue_problems(coordinator, now)}
    assert found == {late.pk: "triage", stuck.pk: "start"}
    support_year(triage_within_days=10)
    assert late.pk not in {p.pk for p in overdue_problems(coordinator, now)}


def test_reminders_go_to_coordinators_with_late_problems(
    coordinator: Any, firm: Organisation
) -> None:
    ProblemFactory(
        organisation=firm,
        submitted_at=clock.now() - dt.timedelta(days=9),
        title="도금 폐수 처리 비용 문제",
    )
    user_with_role(Role.COORDINATOR, office=OfficeFactory())  # nothing late in its scope
    sent = services.send_service_level_reminders()
    assert sent == 1
    assert mail.outbox[0].to == [coordinator.email]
    assert "도금 폐수 처리 비용 문제" in mail.outbox[0].body


def test_the_reminder_command_reports_what_it_sent(coordinator: Any, firm: Organisation) -> None:
    import io

    from django.core.management import call_command

    ProblemFactory(organisation=firm, submitted_at=clock.now() - dt.timedelta(days=9))
    out = io.StringIO()
    call_command("send_service_level_reminders", stdout=out)
    assert out.getvalue().strip() == "1 service-level reminder(s) sent"
    assert len(mail.outbox) == 1
