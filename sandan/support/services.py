"""Every write of the support pipeline (views, API, importer, commands, demo data).

From a firm's problem to a measured outcome: intake (with the triage engine's suggestion),
confirmed triage, expert matching and assignment, mentoring notes, support projects and
their approval (cost-share rule and duplicate-funding check), referrals to partner
agencies, outcomes and one-time satisfaction surveys.

Each function validates first and says what is wrong in a ValidationError keyed by field
(Korean messages); nothing is written then. Writes run in a transaction and are audited
through `sandan.core.services` (one row) or `sandan.core.audit.record_many` (bulk).
No function takes a request.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import math
import secrets
import threading
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import models, transaction
from django.db.models import Count, Max, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from sandan.core import audit
from sandan.core.models import AuditAction
from sandan.core.services import (
    NotAllowed,
    create_object,
    delete_object,
    ensure_allowed,
    update_object,
)
from sandan.councils.models import Activity
from sandan.councils.services import check_attachment
from sandan.program.models import Designation, ProgramYear, ServiceCategory
from sandan.registry.models import Expert, Organisation
from sandan.support.models import (
    OUTCOME_FIGURES,
    SURVEY_ITEMS,
    TEXT_MAX,
    TITLE_MAX,
    BudgetLine,
    DuplicateFlag,
    ExpertAssignment,
    MentoringNote,
    Milestone,
    Outcome,
    Participant,
    Problem,
    ProblemAttachment,
    Project,
    ProjectDocument,
    Referral,
    Survey,
    SurveyResponse,
    TriageDecision,
)
from sandan.support.selectors import invalidate_triage, rule_of, triage_for_year
from sandan.support.text import stored_analysis

M = TypeVar("M", bound=models.Model)

DEFAULT_SIMILARITY_THRESHOLD = 0.5
DEFAULT_SURVEY_VALID_DAYS = 30
FUNDED = (Project.Status.APPROVED, Project.Status.IN_PROGRESS, Project.Status.COMPLETED)


def _now(now: dt.datetime | None) -> dt.datetime:
    return now or timezone.now()


def _user(actor: Any) -> Any:
    return actor if getattr(actor, "is_authenticated", False) else None


def _label(choices: Any, value: str) -> str:
    return str(dict(choices.choices).get(value, value))


def _move(model: Any, current: str, new: str, field: str = "status") -> None:
    if new not in model.TRANSITIONS.get(current, ()):
        raise ValidationError(
            {
                field: _("'%(old)s'에서 '%(new)s'(으)로 바꿀 수 없습니다.")
                % {"old": _label(model.Status, current), "new": _label(model.Status, new)}
            }
        )


def _update(actor: Any, instance: M, fields: Mapping[str, Any], **kwargs: Any) -> M:
    """`update_object`, then the caller's instance shows the saved values too."""
    saved = update_object(actor, instance, fields, **kwargs)
    instance.refresh_from_db()
    return saved


# Text -------------------------------------------------------------------------------


def clean_text(value: Any, field: str, *, maximum: int = TEXT_MAX, required: bool = True) -> str:
    """Stripped text (line ends kept), or a ValidationError on `field`: empty or too long."""
    text = str(value or "").replace("\r\n", "\n").strip()
    if required and not text:
        raise ValidationError({field: _("내용을 적어 주세요. 비워 둘 수 없습니다.")})
    if len(text) > maximum:
        raise ValidationError(
            {
                field: _("%(max)s자 이내로 적어 주세요. 지금 %(len)s자입니다.")
                % {"max": f"{maximum:,}", "len": f"{len(text):,}"}
            }
        )
    return text


def _clean_title(value: Any, field: str = "title") -> str:
    text = " ".join(str(value or "").split())
    return clean_text(text, field, maximum=TITLE_MAX)


def _choice(value: Any, choices: Any, field: str, default: str | None = None) -> str:
    text = str(value or "").strip() or (default or "")
    if text not in choices.values:
        raise ValidationError(
            {
                field: _(
                    "'%(value)s'은(는) 고를 수 있는 값이 아닙니다. 고를 수 있는 값: %(allowed)s"
                )
                % {
                    "value": text,
                    "allowed": ", ".join(str(label) for label in choices.labels),
                }
            }
        )
    return text


# Program year and hub ----------------------------------------------------------------


def current_program_year(on: dt.date | None = None) -> ProgramYear:
    """The open year: the latest approved program year (up to `on`'s year, if given)."""
    years = ProgramYear.objects.filter(status=ProgramYear.Status.APPROVED)
    if on is not None:
        years = years.filter(year__lte=on.year)
    year = years.order_by("-year").first()
    if year is None:
        raise ValidationError(
            {"program_year": _("승인된 사업연도가 없어 애로과제를 접수할 수 없습니다.")}
        )
    return year


def hub_of(complex_id: int | None, program_year: ProgramYear) -> Designation | None:
    """The hub designation a complex belongs to in a year: its own for a hub, its hub's for
    a linked complex; None when the complex is not designated that year."""
    if complex_id is None:
        return None
    designation = (
        Designation.objects.filter(program_year=program_year, complex_id=complex_id)
        .select_related("hub")
        .first()
    )
    if designation is None:
        return None
    return designation if designation.role == Designation.Role.HUB else designation.hub


def _category_of_year(
    category: Any, program_year: ProgramYear, field: str = "category"
) -> ServiceCategory:
    if category is None or category == "":
        raise ValidationError({field: _("지원서비스 분야를 고르세요.")})
    if not isinstance(category, ServiceCategory):
        found = ServiceCategory.objects.filter(
            program_year=program_year, code=str(category)
        ).first()
        if found is None:
            raise ValidationError(
                {
                    field: _("'%(code)s'은(는) %(year)s년 지원서비스 분야가 아닙니다.")
                    % {"code": category, "year": program_year.year}
                }
            )
        return found
    if category.program_year_id != program_year.pk:
        raise ValidationError(
            {
                field: _("%(category)s은(는) %(year)s년 지원서비스 분야가 아닙니다.")
                % {"category": category, "year": program_year.year}
            }
        )
    return category


# Intake -----------------------------------------------------------------------------


@dataclass(frozen=True)
class CategorySuggestion:
    """The triage engine's proposal for a problem."""

    category: ServiceCategory | None
    code: str
    confidence: float
    evidence: list[str]
    ranking: list[tuple[str, float]]


def suggest_for_text(program_year: ProgramYear, text: str) -> CategorySuggestion | None:
    """The suggested category of a text in a year, or None when the year has no categories."""
    categories = {c.code: c for c in program_year.categories.all()}
    if not categories:
        return None
    suggestion = triage_for_year(program_year).suggest(text)
    confidence = suggestion.confidence
    confidence = 0.0 if math.isnan(confidence) else min(1.0, max(0.0, float(confidence)))
    return CategorySuggestion(
        category=categories.get(suggestion.code),
        code=suggestion.code,
        confidence=round(confidence, 4),
        evidence=[str(word) for word in suggestion.evidence][:12],
        ranking=[(str(code), float(score)) for code, score in suggestion.ranking],
    )


def suggest_category(problem: Problem) -> CategorySuggestion | None:
    """The triage engine's proposal for a saved or unsaved problem (nothing is written)."""
    return suggest_for_text(problem.program_year, problem.text)


def _suggestion_fields(suggestion: CategorySuggestion | None) -> dict[str, Any]:
    if suggestion is None or suggestion.category is None:
        return {
            "suggested_category": None,
            "suggestion_confidence": None,
            "suggestion_evidence": [],
        }
    return {
        "suggested_category": suggestion.category,
        "suggestion_confidence": suggestion.confidence,
        "suggestion_evidence": suggestion.evidence,
    }


def _firm(organisation: Organisation | None) -> Organisation:
    if organisation is None:
        raise ValidationError({"organisation": _("기업을 고르세요.")})
    if organisation.kind != Organisation.Kind.COMPANY:
        raise ValidationError(
            {
                "organisation": _(
                    "애로과제는 기업만 접수할 수 있습니다. %(org)s은(는) 기업이 아닙니다."
                )
                % {"org": organisation}
            }
        )
    if organisation.complex_id is None:
        raise ValidationError(
            {
                "organisation": _(
                    "%(org)s의 소재 산업단지가 등록되어 있지 않습니다. 기업 정보에 산업단지를 "
                    "먼저 적어 주세요."
                )
                % {"org": organisation}
            }
        )
    return organisation


