"""Expert matching and assignment, and the assigned expert's mentoring notes."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Max
from django.utils import timezone
from django.utils.translation import gettext as _

from sandan.core.background import Refreshed
from sandan.core.models import AuditEvent
from sandan.core.services import NotAllowed, create_object, ensure_allowed
from sandan.registry.models import Expert, Organisation
from sandan.support.models import ExpertAssignment, MentoringNote, Problem
from sandan.support.services._common import _choice, _now, _update, _user, clean_text


@dataclass(frozen=True)
class ExpertSuggestion:
    expert: Expert
    score: float
    explanation: str
    matched_terms: tuple[str, ...]
    category_match: bool
    industry_match: bool


def _open_loads() -> dict[int, int]:
    return dict(
        ExpertAssignment.objects.filter(status=ExpertAssignment.Status.ACTIVE)
        .values("expert_id")
        .annotate(n=Count("id"))
        .values_list("expert_id", "n")
    )


def _experts_key(_arg: None) -> tuple[Any, ...]:
    """What the matcher's index is built from: the active experts (one cheap query)."""
    key = Expert.objects.filter(is_active=True).aggregate(
        n=Count("id"), at=Max("updated_at"), last=Max("id")
    )
    return tuple(sorted(key.items()))


def _build_matcher(_arg: None) -> Any:
    """The text and profile index over every active expert (seconds for hundreds)."""
    from sandan.support.matching import Matcher, profiles_from_queryset

    queryset = (
        Expert.objects.filter(is_active=True)
        .select_related("affiliation")
        .prefetch_related("industries__parent__parent__parent__parent")
    )
    return Matcher(profiles_from_queryset(queryset))


_matchers: Refreshed[None, Any] = Refreshed(
    "experts", fingerprint=_experts_key, build=_build_matcher
)


def _matcher() -> Any:
    """The matcher over every active expert with their open-assignment load.

    The index is rebuilt off-request when an expert changes (sandan.core.background); the
    load, which every assignment changes, is read fresh (one query) and laid over it."""
    index = _matchers.get("all", None)
    return index.with_load({str(pk): n for pk, n in _open_loads().items()})


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
                event=AuditEvent.ASSIGNED,
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
    return _update(
        actor,
        assignment,
        {"status": status, "ended_at": _now(now)},
        reason=reason,
        event=AuditEvent.ASSIGNMENT_ENDED,
    )


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
