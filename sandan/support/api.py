"""Support pipeline endpoints: problems (list, detail, intake), triage suggestions and
decisions, expert matching results, projects with their budget and participants, referrals,
outcomes and surveys.

Every read starts from `restrict(user, "view")`; an id the user may not see is 404, a write
outside the user's scope is 403. Every write goes through `sandan.support.services`, whose
ValidationError answers 400 with messages keyed by field (see sandan/api/urls.py); schema
errors (unknown status, bad date, out-of-range number) answer 422. Lists are paginated as
{"items", "count"} and load only the columns their schema prints, so a page costs the same
number of queries however many rows there are.

Personal data: expert contacts never appear here; a survey's e-mail is masked for roles
without the "contact" action, and its token hash is never loaded.

No `from __future__ import annotations` here: django-ninja reads the operations'
signatures at import time (see sandan/registry/api.py).
"""

import datetime as dt
from typing import Any, Literal

from django.core.exceptions import ValidationError
from django.db.models import BooleanField, Count, OuterRef, Q, QuerySet, Subquery, Value
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.errors import HttpError
from ninja.pagination import paginate
from pydantic import model_validator

from sandan.accounts.roles import Role, grants_for
from sandan.api.pagination import Pagination
from sandan.api.params import Code, Day, Id, Search, Text, Year
from sandan.core.privacy import masked, with_contact_flag
from sandan.core.querysets import allows
from sandan.program.models import ProgramYear
from sandan.registry.models import Expert, Organisation
from sandan.support import services
from sandan.support.models import (
    TEXT_MAX,
    TITLE_MAX,
    BudgetLine,
    ExpertAssignment,
    Milestone,
    Outcome,
    Participant,
    Problem,
    Project,
    Referral,
    Survey,
    SurveyResponse,
)

router = Router(tags=["support"])

# The allowed values of the models' choices (a test keeps them equal to the models').
ProblemStatus = Literal[
    "submitted", "triaged", "matched", "in_project", "referred", "closed", "rejected"
]
ProblemUrgency = Literal["low", "normal", "high", "urgent"]
ProblemSource = Literal["web", "activity", "import"]
ProjectStatus = Literal["draft", "submitted", "approved", "in_progress", "completed", "cancelled"]
ProjectType = Literal[
    "mentoring", "ip_filing", "joint_rnd", "prototype", "marketing", "training", "consulting"
]
ProjectScope = Literal["single_complex", "inter_complex", "inter_zone"]
ReferralStatus = Literal["sent", "accepted", "declined", "completed"]
PartnerKind = Literal[
    "regional_committee", "leading_industry", "local_government", "technopark", "other"
]

# What /support/triage/suggest reads: a problem's title, description and help wanted.
SUGGEST_TEXT_MAX = TITLE_MAX + 2 * TEXT_MAX


def _user(request: HttpRequest) -> Any:
    return request.auth  # type: ignore[attr-defined]


def _found(queryset: QuerySet[Any], pk: int, message: str) -> Any:
    """The row `pk` of an already restricted queryset, or 404."""
    obj = queryset.filter(pk=pk).first()
    if obj is None:
        raise HttpError(404, message)
    return obj


