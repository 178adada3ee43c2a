"""Reads of the support pipeline: the problem and project lists (one filter each, shared by
the pages and the API), the triage engine of a year, service levels, overdue lists.

Every user-facing queryset goes through `.restrict(user, action)`.
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Case, F, Func, Max, Q, QuerySet, Value, When
from django.db.models.fields import BigIntegerField, CharField, DateTimeField

from sandan.core import clock
from sandan.core.background import Refreshed
from sandan.core.i18n import pick_name
from sandan.program.models import Designation, ProgramYear, ServiceCategory
from sandan.support.models import Problem, Project, TriageDecision
from sandan.support.text import stored_morphemes

# Service-level defaults when a year's rules do not name them (days).
DEFAULT_TRIAGE_WITHIN_DAYS = 5
DEFAULT_START_WITHIN_DAYS = 30
DEFAULT_COMPLETE_WITHIN_DAYS = 180


def rule_of(year: ProgramYear, name: str, default: Any) -> Any:
    value = year.rule(name)
    return default if value is None else value


# Lists ------------------------------------------------------------------------------


@dataclass(frozen=True)
class ProblemFilter:
    """What the problem list (page and API alike) is narrowed to; a value left empty does
    not filter.

    - `category`: a service category's code. A problem is in it when it is its confirmed
      category, or, while no category is confirmed yet, the suggested one (the list shows
      the suggestion in the category column, marked as such, so filtering finds it there).
    - `text`: words looked for, case-insensitively, in the title, the description and the
      firm's name (one finds a firm's problems by typing its name).
    - `hub`: the KICOX id of the hub complex; `zone`: the zone's code.
    - `submitted_from` / `submitted_to`: days of intake, both included (local time).
    - `overdue`: only the problems past their year's service level (`overdue_problems`).
    """

    year: int | None = None
    zone: str | None = None
    hub: str | None = None
    status: str | None = None
    category: str | None = None
    urgency: str | None = None
    source: str | None = None
    organisation: int | None = None
    submitted_from: dt.date | None = None
    submitted_to: dt.date | None = None
    overdue: bool = False
    text: str | None = None

    def apply(self, queryset: QuerySet[Problem], user: Any) -> QuerySet[Problem]:
        """`queryset` (already restricted to `user`) narrowed to this filter."""
        exact = {
            "program_year__year": self.year,
            "zone__code": self.zone,
            "hub__complex__kicox_id": self.hub,
            "status": self.status,
            "urgency": self.urgency,
            "source": self.source,
            "organisation_id": self.organisation,
        }
        queryset = queryset.filter(**{k: v for k, v in exact.items() if v})
        if self.category:
            queryset = queryset.filter(
                Q(category__code=self.category)
                | Q(category__isnull=True, suggested_category__code=self.category)
            )
        if self.submitted_from:
            queryset = queryset.filter(submitted_at__gte=clock.day_start(self.submitted_from))
        if self.submitted_to:
            next_day = self.submitted_to + dt.timedelta(days=1)
            queryset = queryset.filter(submitted_at__lt=clock.day_start(next_day))
        if self.overdue:
            queryset = queryset.filter(pk__in=overdue_problems(user).values("pk"))
        if text := (self.text or "").strip():
            queryset = queryset.filter(
                Q(title__icontains=text)
                | Q(description__icontains=text)
                | Q(organisation__name_ko__icontains=text)
            )
        return queryset


def filter_problems(user: Any, filters: ProblemFilter | None = None) -> QuerySet[Problem]:
    """The problems `user` may see, narrowed to `filters`, newest first."""
    queryset: QuerySet[Problem] = Problem.objects.restrict(user, "view")
    if filters is not None:
        queryset = filters.apply(queryset, user)
    return queryset.order_by("-submitted_at", "-id")


@dataclass(frozen=True)
class ProjectFilter:
    """What the project list (page and API alike) is narrowed to; a value left empty does
    not filter.

    - `category`: the code of the project's service category.
    - `text`: words looked for, case-insensitively, in the title and the summary.
    - `hub`: the KICOX id of the hub complex; `zone`: the zone's code.
    """

    year: int | None = None
    zone: str | None = None
    hub: str | None = None
    status: str | None = None
    type: str | None = None
    category: str | None = None
    scope: str | None = None
    text: str | None = None

    def apply(self, queryset: QuerySet[Project]) -> QuerySet[Project]:
        """`queryset` (already restricted to the user) narrowed to this filter."""
        exact = {
            "program_year__year": self.year,
            "zone__code": self.zone,
            "hub__complex__kicox_id": self.hub,
            "status": self.status,
            "type": self.type,
            "category__code": self.category,
            "scope": self.scope,
        }
        queryset = queryset.filter(**{k: v for k, v in exact.items() if v})
        if text := (self.text or "").strip():
            queryset = queryset.filter(Q(title__icontains=text) | Q(summary__icontains=text))
        return queryset


def filter_projects(user: Any, filters: ProjectFilter | None = None) -> QuerySet[Project]:
    """The projects `user` may see, narrowed to `filters`, newest first."""
    queryset: QuerySet[Project] = Project.objects.restrict(user, "view")
    if filters is not None:
        queryset = filters.apply(queryset)
    return queryset.order_by("-created_at", "-id")


# Triage -----------------------------------------------------------------------------


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


def _build_triage(program_year: ProgramYear) -> Any:
    """The year's engine fitted on every confirmed decision (seconds for thousands)."""
    from sandan.support.triage import Triage, categories_of_year

    rows = _history_rows(program_year)
    analyses = {}
    for text, _code, stored in rows:
        morphs = stored_morphemes(stored)
        if morphs is not None:
            analyses[text] = morphs
    return Triage(
        categories_of_year(program_year), [(text, code) for text, code, _s in rows], analyses
    )


