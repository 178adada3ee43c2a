"""Reads of councils and activities that the pages and the API share.

Every one starts from `restrict(user, action)`. Attendance is counted with correlated
subqueries on the (activity, status) index, so a page of activities costs the same at
two thousand or two million attendance rows.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, IntegerField, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from sandan.core import clock
from sandan.councils.models import Activity, Attendance, Council, Membership, SubGroup
from sandan.registry.models import Organisation

ACADEMIA = (Organisation.Kind.UNIVERSITY, Organisation.Kind.INSTITUTE)


def current_memberships(on: dt.date | None = None) -> Q:
    """Memberships in force on `on` (today): joined by then, not yet left."""
    day = on or clock.today()
    return Q(joined_on__lte=day) & (Q(left_on__isnull=True) | Q(left_on__gte=day))


def _count(queryset: QuerySet[Any], outer: str) -> Coalesce:
    counted = (
        queryset.filter(**{outer: OuterRef("pk")})
        .order_by()
        .values(outer)
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


# Councils ---------------------------------------------------------------------------


@dataclass(frozen=True)
class CouncilFilter:
    year: int | None = None  # program year of the hub designation
    zone: str | None = None  # zone code
    hub: str | None = None  # KICOX id of the hub complex
    status: str | None = None
    q: str | None = None


def councils(user: Any, filters: CouncilFilter | None = None) -> QuerySet[Council]:
    f = filters or CouncilFilter()
    today = clock.today()
    current = Membership.objects.filter(current_memberships(today))
    qs = (
        Council.objects.restrict(user, "view")
        .select_related("zone", "hub__complex", "hub__program_year", "industry")
        .annotate(
            member_count=_count(current, "council"),
            firm_count=_count(current.filter(organisation__kind="company"), "council"),
        )
    )
    if f.year:
        qs = qs.filter(hub__program_year__year=f.year)
    if f.zone:
        qs = qs.filter(zone__code=f.zone)
    if f.hub:
        qs = qs.filter(hub__complex__kicox_id=f.hub)
    if f.status:
        qs = qs.filter(status=f.status)
    if f.q:
        text = f.q.strip()
        qs = qs.filter(Q(name__icontains=text) | Q(technology__icontains=text))
    return qs.order_by("zone__order", "name", "id")


def memberships(
    user: Any,
    *,
    council: int | None = None,
    year: int | None = None,
    zone: str | None = None,
    hub: str | None = None,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
) -> QuerySet[Membership]:
    """Memberships; `date_from`/`date_to` keep those in force at some day of the range."""
    qs = Membership.objects.restrict(user, "view").select_related(
        "organisation__complex", "council"
    )
    if council:
        qs = qs.filter(council_id=council)
    if year:
        qs = qs.filter(council__hub__program_year__year=year)
    if zone:
        qs = qs.filter(council__zone__code=zone)
    if hub:
        qs = qs.filter(council__hub__complex__kicox_id=hub)
    if date_to:
        qs = qs.filter(joined_on__lte=date_to)
    if date_from:
        qs = qs.filter(Q(left_on__isnull=True) | Q(left_on__gte=date_from))
    return qs.order_by("council_id", "role", "organisation__name_ko", "id")


def subgroups(user: Any, council: int) -> QuerySet[SubGroup]:
    return (
        SubGroup.objects.restrict(user, "view")
        .filter(council_id=council)
        .select_related("leader")
        .annotate(member_count=Count("members"))
        .order_by("name")
    )


@dataclass
class RuleCheck:
    """The program year's rule for an active council, checked against current members."""

    year: int
    firms: int
    academia: int
    min_firms: int
    requires_academia: bool
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def rule_check(council: Council, on: dt.date | None = None) -> RuleCheck:
    """ProgramYear.rule("council_min_firms") and rule("council_requires_academia"). Two
    queries at most (the program year is usually already joined)."""
    program_year = council.hub.program_year
    counts = (
        Membership.objects.filter(current_memberships(on), council=council)
        .values("organisation__kind")
        .annotate(n=Count("organisation", distinct=True))
        .order_by()
    )
    by_kind = {row["organisation__kind"]: row["n"] for row in counts}
    firms = by_kind.get(Organisation.Kind.COMPANY, 0)
    academia = sum(by_kind.get(kind, 0) for kind in ACADEMIA)
    check = RuleCheck(
        year=program_year.year,
        firms=firms,
        academia=academia,
        min_firms=int(program_year.rule("council_min_firms") or 0),
        requires_academia=bool(program_year.rule("council_requires_academia")),
    )
    if firms < check.min_firms:
        check.problems.append(
            _("회원 기업이 %(firms)d개입니다. %(year)d년 규칙은 %(min)d개 이상입니다.")
            % {"firms": firms, "year": check.year, "min": check.min_firms}
        )
    if check.requires_academia and academia == 0:
        check.problems.append(
            _("회원 중 대학이나 연구소가 없습니다. %(year)d년 규칙은 1곳 이상입니다.")
            % {"year": check.year}
        )
    return check


