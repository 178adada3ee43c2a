"""Project pages: the list, creation from problems, the project page with its plan,
participants, budget (cost share), documents, workflow (submit, return, approve with the
duplicate-funding check, start, complete, cancel), outcomes and surveys; the public one-time
survey; the outcome dashboard (with an XLSX export) and the service levels.

Every row comes from `.restrict(request.user, action)` or a selector that uses it: a page of
a row outside the user's scope is a 404, a write outside it a 403 (and nothing changes).
Writes go through `sandan.support.services`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import (
    Avg,
    BigIntegerField,
    Count,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from sandan.accounts.roles import Role, grants_for
from sandan.core.forms import FAILED, add_model_errors, run_action, run_service
from sandan.core.i18n import local_value, name_fields
from sandan.core.io import xlsx_bytes
from sandan.core.models import AuditEntry
from sandan.core.pagination import paginate
from sandan.core.privacy import with_contact_flag
from sandan.core.querysets import allows
from sandan.program.models import ProgramYear
from sandan.program.selectors import current_program_year
from sandan.registry.models import Organisation
from sandan.support import reports, selectors, services
from sandan.support.forms.projects import (
    ApprovalForm,
    BudgetFormSet,
    BudgetReasonForm,
    DocumentForm,
    MilestoneForm,
    OutcomeForm,
    ParticipantForm,
    ProjectFilterForm,
    ProjectForm,
    ReasonForm,
    SurveyForm,
    YearFilterForm,
    verbose,
)
from sandan.support.models import (
    OUTCOME_FIGURES,
    SURVEY_ITEMS,
    BudgetLine,
    DuplicateFlag,
    Milestone,
    Outcome,
    Participant,
    Problem,
    Project,
    ProjectDocument,
    Survey,
    SurveyResponse,
)

PROJECTS_PER_PAGE = 50
OVERDUE_ON_PAGE = 50
OPEN_STATES = (
    Project.Status.DRAFT,
    Project.Status.SUBMITTED,
    Project.Status.APPROVED,
    Project.Status.IN_PROGRESS,
)
READY_PROBLEM_STATES = (
    Problem.Status.TRIAGED,
    Problem.Status.MATCHED,
    Problem.Status.IN_PROJECT,
)
# The outcome figures the dashboard sums (the before/after figures are per firm only).
OUTCOME_TOTALS = (
    "patents_filed",
    "patents_granted",
    "prototypes",
    "new_products",
    "certifications",
    "new_hires",
    "sales_increase_krw",
    "exports_increase_usd",
    "cost_saved_krw",
)
COUNT_TOTALS = OUTCOME_TOTALS[:6]


# Helpers ----------------------------------------------------------------------------


def _may(user: Any, model: type[Any], action: str, pk: int) -> bool:
    if not allows(user, model, action):
        return False
    return bool(model.objects.restrict(user, action).filter(pk=pk).exists())


def _is_national(user: Any) -> bool:
    return bool(user.is_superuser) or any(g.scope_kind == "national" for g in grants_for(user))


def _own_organisations(user: Any) -> set[int]:
    """The firms a company user acts for (empty for every other role)."""
    return {
        pk
        for grant in grants_for(user)
        if grant.role == Role.COMPANY_USER and grant.scope_kind == "organisation"
        for pk in grant.scope_ids
    }


def _project_or_404(user: Any, pk: int) -> Project:
    found = (
        Project.objects.restrict(user, "view")
        .select_related(
            "program_year", "hub__complex", "zone", "category", "approved_by", "created_by"
        )
        .filter(pk=pk)
        .first()
    )
    if found is None:
        raise Http404(_("지원과제를 찾을 수 없습니다."))
    return found


def _project_to_change(request: HttpRequest, pk: int, action: str = "change") -> Project:
    """The project a form page or a write works on. A page (GET) of a project out of the
    user's sight is a 404; a write (POST) out of scope is a 403; both need `action`."""
    user = request.user
    if request.method == "POST":
        exists = Project.objects.filter(pk=pk).exists()
        if not exists:
            raise Http404(_("지원과제를 찾을 수 없습니다."))
        if not _may(user, Project, "view", pk):
            raise PermissionDenied(_("이 과제를 바꿀 권한이 없습니다."))
    project = _project_or_404(user, pk)
    if not _may(user, Project, action, pk):
        if action == "approve":
            raise PermissionDenied(
                _("이 과제를 승인할 권한이 없습니다. 과제의 권역을 담당하는 광역본부가 승인합니다.")
            )
        raise PermissionDenied(_("이 과제를 바꿀 권한이 없습니다."))
    return project


def _posted(request: HttpRequest) -> Any:
    """The form data of a POST (even an empty one, so that it is validated), else None."""
    return request.POST if request.method == "POST" else None


def _detail(project: Project) -> HttpResponse:
    return redirect("support:project_detail", pk=project.pk)


def _form_page(
    request: HttpRequest,
    project: Project | None,
    form: Any,
    title: str,
    *,
    status: int = 200,
    multipart: bool = False,
    extra: dict[str, Any] | None = None,
) -> HttpResponse:
    cancel = (
        reverse("support:project_detail", args=[project.pk])
        if project
        else reverse("support:project_list")
    )
    context = {
        "form": form,
        "title": title,
        "project": project,
        "cancel_url": cancel,
        "multipart": multipart,
        **(extra or {}),
    }
    return render(request, "support/project_form.html", context, status=status)