def _zero_shot_triage(program_year: ProgramYear) -> Any:
    """The year's engine from its categories alone (what a year without decisions uses):
    the stand-in while a new process fits the first full engine."""
    from sandan.support.triage import Triage, categories_of_year

    return Triage(categories_of_year(program_year))


_triage_engines: Refreshed[ProgramYear, Any] = Refreshed(
    "triage", fingerprint=_triage_key, build=_build_triage, cold=_zero_shot_triage
)


def triage_for_year(program_year: ProgramYear) -> Any:
    """The triage engine of a year: its categories (zero-shot from their descriptions and
    keywords) plus what the confirmed decisions teach.

    A request never fits it: when a decision is made or a category changes (two cheap
    queries check that) the engine is refitted in the background and swapped in when ready;
    until then the current engine answers (see sandan.core.background)."""
    return _triage_engines.get(program_year.pk, program_year)


def refit_triage(program_year: ProgramYear) -> None:
    """After a decision: refit the year's engine off-request (once the write commits)."""
    _triage_engines.refresh(program_year.pk, program_year)


def invalidate_triage(program_year_id: int) -> None:
    """Forget the year's engine, as a new process has none (tests, after bulk loads)."""
    _triage_engines.forget(program_year_id)


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


class Microseconds(Func):
    """A datetime column as whole microseconds on a fixed scale (NULL stays NULL), exact,
    for differences: the database hands over integers instead of datetimes to parse.

    SQLite keeps a datetime as text, "2010-01-04 09:03:00[.123456]" (UTC, the fraction six
    digits or none). Its julian day in seconds holds the fraction only to the millisecond
    (rounded, so "59.9996" would count as the next second): less the fraction of the text
    and rounded, it gives the whole seconds; the fraction's digits give the microseconds."""

    output_field = BigIntegerField()

    def __init__(self, name: str) -> None:
        super().__init__(F(name))

    def get_db_converters(self, connection: Any) -> list[Any]:
        return []  # integers already: no int() per value on the way out

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> tuple[str, list[Any]]:
        sql, params = compiler.compile(self.source_expressions[0])
        return (
            f"(CAST(julianday({sql}) * 86400 - substr({sql}, 21, 6) / 1000000.0 + 0.5 AS INTEGER)"
            f" * 1000000 + substr({sql}, 21, 6))",
            [*params, *params, *params],
        )

    def as_postgresql(self, compiler: Any, connection: Any, **extra: Any) -> tuple[str, list[Any]]:
        sql, params = compiler.compile(self.source_expressions[0])
        return f"CAST(EXTRACT(EPOCH FROM {sql}) * 1000000 AS bigint)", list(params)


