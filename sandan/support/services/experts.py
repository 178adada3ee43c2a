"""Expert matching and assignment, and the assigned expert's mentoring notes."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Max, Q
from django.utils.translation import gettext as _

from sandan.core import clock
from sandan.core.background import Refreshed
from sandan.core.models import AuditEvent
from sandan.core.services import NotAllowed, create_object, ensure_allowed
from sandan.registry.models import Expert, Industry, Organisation, Province
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
    region: str = ""  # "province", "zone" or "": nearness to the firm


def _open_loads() -> dict[int, int]:
    return dict(
        ExpertAssignment.objects.filter(status=ExpertAssignment.Status.ACTIVE)
        .values("expert_id")
        .annotate(n=Count("id"))
        .values_list("expert_id", "n")
    )


def expert_region(expert: Expert) -> Province | None:
    """Where an expert mentors: their own province, else that of their affiliation's complex.
    Select ``province`` and ``affiliation__complex__province`` to avoid queries."""
    if expert.province_id is not None:
        return expert.province
    affiliation = expert.affiliation
    if affiliation is not None and affiliation.complex_id is not None:
        return affiliation.complex.province  # type: ignore[union-attr]
    return None


def is_available(expert: Expert, load: int, day: dt.date) -> bool:
    """Not away on ``day`` and below their cap of open cases (if they set one)."""
    if expert.is_away(day):
        return False
    return expert.max_open_cases is None or load < expert.max_open_cases


def _experts_key(_arg: None) -> tuple[Any, ...]:
    """What the matcher's index is built from: the active experts (one cheap query)."""
    key = Expert.objects.filter(is_active=True).aggregate(
        n=Count("id"), at=Max("updated_at"), last=Max("id")
    )
    return tuple(sorted(key.items()))


def _build_matcher(_arg: None) -> Any:
    """The text and profile index over every active expert (seconds for hundreds)."""
    from sandan.support.matching import Matcher, profiles_from_queryset

    experts = list(
        Expert.objects.filter(is_active=True)
        .select_related("affiliation__complex__province", "province")
        .prefetch_related("industries__parent__parent__parent__parent")
    )
    profiles = []
    for expert, profile in zip(experts, profiles_from_queryset(experts), strict=True):
        region = expert_region(expert)
        profiles.append(
            replace(
                profile,
                province=str(region.pk) if region is not None else "",
                zone=str(region.zone_id) if region is not None else "",
            )
        )
    return Matcher(profiles)


_matchers: Refreshed[None, Any] = Refreshed(
    "experts", fingerprint=_experts_key, build=_build_matcher
)


def _matcher() -> Any:
    """The matcher over every active expert with their open-assignment load.

    The index (texts, profiles, regions) is rebuilt off-request when an expert changes
    (sandan.core.background); the load and today's availability, which every assignment
    and every day change, are read fresh (two small queries) and laid over it."""
    index = _matchers.get("all", None)
    loads = _open_loads()
    today = clock.today()
    limited = Expert.objects.filter(is_active=True).filter(
        Q(unavailable_from__isnull=False)
        | Q(unavailable_until__isnull=False)
        | Q(max_open_cases__isnull=False)
    )
    unavailable = [
        str(expert.pk)
        for expert in limited.only("id", "unavailable_from", "unavailable_until", "max_open_cases")
        if not is_available(expert, loads.get(expert.pk, 0), today)
    ]
    return index.with_load({str(pk): n for pk, n in loads.items()}, unavailable)


def _ksic2(organisation: Organisation) -> str:
    from sandan.support.matching import ksic2_of

    if organisation.industry_id is None:
        return ""
    # The KSIC tree is at most five deep (subclass → class → group → division → section):
    # the path up to the section in one query, not one per level.
    node: Industry | None = (
        Industry.objects.select_related("parent__parent__parent__parent")
        .filter(pk=organisation.industry_id)
        .first()
    )
    while node is not None and node.level not in ("division", "section"):
        node = node.parent
    if node is None or node.level == "section":
        return ""
    section = node.parent
    return ksic2_of(node.code, section.code if section is not None else None)


