"""Reads of the support pipeline: the triage engine of a year, service levels, overdue lists.

Every user-facing queryset goes through `.restrict(user, action)`.
"""

from __future__ import annotations

import datetime as dt
import statistics
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Case, F, Max, Q, QuerySet, Value, When
from django.db.models.fields import CharField, DateTimeField
from django.utils import timezone

from sandan.core.i18n import pick_name
from sandan.program.models import ProgramYear
from sandan.support.models import Problem, TriageDecision
from sandan.support.text import stored_morphemes

# Service-level defaults when a year's rules do not name them (days).
DEFAULT_TRIAGE_WITHIN_DAYS = 5
DEFAULT_START_WITHIN_DAYS = 30


def rule_of(year: ProgramYear, name: str, default: Any) -> Any:
    value = year.rule(name)
    return default if value is None else value


# Triage -----------------------------------------------------------------------------

_triage_cache: dict[int, tuple[tuple[Any, ...], Any]] = {}
_triage_lock = threading.Lock()


def triage_history(program_year: ProgramYear) -> list[tuple[str, str]]:
    """(text, confirmed category code) of the year's problems: the latest decision of each."""
    return [(text, code) for text, code, _stored in _history_rows(program_year)]


def _history_rows(program_year: ProgramYear) -> list[tuple[str, str, Any]]:
    """(text, confirmed code, stored analysis) of the year's latest decision per problem."""
    latest: dict[int, tuple[str, str, Any]] = {}
    decisions = (
        TriageDecision.objects.filter(problem__program_year=program_year)
        .order_by("problem_id", "decided_at", "id")
        .values_list(
            "problem_id",
            "problem__title",
            "problem__description",
            "problem__help_wanted",
            "problem__analysis",
            "chosen__code",
        )
    )
    for problem_id, title, description, help_wanted, stored, code in decisions:
        text = "\n".join(part for part in (title, description, help_wanted) if part)
        latest[problem_id] = (text, code, stored)
    return list(latest.values())


def _triage_key(program_year: ProgramYear) -> tuple[Any, ...]:
    decisions = TriageDecision.objects.filter(problem__program_year=program_year).aggregate(
        last=Max("id"), at=Max("decided_at")
    )
    categories = tuple(
        program_year.categories.order_by("order", "code").values_list(
            "id", "code", "name_ko", "description", "keywords"
        )
    )
    return (decisions["last"], decisions["at"], categories)


def triage_for_year(program_year: ProgramYear) -> Any:
    """The triage engine of a year: its categories (zero-shot from their descriptions and
    keywords) plus what the confirmed decisions teach. Built once and reused until a
    decision is made or a category changes (two cheap queries check that)."""
    from sandan.support.triage import Triage, categories_of_year

    key = _triage_key(program_year)
    with _triage_lock:
        cached = _triage_cache.get(program_year.pk)
    if cached is not None and cached[0] == key:
        return cached[1]
    rows = _history_rows(program_year)
    analyses = {}
    for text, _code, stored in rows:
        morphs = stored_morphemes(stored)
        if morphs is not None:
            analyses[text] = morphs
    engine = Triage(
        categories_of_year(program_year), [(text, code) for text, code, _s in rows], analyses
    )
    with _triage_lock:
        _triage_cache[program_year.pk] = (key, engine)
    return engine


def invalidate_triage(program_year_id: int) -> None:
    with _triage_lock:
        _triage_cache.pop(program_year_id, None)


# Service levels ---------------------------------------------------------------------

STAGES: tuple[tuple[str, str, str], ...] = (
    ("intake_to_triage", "submitted_at", "triaged_at"),
    ("triage_to_start", "triaged_at", "project_started_at"),
    ("start_to_completion", "project_started_at", "resolved_at"),
    ("intake_to_completion", "submitted_at", "resolved_at"),
)


@dataclass(frozen=True)
class StageLevel:
    n: int
    median_days: float | None
    p90_days: float | None


@dataclass
class ServiceLevelRow:
    hub_id: int | None
    hub_name: str
    category_id: int | None
    category_name: str
    problems: int = 0
    stages: dict[str, StageLevel] = field(default_factory=dict)