_STAMPS = ("submitted_at", "triaged_at", "project_started_at", "resolved_at")
# Each stage as the positions of its start and end in a row (hub, category, *_STAMPS).
_STAGE_COLUMNS = tuple((2 + _STAMPS.index(a), 2 + _STAMPS.index(b)) for _s, a, b in STAGES)


def service_levels(user: Any, year: ProgramYear) -> dict[str, Any]:
    """Median and 90th-percentile days per stage (intake → triage → project start →
    completion) of the year's problems the user may see, overall and per hub × category.
    A stage counts when both its times are there and it does not end before it starts.

    Returns {"overall": ServiceLevelRow, "rows": [ServiceLevelRow, …]} (rows by hub name,
    then category order; between equals, the one with the newest problem first)."""
    groups: dict[tuple[int | None, int | None], list[tuple[Any, ...]]] = {}
    for row in (
        Problem.objects.restrict(user, "view")
        .filter(program_year=year)
        .order_by("-submitted_at", "-id")  # the newest first: see the row order above
        .values_list("hub_id", "category_id", *(Microseconds(name) for name in _STAMPS))
    ):
        groups.setdefault((row[0], row[1]), []).append(row)
    # Names of the hubs and categories of the user's problems (so not scoped again).
    hubs: dict[int | None, str] = {None: ""}
    hubs.update(
        Designation.objects.filter(pk__in={hub for hub, _c in groups}).values_list(
            "pk", "complex__name_ko"
        )
    )
    categories: dict[int | None, tuple[str, int]] = {None: ("", 999)}
    for pk, name_ko, name_en, order in ServiceCategory.objects.filter(
        pk__in={category for _h, category in groups}
    ).values_list("pk", "name_ko", "name_en", "order"):
        categories[pk] = (pick_name(name_ko, name_en), order)
    rows: list[ServiceLevelRow] = []
    overall_days: list[list[float]] = [[] for _stage in STAGES]
    for hub_id, category_id in sorted(groups, key=lambda k: (hubs[k[0]], categories[k[1]][1])):
        problems = groups[hub_id, category_id]
        row = ServiceLevelRow(
            hub_id, hubs[hub_id], category_id, categories[category_id][0], len(problems)
        )
        columns = list(zip(*problems, strict=True))
        for (stage, _a, _b), (start, end), overall in zip(
            STAGES, _STAGE_COLUMNS, overall_days, strict=True
        ):
            # As timedelta.total_seconds() / 86400 did, to the last bit.
            days = [
                (ended - begun) / 10**6 / 86400
                for begun, ended in zip(columns[start], columns[end], strict=True)
                if begun is not None and ended is not None and ended >= begun
            ]
            days.sort()
            row.stages[stage] = _level(days)
            overall += days
        rows.append(row)
    total = ServiceLevelRow(None, "", None, "", sum(row.problems for row in rows))
    # Sorting runs already sorted is quick, and _level's own sorting then quicker still.
    total.stages = {
        stage: _level(sorted(days))
        for (stage, _a, _b), days in zip(STAGES, overall_days, strict=True)
    }
    return {"overall": total, "rows": rows}


# The service-level stages a problem can be late in: (stage, year rule, default days).
OVERDUE_STAGES: tuple[tuple[str, str, int], ...] = (
    ("triage", "triage_within_days", DEFAULT_TRIAGE_WITHIN_DAYS),
    ("start", "start_within_days", DEFAULT_START_WITHIN_DAYS),
    ("complete", "complete_within_days", DEFAULT_COMPLETE_WITHIN_DAYS),
)
_STAGE_SINCE = {"triage": "submitted_at", "start": "triaged_at", "complete": "project_started_at"}