def _open_year() -> ProgramYear | None:
    try:
        return current_program_year()
    except ValidationError:
        return None


def _selected_year(form: YearFilterForm) -> ProgramYear | None:
    chosen = form.value("year")
    years = ProgramYear.objects.order_by("-year")
    if chosen:
        found = years.filter(year=int(chosen)).first()
        if found is not None:
            return found
    return years.exclude(status=ProgramYear.Status.DRAFT).first() or years.first()


# List -------------------------------------------------------------------------------


def projects_for(user: Any, form: ProjectFilterForm) -> QuerySet[Project]:
    """The projects a user may see, filtered, with the grant and firm totals and the lead
    firm's name in the same SELECT."""
    queryset = Project.objects.restrict(user, "view").select_related(
        "program_year", "zone", "hub__complex", "category"
    )
    if year := form.value("year"):
        queryset = queryset.filter(program_year__year=int(year))
    if zone := form.value("zone"):
        queryset = queryset.filter(zone__code=zone)
    if hub := form.value("hub"):
        queryset = queryset.filter(hub__complex__kicox_id=hub)
    for name in ("status", "type", "scope"):
        if value := form.value(name):
            queryset = queryset.filter(**{name: value})
    if category := form.value("category"):
        queryset = queryset.filter(category__code=category)
    if q := form.value("q"):
        queryset = queryset.filter(Q(title__icontains=q) | Q(summary__icontains=q))
    # Correlated subqueries, not a join with GROUP BY: the database works them out for the
    # page's rows only, after ORDER BY … LIMIT (the join summed every project's budget).
    lead = (
        Participant.objects.filter(project=OuterRef("pk"), role=Participant.Role.LEAD_FIRM)
        .order_by("pk")
        .values("organisation__name_ko")[:1]
    )
    firm_kinds = [BudgetLine.Kind.FIRM_CASH, BudgetLine.Kind.FIRM_IN_KIND]
    return queryset.annotate(
        grant_krw=_budget_sum(Q(kind=BudgetLine.Kind.PUBLIC_GRANT)),
        firm_krw=_budget_sum(Q(kind__in=firm_kinds)),
        lead_name=Subquery(lead),
    ).order_by("-created_at", "-id")


def _budget_sum(condition: Q) -> Coalesce:
    total = (
        BudgetLine.objects.filter(condition, project=OuterRef("pk"))
        .order_by()
        .values("project")
        .annotate(total=Sum("amount_krw"))
        .values("total")
    )
    return Coalesce(Subquery(total, output_field=BigIntegerField()), Value(0))


@login_required
def project_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    form = ProjectFilterForm(request.GET or None, user=user)
    context = {
        "form": form,
        "may_add": allows(user, Project, "add"),
        **paginate(request, projects_for(user, form), PROJECTS_PER_PAGE),
    }
    return render(request, "support/project_list.html", context)


# Create and edit --------------------------------------------------------------------


def _candidate_problems(user: Any, wanted: list[int]) -> QuerySet[Problem]:
    """Problems the user may turn into a project: triaged ones in their scope; the ones
    asked for by id, or else the latest 100."""
    ready = (
        Problem.objects.restrict(user, "change")
        .filter(status__in=READY_PROBLEM_STATES)
        .select_related("organisation", "category", "complex", "zone", "program_year")
    )
    if wanted:
        return ready.filter(pk__in=wanted)
    latest = list(ready.order_by("-submitted_at", "-id").values_list("pk", flat=True)[:100])
    return ready.filter(pk__in=latest)