def problem_fields(
    *,
    organisation: Organisation | None,
    title: Any,
    description: Any,
    help_wanted: Any = "",
    urgency: Any = Problem.Urgency.NORMAL,
    program_year: ProgramYear | None = None,
    source: str = Problem.Source.WEB,
    activity: Activity | None = None,
    submitted_by: Any = None,
    submitted_at: dt.datetime | None = None,
    suggest: bool = True,
) -> dict[str, Any]:
    """Validated fields of a new problem, with the derived year, complex, zone and hub and
    the triage suggestion. Raises ValidationError (every bad field at once)."""
    errors: dict[str, list[str]] = {}
    values: dict[str, Any] = {}
    checks: list[tuple[str, Any]] = [
        ("organisation", lambda: _firm(organisation)),
        ("title", lambda: _clean_title(title)),
        ("description", lambda: clean_text(description, "description")),
        ("help_wanted", lambda: clean_text(help_wanted, "help_wanted", required=False)),
        ("urgency", lambda: _choice(urgency, Problem.Urgency, "urgency", Problem.Urgency.NORMAL)),
        (
            "program_year",
            lambda: (
                program_year
                or current_program_year(timezone.localdate(submitted_at) if submitted_at else None)
            ),
        ),
    ]
    for name, check in checks:
        try:
            values[name] = check()
        except ValidationError as error:
            for key, messages in error.message_dict.items():
                errors.setdefault(key, []).extend(messages)
    if source == Problem.Source.ACTIVITY and activity is None:
        errors.setdefault("activity", []).append(_("발굴한 네트워킹 활동을 고르세요."))
    if errors:
        raise ValidationError(errors)
    year: ProgramYear = values["program_year"]
    if year.status == ProgramYear.Status.CLOSED:
        raise ValidationError(
            {"program_year": _("종료된 사업연도에는 애로과제를 접수할 수 없습니다.")}
        )
    firm: Organisation = values["organisation"]
    complex_ = firm.complex
    assert complex_ is not None
    fields: dict[str, Any] = {
        **values,
        "complex": complex_,
        "zone_id": complex_.province.zone_id,
        "hub": hub_of(complex_.pk, year),
        "source": source,
        "activity": activity,
        "submitted_by": _user(submitted_by),
        "submitted_at": submitted_at or timezone.now(),
        "status": Problem.Status.SUBMITTED,
    }
    text = "\n".join(
        part for part in (values["title"], values["description"], values["help_wanted"]) if part
    )
    if suggest:
        fields.update(_suggestion_fields(suggest_for_text(year, text)))
    # The analysis triage just made (cached) is kept with the problem; without a suggestion
    # it is made on first use by triage (and kept by `sandan analyse_problems`).
    fields["analysis"] = stored_analysis(text) if suggest else {}
    return fields


def _store_file(
    actor: Any,
    model: type[M],
    owner: Mapping[str, Any],
    upload: UploadedFile,
    *,
    title: str = "",
    source: str,
) -> M:
    """A checked upload saved as a `model` row of `owner` (title: given or the file's name)."""
    content_type, size = check_attachment(upload)
    return create_object(
        actor,
        model,
        {
            **owner,
            "file": upload,
            "title": (title.strip() or Path(upload.name or "").name)[:200],
            "content_type": content_type,
            "size_bytes": size,
            "uploaded_by": _user(actor),
        },
        source=source,
    )


def _attach(actor: Any, problem: Problem, uploads: Iterable[UploadedFile], source: str) -> None:
    for upload in uploads:
        _store_file(actor, ProblemAttachment, {"problem": problem}, upload, source=source)


def submit_problem(
    actor: Any,
    organisation: Organisation | None,
    title: Any,
    description: Any,
    help_wanted: Any = "",
    urgency: Any = Problem.Urgency.NORMAL,
    *,
    attachments: Iterable[UploadedFile] = (),
    program_year: ProgramYear | None = None,
    activity: Activity | None = None,
    submitted_at: dt.datetime | None = None,
    source: str = "web",
) -> Problem:
    """A firm's problem, from the web form (or the API): derives the year, complex, zone and
    hub from the firm, stores the triage suggestion, and attaches the files (type and size
    checked; one bad file and nothing is saved)."""
    uploads = list(attachments)
    for upload in uploads:
        check_attachment(upload)
    fields = problem_fields(
        organisation=organisation,
        title=title,
        description=description,
        help_wanted=help_wanted,
        urgency=urgency,
        program_year=program_year,
        source=Problem.Source.ACTIVITY if activity is not None else Problem.Source.WEB,
        activity=activity,
        submitted_by=actor,
        submitted_at=submitted_at,
    )
    with transaction.atomic():
        problem = create_object(actor, Problem, fields, source=source)
        _attach(actor, problem, uploads, source)
    return problem


def add_problem_attachment(
    actor: Any, problem: Problem, upload: UploadedFile, *, title: str = "", source: str = "web"
) -> ProblemAttachment:
    ensure_allowed(actor, problem, "view")
    return _store_file(
        actor, ProblemAttachment, {"problem": problem}, upload, title=title, source=source
    )


def bulk_create_problems(
    actor: Any,
    rows: Sequence[Mapping[str, Any]],
    *,
    source: str = "import",
    batch: str | None = None,
    batch_size: int = 2000,
    check_scope: bool = True,
) -> list[Problem]:
    """Insert many validated problems (`problem_fields()` output) at once, with one audit
    batch. The actor must be allowed to add every one of them; otherwise nothing is written."""
    objs = [Problem(**dict(row)) for row in rows]
    for obj in objs:
        obj.full_clean(
            exclude=[
                "organisation",
                "program_year",
                "complex",
                "zone",
                "hub",
                "activity",
                "submitted_by",
                "suggested_category",
            ],
            validate_unique=False,
            validate_constraints=False,
        )
    batch = batch or uuid.uuid4().hex
    with transaction.atomic():
        created = Problem.objects.bulk_create(objs, batch_size=batch_size)
        if actor is not None and check_scope:
            ids = [obj.pk for obj in created]
            allowed = 0
            for start in range(0, len(ids), 5000):
                chunk = ids[start : start + 5000]
                allowed += Problem.objects.restrict(actor, "add").filter(pk__in=chunk).count()
            if allowed != len(ids):
                raise NotAllowed(_("권한 밖의 기업 애로과제가 있어 아무것도 저장하지 않았습니다."))
        audit.record_created(actor, created, source=source, batch=batch)
    return created


def record_activity_problems(
    actor: Any, activity: Activity, rows: Iterable[Mapping[str, Any]], *, source: str = "web"
) -> list[Problem]:
    """Problems raised at a networking activity, recorded by its coordinator. Each row:
    organisation, title, description, help_wanted, urgency. All or nothing: errors name the
    row ("2행: …") under the field's key."""
    ensure_allowed(actor, activity, "change")
    if activity.status == Activity.Status.CANCELLED:
        raise ValidationError({"activity": _("취소된 활동에는 애로과제를 기록할 수 없습니다.")})
    year = activity.council.hub.program_year
    on = timezone.localtime(activity.starts_at) if activity.starts_at else None
    fields_list: list[dict[str, Any]] = []
    errors: dict[str, list[str]] = {}
    for number, row in enumerate(rows, start=1):
        try:
            fields_list.append(
                problem_fields(
                    organisation=row.get("organisation"),
                    title=row.get("title"),
                    description=row.get("description"),
                    help_wanted=row.get("help_wanted", ""),
                    urgency=row.get("urgency") or Problem.Urgency.NORMAL,
                    program_year=year,
                    source=Problem.Source.ACTIVITY,
                    activity=activity,
                    submitted_by=actor,
                    submitted_at=on if on is not None and on <= timezone.now() else None,
                )
            )
        except ValidationError as error:
            for key, messages in error.message_dict.items():
                errors.setdefault(key, []).extend(
                    _("%(row)d행: %(message)s") % {"row": number, "message": message}
                    for message in messages
                )
    if errors:
        raise ValidationError(errors)
    if not fields_list:
        raise ValidationError({"rows": _("기록할 애로과제가 없습니다.")})
    with transaction.atomic():
        problems = [create_object(actor, Problem, fields, source=source) for fields in fields_list]
        locked = Activity.objects.select_for_update().get(pk=activity.pk)
        before = audit.snapshot(locked)
        locked.problems_raised = Problem.objects.filter(activity=locked).count()
        locked.save(update_fields=["problems_raised", "updated_at"])
        audit.record(actor, locked, AuditAction.UPDATE, before, source=source)
    return problems


def reject_problem(
    actor: Any, problem: Problem, reason: str, *, now: dt.datetime | None = None
) -> Problem:
    """반려: not a problem the program supports (e.g. a large firm's request); reason kept."""
    reason = clean_text(reason, "reason", maximum=300)
    _move(Problem, problem.status, Problem.Status.REJECTED)
    return _update(
        actor,
        problem,
        {"status": Problem.Status.REJECTED, "close_reason": reason, "closed_at": _now(now)},
        reason=reason,
    )


def close_problem(
    actor: Any, problem: Problem, reason: str, *, now: dt.datetime | None = None
) -> Problem:
    """종결: the firm's need is met (or withdrawn) without a project."""
    reason = clean_text(reason, "reason", maximum=300)
    _move(Problem, problem.status, Problem.Status.CLOSED)
    when = _now(now)
    return _update(
        actor,
        problem,
        {
            "status": Problem.Status.CLOSED,
            "close_reason": reason,
            "closed_at": when,
            "resolved_at": problem.resolved_at or when,
        },
        reason=reason,
    )


# Triage -----------------------------------------------------------------------------


OVERRIDE_NEEDS_NOTE = _lazy(
    "추천과 다른 분야를 고를 때는 이유를 적어 주세요. 다음 분류의 학습 자료가 됩니다."
)


