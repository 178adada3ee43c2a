"""Service levels: the database measures each stage in whole microseconds, and the days
are those Python would get from the datetimes, to the last bit (fractions of a second, a
stage ending before it starts, missing times), so medians and 90% values do not move."""

from __future__ import annotations

import datetime as dt
import random
from itertools import combinations
from typing import Any

import pytest

from sandan.accounts.roles import Role
from sandan.accounts.tests.factories import user_with_role
from sandan.registry.tests.factories import ComplexFactory
from sandan.support.models import Problem
from sandan.support.selectors import STAGES, Microseconds, StageLevel, _level, service_levels
from sandan.support.tests.factories import (
    ProblemFactory,
    category,
    firm_in_hub,
    hub_of_year,
    support_year,
)

pytestmark = pytest.mark.django_db

STAMPS = ("submitted_at", "triaged_at", "project_started_at", "resolved_at")
T0 = dt.datetime(2010, 3, 1, 8, 59, 59, 999_999, tzinfo=dt.UTC)
HOUR = dt.timedelta(hours=1)
DAY = dt.timedelta(days=1)
US = dt.timedelta(microseconds=1)

# (submitted, triaged, project started, resolved) after T0; None where missing.
CASES: list[tuple[dt.timedelta | None, ...]] = [
    # 3 hours is 0.125 days: rounds to 0.12, where 0.12500000001 would give 0.13.
    (dt.timedelta(0), 3 * HOUR, 3 * HOUR + 1.5 * DAY, 10 * DAY + US),
    # Fractions of a second on either side of a whole one ("…:00.000001", "…:59.9996").
    (US, DAY + 2 * US, None, None),
    (dt.timedelta(microseconds=999_600), 9 * HOUR + dt.timedelta(microseconds=400), None, None),
    # Triaged before it was submitted: that stage is left out; a stage of no time counts.
    (dt.timedelta(0), -HOUR, 2 * DAY, 2 * DAY),
    # Only submitted.
    (2 * DAY, None, None, None),
    # Across a month and a leap day, a long project.
    (59 * DAY + 23 * HOUR, 60 * DAY + 1.25 * HOUR, 61 * DAY, 400 * DAY + dt.timedelta(0, 59, 1)),
]


@pytest.fixture
def hub() -> Any:
    support_year()
    return hub_of_year(ComplexFactory(name_ko="창원국가산업단지"))


def _problem(hub: Any, offsets: tuple[dt.timedelta | None, ...], **kwargs: Any) -> Problem:
    times = {name: None if o is None else T0 + o for name, o in zip(STAMPS, offsets, strict=True)}
    kwargs.setdefault("organisation", firm_in_hub(hub))
    kwargs.setdefault("category", category())
    problem: Problem = ProblemFactory(status=Problem.Status.CLOSED, **times, **kwargs)
    problem.refresh_from_db()
    return problem


def _python_levels(problems: list[Problem]) -> dict[str, StageLevel]:
    """The levels as Python measures them on the datetimes."""
    days: dict[str, list[float]] = {stage: [] for stage, _a, _b in STAGES}
    for problem in problems:
        for stage, start, end in STAGES:
            begun, ended = getattr(problem, start), getattr(problem, end)
            if begun is not None and ended is not None and ended >= begun:
                days[stage].append((ended - begun).total_seconds() / 86400)
    return {stage: _level(values) for stage, values in days.items()}


def test_the_database_measures_microseconds_as_python_does(hub: Any) -> None:
    problems = [_problem(hub, offsets) for offsets in CASES]
    problems.append(_problem(hub, (dt.timedelta(days=-15000), dt.timedelta(0), None, None)))
    measured = {
        pk: stamps
        for pk, *stamps in Problem.objects.values_list(
            "pk", *(Microseconds(name) for name in STAMPS)
        )
    }
    for problem in problems:
        times = [getattr(problem, name) for name in STAMPS]
        stamps = measured[problem.pk]
        assert [stamp is None for stamp in stamps] == [time is None for time in times]
        for (begun, begun_us), (ended, ended_us) in combinations(
            zip(times, stamps, strict=True), 2
        ):
            if begun is not None and ended is not None:
                assert ended_us - begun_us == (ended - begun) // US


def test_service_levels_are_the_days_python_measures(hub: Any) -> None:
    problems = [_problem(hub, offsets) for offsets in CASES]
    other = [
        _problem(hub, offsets, category=category("PROD_COMMERCIALIZATION")) for offsets in CASES[:3]
    ]
    levels = service_levels(user_with_role(Role.HQ_STAFF), support_year())

    assert levels["overall"].problems == len(CASES) + 3
    assert levels["overall"].stages == _python_levels(problems + other)
    assert [(row.category_id, row.problems) for row in levels["rows"]] == [
        (category("PROD_COMMERCIALIZATION").pk, 3),
        (category().pk, len(CASES)),
    ]
    assert levels["rows"][0].stages == _python_levels(other)
    stages = levels["rows"][1].stages
    assert stages == _python_levels(problems)
    # Triaged before submission is left out; the stage of no time is in.
    assert stages["intake_to_triage"].n == 4
    assert stages["start_to_completion"].n == 3


def test_random_times_to_the_microsecond_measure_as_python_does(hub: Any) -> None:
    rng = random.Random(2010)
    firm = firm_in_hub(hub)
    categories = [None, category(), category("PROD_COMMERCIALIZATION")]
    problems = []
    for _n in range(300):
        submitted = T0 + US * rng.randrange(300 * DAY // US)
        later = {
            name: None
            if rng.random() < 0.25
            else submitted + US * rng.randrange(-DAY // US, 90 * DAY // US)
            for name in STAMPS[1:]
        }
        problems.append(
            ProblemFactory.build(
                organisation=firm,
                category=rng.choice(categories),
                status=Problem.Status.CLOSED,
                submitted_at=submitted,
                **later,
            )
        )
    Problem.objects.bulk_create(problems)
    saved = list(Problem.objects.all())
    levels = service_levels(user_with_role(Role.HQ_STAFF), support_year())

    assert levels["overall"].stages == _python_levels(saved)
    for row in levels["rows"]:
        group = [p for p in saved if p.category_id == row.category_id]
        assert row.problems == len(group)
        assert row.stages == _python_levels(group)


def test_three_hours_are_an_eighth_of_a_day_exactly(hub: Any) -> None:
    _problem(hub, CASES[0])
    level = service_levels(user_with_role(Role.HQ_STAFF), support_year())["overall"]
    # 0.125 rounds to 0.12 (half to even); a measure a hair over it would give 0.13.
    assert level.stages["intake_to_triage"] == StageLevel(1, 0.12, 0.12)


def test_rows_of_one_hub_name_put_the_newest_problem_first(hub: Any) -> None:
    twin = hub_of_year(ComplexFactory(name_ko="창원국가산업단지", municipality_name="다른 시"))
    older = _problem(hub, CASES[0])
    newer = _problem(twin, (DAY, 2 * DAY, None, None))
    rows = service_levels(user_with_role(Role.HQ_STAFF), support_year())["rows"]
    assert [row.hub_id for row in rows] == [newer.hub_id, older.hub_id]
    assert {row.hub_name for row in rows} == {"창원국가산업단지"}
