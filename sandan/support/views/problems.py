"""Problem pages: the list (filtered by `selectors.ProblemFilter`, as the API is), the
problem page (triage, the suggested experts, attachments, the projects made from it) and its
reject/close buttons. Intake and the bulk import are in `intake`, expert assignments and
referrals in `problem_parts`, the activity's problems and the expert's cases in `cases`.

Every row comes from `.restrict(request.user, action)` or a selector that uses it: a page of
a row outside the user's scope is a 404, a write outside it a 403 (and nothing changes).
Writes go through `sandan.support.services`; their ValidationErrors become field errors.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from sandan.accounts.roles import Role, grants_for
from sandan.core import clock
from sandan.core.forms import FAILED, run_service
from sandan.core.i18n import local_name, local_value, name_fields, pick_name
from sandan.core.models import AuditEntry
from sandan.core.pagination import paginate
from sandan.core.querysets import allows
from sandan.core.shortcuts import may
from sandan.registry.models import Expert, Organisation
from sandan.support import selectors, services
from sandan.support.forms.problems import (
    AttachmentForm,
    EndAssignmentForm,
    ProblemFilterForm,
    ReasonForm,
    ReferralForm,
    ReferralUpdateForm,
    TriageForm,
)
from sandan.support.models import (
    ExpertAssignment,
    MentoringNote,
    Problem,
    ProblemAttachment,
    Project,
    Referral,
    TriageDecision,
)
from sandan.support.views.common import (
    contact_visible,
    own_organisations,
    problem_or_404,
    problem_to_change,
    to_problem,
)

PROBLEMS_PER_PAGE = 50
CASES_PER_PAGE = 50
SUGGESTED_EXPERTS = 10
ACTIVITY_PROBLEMS_ON_PAGE = 200
OPEN_STATES = (Problem.Status.SUBMITTED, Problem.Status.TRIAGED, Problem.Status.MATCHED)
ASSIGNABLE_STATES = (Problem.Status.TRIAGED, Problem.Status.MATCHED, Problem.Status.IN_PROJECT)
FINAL_STATES = (Problem.Status.CLOSED, Problem.Status.REJECTED)


# List -------------------------------------------------------------------------------


def problems_for(user: Any, form: ProblemFilterForm) -> QuerySet[Problem]:
    """The problems a user may see, filtered as the form says, newest first."""
    return selectors.filter_problems(user, form.filters()).select_related(
        "organisation", "hub__complex", "category", "suggested_category"
    )


# The columns a list row shows: read as plain values (no model instances, and not the long
# texts), so a page of 50 renders fast at national scale.
LIST_COLUMNS = (
    "pk",
    "title",
    "submitted_at",
    "resolved_at",
    "closed_at",
    "program_year__ends_on",
    "status",
    "urgency",
    "organisation__name_ko",
    "hub__complex__name_ko",
    *name_fields("category__"),
    *name_fields("suggested_category__"),
)
STATUS_BADGES = {
    Problem.Status.SUBMITTED: "bg-light-warning",
    Problem.Status.REJECTED: "bg-light-danger",
    Problem.Status.CLOSED: "bg-light-gray",
    Problem.Status.REFERRED: "bg-light-secondary",
}


def _list_rows(user: Any, values: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """What each row of the list shows, computed once here rather than in the template."""
    overdue = set(
        selectors.overdue_problems(user)
        .filter(pk__in=[v["pk"] for v in values])
        .values_list("pk", flat=True)
    )
    now = clock.now()
    detail_prefix = reverse("support:problem_detail", args=[0])[: -len("0/")]
    statuses = dict(Problem.Status.choices)
    urgencies = dict(Problem.Urgency.choices)
    rows = []
    for v in values:
        # Open work of a year whose period is over waited until the year's end, not today.
        end = (
            v["closed_at"]
            or v["resolved_at"]
            or min(now, clock.day_end(v["program_year__ends_on"]))
        )
        year_ended = clock.day_end(v["program_year__ends_on"]) <= now
        rows.append(
            {
                "url": f"{detail_prefix}{v['pk']}/",
                "date": timezone.localtime(v["submitted_at"]).strftime("%Y.%m.%d"),
                "title": v["title"],
                "firm": v["organisation__name_ko"],
                "hub": v["hub__complex__name_ko"] or "–",
                "category": local_value(v, "category__"),
                "suggested": local_value(v, "suggested_category__"),
                "urgency": urgencies.get(v["urgency"], v["urgency"]),
                "pressing": v["urgency"] in (Problem.Urgency.HIGH, Problem.Urgency.URGENT),
                "status": statuses.get(v["status"], v["status"]),
                "badge": STATUS_BADGES.get(v["status"], "bg-light-primary"),
                "waiting": f"{max(0, (end - v['submitted_at']).days):,}",
                "overdue": v["pk"] in overdue,
                "unresolved_at_year_end": year_ended and v["pk"] in overdue,
            }
        )
    return rows


@login_required
def problem_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    form = ProblemFilterForm(request.GET or None, user=user)
    if not allows(user, TriageDecision, "view"):
        # A firm or an expert sees a handful of its own problems: no zone or hub to pick.
        for name in ("zone", "hub"):
            del form.fields[name]
    # The count runs on the filtered rows alone; the page reads only the columns it shows.
    queryset = problems_for(user, form).select_related(None)
    context: dict[str, Any] = paginate(request, queryset, PROBLEMS_PER_PAGE)
    values = list(context["page"].object_list.values(*LIST_COLUMNS))
    context.update(
        {
            "form": form,
            "rows": _list_rows(user, values),
            "may_add": allows(user, Problem, "add"),
            "may_import": allows(user, Problem, "change"),
            "is_expert": Role.EXPERT in {g.role for g in grants_for(user)},
        }
    )
    return render(request, "support/problem_list.html", context)


# Detail -----------------------------------------------------------------------------


def _timeline(problem: Problem) -> list[dict[str, Any]]:
    stamps = [
        (_("접수"), problem.submitted_at),
        (_("분야 분류"), problem.triaged_at),
        (_("전문가 배정"), problem.matched_at),
        (_("과제 착수"), problem.project_started_at),
        (_("지원 완료"), problem.resolved_at),
        (
            _("반려") if problem.status == Problem.Status.REJECTED else _("종결"),
            problem.closed_at,
        ),
    ]
    steps: list[dict[str, Any]] = []
    for label, when in stamps:
        days = None
        if when is not None:
            days = max(0, (when - problem.submitted_at).days)
        steps.append({"label": label, "at": when, "days": days})
    return steps


def _expert_rows(user: Any, problem: Problem, k: int = SUGGESTED_EXPERTS) -> list[dict[str, Any]]:
    """The ranked experts with their current load (open assignments across the country, as
    the matcher counts them) and whether the user may see their contact data."""
    suggestions = services.suggest_experts(problem, k=k)
    ids = [s.expert.pk for s in suggestions]
    loads = dict(
        ExpertAssignment.objects.filter(expert_id__in=ids, status=ExpertAssignment.Status.ACTIVE)
        .values("expert_id")
        .annotate(n=Count("id"))
        .values_list("expert_id", "n")
    )
    visible = contact_visible(user, Expert, ids)
    return [
        {
            "suggestion": s,
            "expert": s.expert,
            "score": s.score,
            "load": loads.get(s.expert.pk, 0),
            "contact_visible": s.expert.pk in visible,
        }
        for s in suggestions
    ]


def _margin_pct(problem: Problem, ranking: list[dict[str, Any]]) -> int | None:
    """How many percentage points the suggested category leads the runner-up by: stored at
    intake, else read from the engine's current ranking (when the page computed it)."""
    if problem.suggested_category_id is None:
        return None
    if problem.suggestion_margin is not None:
        return round(problem.suggestion_margin * 100)
    if len(ranking) >= 2:
        return max(0, round((float(ranking[0]["p"]) - float(ranking[1]["p"])) * 100))
    return None


