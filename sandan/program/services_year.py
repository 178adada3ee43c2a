"""Writes of the program-year editor (HQ): targets and zone targets, rules, service
categories and how they map onto the previous year's, the year's timeline.

A draft year changes freely; an approved one only with a reason, which the audit log keeps;
a closed one not at all. Zone targets and the rules `designations_meet_zone_targets` and
`hub_requires_linked` are rules of the year (ADR 0015): a change after which the targets
cannot be met, or the designations in force no longer meet them, is refused unless an
`override_reason` says why (ADR 0016).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from sandan.core.services import create_object, delete_object, update_object
from sandan.program.models import (
    RULE_INFO,
    CategoryMapping,
    Designation,
    ProgramYear,
    ServiceCategory,
    YearMilestone,
    ZoneTarget,
)
from sandan.program.services import designation_rule_breaches
from sandan.registry.models import Zone


def _editable(program_year: ProgramYear, reason: str) -> str:
    """A draft year changes freely; an approved one only with a reason (which the audit
    log keeps); a closed year not at all."""
    if program_year.status == ProgramYear.Status.CLOSED:
        raise ValidationError({"reason": _("종료된 사업연도는 바꿀 수 없습니다.")})
    if program_year.status == ProgramYear.Status.APPROVED and not reason.strip():
        raise ValidationError({"reason": _("승인된 사업연도를 바꾸려면 사유가 필요합니다.")})
    return reason.strip()


def _reason_with(reason: str, override_reason: str) -> str:
    return " / ".join(part for part in (reason, override_reason.strip()) if part)


def rule_breaches(program_year: ProgramYear) -> list[str]:
    """What the year's zone targets and its designations in force break of its rules: a
    zone asking for more hubs than linked complexes while every hub needs one, designations
    off their zone's targets, a hub without a linked complex."""
    from sandan.program.planner import zone_names

    breaches: list[str] = []
    if program_year.rule("hub_requires_linked"):
        names = zone_names()
        for target in program_year.zone_targets.select_related("zone"):
            if target.hubs > target.linked:
                breaches.append(
                    _(
                        "%(zone)s: 거점단지마다 연계단지가 있어야 하므로 연계단지 목표(%(n)d곳)가 "
                        "거점단지 목표(%(h)d곳)보다 적을 수 없습니다."
                    )
                    % {
                        "zone": names.get(target.zone.code, target.zone.code),
                        "h": target.hubs,
                        "n": target.linked,
                    }
                )
    in_force = [
        (row.zone.code, row.role, row.pk, row.hub_id)
        for row in Designation.objects.filter(program_year=program_year).select_related("zone")
    ]
    if in_force:
        breaches += designation_rule_breaches(program_year, in_force)
    return breaches


def _guarded(
    program_year: ProgramYear, override_reason: str, write: Callable[[], ProgramYear]
) -> ProgramYear:
    """Run `write()` (in a transaction) and keep it only if it breaks no rule of the year
    that held before, or `override_reason` says why it may."""
    before = set(rule_breaches(program_year))
    with transaction.atomic():
        changed: ProgramYear = write()
        new = [b for b in rule_breaches(changed) if b not in before]
        if new and not override_reason.strip():
            raise ValidationError(
                {
                    "override_reason": _(
                        "이 변경은 사업연도 규칙에 맞지 않습니다: %(list)s "
                        "그래도 저장하려면 규칙 예외 사유를 적으세요."
                    )
                    % {"list": " ".join(new)}
                }
            )
    return changed


def _check_sums(
    hub_target: int, linked_target: int, zone_targets: Mapping[str, tuple[int, int]]
) -> dict[str, Zone]:
    hubs = sum(h for h, _l in zone_targets.values())
    linked = sum(n for _h, n in zone_targets.values())
    errors: dict[str, str] = {}
    if hubs != hub_target:
        errors["hub_target"] = _(
            "권역별 거점단지 목표의 합(%(sum)d)이 연도 목표(%(target)d)와 다릅니다."
        ) % {"sum": hubs, "target": hub_target}
    if linked != linked_target:
        errors["linked_target"] = _(
            "권역별 연계단지 목표의 합(%(sum)d)이 연도 목표(%(target)d)와 다릅니다."
        ) % {"sum": linked, "target": linked_target}
    zones = {zone.code: zone for zone in Zone.objects.all()}
    unknown = sorted(set(zone_targets) - set(zones))
    if unknown:
        errors["zone_targets"] = _("알 수 없는 권역입니다: %s") % ", ".join(unknown)
    if errors:
        raise ValidationError(errors)
    return zones


