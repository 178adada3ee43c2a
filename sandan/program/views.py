"""Program pages: program years, designations per zone, the planner and its runs."""

from __future__ import annotations

import datetime as dt
import threading
from collections import defaultdict
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import connections, transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from sandan.core.forms import FAILED, run_action, run_service
from sandan.core.i18n import local_name
from sandan.core.querysets import allows
from sandan.core.shortcuts import get_visible_or_404
from sandan.program import selectors, services, views_year
from sandan.program.forms import CopyYearForm, DesignationForm, PlanForm
from sandan.program.models import Designation, PlanRun, ProgramYear
from sandan.program.planner import PlanRequest
from sandan.registry import geo
from sandan.registry.models import Industry, Zone
from sandan.registry.selectors import OrgHistory

ERA_BEFORE_2010 = range(2005, 2010)


@login_required
def year_list(request: HttpRequest) -> HttpResponse:
    years = selectors.program_years(request.user).order_by("-year")
    return render(request, "program/year_list.html", {"years": years})


@login_required
def year_detail(request: HttpRequest, year: int) -> HttpResponse:
    program_year = get_visible_or_404(
        ProgramYear.objects.all(), request.user, _("사업연도를 찾을 수 없습니다."), year=year
    )
    user = request.user
    context = {
        "program_year": program_year,
        "progress": selectors.zone_progress(user, program_year),
        "categories": program_year.categories.all(),
        "rules": program_year.described_rules(),
        "copy_form": CopyYearForm(initial={"year": program_year.year + 1}),
        "may_copy": allows(user, ProgramYear, "add"),
        "may_approve": program_year.status == ProgramYear.Status.DRAFT
        and ProgramYear.objects.restrict(user, "approve").filter(pk=program_year.pk).exists(),
        "may_plan": allows(user, PlanRun, "add"),
        "plans": selectors.plan_runs(user, program_year)[:10],
        "milestones": program_year.milestones.all(),
        "may_edit": views_year.may_edit(user, program_year),
    }
    return render(request, "program/year_detail.html", context)


@login_required
@require_POST
def year_copy(request: HttpRequest, year: int) -> HttpResponse:
    program_year = get_visible_or_404(
        ProgramYear.objects.all(), request.user, _("사업연도를 찾을 수 없습니다."), year=year
    )
    form = CopyYearForm(request.POST)
    if form.is_valid():
        new_year = run_service(
            form,
            lambda: services.copy_program_year(
                request.user, program_year, form.cleaned_data["year"]
            ),
        )
        if new_year is not FAILED:
            messages.success(
                request, _("%(year)s년 사업연도를 만들었습니다.") % {"year": new_year.year}
            )
            return redirect("program:year_detail", year=new_year.year)
    messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
    return redirect("program:year_detail", year=year)


@login_required
@require_POST
def year_approve(request: HttpRequest, year: int) -> HttpResponse:
    program_year = get_visible_or_404(
        ProgramYear.objects.all(), request.user, _("사업연도를 찾을 수 없습니다."), year=year
    )
    approved = run_action(
        request, lambda: services.approve_program_year(request.user, program_year)
    )
    if approved is not FAILED:
        messages.success(request, _("사업연도를 승인했습니다."))
    return redirect("program:year_detail", year=year)


# What the overview shows of a designation: its complex (name, where it is drawn), zone, role.
OVERVIEW_FIELDS = (
    "id",
    "program_year",
    "role",
    "hub",
    "is_cross_zone",
    "cross_zone_reason",
    "complex__kicox_id",
    "complex__name_ko",
    "complex__office",
    "complex__province__code",
    "complex__municipality__code",
    "zone__code",
    "zone__name_ko",
    "zone__name_en",
    "zone__order",
)


