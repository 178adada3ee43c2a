"""Writes about program years and designations (one path for views, API, planner, commands)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from sandan.core import audit, clock
from sandan.core.models import AuditAction, AuditEvent
from sandan.core.services import (
    NotAllowed,
    create_object,
    ensure_allowed,
    update_object,
)
from sandan.program.models import (
    DEFAULT_RULES,
    Designation,
    PlanRun,
    ProgramYear,
    ServiceCategory,
    ZoneTarget,
)
from sandan.registry.models import Complex, Zone


def create_program_year(
    actor: Any,
    *,
    year: int,
    budget_total_krw: int = 0,
    zone_targets: Mapping[str, tuple[int, int]] | None = None,
    categories: Iterable[Mapping[str, Any]] = (),
    rules: Mapping[str, Any] | None = None,
    notes: str = "",
    source: str = "web",
    illustrative_targets: bool = False,
) -> ProgramYear:
    """A new draft year with its zone targets {zone code: (hubs, linked)} and categories
    (`illustrative_targets`: the per-zone split is made up, not published)."""
    targets = dict(zone_targets or {})
    with transaction.atomic():
        program_year = create_object(
            actor,
            ProgramYear,
            {
                "year": year,
                "budget_total_krw": budget_total_krw,
                "rules": {**DEFAULT_RULES, **dict(rules or {})},
                "notes": notes,
                "hub_target": sum(h for h, _l in targets.values()),
                "linked_target": sum(linked for _h, linked in targets.values()),
            },
            source=source,
        )
        zones = {zone.code: zone for zone in Zone.objects.all()}
        for code, (hubs, linked) in targets.items():
            if code not in zones:
                raise ValidationError({"zone_targets": _("알 수 없는 권역입니다: %s") % code})
            create_object(
                actor,
                ZoneTarget,
                {
                    "program_year": program_year,
                    "zone": zones[code],
                    "hubs": hubs,
                    "linked": linked,
                    "is_illustrative": illustrative_targets,
                },
                source=source,
            )
        for order, category in enumerate(categories, start=1):
            create_object(
                actor,
                ServiceCategory,
                {"program_year": program_year, "order": order, **dict(category)},
                source=source,
            )
    return program_year


def copy_program_year(actor: Any, source_year: ProgramYear, year: int) -> ProgramYear:
    """ "Copy from last year": a draft with the same targets, categories, budget and rules."""
    targets = {
        t.zone.code: (t.hubs, t.linked) for t in source_year.zone_targets.select_related("zone")
    }
    categories = [
        {
            "code": c.code,
            "name_ko": c.name_ko,
            "name_en": c.name_en,
            "description": c.description,
            "keywords": c.keywords,
        }
        for c in source_year.categories.all()
    ]
    return create_program_year(
        actor,
        year=year,
        budget_total_krw=source_year.budget_total_krw,
        zone_targets=targets,
        categories=categories,
        rules=source_year.rules,
        notes=_("%(year)s년에서 복사") % {"year": source_year.year},
    )


def approve_program_year(actor: Any, program_year: ProgramYear) -> ProgramYear:
    if program_year.status != ProgramYear.Status.DRAFT:
        raise ValidationError({"status": _("작성 중인 사업연도만 승인할 수 있습니다.")})
    with transaction.atomic():
        ensure_allowed(actor, program_year, "approve")
        return update_object(
            actor,
            program_year,
            {
                "status": ProgramYear.Status.APPROVED,
                "approved_at": clock.now(),
                "approved_by": actor,
            },
            check_action="approve",
            event=AuditEvent.APPROVED,
        )


def _designation_fields(
    program_year: ProgramYear,
    complex_: Complex,
    role: str,
    hub: Designation | None,
    cross_zone_reason: str,
) -> dict[str, Any]:
    zone = complex_.province.zone
    errors: dict[str, str] = {}
    if program_year.status == ProgramYear.Status.CLOSED:
        errors["program_year"] = _("종료된 사업연도의 지정은 바꿀 수 없습니다.")
    if role == Designation.Role.HUB and hub is not None:
        errors["hub"] = _("거점단지는 다른 거점단지를 둘 수 없습니다.")
    if role == Designation.Role.LINKED:
        if hub is None:
            errors["hub"] = _("연계단지는 거점단지를 지정해야 합니다.")
        elif hub.role != Designation.Role.HUB:
            errors["hub"] = _("선택한 단지는 거점단지가 아닙니다.")
        elif hub.program_year_id != program_year.pk:
            errors["hub"] = _("거점단지는 같은 사업연도의 지정이어야 합니다.")
    if role == Designation.Role.HUB and complex_.operating_firms < int(
        program_year.rule("hub_min_operating_firms") or 0
    ):
        errors["complex"] = _("거점단지는 가동업체가 %(n)s개 이상이어야 합니다.") % {
            "n": program_year.rule("hub_min_operating_firms")
        }
    is_cross_zone = bool(hub is not None and hub.zone_id != zone.pk)
    if is_cross_zone and not cross_zone_reason.strip():
        errors["cross_zone_reason"] = _("다른 권역의 거점단지와 연계하려면 사유가 필요합니다.")
    if errors:
        raise ValidationError(errors)
    return {
        "program_year": program_year,
        "complex": complex_,
        "role": role,
        "hub": hub,
        "zone": zone,
        "is_cross_zone": is_cross_zone,
        "cross_zone_reason": cross_zone_reason.strip() if is_cross_zone else "",
    }


def designate(
    actor: Any,
    *,
    program_year: ProgramYear,
    complex: Complex,
    role: str,
    hub: Designation | None = None,
    cross_zone_reason: str = "",
    reason: str = "",
    source: str = "web",
) -> Designation:
    """Create or change the designation of `complex` in `program_year`.

    After the year is approved every change needs a `reason`, which the audit log keeps.
    """
    if program_year.status == ProgramYear.Status.APPROVED and not reason.strip():
        raise ValidationError({"reason": _("승인된 사업연도의 지정을 바꾸려면 사유가 필요합니다.")})
    fields = _designation_fields(program_year, complex, role, hub, cross_zone_reason)
    with transaction.atomic():
        existing = (
            Designation.all_objects.select_for_update()
            .filter(program_year=program_year, complex=complex)
            .exclude(status=Designation.Status.PROPOSED)
            .first()
        )
        # A designation made by hand is in force at once: its author decided it.
        fields = {
            **fields,
            "status": Designation.Status.APPROVED,
            "approved_at": clock.now(),
            "approved_by": actor,
        }
        if existing is None:
            return create_object(
                actor,
                Designation,
                fields,
                source=source,
                reason=reason,
                event=AuditEvent.DESIGNATED,
            )
        demoting_a_hub = existing.role == Designation.Role.HUB and role != Designation.Role.HUB
        if demoting_a_hub and existing.linked_designations.exists():
            raise ValidationError(
                {"role": _("연계단지가 딸린 거점단지는 먼저 연계단지를 옮겨야 합니다.")}
            )
        return update_object(
            actor, existing, fields, source=source, reason=reason, event=AuditEvent.DESIGNATED
        )


def remove_designation(
    actor: Any, designation: Designation, *, reason: str = "", source: str = "web"
) -> None:
    program_year = designation.program_year
    if program_year.status == ProgramYear.Status.CLOSED:
        raise ValidationError({"program_year": _("종료된 사업연도의 지정은 바꿀 수 없습니다.")})
    if program_year.status == ProgramYear.Status.APPROVED and not reason.strip():
        raise ValidationError({"reason": _("승인된 사업연도의 지정을 바꾸려면 사유가 필요합니다.")})
    if designation.linked_designations.exists():
        raise ValidationError(
            {"role": _("연계단지가 딸린 거점단지는 먼저 연계단지를 옮겨야 합니다.")}
        )
    with transaction.atomic():
        ensure_allowed(actor, designation, "delete")
        entry = audit.entry_for(
            actor,
            designation,
            AuditAction.DELETE,
            audit.snapshot(designation),
            source=source,
            reason=reason,
            event=AuditEvent.UNDESIGNATED,
        )
        designation.delete()
        entry.save()


__all__ = [
    "NotAllowed",
    "accept_plan",
    "approve_plan",
    "approve_program_year",
    "copy_program_year",
    "create_program_year",
    "designate",
    "designation_rule_breaches",
    "plan_rule_breaches",
    "remove_designation",
    "run_plan",
    "start_plan",
]


# --------------------------------------------------------------------------- planner runs


def start_plan(actor: Any, program_year: ProgramYear, request: Any) -> PlanRun:
    """Record a planner run (queued); `run_plan` computes it, now or in a worker thread."""
    return create_object(
        actor,
        PlanRun,
        {"program_year": program_year, "parameters": request.as_dict(), "created_by": actor},
    )


def run_plan(plan_run: PlanRun, on_progress: Callable[[int, str], None] | None = None) -> PlanRun:
    """Compute a queued run, writing its progress as it goes; failures are kept, not raised."""
    from sandan.program.planner import PlanRequest, plan_designation

    def progress(percent: int, stage: str) -> None:
        PlanRun.objects.filter(pk=plan_run.pk).update(
            status=PlanRun.Status.RUNNING, progress=min(100, percent), stage=stage[:120]
        )
        if on_progress is not None:
            on_progress(percent, stage)

    PlanRun.objects.filter(pk=plan_run.pk).update(status=PlanRun.Status.RUNNING, progress=1)
    try:
        plan = plan_designation(PlanRequest.from_dict(plan_run.parameters), progress)
    except ValidationError as exc:
        messages = (
            [m for ms in exc.message_dict.values() for m in ms]
            if hasattr(exc, "error_dict")
            else exc.messages
        )
        PlanRun.objects.filter(pk=plan_run.pk).update(
            status=PlanRun.Status.FAILED, error=" ".join(messages), finished_at=clock.now()
        )
    else:
        PlanRun.objects.filter(pk=plan_run.pk).update(
            status=PlanRun.Status.DONE,
            progress=100,
            result=plan.as_dict(),
            objective=plan.objective,
            gap=plan.gap,
            proven_optimal=plan.proven_optimal,
            seconds=plan.seconds,
            finished_at=clock.now(),
        )
    plan_run.refresh_from_db()
    return plan_run


def designation_rule_breaches(
    program_year: ProgramYear, rows: Iterable[tuple[str, str, Any, Any]]
) -> list[str]:
    """What a set of designations (zone code, role, own key, hub key) breaks of the year's
    rules: a zone off its hub or linked target, a hub without a linked complex."""
    from sandan.program.planner import zone_names

    rows = list(rows)
    names = zone_names()
    breaches: list[str] = []
    if program_year.rule("designations_meet_zone_targets"):
        counts: dict[tuple[str, str], int] = {}
        for zone, role, _key, _hub in rows:
            counts[zone, role] = counts.get((zone, role), 0) + 1
        targets = {
            t.zone.code: (t.hubs, t.linked)
            for t in program_year.zone_targets.select_related("zone")
        }
        for zone in sorted(set(targets) | {zone for zone, *_rest in rows}):
            hubs, linked = targets.get(zone, (0, 0))
            have_hubs = counts.get((zone, Designation.Role.HUB), 0)
            have_linked = counts.get((zone, Designation.Role.LINKED), 0)
            if (have_hubs, have_linked) != (hubs, linked):
                breaches.append(
                    _(
                        "%(zone)s: 거점단지 %(h)d곳·연계단지 %(l)d곳으로 목표"
                        "(거점단지 %(th)d곳·연계단지 %(tl)d곳)와 다릅니다."
                    )
                    % {
                        "zone": names.get(zone, zone),
                        "h": have_hubs,
                        "l": have_linked,
                        "th": hubs,
                        "tl": linked,
                    }
                )
    if program_year.rule("hub_requires_linked"):
        served = {hub for _zone, role, _key, hub in rows if role == Designation.Role.LINKED}
        lonely = [
            key
            for _zone, role, key, _hub in rows
            if role == Designation.Role.HUB and key not in served
        ]
        if lonely:
            breaches.append(_("연계단지가 없는 거점단지가 %(n)d곳 있습니다.") % {"n": len(lonely)})
    return breaches


def plan_rule_breaches(plan_run: PlanRun) -> list[str]:
    result = plan_run.result or {}
    rows = [(h["zone"], Designation.Role.HUB, h["kicox_id"], None) for h in result.get("hubs", [])]
    rows += [
        (row["zone"], Designation.Role.LINKED, row["kicox_id"], row["hub"])
        for row in result.get("linked", [])
    ]
    return designation_rule_breaches(plan_run.program_year, rows)


def accept_plan(actor: Any, plan_run: PlanRun, *, reason: str = "") -> int:
    """Put a computed plan forward: PROPOSED designations of its hubs and linked complexes
    (all or nothing). The designations in force do not change until `approve_plan`; a plan
    put forward earlier for the same year is withdrawn (its proposed rows go)."""
    if plan_run.status != PlanRun.Status.DONE:
        raise ValidationError({"status": _("계산이 끝난 지정안만 제안할 수 있습니다.")})
    program_year = plan_run.program_year
    if program_year.status == ProgramYear.Status.CLOSED:
        raise ValidationError({"program_year": _("종료된 사업연도의 지정은 바꿀 수 없습니다.")})
    result = plan_run.result
    complexes = {
        c.kicox_id: c
        for c in Complex.objects.select_related("province__zone").filter(
            kicox_id__in=[row["kicox_id"] for row in (*result["hubs"], *result["linked"])]
        )
    }
    with transaction.atomic():
        _withdraw_proposals(actor, program_year, keep=plan_run)
        hubs: dict[str, Designation] = {}
        for row in result["hubs"]:
            complex_ = complexes[row["kicox_id"]]
            hubs[row["kicox_id"]] = create_object(
                actor,
                Designation,
                {
                    **_designation_fields(program_year, complex_, Designation.Role.HUB, None, ""),
                    "status": Designation.Status.PROPOSED,
                    "plan": plan_run,
                },
                source="planner",
                reason=reason,
            )
        for row in result["linked"]:
            hub = hubs[row["hub"]]
            complex_ = complexes[row["kicox_id"]]
            cross = (
                _("지정안 #%(id)s (권역 외 연계 허용)") % {"id": plan_run.pk}
                if row["zone"] != hub.zone.code
                else ""
            )
            create_object(
                actor,
                Designation,
                {
                    **_designation_fields(
                        program_year, complex_, Designation.Role.LINKED, hub, cross
                    ),
                    "status": Designation.Status.PROPOSED,
                    "plan": plan_run,
                },
                source="planner",
                reason=reason,
            )
        update_object(
            actor,
            plan_run,
            {"status": PlanRun.Status.ACCEPTED},
            source="planner",
            event=AuditEvent.PLAN_ACCEPTED,
        )
    plan_run.status = PlanRun.Status.ACCEPTED
    return len(result["hubs"]) + len(result["linked"])


def _withdraw_proposals(actor: Any, program_year: ProgramYear, keep: PlanRun) -> None:
    proposed = Designation.all_objects.filter(
        program_year=program_year, status=Designation.Status.PROPOSED
    )
    for plan in PlanRun.objects.filter(
        program_year=program_year, status=PlanRun.Status.ACCEPTED
    ).exclude(pk=keep.pk):
        update_object(actor, plan, {"status": PlanRun.Status.DONE}, source="planner")
    # Linked rows first: they point at the proposed hubs.
    for row in proposed.order_by("-role"):
        audit.record(actor, row, AuditAction.DELETE, audit.snapshot(row), source="planner")
        row.delete()


def approve_plan(
    actor: Any, plan_run: PlanRun, *, reason: str = "", override_reason: str = ""
) -> dict[str, int]:
    """Put a proposed plan in force, in one transaction: its designations become APPROVED
    (with who and when), the year's designations it leaves out are RETIRED.

    The year's rules (zone targets met exactly, every hub with a linked complex) hold unless
    `override_reason` says why not; it is kept on the plan and in the audit log.
    Returns how many designations were added, kept, changed and retired.
    """
    plan_run.refresh_from_db()
    if plan_run.status != PlanRun.Status.ACCEPTED:
        raise ValidationError({"status": _("제안된 지정안만 승인할 수 있습니다.")})
    program_year = plan_run.program_year
    if program_year.status == ProgramYear.Status.CLOSED:
        raise ValidationError({"program_year": _("종료된 사업연도의 지정은 바꿀 수 없습니다.")})
    breaches = plan_rule_breaches(plan_run)
    override_reason = override_reason.strip()
    if breaches and not override_reason:
        raise ValidationError(
            {
                "override_reason": _(
                    "이 지정안은 사업연도 규칙에 맞지 않습니다: %(list)s "
                    "그래도 승인하려면 사유를 적으세요."
                )
                % {"list": " ".join(breaches)}
            }
        )
    now = clock.now()
    why = " / ".join(part for part in (reason.strip(), override_reason) if part)
    counts = {"added": 0, "kept": 0, "changed": 0, "retired": 0}
    with transaction.atomic():
        ensure_allowed(actor, plan_run.program_year, "view")
        proposed = list(
            Designation.all_objects.select_for_update()
            .filter(plan=plan_run, status=Designation.Status.PROPOSED)
            .select_related("complex", "zone")
        )
        standing = {
            row.complex_id: row
            for row in Designation.all_objects.select_for_update().filter(
                program_year=program_year,
                status__in=[Designation.Status.APPROVED, Designation.Status.RETIRED],
            )
        }
        final: dict[int, Designation] = {}  # proposed row id → the row in force
        merged: list[Designation] = []
        approval = {
            "status": Designation.Status.APPROVED,
            "approved_at": now,
            "approved_by": actor,
            "plan": plan_run,
        }
        for row in sorted(proposed, key=lambda r: r.role != Designation.Role.HUB):
            hub = final[row.hub_id] if row.hub_id else None
            fields = {
                **approval,
                "role": row.role,
                "hub": hub,
                "is_cross_zone": row.is_cross_zone,
                "cross_zone_reason": row.cross_zone_reason,
            }
            before = standing.pop(row.complex_id, None)
            if before is None:
                counts["added"] += 1
                final[row.pk] = update_object(
                    actor,
                    row,
                    fields,
                    source="planner",
                    reason=why,
                    check_action="approve",
                    event=AuditEvent.DESIGNATED,
                )
                continue
            unchanged = (
                before.status == Designation.Status.APPROVED
                and before.role == row.role
                and before.hub_id == (hub.pk if hub else None)
            )
            counts["kept" if unchanged else "changed"] += 1
            final[row.pk] = update_object(
                actor,
                before,
                fields,
                source="planner",
                reason=why,
                check_action="approve",
                event=AuditEvent.DESIGNATED,
            )
            merged.append(row)
        for row in sorted(merged, key=lambda r: r.role == Designation.Role.HUB):
            # The standing row took over; the proposal has served its purpose.
            audit.record(actor, row, AuditAction.DELETE, audit.snapshot(row), source="planner")
            row.delete()
        for row in standing.values():
            if row.status == Designation.Status.APPROVED:
                counts["retired"] += 1
                update_object(
                    actor,
                    row,
                    {"status": Designation.Status.RETIRED},
                    source="planner",
                    reason=why or _("지정안 #%(id)s 승인") % {"id": plan_run.pk},
                    check_action="approve",
                    event=AuditEvent.UNDESIGNATED,
                )
        update_object(
            actor,
            plan_run,
            {
                "status": PlanRun.Status.APPROVED,
                "approved_at": now,
                "approved_by": actor,
                "override_reason": override_reason if breaches else "",
            },
            source="planner",
            reason=why,
            check_action="view",
            event=AuditEvent.APPROVED,
        )
    return counts