@login_required
def project_create(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not allows(user, Project, "add"):
        raise PermissionDenied(_("지원과제를 만들 권한이 없습니다."))
    source = request.POST if request.method == "POST" else request.GET
    wanted = [int(v) for v in source.getlist("problems") if str(v).isdigit()]
    candidates = _candidate_problems(user, wanted)
    chosen = list(candidates.order_by("submitted_at", "id")) if wanted else []
    if wanted and len(chosen) < len(set(wanted)):
        raise Http404(_("고른 애로과제 중 과제로 만들 수 없거나 찾을 수 없는 것이 있습니다."))
    first = chosen[0] if chosen else None
    initial: dict[str, Any] = {"problems": [p.pk for p in chosen]}
    if first is not None:
        initial.update(title=first.title, summary=first.help_wanted or first.description[:500])
        initial["category"] = first.category_id
    year = first.program_year if first else _open_year()
    form = ProjectForm(
        request.POST if request.method == "POST" else None,
        problems=candidates,
        year=year,
        initial=initial,
    )
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            problems = sorted(data["problems"], key=lambda p: (p.submitted_at, p.pk))
            project = run_service(
                form,
                lambda: services.create_project(
                    user,
                    problems,
                    title=data["title"],
                    summary=data["summary"],
                    type=data["type"],
                    category=data["category"],
                    start_date=data["start_date"],
                    end_date=data["end_date"],
                ),
            )
            if project is not FAILED:
                messages.success(
                    request,
                    _("지원과제를 만들었습니다. 과제 범위: %(scope)s")
                    % {"scope": project.get_scope_display()},
                )
                return _detail(project)
        status = 400
    # The service derives the scope from the problems' complexes and zones; shown here.
    scope = Project.Scope(services.scope_of(chosen)).label if chosen else None
    return _form_page(
        request,
        None,
        form,
        _("지원과제 만들기"),
        status=status,
        extra={"chosen": chosen, "derived_scope": scope},
    )


@login_required
def project_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    project = _project_to_change(request, pk)
    initial = {
        "title": project.title,
        "summary": project.summary,
        "type": project.type,
        "category": project.category_id,
        "scope": project.scope,
        "start_date": project.start_date,
        "end_date": project.end_date,
    }
    form = ProjectForm(_posted(request), project=project, initial=initial)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = dict(form.cleaned_data)
            reason = data.pop("reason", "")
            changed = {name: value for name, value in data.items() if value != initial[name]}
            if "category" in data and data["category"].pk == initial["category"]:
                changed.pop("category", None)

            def save() -> None:
                if changed:
                    services.update_project(user, project, reason=reason, **changed)

            if run_service(form, save) is not FAILED:
                messages.success(request, _("과제 정보를 저장했습니다."))
                return _detail(project)
        status = 400
    return _form_page(request, project, form, _("지원과제 수정"), status=status)


# Detail -----------------------------------------------------------------------------


def _outcome_rows(
    user: Any, project: Project, participants: list[Participant], may_change: bool
) -> list[dict[str, Any]]:
    now = timezone.now()
    outcomes = {
        o.organisation_id: o for o in Outcome.objects.restrict(user, "view").filter(project=project)
    }
    surveys = {
        s.organisation_id: s
        for s in with_contact_flag(
            Survey.objects.restrict(user, "view").filter(project=project), user
        )
    }
    own = _own_organisations(user)
    rows = []
    for participant in participants:
        organisation = participant.organisation
        if organisation is None or organisation.kind != Organisation.Kind.COMPANY:
            continue
        if own and not may_change and organisation.pk not in own:
            continue
        survey = surveys.get(organisation.pk)
        state = None
        if survey is not None:
            if survey.answered_at is not None:
                state = "answered"
            elif survey.expires_at <= now:
                state = "expired"
            else:
                state = "sent"
        rows.append(
            {
                "organisation": organisation,
                "outcome": outcomes.get(organisation.pk),
                "survey": survey,
                "survey_state": state,
            }
        )
    return rows


def _workflow(project: Project, may_change: bool, may_approve: bool) -> dict[str, bool]:
    status = project.status
    return {
        "edit": may_change and status in OPEN_STATES,
        "submit": may_change and status == Project.Status.DRAFT,
        "return": may_approve and status == Project.Status.SUBMITTED,
        "approve": may_approve and status == Project.Status.SUBMITTED,
        "start": may_change and status == Project.Status.APPROVED,
        "complete": may_change and status == Project.Status.IN_PROGRESS,
        "cancel": may_change and status in OPEN_STATES,
        "outcomes": may_change and status in (Project.Status.IN_PROGRESS, Project.Status.COMPLETED),
    }


@login_required
def project_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    project = _project_or_404(user, pk)
    may_change = _may(user, Project, "change", project.pk)
    may_approve = _may(user, Project, "approve", project.pk)
    participants = list(
        with_contact_flag(
            Participant.objects.restrict(user, "view")
            .filter(project=project)
            .select_related("organisation__complex", "expert__affiliation"),
            user,
        )
    )
    # The lead firm first, then firms, universities, institutes, agencies and experts.
    participants.sort(key=lambda p: (list(Participant.Role.values).index(p.role), p.pk))
    own = _own_organisations(user)
    for participant in participants:
        if participant.organisation_id in own:
            participant.contact_visible = True  # type: ignore[attr-defined]  # its own contact
    share = services.cost_share(project)
    workflow = _workflow(project, may_change, may_approve)
    context = {
        "project": project,
        "problems": list(
            Problem.objects.restrict(user, "view")
            .filter(projects=project)
            .select_related("organisation", "category", "complex")
            .order_by("submitted_at", "id")
        ),
        "participants": participants,
        "milestones": list(Milestone.objects.restrict(user, "view").filter(project=project)),
        "budget_lines": list(
            BudgetLine.objects.restrict(user, "view")
            .filter(project=project)
            .select_related("organisation")
        ),
        "share": share,
        "share_need_krw": -(-share.total_krw * int(share.min_pct * 100) // 10000),
        "documents": list(ProjectDocument.objects.restrict(user, "view").filter(project=project)),
        "flags": list(
            DuplicateFlag.objects.restrict(user, "view")
            .filter(project=project)
            .select_related("organisation", "other_project", "overridden_by")
        ),
        "outcome_rows": _outcome_rows(user, project, participants, may_change),
        "may_change": may_change and project.status in OPEN_STATES,
        "may_approve": may_approve,
        "may_add_document": allows(user, ProjectDocument, "add")
        and project.status != Project.Status.CANCELLED,
        "may_read_history": allows(user, AuditEntry, "view") or may_change,
        "link_registry": _is_national(user)
        or bool({g.role for g in grants_for(user)} & {Role.REGIONAL_STAFF, Role.COORDINATOR}),
        "workflow": workflow,
        "reason_form": ReasonForm(),
        "needs_reason": project.status in (Project.Status.APPROVED, Project.Status.IN_PROGRESS),
    }
    return render(request, "support/project_detail.html", context)


# Participants, budget, milestones, documents ------------------------------------------


@login_required
def participant_add(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    project = _project_to_change(request, pk)
    form = ParticipantForm(_posted(request), user=user, project=project)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            added = run_service(
                form,
                lambda: services.add_participant(
                    user,
                    project,
                    organisation=data.get("organisation"),
                    expert=data.get("expert"),
                    role=data.get("role") or None,
                    reason=data.get("reason", ""),
                ),
            )
            if added is not FAILED:
                messages.success(request, _("참여기관을 더했습니다."))
                return _detail(project)
        status = 400
    return _form_page(request, project, form, _("참여기관·전문가 추가"), status=status)


@login_required
@require_POST
def participant_remove(request: HttpRequest, pk: int, participant_pk: int) -> HttpResponse:
    user = request.user
    project = _project_to_change(request, pk)
    participant = (
        Participant.objects.filter(project=project, pk=participant_pk)
        .select_related("project__program_year")
        .first()
    )
    if participant is None:
        raise Http404(_("참여기관을 찾을 수 없습니다."))
    reason = request.POST.get("reason", "")
    removed = run_action(
        request, lambda: services.remove_participant(user, participant, reason=reason)
    )
    if removed is not FAILED:
        messages.success(request, _("참여기관을 뺐습니다."))
    return _detail(project)


class _Rollback(Exception):
    def __init__(self, error: ValidationError) -> None:
        self.error = error


@login_required
def budget_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """The budget as a formset; saved through `set_budget_lines`, and refused as a whole
    (nothing saved) when the firm's share breaks the year's cost-share rule."""
    user = request.user
    project = _project_to_change(request, pk)
    organisations = Organisation.objects.filter(project_participations__project=project).order_by(
        "name_ko"
    )
    current = list(project.budget_lines.order_by("kind", "id"))
    initial = [
        {
            "kind": line.kind,
            "organisation": line.organisation_id,
            "amount_krw": line.amount_krw,
            "note": line.note,
        }
        for line in current
    ]
    data = request.POST if request.method == "POST" else None
    formset = BudgetFormSet(data, initial=initial, organisations=organisations, prefix="lines")
    reason_form = BudgetReasonForm(data)
    needs_reason = project.status in (Project.Status.APPROVED, Project.Status.IN_PROGRESS)
    errors: list[str] = []
    status = 200
    if request.method == "POST":
        if formset.is_valid() and reason_form.is_valid():
            try:
                with transaction.atomic():
                    services.set_budget_lines(
                        user,
                        project,
                        formset.lines(),
                        reason=reason_form.cleaned_data.get("reason", ""),
                    )
                    try:
                        # The service's own rule and message (also used at submission).
                        services.check_cost_share(project)
                    except ValidationError as error:
                        raise _Rollback(error) from error
            except _Rollback as rollback:
                errors = [*rollback.error.messages, _("사업비를 저장하지 않았습니다.")]
            except ValidationError as error:
                errors = error.messages
            else:
                share = services.cost_share(project)
                messages.success(
                    request,
                    _("사업비를 저장했습니다. 기업부담 비율 %(pct).1f%%") % {"pct": share.firm_pct},
                )
                return _detail(project)
        status = 400
    context = {
        "project": project,
        "formset": formset,
        "reason_form": reason_form,
        "needs_reason": needs_reason,
        "errors": errors,
        "share": services.cost_share(project),
    }
    return render(request, "support/project_budget.html", context, status=status)


@login_required
def milestone_add(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    project = _project_to_change(request, pk)
    form = MilestoneForm(_posted(request), project=project)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            added = run_service(
                form, lambda: services.add_milestone(user, project, **form.cleaned_data)
            )
            if added is not FAILED:
                messages.success(request, _("추진 일정을 더했습니다."))
                return _detail(project)
        status = 400
    return _form_page(request, project, form, _("추진 일정 추가"), status=status)


@login_required
@require_POST
def milestone_complete(request: HttpRequest, pk: int, milestone_pk: int) -> HttpResponse:
    user = request.user
    project = _project_to_change(request, pk)
    milestone = Milestone.objects.filter(project=project, pk=milestone_pk).first()
    if milestone is None:
        raise Http404(_("추진 일정을 찾을 수 없습니다."))
    if run_action(request, lambda: services.complete_milestone(user, milestone)) is not FAILED:
        messages.success(request, _("'%(title)s' 단계를 완료했습니다.") % {"title": milestone})
    return _detail(project)


@login_required
def document_add(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    if request.method == "POST" and not Project.objects.filter(pk=pk).exists():
        raise Http404(_("지원과제를 찾을 수 없습니다."))
    project = Project.objects.restrict(user, "view").filter(pk=pk).first()
    if project is None:
        if request.method == "POST":
            raise PermissionDenied(_("이 과제에 문서를 올릴 권한이 없습니다."))
        raise Http404(_("지원과제를 찾을 수 없습니다."))
    if not allows(user, ProjectDocument, "add") or project.status == Project.Status.CANCELLED:
        raise PermissionDenied(_("이 과제에 문서를 올릴 권한이 없습니다."))
    form = DocumentForm(_posted(request), request.FILES if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            added = run_service(
                form,
                lambda: services.add_project_document(
                    user, project, form.cleaned_data["file"], title=form.cleaned_data["title"]
                ),
            )
            if added is not FAILED:
                messages.success(request, _("문서를 올렸습니다."))
                return _detail(project)
        status = 400
    return _form_page(request, project, form, _("과제 문서 올리기"), status=status, multipart=True)


@login_required
def project_document(request: HttpRequest, pk: int) -> FileResponse:
    found = ProjectDocument.objects.restrict(request.user, "view").filter(pk=pk).first()
    if found is None:
        raise Http404(_("문서를 찾을 수 없습니다."))
    return FileResponse(
        found.file.open("rb"),
        as_attachment=True,
        filename=found.file.name.rsplit("/", 1)[-1],
        content_type=found.content_type,
    )


# Workflow ---------------------------------------------------------------------------


def _simple_transition(
    request: HttpRequest, pk: int, run: Callable[[Any, Project], Any], done: str
) -> HttpResponse:
    project = _project_to_change(request, pk)
    if run_action(request, lambda: run(request.user, project)) is not FAILED:
        messages.success(request, done)
    return _detail(project)


@login_required
@require_POST
def project_submit(request: HttpRequest, pk: int) -> HttpResponse:
    return _simple_transition(request, pk, services.submit_project, _("승인을 요청했습니다."))


@login_required
@require_POST
def project_start(request: HttpRequest, pk: int) -> HttpResponse:
    return _simple_transition(request, pk, services.start_project, _("과제를 착수했습니다."))


@login_required
@require_POST
def project_complete(request: HttpRequest, pk: int) -> HttpResponse:
    project = _project_to_change(request, pk)
    pairs = run_action(request, lambda: services.complete_project(request.user, project))
    if pairs is not FAILED:
        messages.success(
            request,
            _("과제를 완료했습니다. 참여기업 %(n)d곳에 만족도 조사를 보냈습니다.")
            % {"n": len(pairs)},
        )
    return _detail(project)


def _with_reason(
    request: HttpRequest,
    pk: int,
    action: str,
    run: Callable[[Any, Project, str], Any],
    title: str,
    done: str,
) -> HttpResponse:
    project = _project_to_change(request, pk, action)
    form = ReasonForm(_posted(request))
    status = 200
    if request.method == "POST":
        if form.is_valid():
            reason = form.cleaned_data["reason"]
            if run_service(form, lambda: run(request.user, project, reason)) is not FAILED:
                messages.success(request, done)
                return _detail(project)
        status = 400
    return _form_page(request, project, form, title, status=status)


@login_required
def project_return(request: HttpRequest, pk: int) -> HttpResponse:
    return _with_reason(
        request,
        pk,
        "approve",
        lambda user, project, reason: services.return_project(user, project, reason),
        _("승인 요청 반려"),
        _("과제를 작성 중으로 돌려보냈습니다."),
    )


@login_required
def project_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    return _with_reason(
        request,
        pk,
        "change",
        lambda user, project, reason: services.cancel_project(user, project, reason),
        _("과제 취소"),
        _("과제를 취소했습니다."),
    )


@login_required
def project_approve(request: HttpRequest, pk: int) -> HttpResponse:
    """The approval page: the duplicate-funding check's flags of the project, each with a
    reason field; approving with open flags needs a reason for every one of them."""
    user = request.user
    project = _project_to_change(request, pk, "approve")
    status = 200
    errors: list[str] = []
    if request.method == "POST":
        flags = list(project.duplicate_flags.select_related("organisation", "other_project"))
        form = ApprovalForm(request.POST, flags=flags)
        if form.is_valid():
            try:
                services.approve_project(user, project, form.overrides())
            except ValidationError as error:
                errors = error.messages
            else:
                messages.success(request, _("과제를 승인했습니다."))
                return _detail(project)
        status = 400
        project.refresh_from_db()
    flags = list(
        DuplicateFlag.objects.restrict(user, "view")
        .filter(project=project)
        .select_related("organisation", "other_project", "overridden_by")
    )
    form = ApprovalForm(request.POST if status == 400 else None, flags=flags)
    if status == 400:
        form.is_valid()
    context = {
        "project": project,
        "form": form,
        "flags": flags,
        "errors": errors,
        "share": services.cost_share(project),
    }
    return render(request, "support/project_approve.html", context, status=status)


@login_required
@require_POST
def project_recheck(request: HttpRequest, pk: int) -> HttpResponse:
    """Run the duplicate-funding check again (it ran at submission; another project of the
    same firm may have been funded since). Its flags are stored for the approval form."""
    project = _project_to_change(request, pk, "approve")
    services.check_duplicates(request.user, project)
    messages.success(request, _("중복 지원 점검을 다시 했습니다."))
    return redirect("support:project_approve", pk=project.pk)


# Outcomes and surveys ---------------------------------------------------------------


@login_required
def outcome_record(request: HttpRequest, pk: int, organisation_pk: int) -> HttpResponse:
    user = request.user
    project = _project_to_change(request, pk)
    participant = (
        Participant.objects.filter(
            project=project,
            organisation_id=organisation_pk,
            organisation__kind=Organisation.Kind.COMPANY,
        )
        .select_related("organisation")
        .first()
    )
    if participant is None or participant.organisation is None:
        raise Http404(_("이 과제의 참여기업이 아닙니다."))
    organisation = participant.organisation
    existing = (
        Outcome.objects.restrict(user, "view")
        .filter(project=project, organisation=organisation)
        .first()
    )
    initial = (
        {name: getattr(existing, name) for name in (*OUTCOME_FIGURES, "note")} if existing else {}
    )
    form = OutcomeForm(_posted(request), initial=initial)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            recorded = run_service(
                form,
                lambda: services.record_outcome(
                    user,
                    project,
                    organisation,
                    note=form.cleaned_data.get("note", ""),
                    **form.figures(),
                ),
            )
            if recorded is not FAILED:
                messages.success(
                    request, _("%(org)s의 성과를 저장했습니다.") % {"org": organisation.name_ko}
                )
                return _detail(project)
        status = 400
    context = {
        "form": form,
        "project": project,
        "organisation": organisation,
        "title": _("성과 입력: %(org)s") % {"org": organisation.name_ko},
    }
    return render(request, "support/outcome_form.html", context, status=status)


@login_required
@require_POST
def survey_resend(request: HttpRequest, pk: int, survey_pk: int) -> HttpResponse:
    user = request.user
    project = _project_to_change(request, pk)
    survey = (
        Survey.objects.restrict(user, "change")
        .filter(project=project, pk=survey_pk)
        .select_related("project__program_year", "organisation")
    )
    found = survey.first()
    if found is None:
        raise Http404(_("만족도 조사를 찾을 수 없습니다."))
    if run_action(request, lambda: services.resend_survey(user, found)) is not FAILED:
        messages.success(
            request,
            _("%(org)s에 새 조사 링크를 보냈습니다. 이전 링크는 더 쓸 수 없습니다.")
            % {"org": found.organisation.name_ko},
        )
    return _detail(project)


def _survey_gone(request: HttpRequest, message: str, status: int) -> HttpResponse:
    return render(request, "support/survey_closed.html", {"message": message}, status=status)


@never_cache
def survey_answer(request: HttpRequest, token: str) -> HttpResponse:
    """The one-time satisfaction survey (no login: the link is the key). A used or expired
    link is 410, an unknown one 404; neither changes anything."""
    survey = services.survey_by_token(token)
    if survey is None:
        return _survey_gone(
            request, _("유효하지 않은 조사 링크입니다. 메일의 링크를 다시 확인해 주세요."), 404
        )
    if survey.answered_at is not None:
        return _survey_gone(
            request, _("이미 응답한 조사입니다. 링크는 한 번만 쓸 수 있습니다."), 410
        )
    if survey.expires_at <= timezone.now():
        return _survey_gone(request, _("조사 기간이 끝난 링크입니다."), 410)
    form = SurveyForm(_posted(request))
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.answer_survey(token, form.answers(), form.cleaned_data["comment"])
            except ValidationError as error:
                refused = getattr(error, "error_dict", {}).get("token")
                if refused:
                    # Used or expired in the meantime (410), or gone (404).
                    gone = {e.code for e in refused} & {"used", "expired"}
                    return _survey_gone(
                        request, " ".join(refused[0].messages), 410 if gone else 404
                    )
                add_model_errors(form, error)
            else:
                return render(request, "support/survey_thanks.html", {"survey": survey})
        status = 400
    context = {"form": form, "survey": survey}
    return render(request, "support/survey_answer.html", context, status=status)


# Outcome dashboard ------------------------------------------------------------------


def _scoped_to(queryset: QuerySet[Any], prefix: str, form: YearFilterForm) -> QuerySet[Any]:
    if "zone" in form.fields and (zone := form.value("zone")):
        queryset = queryset.filter(**{f"{prefix}zone__code": zone})
    if "hub" in form.fields and (hub := form.value("hub")):
        queryset = queryset.filter(**{f"{prefix}hub__complex__kicox_id": hub})
    return queryset


def _totals(
    queryset: QuerySet[Outcome], order: Iterable[str], prefix: str, localised: bool = True
) -> list[dict[str, Any]]:
    """Totals per group of `prefix` (e.g. "project__zone__"), ordered by `order`; each row's
    "name" is the group's name (in the active language for reference data with `name_en`)."""
    sums = {name: Coalesce(Sum(name), Value(0)) for name in OUTCOME_TOTALS}
    names = name_fields(prefix) if localised else (f"{prefix}name_ko",)
    rows = list(
        queryset.values(*order, *names)
        .annotate(firms=Count("organisation", distinct=True), **sums)
        .order_by(*order, *names)
    )
    for row in rows:
        row["name"] = local_value(row, prefix) if localised else row[names[0]]
    return rows


def outcome_figures(user: Any, year: ProgramYear, form: YearFilterForm) -> dict[str, Any]:
    """The dashboard's tables: outcome totals by category, hub and zone; satisfaction
    averages per item; the survey response rate. All within the user's scope."""
    outcomes = _scoped_to(
        Outcome.objects.restrict(user, "view").filter(project__program_year=year),
        "project__",
        form,
    )
    by_category = _totals(outcomes, ["project__category__order"], "project__category__")
    # Complexes keep their Korean names in every language.
    by_hub = _totals(outcomes, [], "project__hub__complex__", localised=False)
    by_zone = _totals(outcomes, ["project__zone__order"], "project__zone__")
    overall = outcomes.aggregate(
        firms=Count("organisation", distinct=True),
        projects=Count("project", distinct=True),
        **{name: Coalesce(Sum(name), Value(0)) for name in OUTCOME_TOTALS},
    )
    responses = _scoped_to(
        SurveyResponse.objects.restrict(user, "view").filter(survey__project__program_year=year),
        "survey__project__",
        form,
    )
    averages = responses.aggregate(n=Count("pk"), **{item: Avg(item) for item in SURVEY_ITEMS})
    surveys = _scoped_to(
        Survey.objects.restrict(user, "view").filter(project__program_year=year),
        "project__",
        form,
    ).aggregate(sent=Count("pk"), answered=Count("pk", filter=Q(answered_at__isnull=False)))
    rate = 100.0 * surveys["answered"] / surveys["sent"] if surveys["sent"] else None
    return {
        "by_category": by_category,
        "by_hub": by_hub,
        "by_zone": by_zone,
        "overall": overall,
        "averages": averages,
        "surveys": surveys,
        "response_rate": rate,
    }


def _labels() -> dict[str, str]:
    return {name: verbose(Outcome, name) for name in OUTCOME_TOTALS}


def _item_labels() -> dict[str, str]:
    return {item: verbose(SurveyResponse, item) for item in SURVEY_ITEMS}


def _outcome_export(year: ProgramYear, figures: dict[str, Any]) -> HttpResponse:
    labels = _labels()
    header_tail = [labels[name] for name in OUTCOME_TOTALS]

    def rows(items: list[dict[str, Any]]) -> list[list[Any]]:
        return [
            [item["name"] or "–", item["firms"], *(item[name] for name in OUTCOME_TOTALS)]
            for item in items
        ]

    item_labels = _item_labels()
    averages = figures["averages"]
    sheets = [
        (
            _("분야별"),
            [_("지원서비스 분야"), _("기업 수"), *header_tail],
            rows(figures["by_category"]),
        ),
        (
            _("거점단지별"),
            [_("거점단지"), _("기업 수"), *header_tail],
            rows(figures["by_hub"]),
        ),
        (
            _("권역별"),
            [_("권역"), _("기업 수"), *header_tail],
            rows(figures["by_zone"]),
        ),
        (
            _("만족도"),
            [_("문항"), _("평균(5점 만점)")],
            [
                [item_labels[item], round(averages[item], 2) if averages[item] else None]
                for item in SURVEY_ITEMS
            ]
            + [
                [_("발송"), figures["surveys"]["sent"]],
                [_("응답"), figures["surveys"]["answered"]],
            ],
        ),
    ]
    response = HttpResponse(
        xlsx_bytes(sheets),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="outcomes-{year.year}.xlsx"'
    return response


def _bar_chart(
    labels: list[str], series: list[tuple[str, list[Any]]], y_title: str = ""
) -> dict[str, Any]:
    return {
        "labels": labels,
        "datasets": [{"label": label, "data": data} for label, data in series],
        "yTitle": y_title,
    }


@login_required
def outcome_dashboard(request: HttpRequest) -> HttpResponse:
    user = request.user
    national = _is_national(user)
    form = YearFilterForm(request.GET or None, user=user, national=national)
    year = _selected_year(form)
    if year is None:
        return render(request, "support/outcome_dashboard.html", {"form": form, "year": None})
    figures = outcome_figures(user, year, form)
    if request.GET.get("format") == "xlsx":
        return _outcome_export(year, figures)
    labels = _labels()
    counts_chart = _bar_chart(
        [str(row["name"]) for row in figures["by_category"]],
        [(labels[name], [row[name] for row in figures["by_category"]]) for name in COUNT_TOTALS],
        _("건·명"),
    )
    amounts_chart = _bar_chart(
        [str(row["name"]) for row in figures["by_hub"]],
        [
            (
                _("매출 증가(백만원)"),
                [round(row["sales_increase_krw"] / 1_000_000) for row in figures["by_hub"]],
            ),
            (
                _("비용 절감(백만원)"),
                [round(row["cost_saved_krw"] / 1_000_000) for row in figures["by_hub"]],
            ),
        ],
        _("백만원"),
    )
    item_labels = _item_labels()
    averages = figures["averages"]
    satisfaction = [{"label": item_labels[item], "value": averages[item]} for item in SURVEY_ITEMS]
    satisfaction_chart = _bar_chart(
        [row["label"] for row in satisfaction],
        [(_("평균 점수"), [round(row["value"] or 0, 2) for row in satisfaction])],
        _("점(5점 만점)"),
    )
    query = request.GET.copy()
    query["format"] = "xlsx"
    context = {
        "form": form,
        "year": year,
        "national": national,
        "labels": [labels[name] for name in OUTCOME_TOTALS],
        "names": OUTCOME_TOTALS,
        "satisfaction": satisfaction,
        "counts_chart": counts_chart,
        "amounts_chart": amounts_chart,
        "satisfaction_chart": satisfaction_chart,
        "export_query": query.urlencode(),
        "sales_increase_mkrw": round(figures["overall"]["sales_increase_krw"] / 1_000_000),
        "cost_saved_mkrw": round(figures["overall"]["cost_saved_krw"] / 1_000_000),
        **figures,
    }
    return render(request, "support/outcome_dashboard.html", context)


@login_required
def outcome_report_pdf(request: HttpRequest) -> HttpResponse:
    """The dashboard as a PDF report: the same filters, scope and figures (`outcome_figures`),
    laid out by `sandan.support.reports.outcome_pdf` (ADR 0013)."""
    user = request.user
    national = _is_national(user)
    form = YearFilterForm(request.GET or None, user=user, national=national)
    year = _selected_year(form)
    if year is None:
        raise Http404(_("사업연도가 없어 집계할 수 없습니다."))
    data = reports.outcome_pdf(
        outcome_figures(user, year, form),
        year=year,
        scope=reports.scope_line(user, form, national),
        names=OUTCOME_TOTALS,
        labels=_labels(),
        counts=COUNT_TOTALS,
        item_labels=_item_labels(),
    )
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="sandan-outcomes-{year.year}.pdf"'
    return response


# Service levels ---------------------------------------------------------------------

STAGE_LABELS = {
    "intake_to_triage": gettext_lazy("접수 → 분류"),
    "triage_to_start": gettext_lazy("분류 → 과제 착수"),
    "start_to_completion": gettext_lazy("착수 → 완료"),
    "intake_to_completion": gettext_lazy("접수 → 완료"),
}


@login_required
def service_levels(request: HttpRequest) -> HttpResponse:
    user = request.user
    form = YearFilterForm(request.GET or None, user=user, national=False)
    year = _selected_year(form)
    levels = selectors.service_levels(user, year) if year else None
    stages = [(stage, str(STAGE_LABELS[stage])) for stage, _a, _b in selectors.STAGES]
    chart = None
    if levels is not None:
        overall = levels["overall"].stages
        chart = _bar_chart(
            [label for _stage, label in stages],
            [
                (_("중앙값(일)"), [overall[stage].median_days or 0 for stage, _l in stages]),
                (_("90% 값(일)"), [overall[stage].p90_days or 0 for stage, _l in stages]),
            ],
            pgettext("unit", "일"),
        )
    now = timezone.now()
    late = selectors.overdue_problems(user, now)
    overdue = list(late[:OVERDUE_ON_PAGE])
    overdue_total = len(overdue) if len(overdue) < OVERDUE_ON_PAGE else late.count()
    for problem in overdue:
        problem.days_late = (now - problem.overdue_since).days  # type: ignore[attr-defined]
    context = {
        "form": form,
        "year": year,
        "levels": levels,
        "stages": stages,
        "chart": chart,
        "overdue": overdue,
        "overdue_total": overdue_total,
    }
    return render(request, "support/service_levels.html", context)


urlpatterns: list[URLPattern] = [
    path("projects/", project_list, name="project_list"),
    path("projects/new/", project_create, name="project_create"),
    path("projects/<int:pk>/", project_detail, name="project_detail"),
    path("projects/<int:pk>/edit/", project_edit, name="project_edit"),
    path("projects/<int:pk>/participants/new/", participant_add, name="project_participant_add"),
    path(
        "projects/<int:pk>/participants/<int:participant_pk>/remove/",
        participant_remove,
        name="project_participant_remove",
    ),
    path("projects/<int:pk>/budget/", budget_edit, name="project_budget"),
    path("projects/<int:pk>/milestones/new/", milestone_add, name="project_milestone_add"),
    path(
        "projects/<int:pk>/milestones/<int:milestone_pk>/complete/",
        milestone_complete,
        name="project_milestone_complete",
    ),
    path("projects/<int:pk>/documents/new/", document_add, name="project_document_add"),
    path("projects/documents/<int:pk>/", project_document, name="project_document"),
    path("projects/<int:pk>/submit/", project_submit, name="project_submit"),
    path("projects/<int:pk>/return/", project_return, name="project_return"),
    path("projects/<int:pk>/approve/", project_approve, name="project_approve"),
    path("projects/<int:pk>/recheck/", project_recheck, name="project_recheck"),
    path("projects/<int:pk>/start/", project_start, name="project_start"),
    path("projects/<int:pk>/complete/", project_complete, name="project_complete"),
    path("projects/<int:pk>/cancel/", project_cancel, name="project_cancel"),
    path(
        "projects/<int:pk>/outcomes/<int:organisation_pk>/",
        outcome_record,
        name="project_outcome",
    ),
    path(
        "projects/<int:pk>/surveys/<int:survey_pk>/resend/",
        survey_resend,
        name="project_survey_resend",
    ),
    path("survey/<str:token>/", survey_answer, name="survey_answer"),
    path("outcomes/", outcome_dashboard, name="outcome_dashboard"),
    path("outcomes/report.pdf", outcome_report_pdf, name="outcome_report_pdf"),
    path("service-levels/", service_levels, name="service_levels"),
]