def suggest_experts(problem: Problem, k: int = 10) -> list[ExpertSuggestion]:
    """Ranked experts for a problem: specialties, service category, industry, load, region;
    experts of the firm's own organisation, those already assigned (or who declined) and those
    unavailable (away today, or at their cap of open cases) are never proposed."""
    from sandan.support.matching import Case

    category = problem.category or problem.suggested_category
    case = Case(
        text=problem.text,
        category=category.code if category is not None else "",
        ksic2=_ksic2(problem.organisation),
        firm_organisation_id=str(problem.organisation_id),
        # The firm's region: the province of the problem's complex and the problem's zone.
        province=str(problem.complex.province_id),
        zone=str(problem.zone_id),
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
            region=match.region,
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
    loads = _open_loads()
    today = clock.today()
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
        elif expert.is_away(today):
            errors.append(_("%(expert)s 전문가는 부재 중입니다.") % {"expert": expert})
        elif not is_available(expert, loads.get(expert.pk, 0), today):
            errors.append(
                _("%(expert)s 전문가는 최대 동시 배정 %(max)d건이 모두 찼습니다.")
                % {"expert": expert, "max": expert.max_open_cases}
            )
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


def _own_assignment(actor: Any, assignment: ExpertAssignment) -> None:
    expert_user_id = assignment.expert.user_id
    if actor is None or expert_user_id is None or getattr(actor, "pk", None) != expert_user_id:
        raise NotAllowed(_("배정된 전문가만 배정을 수락하거나 거절할 수 있습니다."))
    if not assignment.awaits_answer:
        raise ValidationError(
            {"answer": _("응답을 기다리는 배정에만 수락하거나 거절할 수 있습니다.")}
        )


def accept_assignment(
    actor: Any, assignment: ExpertAssignment, *, now: dt.datetime | None = None
) -> ExpertAssignment:
    """The assigned expert takes the case on (audited; the coordinator sees when)."""
    assignment.refresh_from_db()
    _own_assignment(actor, assignment)
    return _update(actor, assignment, {"accepted_at": _now(now)}, check_action="view")


def decline_assignment(
    actor: Any,
    assignment: ExpertAssignment,
    reason: Any,
    *,
    now: dt.datetime | None = None,
) -> ExpertAssignment:
    """The assigned expert declines, saying why. The assignment ends ("declined", audited
    with the reason); when no other expert is active on it, a matched problem goes back to
    "triaged" so that the coordinator assigns someone else."""
    assignment.refresh_from_db()
    _own_assignment(actor, assignment)
    text = clean_text(reason, "reason", maximum=300)
    when = _now(now)
    with transaction.atomic():
        _update(
            actor,
            assignment,
            {
                "status": ExpertAssignment.Status.DECLINED,
                "ended_at": when,
                "decline_reason": text,
            },
            reason=text,
            check_action="view",
        )
        problem = Problem.objects.select_for_update().get(pk=assignment.problem_id)
        others = problem.assignments.filter(status=ExpertAssignment.Status.ACTIVE).exists()
        if problem.status == Problem.Status.MATCHED and not others:
            _update(
                actor,
                problem,
                {"status": Problem.Status.TRIAGED, "matched_at": None},
                reason=text,
                check_action="view",
            )
    return assignment


def set_availability(
    actor: Any,
    expert: Expert,
    *,
    unavailable_from: dt.date | None,
    unavailable_until: dt.date | None,
    max_open_cases: int | None,
) -> Expert:
    """An expert marks a period away and/or a cap on open cases (only their own profile)."""
    if actor is None or expert.user_id is None or getattr(actor, "pk", None) != expert.user_id:
        raise NotAllowed(_("전문가 본인만 배정 가능 여부를 바꿀 수 있습니다."))
    if unavailable_from and unavailable_until and unavailable_from > unavailable_until:
        raise ValidationError(
            {"unavailable_until": _("부재 종료일은 시작일보다 빠를 수 없습니다.")}
        )
    if max_open_cases is not None and max_open_cases < 1:
        raise ValidationError({"max_open_cases": _("1건 이상으로 적거나 비워 두세요.")})
    return _update(
        actor,
        expert,
        {
            "unavailable_from": unavailable_from,
            "unavailable_until": unavailable_until,
            "max_open_cases": max_open_cases,
        },
        check_action="view",
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
    day = date or clock.today()
    if day > clock.today() + dt.timedelta(days=1):
        raise ValidationError({"date": _("앞으로의 날짜로 일지를 쓸 수 없습니다.")})
    return create_object(
        actor,
        MentoringNote,
        {"assignment": assignment, "author": actor, "body": text, "date": day},
        source=source,
    )