def measured_at(year: ProgramYear, now: dt.datetime) -> dt.datetime:
    """When a year's work is measured: now while the year runs, its last instant once its
    period is over (a past year shows what was left unresolved at its end)."""
    return min(now, clock.day_end(year.ends_on))


def year_has_ended(year: ProgramYear, now: dt.datetime) -> bool:
    return clock.day_end(year.ends_on) <= now


def _stage_conditions(year: ProgramYear) -> dict[str, Q]:
    return {
        "triage": Q(status=Problem.Status.SUBMITTED),
        "start": Q(
            status__in=[Problem.Status.TRIAGED, Problem.Status.MATCHED],
            project_started_at__isnull=True,
        ),
        "complete": Q(status=Problem.Status.IN_PROJECT, project_started_at__isnull=False),
    }


def _allowed_days(year: ProgramYear) -> dict[str, int]:
    return {stage: int(rule_of(year, rule, default)) for stage, rule, default in OVERDUE_STAGES}


def _overdue_condition(years: Iterable[ProgramYear], now: dt.datetime) -> Q:
    condition = Q(pk__in=[])
    for year in years:
        at = measured_at(year, now)
        allowed = _allowed_days(year)
        for stage, stage_condition in _stage_conditions(year).items():
            since = _STAGE_SINCE[stage]
            condition |= (
                Q(program_year=year)
                & stage_condition
                & Q(**{f"{since}__lt": at - dt.timedelta(days=allowed[stage])})
            )
    return condition


def overdue_problems(user: Any, now: dt.datetime | None = None) -> QuerySet[Problem]:
    """Problems past their year's service level, within the user's scope: not triaged
    within `triage_within_days` of intake, triaged but without a started project within
    `start_within_days`, or in a project not completed within `complete_within_days` of
    its start. Each year is measured by its own rules, and a year whose period is over at
    its end (`measured_at`), never against today. Annotated with `overdue_stage`
    ("triage" / "start" / "complete") and `overdue_since` (when the late stage began),
    oldest first; `describe_overdue` adds what a page shows."""
    now = now or clock.now()
    years = list(ProgramYear.objects.exclude(status=ProgramYear.Status.DRAFT))
    return (
        Problem.objects.restrict(user, "view")
        .filter(_overdue_condition(years, now))
        .annotate(
            overdue_stage=Case(
                When(status=Problem.Status.SUBMITTED, then=Value("triage")),
                When(status=Problem.Status.IN_PROJECT, then=Value("complete")),
                default=Value("start"),
                output_field=CharField(),
            ),
            overdue_since=Case(
                When(status=Problem.Status.SUBMITTED, then=F("submitted_at")),
                When(status=Problem.Status.IN_PROJECT, then=F("project_started_at")),
                default=F("triaged_at"),
                output_field=DateTimeField(),
            ),
        )
        .select_related("organisation", "hub__complex", "category", "program_year")
        .order_by("overdue_since", "id")
    )


@dataclass(frozen=True)
class Lateness:
    """How late one overdue problem is, measured within its own year."""

    stage: str
    due: dt.datetime  # when the late stage should have ended by the year's rule
    measured_at: dt.datetime  # now, or the end of the problem's year once it is over
    days_late: int
    year_ended: bool  # left unresolved at the end of its year


def lateness(problem: Problem, now: dt.datetime | None = None) -> Lateness:
    """`problem` must come from `overdue_problems` (it carries the stage annotations)."""
    now = now or clock.now()
    year = problem.program_year
    stage: str = problem.overdue_stage  # type: ignore[attr-defined]
    due = problem.overdue_since + dt.timedelta(days=_allowed_days(year)[stage])  # type: ignore[attr-defined]
    at = measured_at(year, now)
    return Lateness(
        stage=stage,
        due=due,
        measured_at=at,
        days_late=max(0, (at - due).days),
        year_ended=year_has_ended(year, now),
    )
