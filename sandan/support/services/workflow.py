"""A project's life: submit, return, approve, start, complete, cancel."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Mapping, Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from sandan.core import audit
from sandan.core.models import AuditEvent
from sandan.core.services import NotAllowed
from sandan.finance import services as finance
from sandan.registry.models import Organisation
from sandan.support.models import DuplicateFlag, Participant, Problem, Project, Survey
from sandan.support.services._common import (
    FUNDED,
    _move,
    _now,
    _update,
    _update_problem_of,
    _user,
    clean_text,
)
from sandan.support.services.budget import CostShare, check_cost_share
from sandan.support.services.duplicates import _refresh_flags, duplicate_flags
from sandan.support.services.outcomes import _new_survey, _survey_message

# What the audit log calls each move of a project's status.
PROJECT_EVENTS: dict[str, str] = {
    Project.Status.SUBMITTED: AuditEvent.SUBMITTED,
    Project.Status.DRAFT: AuditEvent.RETURNED,
    Project.Status.IN_PROGRESS: AuditEvent.STARTED,
    Project.Status.COMPLETED: AuditEvent.COMPLETED,
    Project.Status.CANCELLED: AuditEvent.CANCELLED,
}


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
        event=PROJECT_EVENTS.get(status, ""),
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
    _check_actor_may_approve(actor, project)
    reasons = _override_reasons(overrides)
    when = _now(now)
    open_flags: list[DuplicateFlag] = []
    with transaction.atomic():
        locked = _lock_project(project)
        _move(Project, locked.status, Project.Status.APPROVED)
        _lock_participating_firms(locked)
        share = check_cost_share(locked)
        flags = _refresh_flags(actor, locked, duplicate_flags(locked), uuid.uuid4().hex)
        _check_overrides_are_flags_of_project(reasons, flags)
        open_flags = _flags_left_open(flags, reasons)
        if not open_flags:
            _commit_flags(actor, flags, reasons, when, source=source)
            _commit_grant(actor, locked, share, when, source=source)
            _commit_approval(actor, locked, when, source=source)
    if open_flags:
        # Raised after the transaction, so the flags stay stored and their ids can be used.
        raise _open_flags_error(open_flags)
    project.refresh_from_db()
    return project


def _check_actor_may_approve(actor: Any, project: Project) -> None:
    if (
        actor is not None
        and not Project.objects.restrict(actor, "approve").filter(pk=project.pk).exists()
    ):
        raise NotAllowed(
            _("이 과제를 승인할 권한이 없습니다. 과제의 권역을 담당하는 광역본부가 승인합니다.")
        )


def _override_reasons(overrides: Mapping[int, str] | None) -> dict[int, str]:
    """{flag id: reason}; every override needs a reason."""
    reasons = {int(k): str(v or "").strip() for k, v in (overrides or {}).items()}
    if any(not why for why in reasons.values()):
        raise ValidationError(
            {"overrides": _("중복 지원 점검 결과를 확인하는 사유를 적어 주세요.")}
        )
    return reasons


def _lock_project(project: Project) -> Project:
    return (
        Project.objects.select_for_update(of=("self",))
        .select_related("program_year")
        .get(pk=project.pk)
    )


def _lock_participating_firms(project: Project) -> None:
    """Serialise approvals that involve the same firm (cap check): lock its row."""
    firm_ids = list(
        project.participants.filter(organisation__isnull=False).values_list(
            "organisation_id", flat=True
        )
    )
    list(
        Organisation.objects.select_for_update()
        .filter(pk__in=firm_ids)
        .order_by("pk")
        .values_list("pk")
    )


def _check_overrides_are_flags_of_project(
    reasons: Mapping[int, str], flags: Sequence[DuplicateFlag]
) -> None:
    unknown = set(reasons) - {flag.pk for flag in flags}
    if unknown:
        raise ValidationError(
            {
                "overrides": _("이 과제의 점검 결과가 아닌 항목이 있습니다: %(ids)s")
                % {"ids": ", ".join(str(pk) for pk in sorted(unknown))}
            }
        )


def _flags_left_open(
    flags: Sequence[DuplicateFlag], reasons: Mapping[int, str]
) -> list[DuplicateFlag]:
    return [flag for flag in flags if flag.overridden_at is None and flag.pk not in reasons]


def _commit_flags(
    actor: Any,
    flags: Sequence[DuplicateFlag],
    reasons: Mapping[int, str],
    when: dt.datetime,
    *,
    source: str,
) -> None:
    """The approver's reasons are kept on the flags they override (once)."""
    for flag in flags:
        if flag.pk in reasons and flag.overridden_at is None:
            _update(
                actor,
                flag,
                {
                    "overridden_by": _user(actor),
                    "override_reason": reasons[flag.pk][:500],
                    "overridden_at": when,
                },
                source=source,
                reason=reasons[flag.pk],
                check_action="view",
            )


def _commit_approval(actor: Any, project: Project, when: dt.datetime, *, source: str) -> None:
    """The project is approved, and its triaged or matched problems are now in a project."""
    _update(
        actor,
        project,
        {"status": Project.Status.APPROVED, "approved_at": when, "approved_by": _user(actor)},
        source=source,
        check_action="approve",
        event=AuditEvent.APPROVED,
    )
    for problem in project.problems.filter(
        status__in=[Problem.Status.TRIAGED, Problem.Status.MATCHED]
    ):
        _update_problem_of(
            actor, project, "approve", problem, {"status": Problem.Status.IN_PROJECT}, source=source
        )


def _commit_grant(
    actor: Any, project: Project, share: CostShare, when: dt.datetime, *, source: str
) -> None:
    """The public grant is committed on the project's budget line in the approval's own
    transaction: when the line cannot hold it, `finance.Overspend` (a ValidationError with
    the available amount) refuses the approval and nothing of it is written. A project that
    links complexes or zones is paid from the national linkage line (ADR 0019)."""
    if share.public_krw <= 0:
        return
    finance.commit_grant(
        actor,
        program_year_id=project.program_year_id,
        hub_id=project.hub_id,
        category_id=project.category_id,
        linkage=project.scope != Project.Scope.SINGLE_COMPLEX,
        project_id=project.pk,
        amount_krw=share.public_krw,
        now=when,
        source=source,
    )


def _open_flags_error(open_flags: Sequence[DuplicateFlag]) -> ValidationError:
    return ValidationError(
        {
            "overrides": [
                _("확인이 필요한 중복 지원 점검 결과(%(id)d): %(detail)s")
                % {"id": flag.pk, "detail": flag.detail}
                for flag in open_flags
            ]
        },
        code="duplicate_flags",
    )


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
            _update_problem_of(actor, project, "change", problem, fields, source=source)
    return result


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
                _update_problem_of(
                    actor,
                    project,
                    "change",
                    problem,
                    {
                        "status": Problem.Status.CLOSED,
                        "resolved_at": problem.resolved_at or when,
                        "closed_at": when,
                    },
                    source=source,
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
        # What was committed and not paid goes back to the project's budget line.
        finance.settle_project(actor, project.pk, reason=why, now=when, source=source)
        for problem in project.problems.filter(status=Problem.Status.IN_PROJECT):
            if problem.projects.exclude(pk=project.pk).filter(status__in=FUNDED).exists():
                continue
            back = (
                Problem.Status.MATCHED if problem.assignments.exists() else Problem.Status.TRIAGED
            )
            _update_problem_of(
                actor,
                project,
                "change",
                problem,
                {"status": back, "project_started_at": None},
                source=source,
                reason=why,
            )
    return result
