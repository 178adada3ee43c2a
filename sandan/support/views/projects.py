"""Project pages: the list (filtered by `selectors.ProjectFilter`, as the API is), creation
from problems, editing and the project page with its plan, participants, budget (cost share),
documents, duplicate flags and outcomes. The parts (participants, budget lines, milestones,
documents) are in `project_parts`, the workflow buttons in `project_workflow`, outcomes,
surveys, the outcome dashboard and the service levels in `outcomes`.

Every row comes from `.restrict(request.user, action)` or a selector that uses it: a page of
a row outside the user's scope is a 404, a write outside it a 403 (and nothing changes).
Writes go through `sandan.support.services`.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import (
    BigIntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from sandan.accounts.roles import Role, grants_for
from sandan.core import clock
from sandan.core.forms import FAILED, run_service
from sandan.core.models import AuditEntry
from sandan.core.pagination import paginate
from sandan.core.privacy import with_contact_flag
from sandan.core.querysets import allows
from sandan.core.shortcuts import may
from sandan.finance import selectors as finance_selectors
from sandan.finance.models import BudgetLine as FinanceLine
from sandan.program.models import ProgramYear
from sandan.program.selectors import current_program_year
from sandan.registry.models import Organisation
from sandan.support import selectors, services
from sandan.support.forms.projects import (
    ProjectFilterForm,
    ProjectForm,
    ReasonForm,
)
from sandan.support.models import (
    BudgetLine,
    DuplicateFlag,
    Milestone,
    Outcome,
    Participant,
    Problem,
    Project,
    ProjectDocument,
    Survey,
)
from sandan.support.views.common import (
    is_national,
    own_organisations,
    posted,
    project_form_page,
    project_or_404,
    project_to_change,
    to_project,
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


def _open_year() -> ProgramYear | None:
    try:
        return current_program_year()
    except ValidationError:
        return None


# List -------------------------------------------------------------------------------


def projects_for(user: Any, form: ProjectFilterForm) -> QuerySet[Project]:
    """The projects a user may see, filtered, with the grant and firm totals and the lead
    firm's name in the same SELECT."""
    queryset = selectors.filter_projects(user, form.filters()).select_related(
        "program_year", "zone", "hub__complex", "category"
    )
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
    )


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
                return to_project(project)
        status = 400
    # The service derives the scope from the problems' complexes and zones; shown here.
    scope = Project.Scope(services.scope_of(chosen)).label if chosen else None
    return project_form_page(
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
    project = project_to_change(request, pk)
    initial = {
        "title": project.title,
        "summary": project.summary,
        "type": project.type,
        "category": project.category_id,
        "scope": project.scope,
        "start_date": project.start_date,
        "end_date": project.end_date,
    }
    form = ProjectForm(posted(request), project=project, initial=initial)
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
                return to_project(project)
        status = 400
    return project_form_page(request, project, form, _("지원과제 수정"), status=status)


# Detail -----------------------------------------------------------------------------


def _outcome_rows(
    user: Any, project: Project, participants: list[Participant], may_change: bool
) -> list[dict[str, Any]]:
    now = clock.now()
    outcomes = {
        o.organisation_id: o for o in Outcome.objects.restrict(user, "view").filter(project=project)
    }
    surveys = {
        s.organisation_id: s
        for s in with_contact_flag(
            Survey.objects.restrict(user, "view").filter(project=project), user
        )
    }
    own = own_organisations(user)
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
    project = project_or_404(user, pk)
    may_change = may(user, Project, "change", project.pk)
    may_approve = may(user, Project, "approve", project.pk)
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
    own = own_organisations(user)
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
        "money": finance_selectors.project_money(user, project.pk),
        "may_see_lines": allows(user, FinanceLine, "view"),
        "may_change": may_change and project.status in OPEN_STATES,
        "may_approve": may_approve,
        "may_add_document": allows(user, ProjectDocument, "add")
        and project.status != Project.Status.CANCELLED,
        "may_read_history": allows(user, AuditEntry, "view") or may_change,
        "link_registry": is_national(user)
        or bool({g.role for g in grants_for(user)} & {Role.REGIONAL_STAFF, Role.COORDINATOR}),
        "workflow": workflow,
        # Staff who run projects elsewhere and read this one because firms of theirs take part.
        "read_only_partner": not may_change and allows(user, Project, "change"),
        "reason_form": ReasonForm(),
        "needs_reason": project.status in (Project.Status.APPROVED, Project.Status.IN_PROGRESS),
    }
    return render(request, "support/project_detail.html", context)