def _detail_context(
    request: HttpRequest, problem: Problem, bound: dict[str, Any] | None = None
) -> dict[str, Any]:
    user = request.user
    bound = bound or {}
    status = problem.status
    may_change = may(user, Problem, "change", problem.pk)
    allowed_next = Problem.TRANSITIONS.get(status, ())
    assignments = list(
        ExpertAssignment.objects.restrict(user, "view")
        .filter(problem=problem)
        .select_related("expert__affiliation", "assigned_by")
        .order_by("assigned_at", "id")
    )
    notes: dict[int, list[MentoringNote]] = {}
    for note in (
        MentoringNote.objects.restrict(user, "view")
        .filter(assignment__problem=problem)
        .select_related("author")
        .order_by("date", "id")
    ):
        notes.setdefault(note.assignment_id, []).append(note)
    visible_experts = contact_visible(user, Expert, [a.expert_id for a in assignments])
    for assignment in assignments:
        assignment.note_list = notes.get(assignment.pk, [])  # type: ignore[attr-defined]
        assignment.contact_visible = assignment.expert_id in visible_experts  # type: ignore[attr-defined]
    referrals = list(
        Referral.objects.restrict(user, "view")
        .filter(problem=problem)
        .select_related("agency", "referred_by")
    )
    open_referral = any(
        r.status in (Referral.Status.SENT, Referral.Status.ACCEPTED) for r in referrals
    )
    may_triage = may_change and status in OPEN_STATES
    may_assign = may_change and status in ASSIGNABLE_STATES
    show_experts = may_change and status in (*OPEN_STATES, Problem.Status.IN_PROJECT)
    experts = _expert_rows(user, problem) if show_experts else []
    may_add_attachment = (
        status not in FINAL_STATES
        and allows(user, ProblemAttachment, "add")
        and (may_change or problem.organisation_id in own_organisations(user))
    )
    firm_visible = bool(contact_visible(user, Organisation, [problem.organisation_id]))
    ranking: list[dict[str, Any]] = []
    if may_triage:
        # The engine's current view of every category (it learns from confirmed decisions,
        # so it may differ from the suggestion stored at intake).
        current = services.suggest_category(problem)
        if current is not None:
            names = {
                code: pick_name(name_ko, name_en)
                for code, name_ko, name_en in problem.program_year.categories.values_list(
                    "code", "name_ko", "name_en"
                )
            }
            ranking = [
                {"name": names.get(code, code), "p": p, "pct": round(p * 100)}
                for code, p in current.ranking
            ]
    agencies = Organisation.objects.restrict(user, "view").filter(kind=Organisation.Kind.AGENCY)
    return {
        "problem": problem,
        "firm": problem.organisation,
        "firm_contact_visible": firm_visible,
        "timeline": _timeline(problem),
        "evidence": [str(word) for word in problem.suggestion_evidence or []],
        "confidence_pct": round(problem.suggestion_confidence * 100)
        if problem.suggestion_confidence is not None
        else None,
        "margin_pct": _margin_pct(problem, ranking),
        "attachments": list(
            ProblemAttachment.objects.restrict(user, "view").filter(problem=problem)
        ),
        "decisions": list(
            TriageDecision.objects.restrict(user, "view")
            .filter(problem=problem)
            .select_related("suggested", "chosen", "decided_by")
        ),
        "assignments": assignments,
        "referrals": referrals,
        "projects": list(
            Project.objects.restrict(user, "view")
            .filter(problems=problem)
            .select_related("category")
            .order_by("created_at", "id")
        ),
        "experts": experts,
        "show_experts": show_experts,
        "ranking": ranking,
        "may_change": may_change,
        "may_triage": may_triage,
        "may_assign": may_assign and bool(experts),
        "may_end_assignment": may_change and allows(user, ExpertAssignment, "change"),
        "may_refer": may_change
        and Problem.Status.REFERRED in allowed_next
        and not open_referral
        and allows(user, Referral, "add"),
        "may_update_referral": may_change and allows(user, Referral, "change"),
        "may_reject": may_change and Problem.Status.REJECTED in allowed_next,
        "may_close": may_change
        and Problem.Status.CLOSED in allowed_next
        and status != Problem.Status.REFERRED,
        "may_create_project": may_change
        and status in ASSIGNABLE_STATES
        and allows(user, Project, "add"),
        "may_add_attachment": may_add_attachment,
        "may_read_history": allows(user, AuditEntry, "view") or may_change,
        "triage_form": bound.get("triage") or TriageForm(problem=problem),
        "referral_form": bound.get("refer") or ReferralForm(agencies=agencies),
        "reject_form": bound.get("reject") or ReasonForm(prefix="reject"),
        "close_form": bound.get("close") or ReasonForm(prefix="close"),
        "attachment_form": bound.get("attachment") or AttachmentForm(),
        "end_statuses": EndAssignmentForm.base_fields["status"].choices,  # type: ignore[attr-defined]
        "referral_statuses": ReferralUpdateForm.base_fields["status"].choices,  # type: ignore[attr-defined]
        "action_errors": bound.get("errors", []),
    }


