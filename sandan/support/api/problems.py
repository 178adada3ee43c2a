"""Support API endpoints of problems: the list (filtered by `selectors.ProblemFilter`, as
the problem list page is), detail and intake, triage suggestions and decisions, the ranked
experts of a problem, and referrals to partner agencies.

No `from __future__ import annotations` here: django-ninja reads the operations'
signatures at import time.
"""

from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Count, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router, Status
from ninja.errors import HttpError
from ninja.pagination import paginate

from sandan.accounts.roles import Role, grants_for
from sandan.api.pagination import Pagination
from sandan.api.params import Id
from sandan.core.querysets import allows
from sandan.program.models import ProgramYear
from sandan.registry.models import Expert, Organisation
from sandan.support import selectors, services
from sandan.support.api.schemas import (
    PROBLEM_COLUMNS,
    SUGGEST_TEXT_MAX,
    ExpertMatchOut,
    MatchQuery,
    ProblemDetailOut,
    ProblemIn,
    ProblemOut,
    ProblemQuery,
    ReferralOut,
    ReferralQuery,
    SuggestIn,
    SuggestionOut,
    TriageDecisionOut,
    TriageIn,
    computed_suggestion,
    stored_suggestion,
)
from sandan.support.models import (
    ExpertAssignment,
    Problem,
    Project,
    Referral,
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


def _code(obj: Any, path: str) -> Any:
    for name in path.split("."):
        obj = getattr(obj, name, None)
        if obj is None:
            return None
    return obj


def _problems(user: Any, f: ProblemQuery | None = None) -> QuerySet[Problem]:
    return (
        selectors.filter_problems(user, f.filters() if f is not None else None)
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


def _problem_or_404(user: Any, pk: int) -> Problem:
    problem: Problem = _found(_problems(user), pk, _("애로과제를 찾을 수 없습니다."))
    return problem


def _problem_detail(user: Any, problem: Problem) -> Problem:
    detail: Any = problem
    detail.visible_assignments = list(
        ExpertAssignment.objects.restrict(user, "view")
        .filter(problem=problem)
        .select_related("expert")
        .only("expert__name_ko", "status", "assigned_at", "match_score", "accepted_at", "problem")
        .order_by("assigned_at", "id")
    )
    detail.visible_projects = list(
        Project.objects.restrict(user, "view")
        .filter(problems=problem)
        .order_by("id")
        .values_list("pk", flat=True)
    )
    return problem


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


@router.get("/support/problems/{problem_id}/suggestion", response=SuggestionOut)
def problem_suggestion(request: HttpRequest, problem_id: Id) -> Any:
    """The suggestion stored at intake; when none was (a year without categories then, or
    an import without suggestions), the engine's suggestion now, without writing it."""
    problem = _problem_or_404(_user(request), problem_id)
    stored = stored_suggestion(problem)
    if stored is not None:
        return stored
    suggestion = services.suggest_category(problem)
    if suggestion is None:
        raise HttpError(404, _("이 사업연도에는 지원서비스 분야가 없어 추천할 수 없습니다."))
    return computed_suggestion(suggestion)


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
    return computed_suggestion(suggestion)


@router.post("/support/problems/{problem_id}/triage", response={201: TriageDecisionOut})
def triage_problem(request: HttpRequest, problem_id: Id, payload: TriageIn) -> Any:
    """Confirm the suggested category or override it (`services.confirm_triage`)."""
    user = _user(request)
    problem = _problem_or_404(user, problem_id)
    if not Problem.objects.restrict(user, "change").filter(pk=problem.pk).exists():
        raise HttpError(403, _("이 애로과제를 분류할 권한이 없습니다."))
    decision = services.confirm_triage(user, problem, payload.category, payload.note, source="api")
    return Status(201, decision)


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
