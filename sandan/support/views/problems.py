"""Problem pages: the list, the intake form, the problem page (triage, expert matching and
assignment, referral, reject/close, attachments, projects made from it), the bulk import,
the problems raised at a networking activity, and the expert's cases with mentoring notes.

Every row comes from `.restrict(request.user, action)` or a selector that uses it: a page of
a row outside the user's scope is a 404, a write outside it a 403 (and nothing changes).
Writes go through `sandan.support.services`; their ValidationErrors become field errors.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Case, Count, IntegerField, Max, Q, QuerySet, Value, When
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from sandan.accounts.roles import Role, grants_for
from sandan.core.files import check_attachment
from sandan.core.forms import FAILED, run_service
from sandan.core.i18n import local_name, local_value, name_fields, pick_name
from sandan.core.models import AuditEntry
from sandan.core.pagination import paginate
from sandan.core.privacy import with_contact_flag
from sandan.core.querysets import allows
from sandan.core.services import NotAllowed
from sandan.councils.models import Activity
from sandan.registry.models import Expert, Organisation
from sandan.support import io, selectors, services
from sandan.support.forms.problems import (
    ActivityProblemFormSet,
    AssignForm,
    AttachmentForm,
    EndAssignmentForm,
    MentoringNoteForm,
    ProblemFilterForm,
    ProblemForm,
    ProblemUploadForm,
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

PROBLEMS_PER_PAGE = 50
CASES_PER_PAGE = 50
SUGGESTED_EXPERTS = 10
ACTIVITY_PROBLEMS_ON_PAGE = 200
OPEN_STATES = (Problem.Status.SUBMITTED, Problem.Status.TRIAGED, Problem.Status.MATCHED)
ASSIGNABLE_STATES = (Problem.Status.TRIAGED, Problem.Status.MATCHED, Problem.Status.IN_PROJECT)
FINAL_STATES = (Problem.Status.CLOSED, Problem.Status.REJECTED)


# Helpers ----------------------------------------------------------------------------


def _may(user: Any, model: type[Any], action: str, pk: int) -> bool:
    if not allows(user, model, action):
        return False
    return bool(model.objects.restrict(user, action).filter(pk=pk).exists())


def _own_organisations(user: Any) -> set[int]:
    """The firms a company user acts for (empty for every other role)."""
    return {
        pk
        for grant in grants_for(user)
        if grant.role == Role.COMPANY_USER and grant.scope_kind == "organisation"
        for pk in grant.scope_ids
    }


def _problem_or_404(user: Any, pk: int) -> Problem:
    found = (
        Problem.objects.restrict(user, "view")
        .select_related(
            "organisation__complex",
            "program_year",
            "hub__complex",
            "complex",
            "zone",
            "category",
            "suggested_category",
            "activity__council",
            "submitted_by",
            "triaged_by",
        )
        .filter(pk=pk)
        .first()
    )
    if found is None:
        raise Http404(_("애로과제를 찾을 수 없습니다."))
    return found


def _problem_to_change(request: HttpRequest, pk: int) -> Problem:
    """The problem a write works on: unknown is a 404, outside the user's scope a 403."""
    user = request.user
    if not Problem.objects.filter(pk=pk).exists():
        raise Http404(_("애로과제를 찾을 수 없습니다."))
    if not _may(user, Problem, "change", pk):
        raise PermissionDenied(_("이 애로과제를 처리할 권한이 없습니다."))
    return _problem_or_404(user, pk)


def _row_to_change(request: HttpRequest, model: type[Any], pk: int) -> Any:
    """An assignment or a referral to change: unknown 404, out of scope 403."""
    if not model.objects.filter(pk=pk).exists():
        raise Http404(_("찾을 수 없습니다."))
    if not _may(request.user, model, "change", pk):
        raise PermissionDenied(_("이 작업을 할 권한이 없습니다."))
    return model.objects.restrict(request.user, "change").get(pk=pk)


def _detail(problem_pk: int, anchor: str = "") -> HttpResponse:
    url = reverse("support:problem_detail", args=[problem_pk])
    return HttpResponseRedirect(f"{url}#{anchor}" if anchor else url)


def _contact_visible(user: Any, model: type[Any], ids: Iterable[int]) -> set[int]:
    """The ids among `ids` whose personal contact data the user may see (one query)."""
    wanted = set(ids)
    if not wanted:
        return set()
    rows = with_contact_flag(model.objects.filter(pk__in=wanted), user).values_list(
        "pk", "contact_visible"
    )
    return {pk for pk, visible in rows if visible}