def _write_zone_targets(
    actor: Any,
    program_year: ProgramYear,
    zone_targets: Mapping[str, tuple[int, int]],
    zones: dict[str, Zone],
    reason: str,
    source: str,
) -> None:
    existing = {t.zone.code: t for t in program_year.zone_targets.select_related("zone")}
    for code, (zone_hubs, zone_linked) in zone_targets.items():
        target = existing.pop(code, None)
        values = {"hubs": zone_hubs, "linked": zone_linked}
        if target is None:
            if zone_hubs or zone_linked:
                create_object(
                    actor,
                    ZoneTarget,
                    {"program_year": program_year, "zone": zones[code], **values},
                    source=source,
                    reason=reason,
                )
        elif (target.hubs, target.linked) != (zone_hubs, zone_linked):
            update_object(actor, target, values, source=source, reason=reason)
    for target in existing.values():
        delete_object(actor, target, source=source, reason=reason)


def update_year_targets(
    actor: Any,
    program_year: ProgramYear,
    *,
    hub_target: int,
    linked_target: int,
    budget_total_krw: int,
    zone_targets: Mapping[str, tuple[int, int]],
    notes: str | None = None,
    reason: str = "",
    override_reason: str = "",
    source: str = "web",
) -> ProgramYear:
    """The year's targets, budget and zone targets {zone code: (hubs, linked)}, which must
    add up to the year's targets (a zone left out has none) and keep to the year's rules
    unless `override_reason` says why not."""
    reason = _reason_with(_editable(program_year, reason), override_reason)
    zones = _check_sums(hub_target, linked_target, zone_targets)
    fields: dict[str, Any] = {
        "hub_target": hub_target,
        "linked_target": linked_target,
        "budget_total_krw": budget_total_krw,
    }
    if notes is not None:
        fields["notes"] = notes

    def write() -> ProgramYear:
        changed = update_object(actor, program_year, fields, source=source, reason=reason)
        _write_zone_targets(actor, changed, zone_targets, zones, reason, source)
        return changed

    return _guarded(program_year, override_reason, write)


def update_year_rules(
    actor: Any,
    program_year: ProgramYear,
    rules: Mapping[str, Any],
    *,
    reason: str = "",
    override_reason: str = "",
    source: str = "web",
) -> ProgramYear:
    """Replace the values of the rules the code knows (RULE_INFO); other rules stay. Turning
    on a rule the year's targets or designations in force break needs `override_reason`."""
    reason = _reason_with(_editable(program_year, reason), override_reason)
    unknown = sorted(set(rules) - set(RULE_INFO))
    if unknown:
        raise ValidationError({"rules": _("알 수 없는 규칙입니다: %s") % ", ".join(unknown)})
    for name, value in rules.items():
        unit = RULE_INFO[name][1]
        if unit != "bool" and (value is None or value < 0):
            raise ValidationError({name: _("0 이상이어야 합니다.")})
        if unit in ("percent",) and value > 100:
            raise ValidationError({name: _("100 이하여야 합니다.")})
        if unit == "ratio" and value > 1:
            raise ValidationError({name: _("0과 1 사이여야 합니다.")})
    merged = {**program_year.rules, **dict(rules)}
    return _guarded(
        program_year,
        override_reason,
        lambda: update_object(actor, program_year, {"rules": merged}, source=source, reason=reason),
    )


def previous_year(program_year: ProgramYear) -> ProgramYear | None:
    """The program year before this one (the one its categories map onto)."""
    return ProgramYear.objects.filter(year__lt=program_year.year).order_by("-year").first()


