"""Reads about program years and designations, shared by pages and the API, and the
program-year, hub and category look-ups that the services of the apps above use."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from sandan.core import clock
from sandan.program.models import (
    CategoryMapping,
    Designation,
    PlanRun,
    ProgramYear,
    ServiceCategory,
    ZoneTarget,
)
from sandan.registry.models import Complex, Zone


def editable_years(user: Any) -> QuerySet[ProgramYear]:
    """The years `user` may edit (HQ), newest first, with what the editor's index shows."""
    return (
        ProgramYear.objects.restrict(user, "change")
        .annotate(
            zone_count=Count("zone_targets", distinct=True),
            category_count=Count("categories", distinct=True),
            milestone_count=Count("milestones", distinct=True),
        )
        .order_by("-year")
    )


def program_years(user: Any) -> QuerySet[ProgramYear]:
    return ProgramYear.objects.restrict(user, "view").annotate(
        hub_count=Count(
            "designations", filter=Q(designations__role="hub", designations__status="approved")
        ),
        linked_count=Count(
            "designations",
            filter=Q(designations__role="linked", designations__status="approved"),
        ),
    )


@dataclass(frozen=True)
class DesignationFilter:
    year: int | None = None
    role: str | None = None
    zone: str | None = None
    hub: str | None = None  # KICOX id of the hub complex


def designations(user: Any, filters: DesignationFilter | None = None) -> QuerySet[Designation]:
    f = filters or DesignationFilter()
    qs = Designation.objects.restrict(user, "view").select_related(
        "program_year", "complex__province", "complex__municipality", "zone", "hub__complex"
    )
    if f.year is not None:
        qs = qs.filter(program_year__year=f.year)
    if f.role:
        qs = qs.filter(role=f.role)
    if f.zone:
        qs = qs.filter(zone__code=f.zone)
    if f.hub:
        qs = qs.filter(Q(hub__complex__kicox_id=f.hub) | Q(role="hub", complex__kicox_id=f.hub))
    return qs.order_by("program_year__year", "zone__order", "role", "complex__kicox_id")


@dataclass
class ZoneProgress:
    zone: Zone
    hub_target: int
    linked_target: int
    hubs: int
    linked: int
    illustrative: bool = False  # the target is a made-up split, not a published one

    @property
    def warnings(self) -> list[str]:
        from django.utils.translation import gettext as _

        notes = []
        if self.hubs != self.hub_target:
            notes.append(_("거점단지 %(n)d / 목표 %(t)d") % {"n": self.hubs, "t": self.hub_target})
        if self.linked != self.linked_target:
            notes.append(
                _("연계단지 %(n)d / 목표 %(t)d") % {"n": self.linked, "t": self.linked_target}
            )
        return notes


def zone_progress(user: Any, program_year: ProgramYear) -> list[ZoneProgress]:
    """Designations counted against the year's targets, per zone (two queries)."""
    counts = {
        (row["zone_id"], row["role"]): row["n"]
        for row in Designation.objects.restrict(user, "view")
        .filter(program_year=program_year)
        .values("zone_id", "role")
        .annotate(n=Count("id"))
    }
    targets = {
        t.zone_id: t
        for t in ZoneTarget.objects.restrict(user, "view").filter(program_year=program_year)
    }
    rows = []
    for zone in Zone.objects.restrict(user, "view").order_by("order"):
        target = targets.get(zone.pk)
        rows.append(
            ZoneProgress(
                zone=zone,
                hub_target=target.hubs if target else 0,
                linked_target=target.linked if target else 0,
                hubs=counts.get((zone.pk, "hub"), 0),
                linked=counts.get((zone.pk, "linked"), 0),
                illustrative=bool(target and target.is_illustrative),
            )
        )
    return rows


def plan_runs(user: Any, program_year: ProgramYear | None = None) -> QuerySet[PlanRun]:
    qs = PlanRun.objects.restrict(user, "view").select_related("program_year", "created_by")
    if program_year is not None:
        qs = qs.filter(program_year=program_year)
    return qs.order_by("-created_at")


@dataclass
class Change:
    """One complex in a plan against the designations in force."""

    kind: str  # added, kept, changed, removed
    kicox_id: str
    name_ko: str
    zone: str  # code
    before_role: str | None
    before_hub: str | None  # name of the hub it is linked to now
    after_role: str | None
    after_hub: str | None  # name of the hub the plan links it to
    where: Any = None  # (lon, lat) for the map
    after_hub_code: str | None = None  # KICOX id of that hub

    @property
    def kind_label(self) -> str:
        return str(CHANGE_LABELS[self.kind])

    def role_label(self, role: str | None) -> str:
        return str(Designation.Role(role).label) if role else "–"

    @property
    def before_label(self) -> str:
        label = self.role_label(self.before_role)
        return f"{label} ({self.before_hub})" if self.before_hub else label

    @property
    def after_label(self) -> str:
        label = self.role_label(self.after_role)
        return f"{label} ({self.after_hub})" if self.after_hub else label