def confirm_triage(
    actor: Any,
    problem: Problem,
    category: ServiceCategory | str | None,
    note: str | None = None,
    *,
    now: dt.datetime | None = None,
    source: str = "web",
) -> TriageDecision:
    """The coordinator confirms the suggested category or overrides it. The decision is
    kept (training data for triage) and the problem moves to "triaged" (a re-triage of a
    triaged or matched problem keeps its status)."""
    problem.refresh_from_db()
    chosen = _category_of_year(category, problem.program_year)
    note_text = clean_text(note or "", "note", maximum=300, required=False)
    if problem.status not in (
        Problem.Status.SUBMITTED,
        Problem.Status.TRIAGED,
        Problem.Status.MATCHED,
    ):
        raise ValidationError(
            {
                "category": _("'%(status)s' 상태의 애로과제는 분류를 바꿀 수 없습니다.")
                % {"status": problem.get_status_display()}
            }
        )
    when = _now(now)
    overridden = (
        problem.suggested_category_id is not None and problem.suggested_category_id != chosen.pk
    )
    if overridden and not note_text:
        # The reason is what the next triage learns from, and what an auditor reads.
        raise ValidationError({"note": OVERRIDE_NEEDS_NOTE})
    with transaction.atomic():
        fields: dict[str, Any] = {
            "category": chosen,
            "triaged_by": _user(actor),
            "triaged_at": problem.triaged_at or when,
        }
        if problem.status == Problem.Status.SUBMITTED:
            fields["status"] = Problem.Status.TRIAGED
        _update(actor, problem, fields, source=source, reason=note_text)
        decision = create_object(
            actor,
            TriageDecision,
            {
                "problem": problem,
                "suggested_id": problem.suggested_category_id,
                "confidence": problem.suggestion_confidence,
                "chosen": chosen,
                "overridden": overridden,
                "note": note_text,
                "decided_by": _user(actor),
                "decided_at": when,
            },
            source=source,
        )
        year_id = problem.program_year_id
        transaction.on_commit(lambda: invalidate_triage(year_id))
    problem.refresh_from_db()
    return decision


# Expert matching --------------------------------------------------------------------


@dataclass(frozen=True)
class ExpertSuggestion:
    expert: Expert
    score: float
    explanation: str
    matched_terms: tuple[str, ...]
    category_match: bool
    industry_match: bool


_matcher_cache: dict[str, tuple[tuple[Any, ...], Any]] = {}
_matcher_lock = threading.Lock()


def _open_loads() -> dict[int, int]:
    return dict(
        ExpertAssignment.objects.filter(status=ExpertAssignment.Status.ACTIVE)
        .values("expert_id")
        .annotate(n=Count("id"))
        .values_list("expert_id", "n")
    )


def _matcher() -> Any:
    """The matcher over every active expert with their open-assignment load; rebuilt when an
    expert or an assignment changes (one cheap query checks that)."""
    from sandan.support.matching import Matcher, profiles_from_queryset

    experts = Expert.objects.filter(is_active=True)
    key = (
        experts.aggregate(n=Count("id"), at=Max("updated_at"), last=Max("id")),
        ExpertAssignment.objects.aggregate(
            n=Count("id"),
            active=Count("id", filter=Q(status=ExpertAssignment.Status.ACTIVE)),
            last=Max("id"),
        ),
    )
    flat = tuple(sorted(key[0].items())) + tuple(sorted(key[1].items()))
    with _matcher_lock:
        cached = _matcher_cache.get("all")
    if cached is not None and cached[0] == flat:
        return cached[1]
    queryset = experts.select_related("affiliation").prefetch_related(
        "industries__parent__parent__parent__parent"
    )
    matcher = Matcher(profiles_from_queryset(queryset, load=_open_loads()))
    with _matcher_lock:
        _matcher_cache["all"] = (flat, matcher)
    return matcher


def _ksic2(organisation: Organisation) -> str:
    from sandan.support.matching import ksic2_of

    node = organisation.industry
    while node is not None and node.level not in ("division", "section"):
        node = node.parent
    if node is None or node.level == "section":
        return ""
    section = node.parent
    return ksic2_of(node.code, section.code if section is not None else None)


def suggest_experts(problem: Problem, k: int = 10) -> list[ExpertSuggestion]:
    """Ranked experts for a problem: specialties, service category, industry, load; experts
    of the firm's own organisation and those already assigned are never proposed."""
    from sandan.support.matching import Case

    category = problem.category or problem.suggested_category
    case = Case(
        text=problem.text,
        category=category.code if category is not None else "",
        ksic2=_ksic2(problem.organisation),
        firm_organisation_id=str(problem.organisation_id),
    )
    assigned = [str(pk) for pk in problem.assignments.values_list("expert_id", flat=True)]
    matches = _matcher().rank(
        case, k=k, exclude_affiliation=str(problem.organisation_id), exclude_ids=assigned
    )
    experts = Expert.objects.select_related("affiliation").in_bulk(
        [int(match.expert_id) for match in matches]
    )
    return [
        ExpertSuggestion(
            expert=experts[int(match.expert_id)],
            score=match.score,
            explanation=match.explanation,
            matched_terms=tuple(match.matched_terms),
            category_match=match.category_match,
            industry_match=match.industry_match,
        )
        for match in matches
        if int(match.expert_id) in experts
    ]


def assign_experts(
    actor: Any,
    problem: Problem,
    experts: Iterable[Expert],
    *,
    scores: Mapping[int, float] | None = None,
    explanations: Mapping[int, str] | None = None,
    now: dt.datetime | None = None,
    source: str = "web",
) -> list[ExpertAssignment]:
    """Assign one or more experts to a triaged problem (it becomes "matched"). Never an
    expert of the firm's own organisation; an expert once per problem."""
    problem.refresh_from_db()
    chosen = list(experts)
    if not chosen:
        raise ValidationError({"experts": _("배정할 전문가를 한 명 이상 고르세요.")})
    if problem.status not in (
        Problem.Status.TRIAGED,
        Problem.Status.MATCHED,
        Problem.Status.IN_PROJECT,
    ):
        raise ValidationError(
            {
                "experts": _(
                    "분류가 확정된 애로과제에만 전문가를 배정할 수 있습니다. 지금 상태: %(status)s"
                )
                % {"status": problem.get_status_display()}
            }
        )
    errors: list[str] = []
    already = set(problem.assignments.values_list("expert_id", flat=True))
    seen: set[int] = set()
    for expert in chosen:
        if expert.affiliation_id is not None and expert.affiliation_id == problem.organisation_id:
            errors.append(
                _("%(expert)s 전문가는 %(org)s 소속이라 이해충돌로 배정할 수 없습니다.")
                % {"expert": expert, "org": problem.organisation}
            )
        elif not expert.is_active:
            errors.append(_("%(expert)s 전문가는 활동 중이 아닙니다.") % {"expert": expert})
        elif expert.pk in already or expert.pk in seen:
            errors.append(_("%(expert)s 전문가는 이미 배정되었습니다.") % {"expert": expert})
        seen.add(expert.pk)
    if errors:
        raise ValidationError({"experts": errors})
    ensure_allowed(actor, problem, "change")
    when = _now(now)
    scores = scores or {}
    explanations = explanations or {}
    with transaction.atomic():
        created = [
            create_object(
                actor,
                ExpertAssignment,
                {
                    "problem": problem,
                    "expert": expert,
                    "assigned_by": _user(actor),
                    "assigned_at": when,
                    "match_score": scores.get(expert.pk),
                    "match_explanation": [explanations[expert.pk]]
                    if expert.pk in explanations
                    else [],
                },
                source=source,
            )
            for expert in chosen
        ]
        if problem.status == Problem.Status.TRIAGED:
            _update(
                actor,
                problem,
                {"status": Problem.Status.MATCHED, "matched_at": problem.matched_at or when},
                source=source,
            )
    problem.refresh_from_db()
    return created


def end_assignment(
    actor: Any,
    assignment: ExpertAssignment,
    status: str,
    *,
    now: dt.datetime | None = None,
    reason: str = "",
) -> ExpertAssignment:
    """An assignment is completed or withdrawn (by staff of the problem's scope)."""
    status = _choice(status, ExpertAssignment.Status, "status")
    if (
        assignment.status != ExpertAssignment.Status.ACTIVE
        or status == ExpertAssignment.Status.ACTIVE
    ):
        raise ValidationError({"status": _("진행 중인 배정만 완료하거나 철회할 수 있습니다.")})
    return _update(actor, assignment, {"status": status, "ended_at": _now(now)}, reason=reason)


def add_mentoring_note(
    actor: Any,
    assignment: ExpertAssignment,
    body: Any,
    *,
    date: dt.date | None = None,
    source: str = "web",
) -> MentoringNote:
    """멘토링 일지, written only by the assigned expert."""
    expert_user_id = assignment.expert.user_id
    if actor is None or expert_user_id is None or getattr(actor, "pk", None) != expert_user_id:
        raise NotAllowed(_("배정된 전문가만 멘토링 일지를 쓸 수 있습니다."))
    text = clean_text(body, "body")
    if assignment.status == ExpertAssignment.Status.WITHDRAWN:
        raise ValidationError({"body": _("철회된 배정에는 멘토링 일지를 쓸 수 없습니다.")})
    day = date or timezone.localdate()
    if day > timezone.localdate() + dt.timedelta(days=1):
        raise ValidationError({"date": _("앞으로의 날짜로 일지를 쓸 수 없습니다.")})
    return create_object(
        actor,
        MentoringNote,
        {"assignment": assignment, "author": actor, "body": text, "date": day},
        source=source,
    )


# Projects ---------------------------------------------------------------------------

_EDITABLE_PROJECT_FIELDS = (
    "title",
    "summary",
    "type",
    "category",
    "scope",
    "start_date",
    "end_date",
)


def scope_of(problems: Sequence[Problem]) -> str:
    if len({p.zone_id for p in problems}) > 1:
        return Project.Scope.INTER_ZONE
    if len({p.complex_id for p in problems}) > 1:
        return Project.Scope.INTER_COMPLEX
    return Project.Scope.SINGLE_COMPLEX


_SCOPE_RANK: dict[str, int] = {
    Project.Scope.SINGLE_COMPLEX: 0,
    Project.Scope.INTER_COMPLEX: 1,
    Project.Scope.INTER_ZONE: 2,
}


def _check_dates(start: dt.date | None, end: dt.date | None) -> None:
    if start is not None and end is not None and end < start:
        raise ValidationError({"end_date": _("종료일은 시작일보다 앞설 수 없습니다.")})


