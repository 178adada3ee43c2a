"""The support API's schemas: what each endpoint reads (queries, bodies) and answers.

An answer's field that names a related row's column reads it through a dotted alias
(`Field(validation_alias="hub.complex.kicox_id")`): django-ninja follows the path on the
model instance, which the endpoint loaded with `select_related` / `only`, so the path costs
no query. A nullable path (`hub` of a problem without a hub) defaults to None. Resolvers
remain only where a value is computed (a stored suggestion, a masked e-mail, a state).

No `from __future__ import annotations` here: django-ninja reads the annotations.
"""

import datetime as dt
from typing import Any, Literal

from ninja import Field, Schema
from pydantic import model_validator

from sandan.api.params import Code, Day, Id, Search, Text, Year
from sandan.core import clock
from sandan.core.privacy import masked
from sandan.support import services
from sandan.support.models import (
    TEXT_MAX,
    TITLE_MAX,
)
from sandan.support.selectors import ProblemFilter, ProjectFilter

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


class ProblemQuery(Schema):
    year: Year | None = None
    status: ProblemStatus | None = None
    # Code of the service category: the confirmed one, or the suggested one while none is.
    category: Code | None = None
    hub: Code | None = None  # KICOX id of the hub complex
    zone: Code | None = None
    organisation: Id | None = None
    source: ProblemSource | None = None
    urgency: ProblemUrgency | None = None
    submitted_from: Day | None = None
    submitted_to: Day | None = None
    q: Search | None = None  # in the title, the description or the firm's name

    @model_validator(mode="after")
    def _dates_in_order(self) -> "ProblemQuery":
        if self.submitted_from and self.submitted_to and self.submitted_from > self.submitted_to:
            raise ValueError("submitted_from is after submitted_to")
        return self

    def filters(self) -> ProblemFilter:
        """The same filter as the problem list page's (`selectors.ProblemFilter`)."""
        return ProblemFilter(
            year=self.year,
            zone=self.zone,
            hub=self.hub,
            status=self.status,
            category=self.category,
            urgency=self.urgency,
            source=self.source,
            organisation=self.organisation,
            submitted_from=self.submitted_from,
            submitted_to=self.submitted_to,
            text=self.q,
        )


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


def stored_suggestion(problem: Any) -> dict[str, Any] | None:
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


def computed_suggestion(suggestion: services.CategorySuggestion) -> dict[str, Any]:
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
    year: int = Field(validation_alias="program_year.year")
    title: str
    description: str
    help_wanted: str
    urgency: str
    status: str
    source: str
    organisation: int = Field(validation_alias="organisation_id")
    organisation_name: str = Field(validation_alias="organisation.name_ko")
    complex: str = Field(validation_alias="complex.kicox_id")
    zone: str = Field(validation_alias="zone.code")
    hub: str | None = Field(None, validation_alias="hub.complex.kicox_id")
    hub_name: str | None = Field(None, validation_alias="hub.complex.name_ko")
    activity: int | None = Field(validation_alias="activity_id")
    category: str | None = Field(None, validation_alias="category.code")
    category_name: str | None = Field(None, validation_alias="category.name_ko")
    suggestion: SuggestionOut | None
    submitted_at: dt.datetime
    triaged_at: dt.datetime | None
    matched_at: dt.datetime | None
    project_started_at: dt.datetime | None
    resolved_at: dt.datetime | None
    closed_at: dt.datetime | None
    close_reason: str

    @staticmethod
    def resolve_suggestion(obj: Any) -> dict[str, Any] | None:
        return stored_suggestion(obj)


class AssignmentOut(Schema):
    expert: int = Field(validation_alias="expert_id")
    expert_name: str = Field(validation_alias="expert.name_ko")
    status: str
    assigned_at: dt.datetime
    match_score: float | None
    # When the expert accepted; a declined assignment has status "declined".
    accepted_at: dt.datetime | None


class ProblemDetailOut(ProblemOut):
    # Only the assignments and projects the user may see themselves.
    assignments: list[AssignmentOut] = Field(validation_alias="visible_assignments")
    projects: list[int] = Field(validation_alias="visible_projects")


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


class ProblemIn(Schema):
    # The firm; a company user may leave it out (their own firm).
    organisation: Id | None = None
    title: Text
    description: Text
    help_wanted: Text = ""
    urgency: ProblemUrgency = "normal"


class SuggestIn(Schema):
    year: Year
    text: Text


class TriageIn(Schema):
    category: Code  # code of a service category of the problem's year
    note: Text = ""


class TriageDecisionOut(Schema):
    id: int
    problem: int = Field(validation_alias="problem_id")
    problem_status: str = Field(validation_alias="problem.status")
    suggested: str | None = Field(None, validation_alias="suggested.code")
    confidence: float | None
    chosen: str = Field(validation_alias="chosen.code")
    chosen_name: str = Field(validation_alias="chosen.name_ko")
    overridden: bool
    note: str
    decided_at: dt.datetime


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