@login_required
def designation_overview(request: HttpRequest, year: int) -> HttpResponse:
    """Per zone, each hub with its linked complexes; the 2005–2009 target complexes beside."""
    user = request.user
    program_year = get_visible_or_404(
        ProgramYear.objects.all(), user, _("사업연도를 찾을 수 없습니다."), year=year
    )
    rows = list(
        selectors.designations(user, selectors.DesignationFilter(year=year))
        .select_related(None)
        .select_related("complex__province", "complex__municipality", "zone")
        .only(*OVERVIEW_FIELDS)
    )
    linked_of: dict[int, list[Designation]] = defaultdict(list)
    for row in rows:
        if row.role == Designation.Role.LINKED and row.hub_id:
            linked_of[row.hub_id].append(row)
    zones: dict[int, dict[str, Any]] = {}
    # Each hub under the KICOX offices of that year (2007: 경인지역본부, 2010: 수도권본부).
    offices, as_of = OrgHistory.load(), dt.date(program_year.year, 1, 1)
    for row in rows:
        if row.role != Designation.Role.HUB:
            continue
        zone = zones.setdefault(row.zone_id, {"zone": row.zone, "hubs": []})
        chain = offices.chain(row.complex.office_id, as_of)
        zone["hubs"].append(
            {
                "designation": row,
                "linked": linked_of.get(row.pk, []),
                "office": " · ".join(local_name(o) for o in chain if o.kind != "hq"),
            }
        )
    earlier = (
        selectors.designations(user)
        .filter(program_year__year__in=list(ERA_BEFORE_2010), role=Designation.Role.HUB)
        .values_list("complex_id", "complex__kicox_id", "complex__name_ko", "program_year__year")
    )
    first_year: dict[int, tuple[dict[str, Any], int]] = {}
    for complex_id, kicox_id, name_ko, since in earlier:
        first_year.setdefault(complex_id, ({"kicox_id": kicox_id, "name_ko": name_ko}, since))
    current = {row.complex_id: row for row in rows}
    history = [
        {"complex": c, "since": since, "now": current.get(complex_id)}
        for complex_id, (c, since) in sorted(
            first_year.items(), key=lambda item: (item[1][1], item[1][0]["name_ko"])
        )
    ]
    context = {
        "program_year": program_year,
        "zones": sorted(zones.values(), key=lambda z: z["zone"].order),
        "progress": selectors.zone_progress(user, program_year),
        "history": history,
        "may_designate": allows(user, Designation, "add"),
        "map": _designation_map(rows),
        # A plan put forward and waiting for approval changes these designations.
        "pending": selectors.plan_runs(user, program_year)
        .filter(status=PlanRun.Status.ACCEPTED)
        .first(),
    }
    return render(request, "program/designations.html", context)


def _designation_map(rows: list[Designation]) -> dict[str, Any] | None:
    """The year's hubs and their linked complexes on the province map."""
    return geo.hub_map(
        geo.MapSite(
            key=row.pk,
            where=geo.complex_location(row.complex),
            label=f"{row.complex.name_ko} ({row.get_role_display()})",
            zone=row.zone.code,
            is_hub=row.role == Designation.Role.HUB,
            hub=row.hub_id,
        )
        for row in rows
    )


@login_required
def designation_edit(request: HttpRequest, year: int) -> HttpResponse:
    program_year = get_visible_or_404(
        ProgramYear.objects.all(), request.user, _("사업연도를 찾을 수 없습니다."), year=year
    )
    if not allows(request.user, Designation, "add"):
        raise PermissionDenied(_("지정을 바꿀 권한이 없습니다."))
    form = DesignationForm(
        request.POST or None,
        program_year=program_year,
        initial={"complex": request.GET.get("complex", "")},
    )
    status = 200
    if request.method == "POST":
        if form.is_valid():
            designated = run_service(
                form,
                lambda: services.designate(
                    request.user,
                    program_year=program_year,
                    complex=form.cleaned_data["complex"],
                    role=form.cleaned_data["role"],
                    hub=form.cleaned_data["hub"],
                    cross_zone_reason=form.cleaned_data["cross_zone_reason"],
                    reason=form.cleaned_data["reason"],
                ),
            )
            if designated is not FAILED:
                messages.success(request, _("지정을 저장했습니다."))
                return redirect("program:designations", year=year)
        status = 400
    return render(
        request,
        "program/designation_form.html",
        {"form": form, "program_year": program_year},
        status=status,
    )