def _check_editable(project: Project, reason: str) -> str:
    if project.status in (Project.Status.COMPLETED, Project.Status.CANCELLED):
        raise ValidationError(
            {
                "status": _("%(status)s된 과제는 바꿀 수 없습니다.")
                % {"status": project.get_status_display()}
            }
        )
    text = str(reason or "").strip()
    if project.status in (Project.Status.APPROVED, Project.Status.IN_PROGRESS) and not text:
        raise ValidationError({"reason": _("승인된 과제를 바꾸려면 사유를 적어 주세요.")})
    return text[:500]


def create_project(
    actor: Any,
    problems: Iterable[Problem],
    *,
    title: Any,
    type: str,
    category: ServiceCategory | str | None = None,
    summary: Any = "",
    scope: str | None = None,
    start_date: dt.date | None = None,
    end_date: dt.date | None = None,
    source: str = "web",
) -> Project:
    """A support project (draft) from one or more triaged problems of one year. The
    problems' firms become participants (the first one leads) and their assigned experts
    join as experts; the category defaults to the first problem's."""
    chosen = list(problems)
    if not chosen:
        raise ValidationError({"problems": _("과제로 지원할 애로과제를 하나 이상 고르세요.")})
    years = {p.program_year_id for p in chosen}
    if len(years) > 1:
        raise ValidationError(
            {"problems": _("서로 다른 사업연도의 애로과제를 한 과제로 묶을 수 없습니다.")}
        )
    not_ready = [
        p
        for p in chosen
        if p.status
        not in (Problem.Status.TRIAGED, Problem.Status.MATCHED, Problem.Status.IN_PROJECT)
    ]
    if not_ready:
        raise ValidationError(
            {
                "problems": [
                    _(
                        "'%(title)s'은(는) %(status)s 상태라 과제로 만들 수 없습니다. 분류를 먼저 "
                        "확정하세요."
                    )
                    % {"title": p.title, "status": p.get_status_display()}
                    for p in not_ready
                ]
            }
        )
    first = chosen[0]
    year = first.program_year
    errors: dict[str, list[str]] = {}
    values: dict[str, Any] = {}
    for name, check in (
        ("title", lambda: _clean_title(title)),
        ("summary", lambda: clean_text(summary, "summary", required=False)),
        ("type", lambda: _choice(type, Project.Type, "type")),
        (
            "category",
            lambda: _category_of_year(category if category is not None else first.category, year),
        ),
    ):
        try:
            values[name] = check()
        except ValidationError as error:
            for key, messages in error.message_dict.items():
                errors.setdefault(key, []).extend(messages)
    natural = scope_of(chosen)
    if scope:
        try:
            values["scope"] = _choice(scope, Project.Scope, "scope")
            if _SCOPE_RANK[values["scope"]] < _SCOPE_RANK[natural]:
                errors.setdefault("scope", []).append(
                    _(
                        "고른 애로과제들이 %(natural)s 범위입니다. 과제 범위를 그보다 좁게 할 수 "
                        "없습니다."
                    )
                    % {"natural": _label(Project.Scope, natural)}
                )
        except ValidationError as error:
            errors.setdefault("scope", []).extend(error.messages)
    else:
        values["scope"] = natural
    hub = first.hub
    if hub is None:
        errors.setdefault("problems", []).append(
            _(
                "'%(title)s' 기업의 산업단지가 이 사업연도에 거점·연계단지로 지정되지 않아 과제를 "
                "만들 수 없습니다. 협력기관 연계를 검토하세요."
            )
            % {"title": first.title}
        )
    try:
        _check_dates(start_date, end_date)
    except ValidationError as error:
        errors.setdefault("end_date", []).extend(error.messages)
    if errors:
        raise ValidationError(errors)
    assert hub is not None
    for problem in chosen:
        ensure_allowed(actor, problem, "change")
    with transaction.atomic():
        project = create_object(
            actor,
            Project,
            {
                **values,
                "program_year": year,
                "hub": hub,
                "zone_id": hub.zone_id,
                "start_date": start_date,
                "end_date": end_date,
                "status": Project.Status.DRAFT,
                "created_by": _user(actor),
            },
            m2m={"problems": chosen},
            source=source,
        )
        firms: list[int] = []
        for problem in chosen:
            if problem.organisation_id not in firms:
                firms.append(problem.organisation_id)
        experts = list(
            ExpertAssignment.objects.filter(problem__in=chosen)
            .exclude(status=ExpertAssignment.Status.WITHDRAWN)
            .order_by("assigned_at", "id")
            .values_list("expert_id", flat=True)
            .distinct()
        )
        participants = [
            Participant(
                project=project,
                organisation_id=org_id,
                role=Participant.Role.LEAD_FIRM if index == 0 else Participant.Role.FIRM,
            )
            for index, org_id in enumerate(firms)
        ] + [
            Participant(project=project, expert_id=expert_id, role=Participant.Role.EXPERT)
            for expert_id in dict.fromkeys(experts)
        ]
        created = Participant.objects.bulk_create(participants)
        audit.record_created(actor, created, source=source, batch="")
    return project


def update_project(
    actor: Any, project: Project, *, reason: str = "", source: str = "web", **fields: Any
) -> Project:
    """Change title, summary, type, category, scope or dates; after approval only with a
    reason (audited)."""
    unknown = set(fields) - set(_EDITABLE_PROJECT_FIELDS)
    if unknown:
        raise ValidationError({sorted(unknown)[0]: _("이 항목은 여기서 바꿀 수 없습니다.")})
    why = _check_editable(project, reason)
    if "title" in fields:
        fields["title"] = _clean_title(fields["title"])
    if "summary" in fields:
        fields["summary"] = clean_text(fields["summary"], "summary", required=False)
    if "type" in fields:
        fields["type"] = _choice(fields["type"], Project.Type, "type")
    if "category" in fields:
        fields["category"] = _category_of_year(fields["category"], project.program_year)
    if "scope" in fields:
        fields["scope"] = _choice(fields["scope"], Project.Scope, "scope")
        natural = scope_of(list(project.problems.all()))
        if _SCOPE_RANK[fields["scope"]] < _SCOPE_RANK[natural]:
            raise ValidationError({"scope": _("애로과제들의 범위보다 좁게 할 수 없습니다.")})
    _check_dates(
        fields.get("start_date", project.start_date), fields.get("end_date", project.end_date)
    )
    return _update(actor, project, fields, source=source, reason=why)


_ROLE_OF_KIND: dict[str, str] = {
    Organisation.Kind.COMPANY: Participant.Role.FIRM,
    Organisation.Kind.UNIVERSITY: Participant.Role.UNIVERSITY,
    Organisation.Kind.INSTITUTE: Participant.Role.INSTITUTE,
    Organisation.Kind.AGENCY: Participant.Role.AGENCY,
}


def add_participant(
    actor: Any,
    project: Project,
    *,
    organisation: Organisation | None = None,
    expert: Expert | None = None,
    role: str | None = None,
    reason: str = "",
    source: str = "web",
) -> Participant:
    """An organisation or (exclusively) an expert joins a project with a role."""
    why = _check_editable(project, reason)
    if (organisation is None) == (expert is None):
        raise ValidationError({"organisation": _("참여 기관이나 전문가 중 하나만 고르세요.")})
    ensure_allowed(actor, project, "change")
    if expert is not None:
        role_value = _choice(role or Participant.Role.EXPERT, Participant.Role, "role")
        if role_value != Participant.Role.EXPERT:
            raise ValidationError({"role": _("전문가의 역할은 '전문가'입니다.")})
        if project.participants.filter(expert=expert).exists():
            raise ValidationError(
                {"expert": _("%(who)s은(는) 이미 참여 중입니다.") % {"who": expert}}
            )
        firm_ids = set(
            project.participants.filter(organisation__isnull=False).values_list(
                "organisation_id", flat=True
            )
        )
        if (
            expert.affiliation_id in firm_ids
            and expert.affiliation is not None
            and expert.affiliation.kind == Organisation.Kind.COMPANY
        ):
            raise ValidationError(
                {
                    "expert": _(
                        "%(who)s은(는) 참여기업 소속이라 이해충돌로 전문가로 참여할 수 없습니다."
                    )
                    % {"who": expert}
                }
            )
    else:
        assert organisation is not None
        role_value = _choice(
            role or _ROLE_OF_KIND.get(organisation.kind, ""), Participant.Role, "role"
        )
        if role_value == Participant.Role.EXPERT:
            raise ValidationError({"role": _("기관의 역할로 '전문가'를 고를 수 없습니다.")})
        if (
            role_value in (Participant.Role.LEAD_FIRM, Participant.Role.FIRM)
            and organisation.kind != Organisation.Kind.COMPANY
        ):
            raise ValidationError({"role": _("기업만 주관·참여기업이 될 수 있습니다.")})
        if project.participants.filter(organisation=organisation).exists():
            raise ValidationError(
                {"organisation": _("%(who)s은(는) 이미 참여 중입니다.") % {"who": organisation}}
            )
        if (
            role_value == Participant.Role.LEAD_FIRM
            and project.participants.filter(role=Participant.Role.LEAD_FIRM).exists()
        ):
            raise ValidationError({"role": _("이 과제에는 이미 주관기업이 있습니다.")})
    return create_object(
        actor,
        Participant,
        {"project": project, "organisation": organisation, "expert": expert, "role": role_value},
        source=source,
        reason=why,
    )