# List -------------------------------------------------------------------------------


def problems_for(user: Any, form: ProblemFilterForm) -> QuerySet[Problem]:
    """The problems a user may see, filtered, newest first."""
    queryset = Problem.objects.restrict(user, "view").select_related(
        "organisation", "hub__complex", "category", "suggested_category"
    )
    if year := form.value("year"):
        queryset = queryset.filter(program_year__year=int(year))
    if zone := form.value("zone"):
        queryset = queryset.filter(zone__code=zone)
    if hub := form.value("hub"):
        queryset = queryset.filter(hub__complex__kicox_id=hub)
    for name in ("status", "urgency", "source"):
        if value := form.value(name):
            queryset = queryset.filter(**{name: value})
    if category := form.value("category"):
        # The confirmed category, or the suggestion while there is none yet.
        queryset = queryset.filter(
            Q(category__code=category) | Q(category__isnull=True, suggested_category__code=category)
        )
    if form.value("overdue"):
        queryset = queryset.filter(pk__in=selectors.overdue_problems(user).values("pk"))
    if q := form.value("q"):
        queryset = queryset.filter(Q(title__icontains=q) | Q(description__icontains=q))
    return queryset.order_by("-submitted_at", "-id")


# The columns a list row shows: read as plain values (no model instances, and not the long
# texts), so a page of 50 renders fast at national scale.
LIST_COLUMNS = (
    "pk",
    "title",
    "submitted_at",
    "resolved_at",
    "closed_at",
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
    now = timezone.now()
    detail_prefix = reverse("support:problem_detail", args=[0])[: -len("0/")]
    statuses = dict(Problem.Status.choices)
    urgencies = dict(Problem.Urgency.choices)
    rows = []
    for v in values:
        end = v["closed_at"] or v["resolved_at"] or now
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


# Intake -----------------------------------------------------------------------------


def _intake_form(request: HttpRequest) -> ProblemForm:
    user = request.user
    own = _own_organisations(user)
    data = request.POST if request.method == "POST" else None
    files = request.FILES if request.method == "POST" else None
    if own and not allows(user, Problem, "change"):
        firms = Organisation.objects.filter(pk__in=own, kind=Organisation.Kind.COMPANY).order_by(
            "name_ko"
        )
        return ProblemForm(data, files, own_firms=firms, scope_firms=None)
    scope = Organisation.objects.restrict(user, "view").filter(kind=Organisation.Kind.COMPANY)
    return ProblemForm(data, files, own_firms=None, scope_firms=scope)


def _check_uploads(form: ProblemForm, uploads: list[UploadedFile]) -> bool:
    """Each file's type and size, by the service's own check; errors named by file."""
    ok = True
    for upload in uploads:
        try:
            check_attachment(upload)
        except ValidationError as error:
            ok = False
            for message in error.messages:
                form.add_error("attachments", f"{upload.name}: {message}")
    return ok


@login_required
def problem_create(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not allows(user, Problem, "add"):
        raise PermissionDenied(_("애로과제를 등록할 권한이 없습니다."))
    form = _intake_form(request)
    status = 200
    if request.method == "POST":
        firm_field = "organisation" if "organisation" in form.fields else "business_number"
        rename = {"organisation": firm_field, "file": "attachments"}
        valid = form.is_valid()
        uploads = [f for f in request.FILES.getlist("attachments") if f]
        files_ok = _check_uploads(form, uploads)
        if valid:
            data = form.cleaned_data
            fields = {
                "organisation": form.firm(),
                "title": data["title"],
                "description": data["description"],
                "help_wanted": data["help_wanted"],
                "urgency": data["urgency"],
            }
            if not files_ok:
                # Say what else is wrong at once, without saving anything.
                run_service(form, lambda: services.problem_fields(**fields, suggest=False), rename)
            else:
                try:
                    problem = run_service(
                        form,
                        lambda: services.submit_problem(user, attachments=uploads, **fields),
                        rename,
                    )
                except NotAllowed:
                    form.add_error(firm_field, _("이 기업의 애로과제를 등록할 권한이 없습니다."))
                else:
                    if problem is not FAILED:
                        messages.success(
                            request,
                            _(
                                "애로과제를 접수했습니다. "
                                "담당 코디네이터가 분야를 확인하고 연락드립니다."
                            ),
                        )
                        return redirect("support:problem_detail", pk=problem.pk)
        status = 400
    context = {
        "form": form,
        "hidden_errors": _hidden_errors(form),
        # A browser never re-sends chosen files with a re-shown form.
        "reattach": bool(request.method == "POST" and request.FILES.getlist("attachments")),
    }
    return render(request, "support/problem_form.html", context, status=status)


def _hidden_errors(form: Any) -> list[str]:
    return [str(e) for field in form.hidden_fields() for e in field.errors]


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
    visible = _contact_visible(user, Expert, ids)
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


def _detail_context(
    request: HttpRequest, problem: Problem, bound: dict[str, Any] | None = None
) -> dict[str, Any]:
    user = request.user
    bound = bound or {}
    status = problem.status
    may_change = _may(user, Problem, "change", problem.pk)
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
    visible_experts = _contact_visible(user, Expert, [a.expert_id for a in assignments])
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
        and (may_change or problem.organisation_id in _own_organisations(user))
    )
    firm_visible = bool(_contact_visible(user, Organisation, [problem.organisation_id]))
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


def _render_detail(
    request: HttpRequest, problem: Problem, bound: dict[str, Any] | None = None, status: int = 200
) -> HttpResponse:
    context = _detail_context(request, problem, bound)
    return render(request, "support/problem_detail.html", context, status=status)


@login_required
def problem_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _render_detail(request, _problem_or_404(request.user, pk))


@login_required
@require_POST
def problem_triage(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    problem = _problem_to_change(request, pk)
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
            return _detail(problem.pk, "triage")
    return _render_detail(request, problem, {"triage": form}, 400)


@login_required
@require_POST
def problem_assign(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    problem = _problem_to_change(request, pk)
    experts = Expert.objects.restrict(user, "view")
    form = AssignForm(request.POST, experts=experts)
    if form.is_valid():
        chosen = list(form.cleaned_data["experts"])
        ranked = {s.expert.pk: s for s in services.suggest_experts(problem, k=SUGGESTED_EXPERTS)}
        assigned = run_service(
            form,
            lambda: services.assign_experts(
                user,
                problem,
                chosen,
                scores={pk: ranked[pk].score for pk in ranked},
                explanations={pk: ranked[pk].explanation for pk in ranked},
            ),
        )
        if assigned is not FAILED:
            names = ", ".join(expert.name_ko for expert in chosen)
            messages.success(request, _("전문가를 배정했습니다: %(names)s") % {"names": names})
            return _detail(problem.pk, "assignments")
    errors = [str(e) for e in form.errors.get("experts", [])] + [
        str(e) for e in form.non_field_errors()
    ]
    return _render_detail(request, problem, {"errors": errors}, 400)


@login_required
@require_POST
def assignment_end(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    assignment = _row_to_change(request, ExpertAssignment, pk)
    form = EndAssignmentForm(request.POST)
    if form.is_valid():
        ended = run_service(
            form,
            lambda: services.end_assignment(
                user, assignment, form.cleaned_data["status"], reason=form.cleaned_data["reason"]
            ),
        )
        if ended is not FAILED:
            messages.success(
                request,
                _("%(expert)s 전문가의 배정을 끝냈습니다.") % {"expert": assignment.expert},
            )
            return _detail(assignment.problem_id, "assignments")
    errors = [str(e) for field_errors in form.errors.values() for e in field_errors]
    problem = _problem_or_404(user, assignment.problem_id)
    return _render_detail(request, problem, {"errors": errors}, 400)


@login_required
@require_POST
def problem_refer(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    problem = _problem_to_change(request, pk)
    agencies = Organisation.objects.restrict(user, "view").filter(kind=Organisation.Kind.AGENCY)
    form = ReferralForm(request.POST, agencies=agencies)
    if form.is_valid():
        data = form.cleaned_data
        referred = run_service(
            form,
            lambda: services.refer_problem(
                user, problem, data["partner_kind"], data["agency"], data["note"]
            ),
            {"problem": "partner_kind"},
        )
        if referred is not FAILED:
            messages.success(request, _("협력기관에 연계했습니다."))
            return _detail(problem.pk, "referrals")
    return _render_detail(request, problem, {"refer": form}, 400)


@login_required
@require_POST
def referral_update(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    referral = _row_to_change(request, Referral, pk)
    form = ReferralUpdateForm(request.POST)
    if form.is_valid():
        updated = run_service(
            form,
            lambda: services.update_referral(
                user, referral, form.cleaned_data["status"], form.cleaned_data["outcome"]
            ),
        )
        if updated is not FAILED:
            messages.success(request, _("연계 상태를 바꿨습니다."))
            return _detail(referral.problem_id, "referrals")
    errors = [str(e) for field_errors in form.errors.values() for e in field_errors]
    problem = _problem_or_404(user, referral.problem_id)
    return _render_detail(request, problem, {"errors": errors}, 400)


def _finish(request: HttpRequest, pk: int, kind: str) -> HttpResponse:
    user = request.user
    problem = _problem_to_change(request, pk)
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
            return _detail(problem.pk)
    return _render_detail(request, problem, {kind: form}, 400)


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
    problem = _problem_or_404(user, pk)
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
            return _detail(problem.pk, "attachments")
    return _render_detail(request, problem, {"attachment": form}, 400)


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


# Bulk import ------------------------------------------------------------------------


@login_required
def problem_import(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not allows(user, Problem, "change"):
        raise PermissionDenied(_("애로과제를 일괄 등록할 권한이 없습니다."))
    if request.GET.get("template"):
        response = HttpResponse(io.problems_template_csv(), content_type="text/csv")
        response["Content-Disposition"] = 'attachment; filename="problems-template.csv"'
        return response
    form = ProblemUploadForm(request.POST or None, request.FILES or None)
    report = None
    status = 200
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        report = io.import_problems(
            upload, user, filename=upload.name, dry_run=form.cleaned_data["dry_run"]
        )
        if report.ok and not report.dry_run:
            messages.success(
                request,
                _("애로과제 %(created)d건을 등록했습니다. 분야 추천이 함께 붙었습니다.")
                % {"created": report.created},
            )
            return redirect(f"{reverse('support:problem_list')}?source=import")
        status = 200 if report.ok else 400
    elif request.method == "POST":
        status = 400
    return render(
        request, "support/problem_import.html", {"form": form, "report": report}, status=status
    )


# Problems raised at a networking activity -------------------------------------------


def _activity_or_404(user: Any, pk: int) -> Activity:
    found = (
        Activity.objects.restrict(user, "view")
        .select_related("council__hub__complex", "council__hub__program_year")
        .filter(pk=pk)
        .first()
    )
    if found is None:
        raise Http404(_("활동을 찾을 수 없습니다."))
    return found


@login_required
def activity_problems(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    activity = _activity_or_404(user, pk)
    may_record = _may(user, Activity, "change", activity.pk) and allows(user, Problem, "add")
    if request.method == "POST" and not may_record:
        raise PermissionDenied(_("이 활동의 애로과제를 기록할 권한이 없습니다."))
    # The firms of the council and those who attended, as far as the user sees them.
    firms = (
        Organisation.objects.restrict(user, "view")
        .filter(kind=Organisation.Kind.COMPANY, complex__isnull=False)
        .filter(
            Q(pk__in=activity.council.memberships.values("organisation_id"))
            | Q(pk__in=activity.attendance.values("organisation_id"))
        )
        .order_by("name_ko")
    )
    formset = ActivityProblemFormSet(
        request.POST if request.method == "POST" else None, firms=firms, prefix="rows"
    )
    errors: list[str] = []
    status = 200
    if request.method == "POST":
        if formset.is_valid():
            filled = formset.filled()
            for form in filled:
                for name in ("organisation", "title", "description"):
                    if not str(form.cleaned_data.get(name) or "").strip():
                        form.add_error(name, _("이 행에 꼭 적어야 합니다."))
            if not filled:
                errors.append(_("기록할 애로과제를 한 건 이상 적어 주세요."))
            elif all(form.is_valid() for form in filled):
                rows = [form.cleaned_data for form in filled]
                try:
                    created = services.record_activity_problems(user, activity, rows)
                except ValidationError as error:
                    errors.extend(error.messages)
                else:
                    messages.success(
                        request,
                        _("애로과제 %(n)d건을 기록했습니다.") % {"n": len(created)},
                    )
                    return redirect("councils:activity_detail", pk=activity.pk)
        status = 400
    recorded = list(
        Problem.objects.restrict(user, "view")
        .filter(activity=activity)
        .select_related("organisation", "category", "suggested_category")
        .order_by("submitted_at", "id")[:ACTIVITY_PROBLEMS_ON_PAGE]
    )
    context = {
        "activity": activity,
        "formset": formset,
        "errors": errors,
        "recorded": recorded,
        "may_record": may_record,
        "no_firms": may_record and not firms.exists(),
    }
    return render(request, "support/activity_problems.html", context, status=status)


# The expert's cases -----------------------------------------------------------------


def cases_for(user: Any) -> QuerySet[ExpertAssignment]:
    """The user's own assignments as an expert, open ones first, with their note counts."""
    return (
        ExpertAssignment.objects.restrict(user, "view")
        .filter(expert__user=user)
        .select_related(
            "problem__organisation", "problem__category", "problem__hub__complex", "expert"
        )
        .annotate(
            note_count=Count("notes"),
            last_note=Max("notes__date"),
            open_first=Case(
                When(status=ExpertAssignment.Status.ACTIVE, then=Value(0)),
                default=Value(1),
                output_field=IntegerField(),
            ),
        )
        .order_by("open_first", "-assigned_at", "-id")
    )


@login_required
def case_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    profile = Expert.objects.filter(user=user).first() if user.is_authenticated else None
    context = {
        "profile": profile,
        **paginate(request, cases_for(user), CASES_PER_PAGE),
    }
    return render(request, "support/case_list.html", context)


@login_required
def case_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    assignment = (
        ExpertAssignment.objects.restrict(user, "view")
        .select_related(
            "expert__affiliation",
            "problem__organisation__complex",
            "problem__category",
            "problem__suggested_category",
            "problem__hub__complex",
        )
        .filter(pk=pk)
        .first()
    )
    if assignment is None:
        raise Http404(_("배정을 찾을 수 없습니다."))
    problem = assignment.problem
    may_write = (
        assignment.expert.user_id == user.pk
        and assignment.status != ExpertAssignment.Status.WITHDRAWN
        and allows(user, MentoringNote, "add")
    )
    form = MentoringNoteForm(
        request.POST if request.method == "POST" else None,
        initial={"date": timezone.localdate()},
    )
    status = 200
    if request.method == "POST":
        if not may_write:
            raise PermissionDenied(_("배정된 전문가만 멘토링 일지를 쓸 수 있습니다."))
        if form.is_valid():
            added = run_service(
                form,
                lambda: services.add_mentoring_note(
                    user, assignment, form.cleaned_data["body"], date=form.cleaned_data["date"]
                ),
            )
            if added is not FAILED:
                messages.success(request, _("멘토링 일지를 저장했습니다."))
                return redirect("support:case_detail", pk=assignment.pk)
        status = 400
    context = {
        "assignment": assignment,
        "problem": problem,
        "firm_contact_visible": bool(
            _contact_visible(user, Organisation, [problem.organisation_id])
        ),
        "attachments": list(
            ProblemAttachment.objects.restrict(user, "view").filter(problem=problem)
        ),
        "notes": list(
            MentoringNote.objects.restrict(user, "view")
            .filter(assignment=assignment)
            .select_related("author")
            .order_by("-date", "-id")
        ),
        "form": form,
        "may_write": may_write,
        "may_see_problem": Problem.objects.restrict(user, "view").filter(pk=problem.pk).exists(),
    }
    return render(request, "support/case_detail.html", context, status=status)


urlpatterns: list[URLPattern] = [
    path("problems/", problem_list, name="problem_list"),
    path("problems/new/", problem_create, name="problem_create"),
    path("problems/import/", problem_import, name="problem_import"),
    path("problems/<int:pk>/", problem_detail, name="problem_detail"),
    path("problems/<int:pk>/triage/", problem_triage, name="problem_triage"),
    path("problems/<int:pk>/assign/", problem_assign, name="problem_assign"),
    path("problems/<int:pk>/refer/", problem_refer, name="problem_refer"),
    path("problems/<int:pk>/reject/", problem_reject, name="problem_reject"),
    path("problems/<int:pk>/close/", problem_close, name="problem_close"),
    path(
        "problems/<int:pk>/attachments/new/",
        problem_attachment_add,
        name="problem_attachment_add",
    ),
    path("problems/attachments/<int:pk>/", problem_attachment, name="problem_attachment"),
    path("problems/assignments/<int:pk>/end/", assignment_end, name="assignment_end"),
    path("problems/referrals/<int:pk>/", referral_update, name="referral_update"),
    path("activities/<int:pk>/problems/", activity_problems, name="activity_problems"),
    path("cases/", case_list, name="case_list"),
    path("cases/<int:pk>/", case_detail, name="case_detail"),
]