@login_required
def planner(request: HttpRequest, year: int) -> HttpResponse:
    program_year = get_visible_or_404(
        ProgramYear.objects.all(), request.user, _("사업연도를 찾을 수 없습니다."), year=year
    )
    if not allows(request.user, PlanRun, "add"):
        raise PermissionDenied(_("지정안을 계산할 권한이 없습니다."))
    form = PlanForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        plan_request = PlanRequest(
            year=program_year.year,
            hubs=data["hubs"],
            geo_weight=data["geo_weight"],
            industry_weight=data["industry_weight"],
            geo_scale_km=data["geo_scale_km"],
            min_hub_operating_firms=data["min_hub_operating_firms"],
            min_operating_firms=data["min_operating_firms"],
            kinds=tuple(data["kinds"]),
            pinned=data["pinned"],
            excluded=data["excluded"],
            allow_cross_zone=data["allow_cross_zone"],
            time_limit=data["time_limit"],
        )
        plan_run = services.start_plan(request.user, program_year, plan_request)
        _launch(plan_run)
        return redirect("program:plan_detail", pk=plan_run.pk)
    return render(
        request,
        "program/planner.html",
        {"form": form, "program_year": program_year},
        status=400 if form.errors else 200,
    )


def _launch(plan_run: PlanRun) -> None:
    """Compute in a worker thread once the run is committed (inline when configured)."""
    if getattr(settings, "SANDAN_RUN_JOBS_INLINE", False):
        services.run_plan(plan_run)
        return

    def work() -> None:
        try:
            services.run_plan(plan_run)
        finally:
            # This thread's own connections: with persistent connections (CONN_MAX_AGE)
            # close_old_connections() would keep them open after the thread ends.
            connections.close_all()

    transaction.on_commit(lambda: threading.Thread(target=work, daemon=True).start())


def _plan_map(changes: list[selectors.Change]) -> dict[str, Any] | None:
    """The plan on the province map: hubs and their links, each dot marked by what it
    changes; complexes that lose their designation as hollow dots."""
    sites = []
    for change in changes:
        after = change.after_role
        sites.append(
            geo.MapSite(
                key=change.kicox_id,
                where=change.where,
                label=f"{change.name_ko}: {change.kind_label} ({change.after_label})",
                zone=change.zone,
                is_hub=after == Designation.Role.HUB,
                hub=change.after_hub_code,
                mark=change.kind,
            )
        )
    return geo.hub_map(sites)


@login_required
def plan_detail(request: HttpRequest, pk: int) -> HttpResponse:
    plan_run = get_visible_or_404(
        PlanRun.objects.select_related("program_year", "created_by", "approved_by"),
        request.user,
        _("지정안을 찾을 수 없습니다."),
        pk=pk,
    )
    if request.headers.get("HX-Request"):
        response = render(request, "program/includes/plan_status.html", {"plan": plan_run})
        if plan_run.status not in (PlanRun.Status.QUEUED, PlanRun.Status.RUNNING):
            # The poll that sees the run end reloads the page, which then shows the result.
            response["HX-Refresh"] = "true"
        return response
    result = plan_run.result or {}
    linked_by_hub: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in result.get("linked", []):
        linked_by_hub[row["hub"]].append(row)
    # The result keeps codes (stable, language-free); the page shows names.
    zones = {zone.code: local_name(zone) for zone in Zone.objects.all()}
    codes = {code for hub in result.get("hubs", []) for code, _share in hub.get("industry_mix", [])}
    industries = {
        industry.code: local_name(industry) for industry in Industry.objects.filter(code__in=codes)
    }
    hubs = [
        {
            **hub,
            "zone_name": zones.get(hub["zone"], hub["zone"]),
            "industry_mix": [
                (code, industries.get(code, ""), share) for code, share in hub["industry_mix"]
            ],
            "linked": [
                # How alike the two industry mixes are, as people say it: a share in percent.
                {**row, "similarity": round(100 * (1 - row["industry_distance"]))}
                for row in linked_by_hub.get(hub["kicox_id"], [])
            ],
        }
        for hub in result.get("hubs", [])
    ]
    # Against the year's own targets (a plan may have been asked for other counts).
    targets = {
        t.zone.code: (t.hubs, t.linked)
        for t in plan_run.program_year.zone_targets.select_related("zone")
    }
    zone_rows = []
    for row in result.get("zones", []):
        hub_target, linked_target = targets.get(row["zone"], (0, 0))
        if not (hub_target or linked_target or row.get("hubs") or row.get("linked")):
            continue
        zone_rows.append(
            {
                **row,
                "zone_name": zones.get(row["zone"], row["zone"]),
                "hub_names": [h["name_ko"] for h in hubs if h["zone"] == row["zone"]],
                "hub_target": hub_target,
                "linked_target": linked_target,
                "meets": (row.get("hubs"), row.get("linked")) == (hub_target, linked_target),
            }
        )
    computed = plan_run.status in (
        PlanRun.Status.DONE,
        PlanRun.Status.ACCEPTED,
        PlanRun.Status.APPROVED,
    )
    changes = selectors.plan_changes(plan_run) if computed else []
    tally = {kind: sum(1 for c in changes if c.kind == kind) for kind in selectors.CHANGE_ORDER}
    user = request.user
    context = {
        "plan": plan_run,
        "computed": computed,
        "zones": zone_rows,
        "hubs": hubs,
        "linked_total": len(result.get("linked", [])),
        "firms_total": sum(row.get("firms", 0) for row in result.get("zones", [])),
        "min_hub": (result.get("solver") or {}).get("min_hub_operating_firms"),
        "changes": [c for c in changes if c.kind != "kept"],
        "kept": [c for c in changes if c.kind == "kept"],
        "tally": tally,
        "map": _plan_map(changes) if changes else None,
        "breaches": services.plan_rule_breaches(plan_run) if computed else [],
        "may_accept": plan_run.status == PlanRun.Status.DONE and allows(user, Designation, "add"),
        "may_approve": plan_run.status == PlanRun.Status.ACCEPTED
        and allows(user, Designation, "approve"),
    }
    return render(request, "program/plan_detail.html", context)