def remove_participant(
    actor: Any, participant: Participant, *, reason: str = "", source: str = "web"
) -> None:
    project = participant.project
    why = _check_editable(project, reason)
    if (
        participant.organisation_id
        and project.budget_lines.filter(organisation_id=participant.organisation_id).exists()
    ):
        raise ValidationError(
            {"organisation": _("사업비를 부담하는 기관은 뺄 수 없습니다. 사업비를 먼저 고치세요.")}
        )
    ensure_allowed(actor, project, "change")
    delete_object(actor, participant, source=source, reason=why)


def set_budget_lines(
    actor: Any,
    project: Project,
    lines: Iterable[Mapping[str, Any]],
    *,
    reason: str = "",
    source: str = "web",
) -> list[BudgetLine]:
    """Replace the project's budget: lines of kind (public_grant / firm_cash / firm_in_kind),
    amount_krw (> 0), organisation (a participant; required for the firm's shares), note."""
    why = _check_editable(project, reason)
    ensure_allowed(actor, project, "change")
    kinds: dict[int, str] = dict(
        project.participants.filter(organisation__isnull=False).values_list(
            "organisation_id", "organisation__kind"
        )
    )
    errors: dict[str, list[str]] = {}
    cleaned: list[dict[str, Any]] = []
    for number, line in enumerate(lines, start=1):

        def bad(field: str, message: str, number: int = number) -> None:
            errors.setdefault(field, []).append(
                _("%(row)d번째 줄: %(message)s") % {"row": number, "message": message}
            )

        kind = str(line.get("kind") or "")
        if kind not in BudgetLine.Kind.values:
            bad("kind", _("재원 구분이 올바르지 않습니다."))
            continue
        raw = line.get("amount_krw")
        try:
            amount = int(raw)  # type: ignore[arg-type]
            if isinstance(raw, float) and not raw.is_integer():
                raise ValueError
        except (TypeError, ValueError):
            bad("amount_krw", _("금액은 원 단위 정수로 적어 주세요."))
            continue
        if amount <= 0:
            bad("amount_krw", _("금액은 0원보다 커야 합니다."))
            continue
        organisation = line.get("organisation")
        org_id: int | None = getattr(organisation, "pk", organisation)
        if kind != BudgetLine.Kind.PUBLIC_GRANT and org_id is None:
            bad("organisation", _("기업부담금은 부담하는 기업을 적어야 합니다."))
            continue
        if org_id is not None and org_id not in kinds:
            bad("organisation", _("이 과제의 참여기관이 아닙니다."))
            continue
        if (
            kind != BudgetLine.Kind.PUBLIC_GRANT
            and kinds.get(org_id or 0) != Organisation.Kind.COMPANY
        ):
            bad("organisation", _("기업부담금은 참여기업만 낼 수 있습니다."))
            continue
        note = str(line.get("note") or "").strip()
        if len(note) > 200:
            bad("note", _("비고는 200자 이내로 적어 주세요."))
            continue
        cleaned.append(
            {"kind": kind, "amount_krw": amount, "organisation_id": org_id, "note": note}
        )
    if errors:
        raise ValidationError(errors)
    batch = uuid.uuid4().hex
    with transaction.atomic():
        locked = Project.objects.select_for_update().get(pk=project.pk)
        old = list(locked.budget_lines.all())
        content_type = ContentType.objects.get_for_model(BudgetLine)
        entries = [
            audit.entry_for(
                actor,
                line,
                AuditAction.DELETE,
                audit.snapshot(line),
                source=source,
                batch=batch,
                reason=why,
                content_type=content_type,
            )
            for line in old
        ]
        BudgetLine.objects.filter(pk__in=[line.pk for line in old]).delete()
        created = BudgetLine.objects.bulk_create(
            BudgetLine(project=locked, **values) for values in cleaned
        )
        entries += [
            audit.entry_for(
                actor,
                line,
                AuditAction.CREATE,
                {},
                source=source,
                batch=batch,
                reason=why,
                content_type=content_type,
            )
            for line in created
        ]
        audit.record_many(entries)
    return created


@dataclass(frozen=True)
class CostShare:
    public_krw: int
    firm_cash_krw: int
    firm_in_kind_krw: int
    min_pct: float

    @property
    def total_krw(self) -> int:
        return self.public_krw + self.firm_cash_krw + self.firm_in_kind_krw

    @property
    def firm_pct(self) -> float:
        return (
            100.0 * (self.firm_cash_krw + self.firm_in_kind_krw) / self.total_krw
            if self.total_krw
            else 0.0
        )

    @property
    def ok(self) -> bool:
        return self.total_krw > 0 and self.firm_pct + 1e-9 >= self.min_pct


def cost_share(project: Project) -> CostShare:
    sums = dict(
        project.budget_lines.values("kind").annotate(s=Sum("amount_krw")).values_list("kind", "s")
    )
    return CostShare(
        public_krw=int(sums.get(BudgetLine.Kind.PUBLIC_GRANT, 0) or 0),
        firm_cash_krw=int(sums.get(BudgetLine.Kind.FIRM_CASH, 0) or 0),
        firm_in_kind_krw=int(sums.get(BudgetLine.Kind.FIRM_IN_KIND, 0) or 0),
        min_pct=float(rule_of(project.program_year, "firm_cost_share_min_pct", 20)),
    )


def check_cost_share(project: Project) -> CostShare:
    share = cost_share(project)
    if share.total_krw == 0:
        raise ValidationError(
            {"budget_lines": _("사업비가 없습니다. 정부지원금과 기업부담금을 적어 주세요.")}
        )
    if not share.ok:
        raise ValidationError(
            {
                "budget_lines": _(
                    "기업부담 비율이 %(pct).1f%%로 %(year)s년 기준(%(min)s%% 이상)에 못 미칩니다. "
                    "총사업비 %(total)s원 중 기업부담(현금+현물)이 %(need)s원 이상이어야 합니다."
                )
                % {
                    "pct": share.firm_pct,
                    "year": project.program_year.year,
                    "min": f"{share.min_pct:g}",
                    "total": f"{share.total_krw:,}",
                    "need": f"{math.ceil(share.total_krw * share.min_pct / 100):,}",
                }
            }
        )
    return share


def add_milestone(
    actor: Any,
    project: Project,
    *,
    title: Any,
    due_date: dt.date | None,
    deliverable: Any = "",
    reason: str = "",
    source: str = "web",
) -> Milestone:
    why = _check_editable(project, reason)
    name = _clean_title(title)
    if due_date is None:
        raise ValidationError({"due_date": _("기한을 적어 주세요.")})
    if (project.start_date and due_date < project.start_date) or (
        project.end_date and due_date > project.end_date
    ):
        raise ValidationError({"due_date": _("기한은 과제 기간 안이어야 합니다.")})
    text = clean_text(deliverable, "deliverable", maximum=300, required=False)
    ensure_allowed(actor, project, "change")
    return create_object(
        actor,
        Milestone,
        {"project": project, "title": name, "due_date": due_date, "deliverable": text},
        source=source,
        reason=why,
    )


def complete_milestone(
    actor: Any, milestone: Milestone, *, now: dt.datetime | None = None
) -> Milestone:
    if milestone.done_at is not None:
        raise ValidationError({"done_at": _("이미 완료한 단계입니다.")})
    ensure_allowed(actor, milestone.project, "change")
    return _update(actor, milestone, {"done_at": _now(now)})


def add_project_document(
    actor: Any, project: Project, upload: UploadedFile, *, title: str = "", source: str = "web"
) -> ProjectDocument:
    ensure_allowed(actor, project, "view")
    return _store_file(
        actor, ProjectDocument, {"project": project}, upload, title=title, source=source
    )


def _transition(
    actor: Any,
    project: Project,
    status: str,
    fields: Mapping[str, Any],
    *,
    reason: str = "",
    source: str = "web",
    check_action: str = "change",
) -> Project:
    project.refresh_from_db()
    _move(Project, project.status, status)
    return _update(
        actor,
        project,
        {"status": status, **fields},
        source=source,
        reason=reason,
        check_action=check_action,
    )


def submit_project(
    actor: Any, project: Project, *, now: dt.datetime | None = None, source: str = "web"
) -> Project:
    """draft → submitted: needs a period, at least one milestone and a budget that keeps
    the year's cost-share rule."""
    errors: dict[str, list[str]] = {}
    if project.start_date is None or project.end_date is None:
        errors["start_date"] = [_("과제 기간(시작일과 종료일)을 적어 주세요.")]
    if not project.milestones.exists():
        errors["milestones"] = [_("추진 일정을 하나 이상 적어 주세요.")]
    if not project.participants.filter(role=Participant.Role.LEAD_FIRM).exists():
        errors["participants"] = [_("주관기업이 없습니다.")]
    try:
        check_cost_share(project)
    except ValidationError as error:
        errors.update(error.message_dict)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        submitted = _transition(
            actor, project, Project.Status.SUBMITTED, {"submitted_at": _now(now)}, source=source
        )
        # The duplicate-funding check runs now, so the approver finds its flags stored (and
        # approval runs it again under lock, in case another project was funded meanwhile).
        _refresh_flags(actor, submitted, duplicate_flags(submitted), uuid.uuid4().hex)
    return submitted


def return_project(actor: Any, project: Project, reason: str, *, source: str = "web") -> Project:
    """submitted → draft: the approver sends it back with a reason."""
    why = clean_text(reason, "reason", maximum=300)
    if (
        not Project.objects.restrict(actor, "approve").filter(pk=project.pk).exists()
        and actor is not None
    ):
        raise NotAllowed(_("이 과제를 승인·반려할 권한이 없습니다."))
    return _transition(
        actor, project, Project.Status.DRAFT, {}, reason=why, source=source, check_action="approve"
    )