def _percentile(values: Sequence[float], q: float) -> float:
    """The q-th percentile (0–100), linear between closest ranks."""
    ordered = sorted(values)
    if len(ordered) == 1:
        return ordered[0]
    rank = (len(ordered) - 1) * q / 100
    low = int(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def _level(days: list[float]) -> StageLevel:
    if not days:
        return StageLevel(0, None, None)
    return StageLevel(len(days), round(statistics.median(days), 2), round(_percentile(days, 90), 2))


def _days(start: dt.datetime | None, end: dt.datetime | None) -> float | None:
    if start is None or end is None or end < start:
        return None
    return (end - start).total_seconds() / 86400


def service_levels(user: Any, year: ProgramYear) -> dict[str, Any]:
    """Median and 90th-percentile days per stage (intake → triage → project start →
    completion) of the year's problems the user may see, overall and per hub × category.

    Returns {"overall": ServiceLevelRow, "rows": [ServiceLevelRow, …]} (rows by hub name,
    then category order)."""
    rows = (
        Problem.objects.restrict(user, "view")
        .filter(program_year=year)
        .values_list(
            "hub_id",
            "hub__complex__name_ko",
            "category_id",
            "category__name_ko",
            "category__name_en",
            "category__order",
            *(name for name in ("submitted_at", "triaged_at", "project_started_at", "resolved_at")),
        )
    )
    groups: dict[tuple[int | None, int | None], tuple[ServiceLevelRow, dict[str, list[float]]]] = {}
    overall = ServiceLevelRow(None, "", None, "")
    overall_days: dict[str, list[float]] = {stage: [] for stage, _a, _b in STAGES}
    order: dict[tuple[int | None, int | None], tuple[str, int]] = {}
    for hub_id, hub_name, cat_id, cat_ko, cat_en, cat_order, *stamps in rows:
        times = dict(
            zip(
                ("submitted_at", "triaged_at", "project_started_at", "resolved_at"),
                stamps,
                strict=True,
            )
        )
        key = (hub_id, cat_id)
        if key not in groups:
            groups[key] = (
                ServiceLevelRow(hub_id, hub_name or "", cat_id, pick_name(cat_ko, cat_en)),
                {stage: [] for stage, _a, _b in STAGES},
            )
            order[key] = (hub_name or "", cat_order if cat_order is not None else 999)
        row, days = groups[key]
        row.problems += 1
        overall.problems += 1
        for stage, start, end in STAGES:
            value = _days(times[start], times[end])
            if value is not None:
                days[stage].append(value)
                overall_days[stage].append(value)
    result: list[ServiceLevelRow] = []
    for key in sorted(groups, key=lambda k: order[k]):
        row, days = groups[key]
        row.stages = {stage: _level(days[stage]) for stage, _a, _b in STAGES}
        result.append(row)
    overall.stages = {stage: _level(overall_days[stage]) for stage, _a, _b in STAGES}
    return {"overall": overall, "rows": result}


def _overdue_condition(years: Iterable[ProgramYear], now: dt.datetime) -> Q:
    condition = Q(pk__in=[])
    for year in years:
        triage_days = int(rule_of(year, "triage_within_days", DEFAULT_TRIAGE_WITHIN_DAYS))
        start_days = int(rule_of(year, "start_within_days", DEFAULT_START_WITHIN_DAYS))
        condition |= Q(
            program_year=year,
            status=Problem.Status.SUBMITTED,
            submitted_at__lt=now - dt.timedelta(days=triage_days),
        )
        condition |= Q(
            program_year=year,
            status__in=[Problem.Status.TRIAGED, Problem.Status.MATCHED],
            project_started_at__isnull=True,
            triaged_at__lt=now - dt.timedelta(days=start_days),
        )
    return condition


def overdue_problems(user: Any, now: dt.datetime | None = None) -> QuerySet[Problem]:
    """Problems past their year's service level, within the user's scope: not triaged
    within `triage_within_days` of intake, or triaged but without a started project within
    `start_within_days`. Annotated with `overdue_stage` ("triage" / "start") and
    `overdue_since` (when the late stage began), oldest first."""
    now = now or timezone.now()
    years = list(ProgramYear.objects.exclude(status=ProgramYear.Status.DRAFT))
    return (
        Problem.objects.restrict(user, "view")
        .filter(_overdue_condition(years, now))
        .annotate(
            overdue_stage=Case(
                When(status=Problem.Status.SUBMITTED, then=Value("triage")),
                default=Value("start"),
                output_field=CharField(),
            ),
            overdue_since=Case(
                When(status=Problem.Status.SUBMITTED, then=F("submitted_at")),
                default=F("triaged_at"),
                output_field=DateTimeField(),
            ),
        )
        .select_related("organisation", "hub__complex", "category", "program_year")
        .order_by("overdue_since", "id")
    )