class ProjectQuery(Schema):
    year: Year | None = None
    status: ProjectStatus | None = None
    type: ProjectType | None = None
    category: Code | None = None
    hub: Code | None = None  # KICOX id of the hub complex
    zone: Code | None = None
    scope: ProjectScope | None = None
    q: Search | None = None  # in the title or the summary

    def filters(self) -> ProjectFilter:
        """The same filter as the project list page's (`selectors.ProjectFilter`)."""
        return ProjectFilter(
            year=self.year,
            zone=self.zone,
            hub=self.hub,
            status=self.status,
            type=self.type,
            category=self.category,
            scope=self.scope,
            text=self.q,
        )


class ProjectOut(Schema):
    id: int
    year: int = Field(validation_alias="program_year.year")
    title: str
    summary: str
    type: str
    category: str = Field(validation_alias="category.code")
    category_name: str = Field(validation_alias="category.name_ko")
    scope: str
    status: str
    zone: str = Field(validation_alias="zone.code")
    hub: str = Field(validation_alias="hub.complex.kicox_id")
    hub_name: str = Field(validation_alias="hub.complex.name_ko")
    lead_firm: int | None = Field(validation_alias="lead_firm_id")
    lead_firm_name: str | None
    start_date: dt.date | None
    end_date: dt.date | None
    submitted_at: dt.datetime | None
    approved_at: dt.datetime | None
    started_at: dt.datetime | None
    completed_at: dt.datetime | None
    cancelled_at: dt.datetime | None
    cancel_reason: str


class MilestoneOut(Schema):
    title: str
    due_date: dt.date
    deliverable: str
    done_at: dt.datetime | None


class BudgetLineOut(Schema):
    id: int
    kind: str
    organisation: int | None = Field(validation_alias="organisation_id")
    organisation_name: str | None = Field(None, validation_alias="organisation.name_ko")
    amount_krw: int
    note: str


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
    problems: list[int] = Field(validation_alias="visible_problems")
    milestones: list[MilestoneOut] = Field(validation_alias="visible_milestones")
    budget_lines: list[BudgetLineOut] = Field(validation_alias="visible_budget_lines")
    cost_share: CostShareOut | None


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


class ParticipantOut(Schema):
    id: int
    project: int = Field(validation_alias="project_id")
    role: str
    organisation: int | None = Field(validation_alias="organisation_id")
    organisation_name: str | None = Field(None, validation_alias="organisation.name_ko")
    organisation_kind: str | None = Field(None, validation_alias="organisation.kind")
    expert: int | None = Field(validation_alias="expert_id")
    expert_name: str | None = Field(None, validation_alias="expert.name_ko")


class ReferralQuery(Schema):
    year: Year | None = None
    status: ReferralStatus | None = None
    partner_kind: PartnerKind | None = None
    problem: Id | None = None


class ReferralOut(Schema):
    id: int
    problem: int = Field(validation_alias="problem_id")
    problem_title: str = Field(validation_alias="problem.title")
    year: int = Field(validation_alias="problem.program_year.year")
    organisation: int = Field(validation_alias="problem.organisation_id")
    organisation_name: str = Field(validation_alias="problem.organisation.name_ko")
    agency: int | None = Field(validation_alias="agency_id")
    agency_name: str | None = Field(None, validation_alias="agency.name_ko")
    partner_kind: str
    status: str
    note: str
    outcome: str
    referred_at: dt.datetime
    closed_at: dt.datetime | None


class OutcomeQuery(Schema):
    year: Year | None = None
    project: Id | None = None
    organisation: Id | None = None
    category: Code | None = None
    hub: Code | None = None  # KICOX id of the project's hub complex
    zone: Code | None = None


class OutcomeOut(Schema):
    id: int
    project: int = Field(validation_alias="project_id")
    project_title: str = Field(validation_alias="project.title")
    year: int = Field(validation_alias="project.program_year.year")
    category: str = Field(validation_alias="project.category.code")
    hub: str = Field(validation_alias="project.hub.complex.kicox_id")
    zone: str = Field(validation_alias="project.zone.code")
    organisation: int = Field(validation_alias="organisation_id")
    organisation_name: str = Field(validation_alias="organisation.name_ko")
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
    project: int = Field(validation_alias="project_id")
    project_title: str = Field(validation_alias="project.title")
    year: int = Field(validation_alias="project.program_year.year")
    organisation: int = Field(validation_alias="organisation_id")
    organisation_name: str = Field(validation_alias="organisation.name_ko")
    email: str
    sent_at: dt.datetime
    expires_at: dt.datetime
    answered_at: dt.datetime | None
    # answered / open / expired
    state: str
    response: SurveyResponseOut | None

    @staticmethod
    def resolve_email(obj: Any) -> str:
        return masked(obj.email, bool(getattr(obj, "contact_visible", False)))

    @staticmethod
    def resolve_state(obj: Any) -> str:
        if obj.answered_at is not None:
            return "answered"
        return "expired" if obj.expires_at <= clock.now() else "open"

    @staticmethod
    def resolve_response(obj: Any) -> Any:
        if not getattr(obj, "response_visible", False):
            return None
        return getattr(obj, "response", None)