# Duplicate-funding check -------------------------------------------------------------


def text_similarity(texts: Sequence[str]) -> Any:
    """Cosine similarity matrix of Korean texts: TF-IDF over morphemes (sandan.support.text)
    and character 3-grams of the words, so that spacing and inflection do not hide a
    near-copy."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.metrics.pairwise import cosine_similarity

    from sandan.support.text import analyse

    def features(text: str) -> list[str]:
        tokens = analyse(text)
        grams: list[str] = []
        for token in tokens:
            padded = f"<{token}>"
            grams.extend(f"#{padded[i : i + 3]}" for i in range(max(1, len(padded) - 2)))
        return tokens + grams

    vectorizer = TfidfVectorizer(analyzer=features, sublinear_tf=True)
    matrix = vectorizer.fit_transform(list(texts))
    return cosine_similarity(matrix)


def _project_text(project: Project) -> str:
    parts = [project.title, project.summary]
    for problem in project.problems.all():
        parts.append(problem.text)
    return "\n".join(part for part in parts if part)


def _grants_by_firm(projects: Iterable[Project]) -> dict[tuple[int, int], int]:
    """{(project id, firm id): public grant}: a grant line counts for its organisation, or
    for the lead firm when it names none (for the firms equally when there is no lead)."""
    result: dict[tuple[int, int], int] = {}
    project_ids = [p.pk for p in projects]
    firms: dict[int, list[int]] = {}
    leads: dict[int, int] = {}
    for project_id, org_id, role in Participant.objects.filter(
        project_id__in=project_ids, organisation__kind=Organisation.Kind.COMPANY
    ).values_list("project_id", "organisation_id", "role"):
        firms.setdefault(project_id, []).append(org_id)
        if role == Participant.Role.LEAD_FIRM:
            leads[project_id] = org_id
    for project_id, org_id, amount in BudgetLine.objects.filter(
        project_id__in=project_ids, kind=BudgetLine.Kind.PUBLIC_GRANT
    ).values_list("project_id", "organisation_id", "amount_krw"):
        if org_id is not None:
            targets = [org_id]
        elif project_id in leads:
            targets = [leads[project_id]]
        else:
            targets = firms.get(project_id, [])
        for target in targets:
            key = (project_id, target)
            result[key] = result.get(key, 0) + amount // max(1, len(targets))
    return result


@dataclass(frozen=True)
class _Flag:
    kind: str
    organisation_id: int
    other_project_id: int | None
    similarity: float | None
    detail: str


def duplicate_flags(project: Project) -> list[_Flag]:
    """What the duplicate-funding check finds for a project, firm by firm: another funded
    project of the same firm and year in the same category, or with a very similar text;
    and the firm's public grant of the year beyond the cap."""
    year = project.program_year
    threshold = float(rule_of(year, "duplicate_similarity_threshold", DEFAULT_SIMILARITY_THRESHOLD))
    cap = int(rule_of(year, "firm_grant_cap_krw", 100_000_000))
    firm_ids = list(
        project.participants.filter(organisation__kind=Organisation.Kind.COMPANY).values_list(
            "organisation_id", flat=True
        )
    )
    names = dict(Organisation.objects.filter(pk__in=firm_ids).values_list("pk", "name_ko"))
    others = list(
        Project.objects.filter(
            program_year=year,
            status__in=FUNDED,
            participants__organisation_id__in=firm_ids,
        )
        .exclude(pk=project.pk)
        .distinct()
        .select_related("category")
        .prefetch_related("problems")
        .order_by("pk")
    )
    firms_of: dict[int, set[int]] = {}
    for project_id, org_id in Participant.objects.filter(
        project__in=others, organisation_id__in=firm_ids
    ).values_list("project_id", "organisation_id"):
        firms_of.setdefault(project_id, set()).add(org_id)
    flags: list[_Flag] = []
    similarity: dict[int, float] = {}
    if others:
        matrix = text_similarity([_project_text(project)] + [_project_text(o) for o in others])
        similarity = {o.pk: float(matrix[0, i + 1]) for i, o in enumerate(others)}
    for firm_id in firm_ids:
        for other in others:
            if firm_id not in firms_of.get(other.pk, set()):
                continue
            if other.category_id == project.category_id:
                flags.append(
                    _Flag(
                        DuplicateFlag.Kind.SAME_CATEGORY,
                        firm_id,
                        other.pk,
                        None,
                        _(
                            "%(firm)s은(는) 같은 해 같은 분야(%(category)s)의 과제 "
                            "'%(other)s'을(를) 이미 지원받고 "
                            "있습니다."
                        )
                        % {
                            "firm": names.get(firm_id, firm_id),
                            "category": other.category,
                            "other": other.title,
                        },
                    )
                )
            score = similarity.get(other.pk, 0.0)
            if score >= threshold:
                flags.append(
                    _Flag(
                        DuplicateFlag.Kind.SIMILAR_TEXT,
                        firm_id,
                        other.pk,
                        round(score, 4),
                        _(
                            "%(firm)s의 과제 '%(other)s'와(과) 내용이 매우 비슷합니다(유사도 "
                            "%(score).2f)."
                        )
                        % {
                            "firm": names.get(firm_id, firm_id),
                            "other": other.title,
                            "score": score,
                        },
                    )
                )
    grants = _grants_by_firm([project, *others])
    for firm_id in firm_ids:
        own = grants.get((project.pk, firm_id), 0)
        before = sum(grants.get((o.pk, firm_id), 0) for o in others)
        if own and before + own > cap:
            flags.append(
                _Flag(
                    DuplicateFlag.Kind.OVER_CAP,
                    firm_id,
                    None,
                    None,
                    _(
                        "%(firm)s의 %(year)s년 정부지원금이 이 과제를 더하면 %(total)s원으로 한도 "
                        "%(cap)s원을 넘습니다."
                    )
                    % {
                        "firm": names.get(firm_id, firm_id),
                        "year": year.year,
                        "total": f"{before + own:,}",
                        "cap": f"{cap:,}",
                    },
                )
            )
    return flags


def _refresh_flags(
    actor: Any, project: Project, found: list[_Flag], batch: str
) -> list[DuplicateFlag]:
    """Keep the stored flags in step with what the check finds now; a flag already
    overridden keeps its override, a stale open one goes away."""
    stored = {
        (f.kind, f.organisation_id, f.other_project_id): f for f in project.duplicate_flags.all()
    }
    wanted = {(f.kind, f.organisation_id, f.other_project_id): f for f in found}
    stale = [
        flag for key, flag in stored.items() if key not in wanted and flag.overridden_at is None
    ]
    content_type = ContentType.objects.get_for_model(DuplicateFlag)
    entries = [
        audit.entry_for(
            actor,
            flag,
            AuditAction.DELETE,
            audit.snapshot(flag),
            source="web",
            batch=batch,
            content_type=content_type,
        )
        for flag in stale
    ]
    DuplicateFlag.objects.filter(pk__in=[flag.pk for flag in stale]).delete()
    result: list[DuplicateFlag] = []
    new: list[DuplicateFlag] = []
    for key, flag in wanted.items():
        if key in stored:
            existing = stored[key]
            if existing.detail != flag.detail or existing.similarity != flag.similarity:
                existing.detail, existing.similarity = flag.detail[:500], flag.similarity
                existing.save(update_fields=["detail", "similarity"])
            result.append(existing)
        else:
            new.append(
                DuplicateFlag(
                    project=project,
                    kind=flag.kind,
                    organisation_id=flag.organisation_id,
                    other_project_id=flag.other_project_id,
                    similarity=flag.similarity,
                    detail=flag.detail[:500],
                )
            )
    created = DuplicateFlag.objects.bulk_create(new)
    entries += [
        audit.entry_for(
            actor,
            flag,
            AuditAction.CREATE,
            {},
            source="web",
            batch=batch,
            content_type=content_type,
        )
        for flag in created
    ]
    audit.record_many(entries)
    return sorted(result + created, key=lambda f: f.pk)


def check_duplicates(actor: Any, project: Project) -> list[DuplicateFlag]:
    """Run the duplicate-funding check now and store its flags (for the approval page)."""
    ensure_allowed(actor, project, "view")
    with transaction.atomic():
        return _refresh_flags(actor, project, duplicate_flags(project), uuid.uuid4().hex)