@login_required
@require_POST
def plan_accept(request: HttpRequest, pk: int) -> HttpResponse:
    plan_run = get_visible_or_404(
        PlanRun.objects.select_related("program_year", "created_by"),
        request.user,
        _("지정안을 찾을 수 없습니다."),
        pk=pk,
    )
    if not allows(request.user, Designation, "add"):
        raise PermissionDenied(_("지정을 바꿀 권한이 없습니다."))
    reason = request.POST.get("reason", "")
    count = run_action(request, lambda: services.accept_plan(request.user, plan_run, reason=reason))
    if count is not FAILED:
        messages.success(
            request,
            _("지정안을 제안했습니다(%(n)d곳). 승인되면 지정이 바뀝니다.") % {"n": count},
        )
    return redirect("program:plan_detail", pk=pk)


@login_required
@require_POST
def plan_approve(request: HttpRequest, pk: int) -> HttpResponse:
    plan_run = get_visible_or_404(
        PlanRun.objects.select_related("program_year", "created_by"),
        request.user,
        _("지정안을 찾을 수 없습니다."),
        pk=pk,
    )
    if not allows(request.user, Designation, "approve"):
        raise PermissionDenied(_("지정안을 승인할 권한이 없습니다."))
    counts = run_action(
        request,
        lambda: services.approve_plan(
            request.user,
            plan_run,
            reason=request.POST.get("reason", ""),
            override_reason=request.POST.get("override_reason", ""),
        ),
    )
    if counts is FAILED:
        return redirect("program:plan_detail", pk=pk)
    messages.success(
        request,
        _(
            "지정안을 승인했습니다: 새로 지정 %(added)d곳, 변경 %(changed)d곳, "
            "유지 %(kept)d곳, 해제 %(retired)d곳."
        )
        % counts,
    )
    return redirect("program:designations", year=plan_run.program_year.year)


@login_required
def planner_current(request: HttpRequest) -> HttpResponse:
    """The menu's "지정 계획": the planner of the newest program year (the one being
    planned), or the list of years when there is none yet."""
    if not allows(request.user, PlanRun, "add"):
        raise PermissionDenied(_("지정안을 계산할 권한이 없습니다."))
    newest = (
        ProgramYear.objects.restrict(request.user, "view")
        .order_by("-year")
        .values_list("year", flat=True)
        .first()
    )
    if newest is None:
        return redirect("program:year_list")
    return redirect("program:planner", year=newest)
