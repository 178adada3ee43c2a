"""Reads of the home page: each role's own work, in a fixed number of queries.

The home page (`/`) shows a firm its problems, projects, surveys and coming activities; a
coordinator its hub's queue; a regional HQ its zone against the year's targets; HQ and the
ministry the nation by zone (each zone opens the zone's page); an expert the cases assigned
to them; an auditor the latest changes. Every query starts from `restrict(user, "view")`
(or `"change"` for work the user is to do), and every figure carries the program year or
the day it describes (`Period`).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Count, Q, Sum

from sandan.accounts.roles import Role, grants_for
from sandan.core import clock
from sandan.core.models import AuditEntry
from sandan.councils.models import Activity
from sandan.councils.selectors import ActivityFilter, activities
from sandan.program.models import Designation, ProgramYear
from sandan.program.selectors import ZoneProgress, current_program_year, zone_progress
from sandan.registry.models import Complex, ComplexStat, Zone
from sandan.support.models import ExpertAssignment, Problem, Project, Survey
from sandan.support.selectors import overdue_problems

# How many rows each list of the home page shows (the rest is one link away).
LIST_SIZE = 8
# How far ahead a firm's "coming activities" look.
COMING_DAYS = 60

CLOSED_PROBLEMS = (Problem.Status.CLOSED, Problem.Status.REJECTED)
FINISHED_PROJECTS = (Project.Status.COMPLETED, Project.Status.CANCELLED)

# Which home a user gets when they hold several roles: the widest view first.
HOME_ORDER: tuple[str, ...] = (
    Role.HQ_STAFF,
    Role.MINISTRY_OFFICER,
    Role.REGIONAL_STAFF,
    Role.COORDINATOR,
    Role.AUDITOR,
    Role.EXPERT,
    Role.COMPANY_USER,
)


@dataclass(frozen=True)
class Period:
    """What the figures of a home page describe: a program year and the day of reading."""

    today: dt.date
    year: ProgramYear | None

    @property
    def month_start(self) -> dt.date:
        return self.today.replace(day=1)

    @property
    def month_end(self) -> dt.date:
        next_month = (self.month_start + dt.timedelta(days=32)).replace(day=1)
        return next_month - dt.timedelta(days=1)


def period(today: dt.date | None = None) -> Period:
    """Today and the program year open today (None when no year is approved yet)."""
    today = today or clock.today()
    try:
        year: ProgramYear | None = current_program_year(today)
    except ValidationError:
        year = None
    return Period(today=today, year=year)


def home_role(user: Any) -> str:
    """The role whose home the user sees (a superuser sees HQ's)."""
    if getattr(user, "is_superuser", False):
        return Role.HQ_STAFF
    roles = {grant.role for grant in grants_for(user)}
    return next((role for role in HOME_ORDER if role in roles), "")


def zones_of(user: Any) -> list[int]:
    """The zones a regional HQ user works in (their zone memberships)."""
    return sorted(
        {
            pk
            for grant in grants_for(user)
            if grant.role == Role.REGIONAL_STAFF and grant.scope_kind == "zone"
            for pk in grant.scope_ids
        }
    )


# Firm ---------------------------------------------------------------------------------


@dataclass
class FirmHome:
    problems: list[Problem]
    open_problems: int
    projects: list[Project]
    surveys_due: list[Survey]
    activities: list[Activity]
    coming_until: dt.date


def firm_home(user: Any, when: Period) -> FirmHome:
    """A firm's open problems, its running projects, the surveys it has yet to answer and
    the coming activities of its councils (five queries)."""
    problems = (
        Problem.objects.restrict(user, "view")
        .exclude(status__in=CLOSED_PROBLEMS)
        .select_related("category", "suggested_category", "program_year")
        .order_by("-submitted_at", "-id")
    )
    projects = (
        Project.objects.restrict(user, "view")
        .exclude(status__in=FINISHED_PROJECTS)
        .select_related("program_year", "hub__complex")
        .order_by("-created_at", "-id")
    )
    now = clock.now()
    surveys = (
        Survey.objects.restrict(user, "view")
        .filter(answered_at__isnull=True, expires_at__gt=now)
        .select_related("project")
        .order_by("expires_at", "id")
    )
    until = when.today + dt.timedelta(days=COMING_DAYS)
    coming = activities(user, ActivityFilter(date_from=when.today, date_to=until)).order_by(
        "starts_at", "id"
    )
    listed = list(problems[:LIST_SIZE])
    return FirmHome(
        problems=listed[:LIST_SIZE],
        open_problems=problems.count(),
        projects=list(projects[:LIST_SIZE]),
        surveys_due=list(surveys[:LIST_SIZE]),
        activities=list(coming[:LIST_SIZE]),
        coming_until=until,
    )


# Coordinator --------------------------------------------------------------------------


@dataclass
class CoordinatorHome:
    to_triage: list[Problem]
    to_triage_count: int
    overdue: list[Problem]
    overdue_count: int
    to_submit: list[Project]
    to_submit_count: int
    activities: list[Activity]


def coordinator_home(user: Any, when: Period) -> CoordinatorHome:
    """The hub's queue: problems waiting for triage (oldest first), problems past their
    year's service level, draft projects still to submit, this month's activities."""
    to_triage = (
        Problem.objects.restrict(user, "change")
        .filter(status=Problem.Status.SUBMITTED)
        .select_related("organisation", "suggested_category", "program_year")
        .order_by("submitted_at", "id")
    )
    overdue = overdue_problems(user)
    to_submit = (
        Project.objects.restrict(user, "change")
        .filter(status=Project.Status.DRAFT)
        .select_related("program_year", "hub__complex")
        .order_by("created_at", "id")
    )
    month = activities(
        user, ActivityFilter(date_from=when.month_start, date_to=when.month_end)
    ).order_by("starts_at", "id")
    listed_triage = list(to_triage[:LIST_SIZE])
    listed_overdue = list(overdue[:LIST_SIZE])
    listed_drafts = list(to_submit[:LIST_SIZE])
    return CoordinatorHome(
        to_triage=listed_triage[:LIST_SIZE],
        to_triage_count=to_triage.count(),
        overdue=listed_overdue[:LIST_SIZE],
        overdue_count=overdue.count(),
        to_submit=listed_drafts[:LIST_SIZE],
        to_submit_count=to_submit.count(),
        activities=list(month[: LIST_SIZE * 2]),
    )


# Zones: regional HQ, HQ and ministry --------------------------------------------------


@dataclass
class ZoneWork:
    """One zone's year: designations against targets, problems and projects."""

    progress: ZoneProgress
    problems: int = 0
    open_problems: int = 0
    to_triage: int = 0
    overdue: int = 0
    projects_by_status: dict[str, int] = field(default_factory=dict)

    @property
    def zone(self) -> Zone:
        return self.progress.zone

    @property
    def targets_met(self) -> bool:
        return not self.progress.warnings

    @property
    def projects(self) -> int:
        return sum(self.projects_by_status.values())

    @property
    def awaiting_approval(self) -> int:
        return self.projects_by_status.get(Project.Status.SUBMITTED, 0)

    @property
    def in_progress(self) -> int:
        return self.projects_by_status.get(Project.Status.APPROVED, 0) + (
            self.projects_by_status.get(Project.Status.IN_PROGRESS, 0)
        )

    @property
    def completed(self) -> int:
        return self.projects_by_status.get(Project.Status.COMPLETED, 0)


@dataclass
class HubRow:
    """A hub of a zone: its linked complexes and its year's open problems and projects."""

    designation: Designation
    linked: int
    open_problems: int
    projects: int


@dataclass
class NationalHome:
    zones: list[ZoneWork]
    total: ZoneWork | None
    complexes: int
    tenants: int
    awaiting_approval: list[Project]
    # The registry quarter the tenant count describes (year, quarter), None without figures.
    registry_quarter: tuple[int, int] | None = None


@dataclass
class ZoneHome:
    work: ZoneWork
    hubs: list[HubRow]
    awaiting_approval: list[Project]
    overdue: list[Problem]


def zone_work(user: Any, year: ProgramYear, zone_ids: list[int] | None = None) -> list[ZoneWork]:
    """Each zone's designations against its targets and its problems and projects of
    `year` (five queries: designations, targets, zones, problems, overdue, projects)."""
    rows = [
        ZoneWork(progress=row)
        for row in zone_progress(user, year)
        if zone_ids is None or row.zone.pk in zone_ids
    ]
    by_zone = {row.zone.pk: row for row in rows}
    problems = Problem.objects.restrict(user, "view").filter(program_year=year)
    for entry in (
        problems.values("zone_id")
        .annotate(
            n=Count("id"),
            open=Count("id", filter=~Q(status__in=CLOSED_PROBLEMS)),
            to_triage=Count("id", filter=Q(status=Problem.Status.SUBMITTED)),
        )
        .order_by()
    ):
        if (row := by_zone.get(entry["zone_id"])) is not None:
            row.problems, row.open_problems = entry["n"], entry["open"]
            row.to_triage = entry["to_triage"]
    for entry in (
        overdue_problems(user)
        .filter(program_year=year)
        .values("zone_id")
        .annotate(n=Count("id"))
        .order_by()
    ):
        if (row := by_zone.get(entry["zone_id"])) is not None:
            row.overdue = entry["n"]
    for entry in (
        Project.objects.restrict(user, "view")
        .filter(program_year=year)
        .values("zone_id", "status")
        .annotate(n=Count("id"))
        .order_by()
    ):
        if (row := by_zone.get(entry["zone_id"])) is not None:
            row.projects_by_status[entry["status"]] = entry["n"]
    return rows


def _total(rows: list[ZoneWork]) -> ZoneWork | None:
    if not rows:
        return None
    statuses: dict[str, int] = defaultdict(int)
    for row in rows:
        for status, n in row.projects_by_status.items():
            statuses[status] += n
    progress = ZoneProgress(
        zone=Zone(code="", name_ko="전국", name_en="Nationwide"),
        hub_target=sum(row.progress.hub_target for row in rows),
        linked_target=sum(row.progress.linked_target for row in rows),
        hubs=sum(row.progress.hubs for row in rows),
        linked=sum(row.progress.linked for row in rows),
    )
    return ZoneWork(
        progress=progress,
        problems=sum(row.problems for row in rows),
        open_problems=sum(row.open_problems for row in rows),
        to_triage=sum(row.to_triage for row in rows),
        overdue=sum(row.overdue for row in rows),
        projects_by_status=dict(statuses),
    )


def _awaiting_approval(user: Any, year: ProgramYear, zone_id: int | None = None) -> list[Project]:
    projects = (
        Project.objects.restrict(user, "approve")
        .filter(program_year=year, status=Project.Status.SUBMITTED)
        .select_related("hub__complex", "zone")
        .order_by("submitted_at", "id")
    )
    if zone_id is not None:
        projects = projects.filter(zone_id=zone_id)
    return list(projects[:LIST_SIZE])


def national_home(user: Any, when: Period) -> NationalHome:
    """The nation by zone for the open year, the registry's totals, and (for HQ) the
    projects waiting for approval."""
    complexes = Complex.objects.restrict(user, "view").aggregate(n=Count("id"), t=Sum("tenants"))
    quarter = (
        ComplexStat.objects.restrict(user, "view")
        .order_by("-year", "-quarter")
        .values_list("year", "quarter")
        .first()
    )
    if when.year is None:
        return NationalHome([], None, complexes["n"] or 0, complexes["t"] or 0, [], quarter)
    rows = zone_work(user, when.year)
    return NationalHome(
        zones=rows,
        total=_total(rows),
        complexes=complexes["n"] or 0,
        tenants=complexes["t"] or 0,
        awaiting_approval=_awaiting_approval(user, when.year),
        registry_quarter=quarter,
    )


def zone_home(user: Any, when: Period, zone: Zone) -> ZoneHome | None:
    """One zone's year: targets, its hubs with their linked complexes, open problems and
    projects, the projects waiting for the user's approval, the overdue problems."""
    if when.year is None:
        return None
    rows = zone_work(user, when.year, [zone.pk])
    if not rows:
        return None
    hubs = list(
        Designation.objects.restrict(user, "view")
        .filter(program_year=when.year, zone=zone, role=Designation.Role.HUB)
        .select_related("complex")
        .annotate(linked_count=Count("linked_designations", distinct=True))
        .order_by("complex__name_ko")
    )
    problems = dict(
        Problem.objects.restrict(user, "view")
        .filter(program_year=when.year, zone=zone)
        .exclude(status__in=CLOSED_PROBLEMS)
        .values_list("hub_id")
        .annotate(n=Count("id"))
        .order_by()
    )
    projects = dict(
        Project.objects.restrict(user, "view")
        .filter(program_year=when.year, zone=zone)
        .values_list("hub_id")
        .annotate(n=Count("id"))
        .order_by()
    )
    overdue = list(overdue_problems(user).filter(program_year=when.year, zone=zone)[:LIST_SIZE])
    return ZoneHome(
        work=rows[0],
        hubs=[
            HubRow(hub, hub.linked_count, problems.get(hub.pk, 0), projects.get(hub.pk, 0))
            for hub in hubs
        ],
        awaiting_approval=_awaiting_approval(user, when.year, zone.pk),
        overdue=overdue,
    )


# Expert and auditor -------------------------------------------------------------------


@dataclass
class ExpertHome:
    active: list[ExpertAssignment]
    active_count: int
    finished: list[ExpertAssignment]
    projects: list[Project]


def expert_home(user: Any) -> ExpertHome:
    """The cases assigned to the user as an expert (open ones, then the latest finished
    ones) and the projects they take part in."""
    assignments = (
        ExpertAssignment.objects.restrict(user, "view")
        .filter(expert__user=user)
        .select_related("problem__organisation", "problem__category", "problem__hub__complex")
    )
    active = assignments.filter(status=ExpertAssignment.Status.ACTIVE).order_by(
        "-assigned_at", "-id"
    )
    finished = assignments.exclude(status=ExpertAssignment.Status.ACTIVE).order_by(
        "-assigned_at", "-id"
    )
    projects = (
        Project.objects.restrict(user, "view")
        .exclude(status__in=FINISHED_PROJECTS)
        .select_related("hub__complex")
        .order_by("-created_at", "-id")
        .distinct()
    )
    return ExpertHome(
        active=list(active[:LIST_SIZE]),
        active_count=active.count(),
        finished=list(finished[: LIST_SIZE // 2]),
        projects=list(projects[:LIST_SIZE]),
    )


@dataclass
class AuditorHome:
    entries: list[AuditEntry]
    last_week: int
    since: dt.date


def auditor_home(user: Any, when: Period) -> AuditorHome:
    """The latest changes, and how many were made in the seven days up to today."""
    entries = AuditEntry.objects.restrict(user, "view").select_related(  # type: ignore[attr-defined]
        "actor", "content_type"
    )
    since = when.today - dt.timedelta(days=6)
    start = clock.day_start(since)
    return AuditorHome(
        entries=list(entries.order_by("-at", "-id")[: LIST_SIZE * 2]),
        last_week=entries.filter(at__gte=start).count(),
        since=since,
    )