def render_detail(
    request: HttpRequest, problem: Problem, bound: dict[str, Any] | None = None, status: int = 200
) -> HttpResponse:
    context = _detail_context(request, problem, bound)
    return render(request, "support/problem_detail.html", context, status=status)


@login_required
def problem_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return render_detail(request, problem_or_404(request.user, pk))


@login_required
@require_POST
def problem_triage(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    problem = problem_to_change(request, pk)
    form = TriageForm(request.POST, problem=problem)
    if form.is_valid():
        decision = run_service(
            form,
            lambda: services.confirm_triage(
                user, problem, form.cleaned_data["category"], form.cleaned_data["note"]
            ),
        )
        if decision is not FAILED:
            if decision.overridden:
                text = _("추천과 다른 분야 '%(category)s'(으)로 분류했습니다.")
            else:
                text = _("'%(category)s'(으)로 분류를 확정했습니다.")
            messages.success(request, text % {"category": local_name(decision.chosen)})
            return to_problem(problem.pk, "triage")
    return render_detail(request, problem, {"triage": form}, 400)


def _finish(request: HttpRequest, pk: int, kind: str) -> HttpResponse:
    user = request.user
    problem = problem_to_change(request, pk)
    form = ReasonForm(request.POST, prefix=kind)
    if form.is_valid():
        action = services.reject_problem if kind == "reject" else services.close_problem
        reason = form.cleaned_data["reason"]
        finished = run_service(form, lambda: action(user, problem, reason), {"status": "reason"})
        if finished is not FAILED:
            text = (
                _("애로과제를 반려했습니다.") if kind == "reject" else _("애로과제를 종결했습니다.")
            )
            messages.success(request, text)
            return to_problem(problem.pk)
    return render_detail(request, problem, {kind: form}, 400)


@login_required
@require_POST
def problem_reject(request: HttpRequest, pk: int) -> HttpResponse:
    return _finish(request, pk, "reject")


@login_required
@require_POST
def problem_close(request: HttpRequest, pk: int) -> HttpResponse:
    return _finish(request, pk, "close")


@login_required
@require_POST
def problem_attachment_add(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    if not Problem.objects.filter(pk=pk).exists():
        raise Http404(_("애로과제를 찾을 수 없습니다."))
    problem = Problem.objects.restrict(user, "view").filter(pk=pk).first()
    if problem is None or not allows(user, ProblemAttachment, "add"):
        raise PermissionDenied(_("이 애로과제에 파일을 올릴 권한이 없습니다."))
    problem = problem_or_404(user, pk)
    form = AttachmentForm(request.POST, request.FILES)
    if form.is_valid():
        uploads = form.cleaned_data["attachments"]

        @transaction.atomic
        def add_all() -> None:
            for upload in uploads:
                try:
                    services.add_problem_attachment(user, problem, upload)
                except ValidationError as error:
                    raise ValidationError(
                        {"attachments": [f"{upload.name}: {m}" for m in error.messages]}
                    ) from error

        if run_service(form, add_all) is not FAILED:
            messages.success(request, _("첨부파일 %(n)d개를 올렸습니다.") % {"n": len(uploads)})
            return to_problem(problem.pk, "attachments")
    return render_detail(request, problem, {"attachment": form}, 400)


@login_required
def problem_attachment(request: HttpRequest, pk: int) -> FileResponse:
    found = ProblemAttachment.objects.restrict(request.user, "view").filter(pk=pk).first()
    if found is None:
        raise Http404(_("첨부파일을 찾을 수 없습니다."))
    return FileResponse(
        found.file.open("rb"),
        as_attachment=True,
        filename=found.file.name.rsplit("/", 1)[-1],
        content_type=found.content_type,
    )