CHANGE_LABELS = {
    "added": _lazy("새로 지정"),
    "changed": _lazy("역할·거점 변경"),
    "kept": _lazy("유지"),
    "removed": _lazy("지정 해제"),
}
CHANGE_ORDER = ("added", "changed", "removed", "kept")


def plan_changes(plan_run: PlanRun) -> list[Change]:
    """What approving the plan adds, changes, keeps and removes against the designations in
    force of its year (ordered: additions, changes, removals, then what stays)."""
    from sandan.registry.geo import complex_location

    result = plan_run.result or {}
    after: dict[str, tuple[str, str | None, str | None]] = {}
    for hub in result.get("hubs", []):
        after[hub["kicox_id"]] = (Designation.Role.HUB, None, None)
    for row in result.get("linked", []):
        after[row["kicox_id"]] = (Designation.Role.LINKED, row["hub"], row["hub_name_ko"])
    current = {
        d.complex.kicox_id: d
        for d in Designation.objects.filter(program_year=plan_run.program_year).select_related(
            "complex__province__zone", "complex__municipality", "hub__complex"
        )
    }
    complexes = {
        c.kicox_id: c
        for c in Complex.objects.filter(kicox_id__in=set(after) - set(current)).select_related(
            "province__zone", "municipality"
        )
    }
    changes = []
    for kicox_id in sorted(set(after) | set(current)):
        now = current.get(kicox_id)
        planned = after.get(kicox_id)
        complex_ = now.complex if now else complexes[kicox_id]
        before_hub = now.hub.complex if now is not None and now.hub is not None else None
        if now is None:
            kind = "added"
        elif planned is None:
            kind = "removed"
        elif now.role == planned[0] and (before_hub.kicox_id if before_hub else None) == planned[1]:
            kind = "kept"
        else:
            kind = "changed"
        changes.append(
            Change(
                kind=kind,
                kicox_id=kicox_id,
                name_ko=complex_.name_ko,
                zone=complex_.province.zone.code,
                before_role=now.role if now else None,
                before_hub=before_hub.name_ko if before_hub else None,
                after_role=planned[0] if planned else None,
                after_hub=planned[2] if planned else None,
                where=complex_location(complex_),
                after_hub_code=planned[1] if planned else None,
            )
        )
    changes.sort(key=lambda c: (CHANGE_ORDER.index(c.kind), c.zone, c.name_ko))
    return changes


# Program year, hub and category look-ups (for the services of the apps above) ---------


def program_year_on(day: dt.date) -> ProgramYear | None:
    """The program year whose period holds `day` (whatever its status), if any."""
    return (
        ProgramYear.objects.filter(starts_on__lte=day, ends_on__gte=day).order_by("-year").first()
    )


def current_program_year(on: dt.date | None = None) -> ProgramYear:
    """The program year that work dated `on` (today, by the site's clock, if not given)
    belongs to: the year whose period holds the date. A ValidationError on `program_year`
    says what is missing when there is no such year or it is not approved yet."""
    day = on or clock.today()
    year = program_year_on(day)
    if year is None:
        raise ValidationError(
            {
                "program_year": _(
                    "%(date)s이(가) 속한 사업연도가 없습니다. 본부에서 %(year)d년 "
                    "사업연도를 만들고 승인해야 접수할 수 있습니다."
                )
                % {"date": day.isoformat(), "year": day.year}
            }
        )
    if year.status == ProgramYear.Status.DRAFT:
        raise ValidationError(
            {
                "program_year": _("%(year)d년 사업연도가 아직 승인되지 않아 접수할 수 없습니다.")
                % {"year": year.year}
            }
        )
    return year


def check_in_year(program_year: ProgramYear, day: dt.date | None, field: str) -> None:
    """A ValidationError on `field` when `day` lies outside the year's period."""
    if day is not None and not program_year.holds(day):
        raise ValidationError(
            {
                field: _("%(date)s은(는) %(year)d년 사업연도 기간(%(start)s ~ %(end)s) 밖입니다.")
                % {
                    "date": day.isoformat(),
                    "year": program_year.year,
                    "start": program_year.starts_on.isoformat(),
                    "end": program_year.ends_on.isoformat(),
                }
            }
        )