def approve_project(
    actor: Any,
    project: Project,
    overrides: Mapping[int, str] | None = None,
    *,
    now: dt.datetime | None = None,
    source: str = "web",
) -> Project:
    """submitted → approved, by someone whose scope reaches the project with "approve".

    Checks the year's cost-share rule and runs the duplicate-funding check; every flag it
    raises must be overridden with a reason (`overrides` = {flag id: reason}), else a
    ValidationError names the open flags (they stay stored, so their ids can be used). The
    participating firms' rows are locked, so two approvals at once cannot both pass the cap.
    """
    if (
        actor is not None
        and not Project.objects.restrict(actor, "approve").filter(pk=project.pk).exists()
    ):
        raise NotAllowed(
            _("이 과제를 승인할 권한이 없습니다. 과제의 권역을 담당하는 광역본부가 승인합니다.")
        )
    overrides = {int(k): str(v or "").strip() for k, v in (overrides or {}).items()}
    blank = [pk for pk, why in overrides.items() if not why]
    if blank:
        raise ValidationError(
            {"overrides": _("중복 지원 점검 결과를 확인하는 사유를 적어 주세요.")}
        )
    when = _now(now)
    open_flags: list[DuplicateFlag] = []
    with transaction.atomic():
        locked = (
            Project.objects.select_for_update(of=("self",))
            .select_related("program_year")
            .get(pk=project.pk)
        )
        _move(Project, locked.status, Project.Status.APPROVED)
        firm_ids = list(
            locked.participants.filter(organisation__isnull=False).values_list(
                "organisation_id", flat=True
            )
        )
        # Serialise approvals that involve the same firm (cap check): lock its row.
        list(
            Organisation.objects.select_for_update()
            .filter(pk__in=firm_ids)
            .order_by("pk")
            .values_list("pk")
        )
        check_cost_share(locked)
        batch = uuid.uuid4().hex
        flags = _refresh_flags(actor, locked, duplicate_flags(locked), batch)
        unknown = set(overrides) - {flag.pk for flag in flags}
        if unknown:
            raise ValidationError(
                {
                    "overrides": _("이 과제의 점검 결과가 아닌 항목이 있습니다: %(ids)s")
                    % {"ids": ", ".join(str(pk) for pk in sorted(unknown))}
                }
            )
        open_flags = [
            flag for flag in flags if flag.overridden_at is None and flag.pk not in overrides
        ]
        if not open_flags:
            for flag in flags:
                if flag.pk in overrides and flag.overridden_at is None:
                    _update(
                        actor,
                        flag,
                        {
                            "overridden_by": _user(actor),
                            "override_reason": overrides[flag.pk][:500],
                            "overridden_at": when,
                        },
                        source=source,
                        reason=overrides[flag.pk],
                        check_action="view",
                    )
            _update(
                actor,
                locked,
                {
                    "status": Project.Status.APPROVED,
                    "approved_at": when,
                    "approved_by": _user(actor),
                },
                source=source,
                check_action="approve",
            )
            for problem in locked.problems.filter(
                status__in=[Problem.Status.TRIAGED, Problem.Status.MATCHED]
            ):
                _update(
                    actor,
                    problem,
                    {"status": Problem.Status.IN_PROJECT},
                    source=source,
                    check_action="view",
                )
    if open_flags:
        raise ValidationError(
            {
                "overrides": [
                    _("확인이 필요한 중복 지원 점검 결과(%(id)d): %(detail)s")
                    % {"id": flag.pk, "detail": flag.detail}
                    for flag in open_flags
                ]
            },
            code="duplicate_flags",
        )
    project.refresh_from_db()
    return project


def start_project(
    actor: Any, project: Project, *, now: dt.datetime | None = None, source: str = "web"
) -> Project:
    """approved → in progress; the problems' service-level clock records the start."""
    when = _now(now)
    with transaction.atomic():
        result = _transition(
            actor, project, Project.Status.IN_PROGRESS, {"started_at": when}, source=source
        )
        for problem in project.problems.filter(project_started_at__isnull=True):
            fields: dict[str, Any] = {"project_started_at": when}
            if problem.status in (Problem.Status.TRIAGED, Problem.Status.MATCHED):
                fields["status"] = Problem.Status.IN_PROJECT
            _update(actor, problem, fields, source=source, check_action="view")
    return result


def survey_link(token: str) -> str:
    """The absolute address of a survey (it goes out by e-mail): SANDAN_SITE_URL + path."""
    from django.urls import reverse

    return f"{settings.SANDAN_SITE_URL}{reverse('support:survey_answer', args=[token])}"


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _survey_message(survey: Survey, project: Project, token: str, connection: Any) -> Any:
    from django.core.mail import EmailMessage

    subject = _("[산단] 지원과제 만족도 조사: %(title)s") % {"title": project.title}
    body = _(
        "%(org)s 담당자님,\n\n'%(title)s' 과제가 완료되었습니다. 아래 링크에서 만족도 조사에 "
        "답해 주세요(5개 문항, 약 2분). 링크는 한 번만 쓸 수 있고 %(expires)s까지 "
        "유효합니다.\n\n%(link)s\n"
    ) % {
        "org": survey.organisation.name_ko,
        "title": project.title,
        "expires": timezone.localtime(survey.expires_at).strftime("%Y-%m-%d"),
        "link": survey_link(token),
    }
    return EmailMessage(
        subject, body, settings.DEFAULT_FROM_EMAIL, [survey.email], connection=connection
    )


def _new_survey(
    project: Project, organisation: Organisation, when: dt.datetime
) -> tuple[Survey, str]:
    token = secrets.token_urlsafe(32)
    days = int(rule_of(project.program_year, "survey_valid_days", DEFAULT_SURVEY_VALID_DAYS))
    survey = Survey(
        project=project,
        organisation=organisation,
        email=(organisation.contact_email or "").strip(),
        token_hash=hash_token(token),
        sent_at=when,
        expires_at=when + dt.timedelta(days=days),
    )
    return survey, token


def complete_project(
    actor: Any,
    project: Project,
    *,
    now: dt.datetime | None = None,
    connection: Any = None,
    source: str = "web",
) -> list[tuple[Survey, str]]:
    """in progress → completed: the problems are resolved (closed once none of their
    projects is still running), and every participating firm gets a satisfaction survey by
    e-mail with a one-time link. Returns [(survey, plain token)] (the token is not stored)."""
    from django.core.mail import get_connection

    when = _now(now)
    with transaction.atomic():
        _transition(actor, project, Project.Status.COMPLETED, {"completed_at": when}, source=source)
        for problem in project.problems.filter(status=Problem.Status.IN_PROJECT):
            running = problem.projects.exclude(pk=project.pk).filter(
                status__in=[Project.Status.APPROVED, Project.Status.IN_PROGRESS]
            )
            if not running.exists():
                _update(
                    actor,
                    problem,
                    {
                        "status": Problem.Status.CLOSED,
                        "resolved_at": problem.resolved_at or when,
                        "closed_at": when,
                    },
                    source=source,
                    check_action="view",
                )
        firms = (
            Organisation.objects.filter(
                project_participations__project=project, kind=Organisation.Kind.COMPANY
            )
            .exclude(surveys__project=project)
            .order_by("pk")
        )
        pairs = [_new_survey(project, firm, when) for firm in firms]
        created = Survey.objects.bulk_create([survey for survey, _token in pairs])
        audit.record_created(actor, created, source=source, batch="")
        messages = [
            _survey_message(survey, project, token, connection)
            for survey, token in pairs
            if survey.email
        ]
        if messages:
            mailer = connection or get_connection()
            transaction.on_commit(lambda: mailer.send_messages(messages))
    project.refresh_from_db()
    return pairs


def resend_survey(
    actor: Any, survey: Survey, *, now: dt.datetime | None = None, connection: Any = None
) -> str:
    """A new one-time link for an unanswered survey (the old one stops working)."""
    from django.core.mail import get_connection

    if survey.answered_at is not None:
        raise ValidationError({"survey": _("이미 응답한 조사입니다.")})
    ensure_allowed(actor, survey.project, "change")
    when = _now(now)
    fresh, token = _new_survey(survey.project, survey.organisation, when)
    updated = _update(
        actor,
        survey,
        {
            "token_hash": fresh.token_hash,
            "sent_at": when,
            "expires_at": fresh.expires_at,
            "email": fresh.email,
        },
        check_action="view",
    )
    if updated.email:
        message = _survey_message(updated, survey.project, token, connection)
        (connection or get_connection()).send_messages([message])
    return token


def cancel_project(
    actor: Any,
    project: Project,
    reason: str,
    *,
    now: dt.datetime | None = None,
    source: str = "web",
) -> Project:
    """Any open project can be cancelled, with a reason; its problems return to matched or
    triaged when no other project of theirs is funded."""
    why = clean_text(reason, "reason", maximum=300)
    when = _now(now)
    with transaction.atomic():
        result = _transition(
            actor,
            project,
            Project.Status.CANCELLED,
            {"cancelled_at": when, "cancel_reason": why},
            reason=why,
            source=source,
        )
        for problem in project.problems.filter(status=Problem.Status.IN_PROJECT):
            if problem.projects.exclude(pk=project.pk).filter(status__in=FUNDED).exists():
                continue
            back = (
                Problem.Status.MATCHED if problem.assignments.exists() else Problem.Status.TRIAGED
            )
            _update(
                actor,
                problem,
                {"status": back, "project_started_at": None},
                source=source,
                reason=why,
                check_action="view",
            )
    return result


# Referrals --------------------------------------------------------------------------


def refer_problem(
    actor: Any,
    problem: Problem,
    partner_kind: str,
    agency: Organisation | None = None,
    note: Any = "",
    *,
    now: dt.datetime | None = None,
    source: str = "web",
) -> Referral:
    """협력기관 연계: hand the problem to another agency's program that fits better."""
    problem.refresh_from_db()
    kind = _choice(partner_kind, Referral.PartnerKind, "partner_kind")
    text = clean_text(note, "note", required=False)
    if agency is not None and agency.kind != Organisation.Kind.AGENCY:
        raise ValidationError({"agency": _("%(org)s은(는) 지원기관이 아닙니다.") % {"org": agency}})
    if (
        problem.status not in Problem.TRANSITIONS
        or Problem.Status.REFERRED not in Problem.TRANSITIONS[problem.status]
    ):
        raise ValidationError(
            {
                "problem": _("'%(status)s' 상태의 애로과제는 연계할 수 없습니다.")
                % {"status": problem.get_status_display()}
            }
        )
    if problem.referrals.filter(
        status__in=[Referral.Status.SENT, Referral.Status.ACCEPTED]
    ).exists():
        raise ValidationError({"problem": _("이 애로과제는 이미 연계 중입니다.")})
    when = _now(now)
    with transaction.atomic():
        referral = create_object(
            actor,
            Referral,
            {
                "problem": problem,
                "agency": agency,
                "partner_kind": kind,
                "note": text,
                "referred_by": _user(actor),
                "referred_at": when,
            },
            source=source,
        )
        _update(actor, problem, {"status": Problem.Status.REFERRED}, source=source)
    return referral