def _day_start(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def _code(obj: Any, path: str) -> Any:
    for name in path.split("."):
        obj = getattr(obj, name, None)
        if obj is None:
            return None
    return obj


# Problems ---------------------------------------------------------------------------


class ProblemQuery(Schema):
    year: Year | None = None
    status: ProblemStatus | None = None
    category: Code | None = None  # code of the confirmed service category
    hub: Code | None = None  # KICOX id of the hub complex
    zone: Code | None = None
    organisation: Id | None = None
    source: ProblemSource | None = None
    urgency: ProblemUrgency | None = None
    submitted_from: Day | None = None
    submitted_to: Day | None = None
    q: Search | None = None

    @model_validator(mode="after")
    def _dates_in_order(self) -> "ProblemQuery":
        if self.submitted_from and self.submitted_to and self.submitted_from > self.submitted_to:
            raise ValueError("submitted_from is after submitted_to")
        return self


class RankOut(Schema):
    category: str
    score: float


class SuggestionOut(Schema):
    category: str
    name_ko: str
    name_en: str
    confidence: float
    evidence: list[str]
    # Every category with its probability, best first (only when computed on request).
    ranking: list[RankOut]
    # True: the suggestion stored at intake; false: computed now (nothing is written).
    stored: bool


def _stored_suggestion(problem: Any) -> dict[str, Any] | None:
    category = problem.suggested_category if problem.suggested_category_id else None
    if category is None:
        return None
    return {
        "category": category.code,
        "name_ko": category.name_ko,
        "name_en": category.name_en,
        "confidence": float(problem.suggestion_confidence or 0.0),
        "evidence": [str(word) for word in problem.suggestion_evidence or []],
        "ranking": [],
        "stored": True,
    }


def _computed_suggestion(suggestion: services.CategorySuggestion) -> dict[str, Any]:
    category = suggestion.category
    return {
        "category": suggestion.code,
        "name_ko": category.name_ko if category is not None else "",
        "name_en": category.name_en if category is not None else "",
        "confidence": suggestion.confidence,
        "evidence": suggestion.evidence,
        "ranking": [
            {"category": code, "score": round(score, 4)} for code, score in suggestion.ranking
        ],
        "stored": False,
    }


class ProblemOut(Schema):
    id: int
    year: int
    title: str
    description: str
    help_wanted: str
    urgency: str
    status: str
    source: str
    organisation: int
    organisation_name: str
    complex: str
    zone: str
    hub: str | None
    hub_name: str | None
    activity: int | None
    category: str | None
    category_name: str | None
    suggestion: SuggestionOut | None
    submitted_at: dt.datetime
    triaged_at: dt.datetime | None
    matched_at: dt.datetime | None
    project_started_at: dt.datetime | None
    resolved_at: dt.datetime | None
    closed_at: dt.datetime | None
    close_reason: str

    @staticmethod
    def resolve_year(obj: Any) -> int:
        return int(obj.program_year.year)

    @staticmethod
    def resolve_organisation(obj: Any) -> int:
        return int(obj.organisation_id)

    @staticmethod
    def resolve_organisation_name(obj: Any) -> str:
        return str(obj.organisation.name_ko)

    @staticmethod
    def resolve_complex(obj: Any) -> str:
        return str(obj.complex.kicox_id)

    @staticmethod
    def resolve_zone(obj: Any) -> str:
        return str(obj.zone.code)

    @staticmethod
    def resolve_hub(obj: Any) -> str | None:
        return _code(obj, "hub.complex.kicox_id") if obj.hub_id else None

    @staticmethod
    def resolve_hub_name(obj: Any) -> str | None:
        return _code(obj, "hub.complex.name_ko") if obj.hub_id else None

    @staticmethod
    def resolve_activity(obj: Any) -> int | None:
        return obj.activity_id  # type: ignore[no-any-return]

    @staticmethod
    def resolve_category(obj: Any) -> str | None:
        return obj.category.code if obj.category_id else None

    @staticmethod
    def resolve_category_name(obj: Any) -> str | None:
        return obj.category.name_ko if obj.category_id else None

    @staticmethod
    def resolve_suggestion(obj: Any) -> dict[str, Any] | None:
        return _stored_suggestion(obj)


class AssignmentOut(Schema):
    expert: int
    expert_name: str
    status: str
    assigned_at: dt.datetime
    match_score: float | None

    @staticmethod
    def resolve_expert(obj: Any) -> int:
        return int(obj.expert_id)

    @staticmethod
    def resolve_expert_name(obj: Any) -> str:
        return str(obj.expert.name_ko)


class ProblemDetailOut(ProblemOut):
    # Only the assignments and projects the user may see themselves.
    assignments: list[AssignmentOut]
    projects: list[int]

    @staticmethod
    def resolve_assignments(obj: Any) -> list[Any]:
        return list(obj.visible_assignments)

    @staticmethod
    def resolve_projects(obj: Any) -> list[int]:
        return list(obj.visible_projects)


PROBLEM_COLUMNS = (
    "id",
    "title",
    "description",
    "help_wanted",
    "urgency",
    "status",
    "source",
    "activity",
    "suggestion_confidence",
    "suggestion_evidence",
    "submitted_at",
    "triaged_at",
    "matched_at",
    "project_started_at",
    "resolved_at",
    "closed_at",
    "close_reason",
    "program_year__year",
    "organisation__name_ko",
    "complex__kicox_id",
    "zone__code",
    "hub__complex__kicox_id",
    "hub__complex__name_ko",
    "category__code",
    "category__name_ko",
    "suggested_category__code",
    "suggested_category__name_ko",
    "suggested_category__name_en",
)


def _problems(user: Any, f: ProblemQuery | None = None) -> QuerySet[Problem]:
    qs = (
        Problem.objects.restrict(user, "view")
        .select_related(
            "program_year",
            "organisation",
            "complex",
            "zone",
            "hub__complex",
            "category",
            "suggested_category",
        )
        .only(*PROBLEM_COLUMNS)
    )
    if f is None:
        return qs
    if f.year:
        qs = qs.filter(program_year__year=f.year)
    if f.status:
        qs = qs.filter(status=f.status)
    if f.category:
        qs = qs.filter(category__code=f.category)
    if f.hub:
        qs = qs.filter(hub__complex__kicox_id=f.hub)
    if f.zone:
        qs = qs.filter(zone__code=f.zone)
    if f.organisation:
        qs = qs.filter(organisation_id=f.organisation)
    if f.source:
        qs = qs.filter(source=f.source)
    if f.urgency:
        qs = qs.filter(urgency=f.urgency)
    if f.submitted_from:
        qs = qs.filter(submitted_at__gte=_day_start(f.submitted_from))
    if f.submitted_to:
        qs = qs.filter(submitted_at__lt=_day_start(f.submitted_to + dt.timedelta(days=1)))
    if f.q:
        text = f.q.strip()
        if text:
            qs = qs.filter(
                Q(title__icontains=text)
                | Q(description__icontains=text)
                | Q(organisation__name_ko__icontains=text)
            )
    return qs


def _problem_or_404(user: Any, pk: int) -> Problem:
    problem: Problem = _found(_problems(user), pk, _("애로과제를 찾을 수 없습니다."))
    return problem


def _problem_detail(user: Any, problem: Problem) -> Problem:
    detail: Any = problem
    detail.visible_assignments = list(
        ExpertAssignment.objects.restrict(user, "view")
        .filter(problem=problem)
        .select_related("expert")
        .only("expert__name_ko", "status", "assigned_at", "match_score", "problem")
        .order_by("assigned_at", "id")
    )
    detail.visible_projects = list(
        Project.objects.restrict(user, "view")
        .filter(problems=problem)
        .order_by("id")
        .values_list("pk", flat=True)
    )
    return problem


class ProblemIn(Schema):
    # The firm; a company user may leave it out (their own firm).
    organisation: Id | None = None
    title: Text
    description: Text
    help_wanted: Text = ""
    urgency: ProblemUrgency = "normal"


def _firm_for(user: Any, pk: int | None) -> Organisation:
    """The firm a problem is submitted for: given and within the user's scope, or, for a
    company user of exactly one firm, that firm."""
    if pk is None:
        own = {
            org_id
            for grant in grants_for(user)
            if grant.role == Role.COMPANY_USER and grant.scope_kind == "organisation"
            for org_id in grant.scope_ids
        }
        if len(own) != 1:
            raise ValidationError({"organisation": _("기업을 고르세요.")})
        pk = own.pop()
    firm = (
        Organisation.objects.restrict(user, "view")
        .select_related("complex__province")
        .filter(pk=pk)
        .first()
    )
    if firm is None:
        raise ValidationError({"organisation": _("%(id)s번 기업을 찾을 수 없습니다.") % {"id": pk}})
    return firm


@router.get("/support/problems", response=list[ProblemOut])
@paginate(Pagination)
def list_problems(request: HttpRequest, filters: Query[ProblemQuery]) -> Any:
    return _problems(_user(request), filters)


@router.post("/support/problems", response={201: ProblemDetailOut})
def create_problem(request: HttpRequest, payload: ProblemIn) -> Any:
    """A firm's problem through `services.submit_problem` (stores the triage suggestion)."""
    user = _user(request)
    if not allows(user, Problem, "add"):
        raise HttpError(403, _("애로과제를 접수할 권한이 없습니다."))
    problem = services.submit_problem(
        user,
        _firm_for(user, payload.organisation),
        payload.title,
        payload.description,
        payload.help_wanted,
        payload.urgency,
        source="api",
    )
    return Status(201, _problem_detail(user, _problem_or_404(user, problem.pk)))


@router.get("/support/problems/{problem_id}", response=ProblemDetailOut)
def get_problem(request: HttpRequest, problem_id: Id) -> Any:
    user = _user(request)
    return _problem_detail(user, _problem_or_404(user, problem_id))


# Triage -----------------------------------------------------------------------------


@router.get("/support/problems/{problem_id}/suggestion", response=SuggestionOut)
def problem_suggestion(request: HttpRequest, problem_id: Id) -> Any:
    """The suggestion stored at intake; when none was (a year without categories then, or
    an import without suggestions), the engine's suggestion now, without writing it."""
    problem = _problem_or_404(_user(request), problem_id)
    stored = _stored_suggestion(problem)
    if stored is not None:
        return stored
    suggestion = services.suggest_category(problem)
    if suggestion is None:
        raise HttpError(404, _("이 사업연도에는 지원서비스 분야가 없어 추천할 수 없습니다."))
    return _computed_suggestion(suggestion)


class SuggestIn(Schema):
    year: Year
    text: Text


@router.post("/support/triage/suggest", response=SuggestionOut)
def suggest_for_text(request: HttpRequest, payload: SuggestIn) -> Any:
    """The suggested category of a free text in a program year; nothing is written."""
    user = _user(request)
    if not (allows(user, Problem, "view") or allows(user, Problem, "add")):
        raise HttpError(403, _("애로과제 분류를 볼 권한이 없습니다."))
    year = ProgramYear.objects.restrict(user, "view").filter(year=payload.year).first()
    if year is None:
        raise ValidationError(
            {"year": _("%(year)s년 사업연도가 없습니다.") % {"year": payload.year}}
        )
    text = services.clean_text(payload.text, "text", maximum=SUGGEST_TEXT_MAX)
    suggestion = services.suggest_for_text(year, text)
    if suggestion is None:
        raise ValidationError(
            {"year": _("%(year)s년에는 지원서비스 분야가 없습니다.") % {"year": year.year}}
        )
    return _computed_suggestion(suggestion)


class TriageIn(Schema):
    category: Code  # code of a service category of the problem's year
    note: Text = ""


class TriageDecisionOut(Schema):
    id: int
    problem: int
    problem_status: str
    suggested: str | None
    confidence: float | None
    chosen: str
    chosen_name: str
    overridden: bool
    note: str
    decided_at: dt.datetime

    @staticmethod
    def resolve_problem(obj: Any) -> int:
        return int(obj.problem_id)

    @staticmethod
    def resolve_problem_status(obj: Any) -> str:
        return str(obj.problem.status)

    @staticmethod
    def resolve_suggested(obj: Any) -> str | None:
        return obj.suggested.code if obj.suggested_id else None

    @staticmethod
    def resolve_chosen(obj: Any) -> str:
        return str(obj.chosen.code)

    @staticmethod
    def resolve_chosen_name(obj: Any) -> str:
        return str(obj.chosen.name_ko)


@router.post("/support/problems/{problem_id}/triage", response={201: TriageDecisionOut})
def triage_problem(request: HttpRequest, problem_id: Id, payload: TriageIn) -> Any:
    """Confirm the suggested category or override it (`services.confirm_triage`)."""
    user = _user(request)
    problem = _problem_or_404(user, problem_id)
    if not Problem.objects.restrict(user, "change").filter(pk=problem.pk).exists():
        raise HttpError(403, _("이 애로과제를 분류할 권한이 없습니다."))
    decision = services.confirm_triage(user, problem, payload.category, payload.note, source="api")
    return Status(201, decision)


# Expert matching --------------------------------------------------------------------


class MatchQuery(Schema):
    k: int = Field(10, ge=1, le=50)


class ExpertMatchOut(Schema):
    expert: int
    name: str
    title: str
    affiliation: str | None
    score: float
    explanation: str
    matched_terms: list[str]
    category_match: bool
    industry_match: bool
    # Open (active) assignments of the expert.
    load: int


@router.get("/support/problems/{problem_id}/experts", response=list[ExpertMatchOut])
def problem_experts(request: HttpRequest, problem_id: Id, query: Query[MatchQuery]) -> Any:
    """Ranked experts for the problem (`services.suggest_experts`), limited to the experts
    the user may see. Contacts are never part of the answer."""
    user = _user(request)
    problem = _problem_or_404(user, problem_id)
    if not allows(user, Expert, "view"):
        raise HttpError(403, _("전문가 정보를 볼 권한이 없습니다."))
    suggestions = services.suggest_experts(problem, k=query.k)
    ids = [s.expert.pk for s in suggestions]
    visible = set(
        Expert.objects.restrict(user, "view").filter(pk__in=ids).values_list("pk", flat=True)
    )
    loads = dict(
        ExpertAssignment.objects.filter(
            expert_id__in=visible, status=ExpertAssignment.Status.ACTIVE
        )
        .values("expert_id")
        .annotate(n=Count("id"))
        .values_list("expert_id", "n")
    )
    return [
        {
            "expert": s.expert.pk,
            "name": s.expert.name_ko,
            "title": s.expert.title,
            "affiliation": _code(s.expert, "affiliation.name_ko"),
            "score": round(float(s.score), 4),
            "explanation": s.explanation,
            "matched_terms": list(s.matched_terms),
            "category_match": s.category_match,
            "industry_match": s.industry_match,
            "load": loads.get(s.expert.pk, 0),
        }
        for s in suggestions
        if s.expert.pk in visible
    ]


# Projects ---------------------------------------------------------------------------


class ProjectQuery(Schema):
    year: Year | None = None
    status: ProjectStatus | None = None
    type: ProjectType | None = None
    category: Code | None = None
    hub: Code | None = None  # KICOX id of the hub complex
    zone: Code | None = None
    scope: ProjectScope | None = None
    q: Search | None = None


class ProjectOut(Schema):
    id: int
    year: int
    title: str
    summary: str
    type: str
    category: str
    category_name: str
    scope: str
    status: str
    zone: str
    hub: str
    hub_name: str
    lead_firm: int | None
    lead_firm_name: str | None
    start_date: dt.date | None
    end_date: dt.date | None
    submitted_at: dt.datetime | None
    approved_at: dt.datetime | None
    started_at: dt.datetime | None
    completed_at: dt.datetime | None
    cancelled_at: dt.datetime | None
    cancel_reason: str

    @staticmethod
    def resolve_year(obj: Any) -> int:
        return int(obj.program_year.year)

    @staticmethod
    def resolve_category(obj: Any) -> str:
        return str(obj.category.code)

    @staticmethod
    def resolve_category_name(obj: Any) -> str:
        return str(obj.category.name_ko)

    @staticmethod
    def resolve_zone(obj: Any) -> str:
        return str(obj.zone.code)

    @staticmethod
    def resolve_hub(obj: Any) -> str:
        return str(obj.hub.complex.kicox_id)

    @staticmethod
    def resolve_hub_name(obj: Any) -> str:
        return str(obj.hub.complex.name_ko)

    @staticmethod
    def resolve_lead_firm(obj: Any) -> int | None:
        return obj.lead_firm_id  # type: ignore[no-any-return]


class MilestoneOut(Schema):
    title: str
    due_date: dt.date
    deliverable: str
    done_at: dt.datetime | None


class BudgetLineOut(Schema):
    id: int
    kind: str
    organisation: int | None
    organisation_name: str | None
    amount_krw: int
    note: str

    @staticmethod
    def resolve_organisation(obj: Any) -> int | None:
        return obj.organisation_id  # type: ignore[no-any-return]

    @staticmethod
    def resolve_organisation_name(obj: Any) -> str | None:
        return obj.organisation.name_ko if obj.organisation_id else None


class CostShareOut(Schema):
    public_krw: int
    firm_cash_krw: int
    firm_in_kind_krw: int
    total_krw: int
    firm_pct: float
    # The year's rule: the firms' share must be at least this percentage.
    min_pct: float
    ok: bool

    @staticmethod
    def resolve_firm_pct(obj: Any) -> float:
        return round(float(obj.firm_pct), 2)


class ProjectDetailOut(ProjectOut):
    # Only the problems, milestones and budget lines the user may see themselves.
    problems: list[int]
    milestones: list[MilestoneOut]
    budget_lines: list[BudgetLineOut]
    cost_share: CostShareOut | None

    @staticmethod
    def resolve_problems(obj: Any) -> list[int]:
        return list(obj.visible_problems)

    @staticmethod
    def resolve_milestones(obj: Any) -> list[Any]:
        return list(obj.visible_milestones)

    @staticmethod
    def resolve_budget_lines(obj: Any) -> list[Any]:
        return list(obj.visible_budget_lines)


PROJECT_COLUMNS = (
    "id",
    "title",
    "summary",
    "type",
    "scope",
    "status",
    "start_date",
    "end_date",
    "submitted_at",
    "approved_at",
    "started_at",
    "completed_at",
    "cancelled_at",
    "cancel_reason",
    "program_year__year",
    "program_year__rules",
    "category__code",
    "category__name_ko",
    "zone__code",
    "hub__complex__kicox_id",
    "hub__complex__name_ko",
)


def _projects(user: Any, f: ProjectQuery | None = None) -> QuerySet[Project]:
    lead = Participant.objects.filter(
        project=OuterRef("pk"), role=Participant.Role.LEAD_FIRM
    ).order_by()
    qs = (
        Project.objects.restrict(user, "view")
        .select_related("program_year", "category", "zone", "hub__complex")
        .only(*PROJECT_COLUMNS)
        .annotate(
            lead_firm_id=Subquery(lead.values("organisation_id")[:1]),
            lead_firm_name=Subquery(lead.values("organisation__name_ko")[:1]),
        )
    )
    if f is None:
        return qs
    if f.year:
        qs = qs.filter(program_year__year=f.year)
    if f.status:
        qs = qs.filter(status=f.status)
    if f.type:
        qs = qs.filter(type=f.type)
    if f.category:
        qs = qs.filter(category__code=f.category)
    if f.hub:
        qs = qs.filter(hub__complex__kicox_id=f.hub)
    if f.zone:
        qs = qs.filter(zone__code=f.zone)
    if f.scope:
        qs = qs.filter(scope=f.scope)
    if f.q:
        text = f.q.strip()
        if text:
            qs = qs.filter(Q(title__icontains=text) | Q(summary__icontains=text))
    return qs


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


class ParticipantOut(Schema):
    id: int
    project: int
    role: str
    organisation: int | None
    organisation_name: str | None
    organisation_kind: str | None
    expert: int | None
    expert_name: str | None

    @staticmethod
    def resolve_project(obj: Any) -> int:
        return int(obj.project_id)

    @staticmethod
    def resolve_organisation(obj: Any) -> int | None:
        return obj.organisation_id  # type: ignore[no-any-return]

    @staticmethod
    def resolve_organisation_name(obj: Any) -> str | None:
        return obj.organisation.name_ko if obj.organisation_id else None

    @staticmethod
    def resolve_organisation_kind(obj: Any) -> str | None:
        return obj.organisation.kind if obj.organisation_id else None

    @staticmethod
    def resolve_expert(obj: Any) -> int | None:
        return obj.expert_id  # type: ignore[no-any-return]

    @staticmethod
    def resolve_expert_name(obj: Any) -> str | None:
        return obj.expert.name_ko if obj.expert_id else None


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


# Referrals --------------------------------------------------------------------------


class ReferralQuery(Schema):
    year: Year | None = None
    status: ReferralStatus | None = None
    partner_kind: PartnerKind | None = None
    problem: Id | None = None


class ReferralOut(Schema):
    id: int
    problem: int
    problem_title: str
    year: int
    organisation: int
    organisation_name: str
    agency: int | None
    agency_name: str | None
    partner_kind: str
    status: str
    note: str
    outcome: str
    referred_at: dt.datetime
    closed_at: dt.datetime | None

    @staticmethod
    def resolve_problem(obj: Any) -> int:
        return int(obj.problem_id)

    @staticmethod
    def resolve_problem_title(obj: Any) -> str:
        return str(obj.problem.title)

    @staticmethod
    def resolve_year(obj: Any) -> int:
        return int(obj.problem.program_year.year)

    @staticmethod
    def resolve_organisation(obj: Any) -> int:
        return int(obj.problem.organisation_id)

    @staticmethod
    def resolve_organisation_name(obj: Any) -> str:
        return str(obj.problem.organisation.name_ko)

    @staticmethod
    def resolve_agency(obj: Any) -> int | None:
        return obj.agency_id  # type: ignore[no-any-return]

    @staticmethod
    def resolve_agency_name(obj: Any) -> str | None:
        return obj.agency.name_ko if obj.agency_id else None


@router.get("/support/referrals", response=list[ReferralOut])
@paginate(Pagination)
def list_referrals(request: HttpRequest, filters: Query[ReferralQuery]) -> Any:
    qs = (
        Referral.objects.restrict(_user(request), "view")
        .select_related("problem__program_year", "problem__organisation", "agency")
        .only(
            "id",
            "partner_kind",
            "status",
            "note",
            "outcome",
            "referred_at",
            "closed_at",
            "problem__title",
            "problem__program_year__year",
            "problem__organisation__name_ko",
            "agency__name_ko",
        )
    )
    if filters.year:
        qs = qs.filter(problem__program_year__year=filters.year)
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.partner_kind:
        qs = qs.filter(partner_kind=filters.partner_kind)
    if filters.problem:
        qs = qs.filter(problem_id=filters.problem)
    return qs


# Outcomes ---------------------------------------------------------------------------


class OutcomeQuery(Schema):
    year: Year | None = None
    project: Id | None = None
    organisation: Id | None = None
    category: Code | None = None
    hub: Code | None = None  # KICOX id of the project's hub complex
    zone: Code | None = None


class OutcomeOut(Schema):
    id: int
    project: int
    project_title: str
    year: int
    category: str
    hub: str
    zone: str
    organisation: int
    organisation_name: str
    patents_filed: int
    patents_granted: int
    prototypes: int
    new_products: int
    sales_increase_krw: int
    exports_increase_usd: int
    new_hires: int
    cost_saved_krw: int
    certifications: int
    sales_before_krw: int | None
    sales_after_krw: int | None
    employees_before: int | None
    employees_after: int | None
    exports_before_usd: int | None
    exports_after_usd: int | None
    note: str
    recorded_at: dt.datetime

    @staticmethod
    def resolve_project(obj: Any) -> int:
        return int(obj.project_id)

    @staticmethod
    def resolve_project_title(obj: Any) -> str:
        return str(obj.project.title)

    @staticmethod
    def resolve_year(obj: Any) -> int:
        return int(obj.project.program_year.year)

    @staticmethod
    def resolve_category(obj: Any) -> str:
        return str(obj.project.category.code)

    @staticmethod
    def resolve_hub(obj: Any) -> str:
        return str(obj.project.hub.complex.kicox_id)

    @staticmethod
    def resolve_zone(obj: Any) -> str:
        return str(obj.project.zone.code)

    @staticmethod
    def resolve_organisation(obj: Any) -> int:
        return int(obj.organisation_id)

    @staticmethod
    def resolve_organisation_name(obj: Any) -> str:
        return str(obj.organisation.name_ko)


OUTCOME_COLUMNS = (
    *(
        name
        for name in OutcomeOut.model_fields
        if name
        not in {
            "project",
            "project_title",
            "year",
            "category",
            "hub",
            "zone",
            "organisation",
            "organisation_name",
        }
    ),
    "project__title",
    "project__program_year__year",
    "project__category__code",
    "project__hub__complex__kicox_id",
    "project__zone__code",
    "organisation__name_ko",
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


# Surveys ----------------------------------------------------------------------------


class SurveyQuery(Schema):
    year: Year | None = None
    project: Id | None = None
    answered: bool | None = None


class SurveyResponseOut(Schema):
    overall: int
    timeliness: int
    expertise: int
    usefulness: int
    recommend: int
    comment: str
    answered_at: dt.datetime


class SurveyOut(Schema):
    id: int
    project: int
    project_title: str
    year: int
    organisation: int
    organisation_name: str
    email: str
    sent_at: dt.datetime
    expires_at: dt.datetime
    answered_at: dt.datetime | None
    # answered / open / expired
    state: str
    response: SurveyResponseOut | None

    @staticmethod
    def resolve_project(obj: Any) -> int:
        return int(obj.project_id)

    @staticmethod
    def resolve_project_title(obj: Any) -> str:
        return str(obj.project.title)

    @staticmethod
    def resolve_year(obj: Any) -> int:
        return int(obj.project.program_year.year)

    @staticmethod
    def resolve_organisation(obj: Any) -> int:
        return int(obj.organisation_id)

    @staticmethod
    def resolve_organisation_name(obj: Any) -> str:
        return str(obj.organisation.name_ko)

    @staticmethod
    def resolve_email(obj: Any) -> str:
        return masked(obj.email, bool(getattr(obj, "contact_visible", False)))

    @staticmethod
    def resolve_state(obj: Any) -> str:
        if obj.answered_at is not None:
            return "answered"
        return "expired" if obj.expires_at <= timezone.now() else "open"

    @staticmethod
    def resolve_response(obj: Any) -> Any:
        if not getattr(obj, "response_visible", False):
            return None
        return getattr(obj, "response", None)


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