# Activities -------------------------------------------------------------------------


@dataclass(frozen=True)
class ActivityFilter:
    year: int | None = None  # calendar (= program) year of the activity's date
    zone: str | None = None
    hub: str | None = None
    council: int | None = None
    kind: str | None = None
    date_from: dt.date | None = None
    date_to: dt.date | None = None


def activities(user: Any, filters: ActivityFilter | None = None) -> QuerySet[Activity]:
    f = filters or ActivityFilter()
    attendance = Attendance.objects.all()
    qs = (
        Activity.objects.restrict(user, "view")
        .select_related("council__zone", "organiser")
        .defer("agenda", "minutes", "problems_note", "council__description")
        .annotate(
            attended_count=_count(attendance.filter(status="attended"), "activity"),
            registered_count=_count(attendance.filter(status="registered"), "activity"),
        )
    )
    # Date ranges, not __year: the (council, starts_at) and (starts_at) indexes serve them.
    if f.year:
        qs = qs.filter(
            starts_at__gte=clock.day_start(dt.date(f.year, 1, 1)),
            starts_at__lt=clock.day_start(dt.date(f.year + 1, 1, 1)),
        )
    if f.date_from:
        qs = qs.filter(starts_at__gte=clock.day_start(f.date_from))
    if f.date_to:
        qs = qs.filter(starts_at__lt=clock.day_start(f.date_to + dt.timedelta(days=1)))
    if f.council:
        qs = qs.filter(council_id=f.council)
    if f.zone:
        qs = qs.filter(council__zone__code=f.zone)
    if f.hub:
        qs = qs.filter(council__hub__complex__kicox_id=f.hub)
    if f.kind:
        qs = qs.filter(kind=f.kind)
    return qs.order_by("-starts_at", "-id")


def attendance(
    user: Any,
    *,
    activity: int | None = None,
    council: int | None = None,
    year: int | None = None,
    zone: str | None = None,
    hub: str | None = None,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
) -> QuerySet[Attendance]:
    qs = Attendance.objects.restrict(user, "view").select_related("organisation", "activity")
    if activity:
        qs = qs.filter(activity_id=activity)
    if council:
        qs = qs.filter(activity__council_id=council)
    if year:
        qs = qs.filter(
            activity__starts_at__gte=clock.day_start(dt.date(year, 1, 1)),
            activity__starts_at__lt=clock.day_start(dt.date(year + 1, 1, 1)),
        )
    if zone:
        qs = qs.filter(activity__council__zone__code=zone)
    if hub:
        qs = qs.filter(activity__council__hub__complex__kicox_id=hub)
    if date_from:
        qs = qs.filter(activity__starts_at__gte=clock.day_start(date_from))
    if date_to:
        qs = qs.filter(activity__starts_at__lt=clock.day_start(date_to + dt.timedelta(days=1)))
    return qs.order_by("activity_id", "id")


def activities_between(user: Any, start: dt.date, end: dt.date, **filters: Any) -> list[Activity]:
    """The activities of days start..end (inclusive), for the calendar and iCalendar."""
    qs = activities(user, ActivityFilter(date_from=start, date_to=end, **filters))
    return list(qs.order_by("starts_at", "id"))
