"""Support API endpoints of projects: the list (filtered by `selectors.ProjectFilter`, as the
project list page is), a project with its milestones, budget and cost share, participants,
and the outcomes and satisfaction surveys.

No `from __future__ import annotations` here: django-ninja reads the operations'
signatures at import time.
"""

from typing import Any

from django.db.models import BooleanField, OuterRef, QuerySet, Subquery, Value
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router
from ninja.errors import HttpError
from ninja.pagination import paginate

from sandan.api.pagination import Pagination
from sandan.api.params import Id
from sandan.core.privacy import with_contact_flag
from sandan.core.querysets import allows
from sandan.support import selectors, services
from sandan.support.api.schemas import (
    OUTCOME_COLUMNS,
    PROJECT_COLUMNS,
    OutcomeOut,
    OutcomeQuery,
    ParticipantOut,
    ProjectDetailOut,
    ProjectOut,
    ProjectQuery,
    SurveyOut,
    SurveyQuery,
    SurveyResponseOut,
)
from sandan.support.models import (
    BudgetLine,
    Milestone,
    Outcome,
    Participant,
    Problem,
    Project,
    Survey,
    SurveyResponse,
)

router = Router(tags=["support"])


def _user(request: HttpRequest) -> Any:
    return request.auth  # type: ignore[attr-defined]


def _found(queryset: QuerySet[Any], pk: int, message: str) -> Any:
    """The row `pk` of an already restricted queryset, or 404."""
    obj = queryset.filter(pk=pk).first()
    if obj is None:
        raise HttpError(404, message)
    return obj


def _projects(user: Any, f: ProjectQuery | None = None) -> QuerySet[Project]:
    lead = Participant.objects.filter(
        project=OuterRef("pk"), role=Participant.Role.LEAD_FIRM
    ).order_by()
    return (
        selectors.filter_projects(user, f.filters() if f is not None else None)
        .select_related("program_year", "category", "zone", "hub__complex")
        .only(*PROJECT_COLUMNS)
        .annotate(
            lead_firm_id=Subquery(lead.values("organisation_id")[:1]),
            lead_firm_name=Subquery(lead.values("organisation__name_ko")[:1]),
        )
    )


def _project_or_404(user: Any, pk: int) -> Project:
    project: Project = _found(_projects(user), pk, _("지원과제를 찾을 수 없습니다."))
    return project


@router.get("/support/projects", response=list[ProjectOut])
@paginate(Pagination)
def list_projects(request: HttpRequest, filters: Query[ProjectQuery]) -> Any:
    return _projects(_user(request), filters)


@router.get("/support/projects/{project_id}", response=ProjectDetailOut)
def get_project(request: HttpRequest, project_id: Id) -> Any:
    user = _user(request)
    project: Any = _project_or_404(user, project_id)
    project.visible_problems = list(
        Problem.objects.restrict(user, "view")
        .filter(projects=project)
        .order_by("id")
        .values_list("pk", flat=True)
    )
    project.visible_milestones = list(
        Milestone.objects.restrict(user, "view").filter(project=project)
    )
    may_see_budget = allows(user, BudgetLine, "view")
    project.visible_budget_lines = (
        list(
            BudgetLine.objects.restrict(user, "view")
            .filter(project=project)
            .select_related("organisation")
        )
        if may_see_budget
        else []
    )
    # The cost share sums the project's lines; shown to those who may read its budget.
    project.cost_share = services.cost_share(project) if may_see_budget else None
    return project


@router.get("/support/projects/{project_id}/participants", response=list[ParticipantOut])
@paginate(Pagination)
def list_participants(request: HttpRequest, project_id: Id) -> Any:
    user = _user(request)
    if not Project.objects.restrict(user, "view").filter(pk=project_id).exists():
        raise HttpError(404, _("지원과제를 찾을 수 없습니다."))
    return (
        Participant.objects.restrict(user, "view")
        .filter(project_id=project_id)
        .select_related("organisation", "expert")
        .only(
            "id",
            "project",
            "role",
            "organisation__name_ko",
            "organisation__kind",
            "expert__name_ko",
        )
        .order_by("role", "id")
    )


@router.get("/support/outcomes", response=list[OutcomeOut])
@paginate(Pagination)
def list_outcomes(request: HttpRequest, filters: Query[OutcomeQuery]) -> Any:
    qs = (
        Outcome.objects.restrict(_user(request), "view")
        .select_related(
            "project__program_year",
            "project__category",
            "project__hub__complex",
            "project__zone",
            "organisation",
        )
        .only(*OUTCOME_COLUMNS)
        .order_by("-recorded_at", "-id")
    )
    if filters.year:
        qs = qs.filter(project__program_year__year=filters.year)
    if filters.project:
        qs = qs.filter(project_id=filters.project)
    if filters.organisation:
        qs = qs.filter(organisation_id=filters.organisation)
    if filters.category:
        qs = qs.filter(project__category__code=filters.category)
    if filters.hub:
        qs = qs.filter(project__hub__complex__kicox_id=filters.hub)
    if filters.zone:
        qs = qs.filter(project__zone__code=filters.zone)
    return qs


@router.get("/support/surveys", response=list[SurveyOut])
@paginate(Pagination)
def list_surveys(request: HttpRequest, filters: Query[SurveyQuery]) -> Any:
    """Surveys with their answers once answered. The token hash is never loaded."""
    user = _user(request)
    response_columns = [f"response__{name}" for name in SurveyResponseOut.model_fields]
    qs: QuerySet[Survey] = (
        Survey.objects.restrict(user, "view")
        .select_related("project__program_year", "organisation", "response")
        .only(
            "id",
            "email",
            "sent_at",
            "expires_at",
            "answered_at",
            "project__title",
            "project__program_year__year",
            "organisation__name_ko",
            *response_columns,
        )
        .order_by("-sent_at", "-id")
    )
    qs = with_contact_flag(qs, user)
    if filters.year:
        qs = qs.filter(project__program_year__year=filters.year)
    if filters.project:
        qs = qs.filter(project_id=filters.project)
    if filters.answered is not None:
        qs = qs.filter(answered_at__isnull=not filters.answered)
    # The answers are joined in the same SELECT; shown to roles that may read them.
    visible = allows(user, SurveyResponse, "view")
    return qs.annotate(response_visible=Value(visible, output_field=BooleanField()))
