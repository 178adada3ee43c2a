"""Opening the budget tree of a year: its lines (the money comes later, by allocation)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from sandan.core import audit
from sandan.core.models import AuditAction
from sandan.core.services import ensure_allowed
from sandan.finance.models import BudgetLine
from sandan.program.models import Designation, ProgramYear, ServiceCategory

# Which kind of line may hang under which.
CHILD_KINDS: dict[str, tuple[str, ...]] = {
    BudgetLine.Kind.YEAR: (BudgetLine.Kind.ZONE, BudgetLine.Kind.NATIONAL),
    BudgetLine.Kind.ZONE: (BudgetLine.Kind.HUB,),
    BudgetLine.Kind.HUB: (BudgetLine.Kind.CATEGORY,),
    BudgetLine.Kind.NATIONAL: (BudgetLine.Kind.CATEGORY,),
    BudgetLine.Kind.CATEGORY: (),
}


def open_line(
    actor: Any,
    program_year: ProgramYear,
    kind: str,
    *,
    parent: BudgetLine | None = None,
    name: str = "",
    zone: Any = None,
    hub: Designation | None = None,
    purpose: str = "",
    category: ServiceCategory | None = None,
    source: str = "web",
) -> BudgetLine:
    """A new line of the year's tree, of a kind its parent may hold; its zone and hub are
    those of its parent's subtree. Opening a line needs "add" on budget lines."""
    if parent is not None and kind not in CHILD_KINDS[parent.kind]:
        raise ValidationError({"kind": _("이 상위 항목 아래에 둘 수 없는 구분입니다.")})
    if parent is not None and parent.program_year_id != program_year.pk:
        raise ValidationError({"parent": _("다른 사업연도의 항목입니다.")})
    if kind == BudgetLine.Kind.HUB and hub is not None:
        zone = hub.zone
    elif parent is not None and kind == BudgetLine.Kind.CATEGORY:
        zone, hub = parent.zone, parent.hub
    if category is not None and category.program_year_id != program_year.pk:
        raise ValidationError({"category": _("다른 사업연도의 지원서비스 분야입니다.")})
    line = BudgetLine(
        program_year=program_year,
        parent=parent,
        kind=kind,
        name=name or _default_name(kind, zone, hub, purpose, category, program_year),
        zone=zone,
        hub=hub,
        purpose=purpose,
        category=category,
    )
    line.full_clean()
    try:
        with transaction.atomic():
            line.save()
            ensure_allowed(actor, line, "add")
            audit.record(actor, line, AuditAction.CREATE, source=source)
    except IntegrityError:
        raise ValidationError({"kind": _("이미 있는 예산 항목입니다.")}) from None
    return line


def _default_name(
    kind: str,
    zone: Any,
    hub: Designation | None,
    purpose: str,
    category: ServiceCategory | None,
    year: ProgramYear,
) -> str:
    if kind == BudgetLine.Kind.YEAR:
        return _("%(year)s년 사업 총액") % {"year": year.year}
    if kind == BudgetLine.Kind.ZONE and zone is not None:
        return str(zone)
    if kind == BudgetLine.Kind.HUB and hub is not None:
        return str(hub.complex)
    if kind == BudgetLine.Kind.NATIONAL:
        return str(BudgetLine.Purpose(purpose).label)
    if category is not None:
        return category.name_ko
    return ""


@transaction.atomic
def open_tree(actor: Any, program_year: ProgramYear, *, source: str = "web") -> BudgetLine:
    """The year's whole tree, opened once: the total, a line per zone that has hubs in force,
    a line per hub with its categories, and the national lines with their categories.
    Lines that exist already are kept (it may be run again after new designations)."""
    root = BudgetLine.objects.filter(program_year=program_year, kind=BudgetLine.Kind.YEAR).first()
    if root is None:
        root = open_line(actor, program_year, BudgetLine.Kind.YEAR, source=source)
    categories = list(program_year.categories.order_by("order", "code"))
    hubs = (
        Designation.objects.filter(program_year=program_year, role=Designation.Role.HUB)
        .select_related("zone", "complex")
        .order_by("zone__order", "complex__kicox_id")
    )
    zone_lines = {line.zone_id: line for line in root.children.filter(kind=BudgetLine.Kind.ZONE)}
    for hub in hubs:
        if hub.zone_id not in zone_lines:
            zone_lines[hub.zone_id] = open_line(
                actor, program_year, BudgetLine.Kind.ZONE, parent=root, zone=hub.zone, source=source
            )
        zone_line = zone_lines[hub.zone_id]
        hub_line = zone_line.children.filter(hub=hub).first() or open_line(
            actor, program_year, BudgetLine.Kind.HUB, parent=zone_line, hub=hub, source=source
        )
        _open_categories(actor, program_year, hub_line, categories, source)
    for purpose in BudgetLine.Purpose.values:
        national = root.children.filter(purpose=purpose).first() or open_line(
            actor,
            program_year,
            BudgetLine.Kind.NATIONAL,
            parent=root,
            purpose=purpose,
            source=source,
        )
        _open_categories(actor, program_year, national, categories, source)
    return root


def _open_categories(
    actor: Any,
    program_year: ProgramYear,
    parent: BudgetLine,
    categories: list[ServiceCategory],
    source: str,
) -> None:
    have = set(parent.children.values_list("category_id", flat=True))
    for category in categories:
        if category.pk not in have:
            open_line(
                actor,
                program_year,
                BudgetLine.Kind.CATEGORY,
                parent=parent,
                category=category,
                source=source,
            )