def update_referral(
    actor: Any,
    referral: Referral,
    status: str,
    outcome: Any = "",
    *,
    now: dt.datetime | None = None,
    source: str = "web",
) -> Referral:
    """sent → accepted | declined; accepted → completed | declined. A completed referral
    closes the problem; a declined one sends it back (triaged/matched, or submitted)."""
    new = _choice(status, Referral.Status, "status")
    referral.refresh_from_db()
    _move(Referral, referral.status, new)
    text = clean_text(outcome, "outcome", required=new == Referral.Status.COMPLETED)
    when = _now(now)
    fields: dict[str, Any] = {"status": new, "outcome": text or referral.outcome}
    if new in (Referral.Status.DECLINED, Referral.Status.COMPLETED):
        fields["closed_at"] = when
    problem = Problem.objects.get(pk=referral.problem_id)
    with transaction.atomic():
        result = _update(actor, referral, fields, source=source)
        if problem.status == Problem.Status.REFERRED:
            if new == Referral.Status.COMPLETED:
                _update(
                    actor,
                    problem,
                    {
                        "status": Problem.Status.CLOSED,
                        "closed_at": when,
                        "resolved_at": problem.resolved_at or when,
                        "close_reason": _("협력기관 연계로 지원 완료"),
                    },
                    source=source,
                )
            elif new == Referral.Status.DECLINED:
                if problem.category_id is None:
                    back = Problem.Status.SUBMITTED
                elif problem.assignments.exists():
                    back = Problem.Status.MATCHED
                else:
                    back = Problem.Status.TRIAGED
                _update(actor, problem, {"status": back}, source=source)
    return result


# Outcomes and surveys ---------------------------------------------------------------


def record_outcome(
    actor: Any,
    project: Project,
    organisation: Organisation,
    *,
    now: dt.datetime | None = None,
    note: Any = "",
    source: str = "web",
    **figures: Any,
) -> Outcome:
    """성과 of one participating firm: counts and amounts (non-negative integers) and its
    before/after figures. Recording again updates the same row."""
    unknown = set(figures) - set(OUTCOME_FIGURES)
    if unknown:
        raise ValidationError({sorted(unknown)[0]: _("알 수 없는 성과 항목입니다.")})
    if project.status not in (Project.Status.IN_PROGRESS, Project.Status.COMPLETED):
        raise ValidationError(
            {"project": _("수행 중이거나 완료된 과제에만 성과를 적을 수 있습니다.")}
        )
    if not project.participants.filter(
        organisation=organisation, organisation__kind=Organisation.Kind.COMPANY
    ).exists():
        raise ValidationError(
            {
                "organisation": _("%(org)s은(는) 이 과제의 참여기업이 아닙니다.")
                % {"org": organisation}
            }
        )
    errors: dict[str, list[str]] = {}
    values: dict[str, Any] = {}
    for name, raw in figures.items():
        if raw is None or raw == "":
            values[name] = (
                None
                if name.endswith(
                    ("_before", "_after", "_before_krw", "_after_krw", "_before_usd", "_after_usd")
                )
                else 0
            )
            continue
        try:
            number = int(raw)
            if isinstance(raw, float) and not raw.is_integer():
                raise ValueError
        except (TypeError, ValueError):
            errors[name] = [_("정수로 적어 주세요.")]
            continue
        if number < 0:
            errors[name] = [_("0 이상이어야 합니다.")]
            continue
        if number > 9_000_000_000_000_000:
            errors[name] = [_("값이 너무 큽니다.")]
            continue
        values[name] = number
    if errors:
        raise ValidationError(errors)
    values["note"] = clean_text(note, "note", required=False)
    values["recorded_by"] = _user(actor)
    values["recorded_at"] = _now(now)
    ensure_allowed(actor, project, "change")
    with transaction.atomic():
        existing = (
            Outcome.objects.select_for_update()
            .filter(project=project, organisation=organisation)
            .first()
        )
        if existing is not None:
            return _update(actor, existing, values, source=source)
        return create_object(
            actor,
            Outcome,
            {"project": project, "organisation": organisation, **values},
            source=source,
        )


def answer_survey(
    token: str, answers: Mapping[str, Any], comment: Any = "", *, now: dt.datetime | None = None
) -> SurveyResponse:
    """The firm's answers through its one-time link: five items, 1–5 each, and a comment.
    A used, replaced or expired link is refused and nothing changes."""
    when = _now(now)
    errors: dict[str, list[str]] = {}
    scores: dict[str, int] = {}
    for item in SURVEY_ITEMS:
        raw = answers.get(item)
        try:
            value = int(raw)  # type: ignore[arg-type]
        except (TypeError, ValueError):
            errors[item] = [_("1점부터 5점 중에서 골라 주세요.")]
            continue
        if not 1 <= value <= 5 or (isinstance(raw, float) and not raw.is_integer()):
            errors[item] = [_("1점부터 5점 중에서 골라 주세요.")]
            continue
        scores[item] = value
    try:
        text = clean_text(comment, "comment", required=False)
    except ValidationError as error:
        errors.update(error.message_dict)
        text = ""
    digest = hash_token(str(token or ""))
    with transaction.atomic():
        survey = Survey.objects.select_for_update().filter(token_hash=digest).first()
        if survey is None:
            raise ValidationError(
                {"token": _("유효하지 않은 조사 링크입니다. 메일의 링크를 다시 확인해 주세요.")}
            )
        if survey.answered_at is not None:
            raise ValidationError(
                {"token": _("이미 응답한 조사입니다. 링크는 한 번만 쓸 수 있습니다.")}, code="used"
            )
        if survey.expires_at <= when:
            raise ValidationError({"token": _("조사 기간이 끝난 링크입니다.")}, code="expired")
        if errors:
            raise ValidationError(errors)
        before = audit.snapshot(survey)
        response = SurveyResponse.objects.create(
            survey=survey, comment=text, answered_at=when, **scores
        )
        survey.answered_at = when
        survey.save(update_fields=["answered_at"])
        audit.record(None, response, AuditAction.CREATE, source="survey")
        audit.record(None, survey, AuditAction.UPDATE, before, source="survey")
    return response


def survey_by_token(token: str) -> Survey | None:
    """The survey a link opens (for the answer page), or None."""
    return (
        Survey.objects.select_related("project", "organisation")
        .filter(token_hash=hash_token(str(token or "")))
        .first()
    )


# Reminders --------------------------------------------------------------------------


def send_service_level_reminders(*, now: dt.datetime | None = None, connection: Any = None) -> int:
    """E-mail each active coordinator and regional staff member the problems past their
    service level in their scope (one digest per person). Returns how many were sent."""
    from django.core.mail import EmailMessage, get_connection

    from sandan.accounts.models import Membership
    from sandan.accounts.roles import Role
    from sandan.support.selectors import overdue_problems

    when = _now(now)
    connection = connection or get_connection()
    users = {
        m.user_id: m.user
        for m in Membership.objects.filter(
            role__in=[Role.COORDINATOR, Role.REGIONAL_STAFF], user__is_active=True
        ).select_related("user")
        if m.user.email
    }
    messages = []
    for user in sorted(users.values(), key=lambda u: u.pk):
        late = list(overdue_problems(user, when)[:200])
        if not late:
            continue
        lines = [
            _("- [%(stage)s] %(org)s: %(title)s (%(since)s부터)")
            % {
                "stage": _("분류 지연") if p.overdue_stage == "triage" else _("과제 착수 지연"),  # type: ignore[attr-defined]
                "org": p.organisation.name_ko,
                "title": p.title,
                "since": timezone.localtime(p.overdue_since).strftime("%Y-%m-%d"),  # type: ignore[attr-defined]
            }
            for p in late
        ]
        subject = _("[산단] 처리 기한이 지난 애로과제 %(n)d건") % {"n": len(late)}
        body = _("처리 기한이 지난 애로과제입니다.\n\n%(lines)s\n") % {"lines": "\n".join(lines)}
        messages.append(
            EmailMessage(
                subject, body, settings.DEFAULT_FROM_EMAIL, [user.email], connection=connection
            )
        )
    if messages:
        connection.send_messages(messages)
    return len(messages)


__all__ = [
    "CategorySuggestion",
    "CostShare",
    "ExpertSuggestion",
    "NotAllowed",
    "add_mentoring_note",
    "add_milestone",
    "add_participant",
    "add_problem_attachment",
    "add_project_document",
    "answer_survey",
    "approve_project",
    "assign_experts",
    "bulk_create_problems",
    "cancel_project",
    "check_cost_share",
    "check_duplicates",
    "clean_text",
    "close_problem",
    "complete_milestone",
    "complete_project",
    "confirm_triage",
    "cost_share",
    "create_project",
    "current_program_year",
    "duplicate_flags",
    "end_assignment",
    "hub_of",
    "problem_fields",
    "record_activity_problems",
    "record_outcome",
    "refer_problem",
    "reject_problem",
    "remove_participant",
    "resend_survey",
    "return_project",
    "scope_of",
    "send_service_level_reminders",
    "set_budget_lines",
    "start_project",
    "submit_problem",
    "submit_project",
    "suggest_category",
    "suggest_experts",
    "suggest_for_text",
    "survey_by_token",
    "survey_link",
    "text_similarity",
    "update_project",
    "update_referral",
]