def missing_current_year() -> int | None:
    """The calendar year of today (by the site's clock) when no program year holds today
    or the one that does is still a draft: HQ has to create or approve it."""
    today = clock.today()
    year = program_year_on(today)
    if year is None or year.status == ProgramYear.Status.DRAFT:
        return today.year
    return None


def hub_of(complex_id: int | None, program_year: ProgramYear) -> Designation | None:
    """The hub designation a complex belongs to in a year: its own for a hub, its hub's for
    a linked complex; None when the complex is not designated that year."""
    if complex_id is None:
        return None
    designation = (
        Designation.objects.filter(program_year=program_year, complex_id=complex_id)
        .select_related("hub")
        .first()
    )
    if designation is None:
        return None
    return designation if designation.role == Designation.Role.HUB else designation.hub


def category_of_year(
    category: Any, program_year: ProgramYear, field: str = "category"
) -> ServiceCategory:
    """The year's service category given as an object or a code, or a ValidationError on
    `field` (none given, an unknown code, or a category of another year)."""
    if category is None or category == "":
        raise ValidationError({field: _("지원서비스 분야를 고르세요.")})
    if not isinstance(category, ServiceCategory):
        found = ServiceCategory.objects.filter(
            program_year=program_year, code=str(category)
        ).first()
        if found is None:
            raise ValidationError(
                {
                    field: _("'%(code)s'은(는) %(year)s년 지원서비스 분야가 아닙니다.")
                    % {"code": category, "year": program_year.year}
                }
            )
        return found
    if category.program_year_id != program_year.pk:
        raise ValidationError(
            {
                field: _("%(category)s은(는) %(year)s년 지원서비스 분야가 아닙니다.")
                % {"category": category, "year": program_year.year}
            }
        )
    return category


# Categories across eras -----------------------------------------------------------------


def category_crosswalk(program_year: ProgramYear) -> dict[int, ServiceCategory]:
    """Every earlier year's category (by id) → the category of `program_year` it folds into.

    Year by year backwards: a category maps onto the later year's category that names it
    in its `maps_from` (CategoryMapping), else onto the later category with the same code
    (a copied year keeps its codes); a category with neither is left out (not comparable).
    The year's own categories map onto themselves.
    """
    categories = list(ServiceCategory.objects.select_related("program_year"))
    by_year: dict[int, list[ServiceCategory]] = {}
    for category in categories:
        by_year.setdefault(category.program_year.year, []).append(category)
    explicit = dict(CategoryMapping.objects.values_list("previous_id", "category_id"))
    fold: dict[int, ServiceCategory] = {c.pk: c for c in by_year.get(program_year.year, [])}
    later = by_year.get(program_year.year, [])
    for year in sorted((y for y in by_year if y < program_year.year), reverse=True):
        later_ids = {c.pk for c in later}
        later_codes = {c.code: c for c in later}
        for category in by_year[year]:
            target_id = explicit.get(category.pk)
            if target_id in later_ids and target_id in fold:
                fold[category.pk] = fold[target_id]
            elif target_id is None and category.code in later_codes:
                same = later_codes[category.code]
                if same.pk in fold:
                    fold[category.pk] = fold[same.pk]
        later = by_year[year]
    return fold


@dataclass
class CategoryLineage:
    """One category of the year and the earlier categories that fold into it, per year."""

    category: ServiceCategory
    earlier: dict[int, list[ServiceCategory]] = field(default_factory=dict)
    counts: dict[int, int] = field(default_factory=dict)


def compare_categories(
    program_year: ProgramYear, counts: Mapping[int, int] | None = None
) -> tuple[list[int], list[CategoryLineage], list[ServiceCategory]]:
    """The year's categories with what they fold in from earlier years: (years, rows,
    categories left unmapped). `counts` {category id: n} of any year — e.g. problems per
    category — are added up onto the year's categories, so eras compare side by side."""
    fold = category_crosswalk(program_year)
    rows = {
        c.pk: CategoryLineage(category=c) for c in program_year.categories.order_by("order", "code")
    }
    unmapped: list[ServiceCategory] = []
    years: set[int] = {program_year.year}
    year_of = dict.fromkeys(rows, program_year.year)
    for category in ServiceCategory.objects.select_related("program_year").filter(
        program_year__year__lt=program_year.year
    ):
        years.add(category.program_year.year)
        year_of[category.pk] = category.program_year.year
        target = fold.get(category.pk)
        if target is None:
            unmapped.append(category)
            continue
        rows[target.pk].earlier.setdefault(category.program_year.year, []).append(category)
    for category_id, n in (counts or {}).items():
        target = fold.get(category_id)
        if target is not None:
            row = rows[target.pk]
            year = year_of[category_id]
            row.counts[year] = row.counts.get(year, 0) + n
    return sorted(years), list(rows.values()), unmapped
