"""Intake and triage of problems (애로과제): the triage suggestion, web and activity intake,
bulk import, rejection, closing and the coordinator's confirmed category."""

from __future__ import annotations

import datetime as dt
import math
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from sandan.core import audit, clock
from sandan.core.files import check_attachment
from sandan.core.models import AuditAction, AuditEvent
from sandan.core.services import NotAllowed, create_object, ensure_allowed
from sandan.councils.models import Activity
from sandan.program.models import ProgramYear, ServiceCategory
from sandan.program.selectors import (
    category_of_year,
    check_in_year,
    current_program_year,
    hub_of,
)
from sandan.registry.models import Organisation
from sandan.support.models import Problem, ProblemAttachment, TriageDecision
from sandan.support.selectors import refit_triage, triage_for_year
from sandan.support.services._common import (
    _choice,
    _clean_title,
    _gather,
    _move,
    _now,
    _store_file,
    _update,
    _user,
    clean_text,
)
from sandan.support.text import stored_analysis

# Intake -----------------------------------------------------------------------------


@dataclass(frozen=True)
class CategorySuggestion:
    """The triage engine's proposal for a problem."""

    category: ServiceCategory | None
    code: str
    confidence: float
    evidence: list[str]
    ranking: list[tuple[str, float]]
    # Confidence of the winner minus that of the runner-up.
    margin: float = 0.0


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
        margin=round(min(1.0, max(0.0, float(suggestion.margin or 0.0))), 4),
    )


def suggest_category(problem: Problem) -> CategorySuggestion | None:
    """The triage engine's proposal for a saved or unsaved problem (nothing is written)."""
    return suggest_for_text(problem.program_year, problem.text)


def _suggestion_fields(suggestion: CategorySuggestion | None) -> dict[str, Any]:
    if suggestion is None or suggestion.category is None:
        return {
            "suggested_category": None,
            "suggestion_confidence": None,
            "suggestion_margin": None,
            "suggestion_evidence": [],
        }
    return {
        "suggested_category": suggestion.category,
        "suggestion_confidence": suggestion.confidence,
        "suggestion_margin": suggestion.margin,
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
    values = _gather(errors, *checks)
    if source == Problem.Source.ACTIVITY and activity is None:
        errors.setdefault("activity", []).append(_("발굴한 네트워킹 활동을 고르세요."))
    if errors:
        raise ValidationError(errors)
    year: ProgramYear = values["program_year"]
    if submitted_at is not None:
        check_in_year(year, timezone.localdate(submitted_at), "submitted_at")
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
        "submitted_at": submitted_at or clock.now(),
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
                    submitted_at=on if on is not None and on <= clock.now() else None,
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
        event=AuditEvent.REJECTED,
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
        event=AuditEvent.CLOSED,
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
    chosen = category_of_year(category, problem.program_year)
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
        _update(
            actor,
            problem,
            fields,
            source=source,
            reason=note_text,
            event=AuditEvent.TRIAGE_CONFIRMED,
        )
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
        # The engine learns from the decision off-request; this request (and the page it
        # redirects to) goes on with the current one.
        refit_triage(problem.program_year)
    problem.refresh_from_db()
    return decision