def save_category(
    actor: Any,
    program_year: ProgramYear,
    *,
    category: ServiceCategory | None = None,
    code: str,
    name_ko: str,
    name_en: str,
    description: str = "",
    keywords: str = "",
    order: int | None = None,
    maps_from: Iterable[ServiceCategory] | None = None,
    reason: str = "",
    source: str = "web",
) -> ServiceCategory:
    """Create or change a category of the year and, when `maps_from` is given, the earlier
    year's categories it folds in (each of them belongs to one category of this year)."""
    reason = _editable(program_year, reason)
    fields: dict[str, Any] = {
        "code": code.strip().upper(),
        "name_ko": name_ko.strip(),
        "name_en": name_en.strip(),
        "description": description,
        "keywords": keywords,
    }
    if category is not None and category.program_year_id != program_year.pk:
        raise ValidationError({"code": _("다른 사업연도의 분야입니다.")})
    clash = ServiceCategory.objects.filter(program_year=program_year, code=fields["code"])
    if category is not None:
        clash = clash.exclude(pk=category.pk)
    if clash.exists():
        raise ValidationError({"code": _("이 사업연도에 같은 코드의 분야가 이미 있습니다.")})
    with transaction.atomic():
        if category is None:
            fields["program_year"] = program_year
            fields["order"] = order if order is not None else program_year.categories.count() + 1
            category = create_object(actor, ServiceCategory, fields, source=source, reason=reason)
        else:
            if order is not None:
                fields["order"] = order
            category = update_object(actor, category, fields, source=source, reason=reason)
        if maps_from is not None:
            _set_mapping(actor, program_year, category, list(maps_from), reason, source)
    return category


def _set_mapping(
    actor: Any,
    program_year: ProgramYear,
    category: ServiceCategory,
    previous: list[ServiceCategory],
    reason: str,
    source: str,
) -> None:
    before = previous_year(program_year)
    wrong = [p for p in previous if before is None or p.program_year_id != before.pk]
    if wrong:
        raise ValidationError(
            {
                "maps_from": _("이전 사업연도의 분야만 대응시킬 수 있습니다: %s")
                % ", ".join(str(p) for p in wrong)
            }
        )
    taken = (
        CategoryMapping.objects.filter(previous__in=previous, category__program_year=program_year)
        .exclude(category=category)
        .select_related("previous", "category")
    )
    if taken:
        raise ValidationError(
            {
                "maps_from": _("이미 다른 분야에 대응된 분야입니다: %s")
                % ", ".join(f"{m.previous} → {m.category}" for m in taken)
            }
        )
    current = {m.previous_id: m for m in category.maps_from.all()}
    wanted = {p.pk: p for p in previous}
    for pk, mapping in current.items():
        if pk not in wanted:
            delete_object(actor, mapping, source=source, reason=reason)
    for pk, prev in wanted.items():
        if pk not in current:
            create_object(
                actor,
                CategoryMapping,
                {"category": category, "previous": prev},
                source=source,
                reason=reason,
            )


def delete_category(
    actor: Any, category: ServiceCategory, *, reason: str = "", source: str = "web"
) -> None:
    """Remove a category no problem or project uses (those keep it: a protected error)."""
    reason = _editable(category.program_year, reason)
    with transaction.atomic():
        # Its mappings go with it, each recorded, so the crosswalk's history stays readable.
        for mapping in CategoryMapping.objects.filter(Q(category=category) | Q(previous=category)):
            delete_object(actor, mapping, source=source, reason=reason)
        delete_object(actor, category, source=source, reason=reason)


def add_milestone(
    actor: Any,
    program_year: ProgramYear,
    *,
    due_on: Any,
    title_ko: str,
    title_en: str = "",
    note: str = "",
    reason: str = "",
    source: str = "web",
) -> YearMilestone:
    reason = _editable(program_year, reason)
    return create_object(
        actor,
        YearMilestone,
        {
            "program_year": program_year,
            "due_on": due_on,
            "title_ko": title_ko.strip(),
            "title_en": title_en.strip(),
            "note": note.strip(),
        },
        source=source,
        reason=reason,
    )


def delete_milestone(
    actor: Any, milestone: YearMilestone, *, reason: str = "", source: str = "web"
) -> None:
    reason = _editable(milestone.program_year, reason)
    delete_object(actor, milestone, source=source, reason=reason)
