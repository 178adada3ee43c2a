"""Support projects (단위과제): creation from problems, edits, participants, milestones and
documents."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext as _

from sandan.core import audit
from sandan.core.services import create_object, delete_object, ensure_allowed
from sandan.program.models import Designation, ProgramYear, ServiceCategory
from sandan.program.selectors import category_of_year, check_in_year
from sandan.registry.models import Expert, Organisation
from sandan.support.models import (
    ExpertAssignment,
    Milestone,
    Participant,
    Problem,
    Project,
    ProjectDocument,
)
from sandan.support.services._common import (
    _choice,
    _clean_title,
    _gather,
    _label,
    _now,
    _store_file,
    _update,
    _user,
    clean_text,
)

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


def _check_dates(program_year: ProgramYear, start: dt.date | None, end: dt.date | None) -> None:
    """A project runs within its program year, and does not end before it starts."""
    if start is not None and end is not None and end < start:
        raise ValidationError({"end_date": _("종료일은 시작일보다 앞설 수 없습니다.")})
    errors: dict[str, list[str]] = {}
    for field, day in (("start_date", start), ("end_date", end)):
        try:
            check_in_year(program_year, day, field)
        except ValidationError as error:
            errors.update(error.message_dict)
    if errors:
        raise ValidationError(errors)


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
    _check_problems_are_chosen(chosen)
    _check_problems_share_a_year(chosen)
    _check_problems_are_triaged(chosen)
    first = chosen[0]
    errors: dict[str, list[str]] = {}
    values = _gather(
        errors,
        ("title", lambda: _clean_title(title)),
        ("summary", lambda: clean_text(summary, "summary", required=False)),
        ("type", lambda: _choice(type, Project.Type, "type")),
        (
            "category",
            lambda: category_of_year(
                category if category is not None else first.category, first.program_year
            ),
        ),
        ("scope", lambda: _scope_not_narrower_than_problems(scope, chosen)),
        ("hub", lambda: _hub_of_designated_complex(first)),
        ("dates", lambda: _check_dates(first.program_year, start_date, end_date)),
    )
    if errors:
        raise ValidationError(errors)
    hub: Designation = values.pop("hub")
    values.pop("dates")
    for problem in chosen:
        ensure_allowed(actor, problem, "change")
    with transaction.atomic():
        project = create_object(
            actor,
            Project,
            {
                **values,
                "program_year": first.program_year,
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
        _add_firms_and_experts_of(actor, project, chosen, source=source)
    return project


def _check_problems_are_chosen(chosen: Sequence[Problem]) -> None:
    if not chosen:
        raise ValidationError({"problems": _("과제로 지원할 애로과제를 하나 이상 고르세요.")})


def _check_problems_share_a_year(chosen: Sequence[Problem]) -> None:
    if len({p.program_year_id for p in chosen}) > 1:
        raise ValidationError(
            {"problems": _("서로 다른 사업연도의 애로과제를 한 과제로 묶을 수 없습니다.")}
        )


def _check_problems_are_triaged(chosen: Sequence[Problem]) -> None:
    """A project supports problems whose category is confirmed (triaged, matched, or
    already in another project)."""
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


def _scope_not_narrower_than_problems(scope: str | None, chosen: Sequence[Problem]) -> str:
    """The chosen scope (at least the problems' own), or the problems' scope if none."""
    natural = scope_of(chosen)
    if not scope:
        return natural
    value = _choice(scope, Project.Scope, "scope")
    if _SCOPE_RANK[value] < _SCOPE_RANK[natural]:
        raise ValidationError(
            {
                "scope": _(
                    "고른 애로과제들이 %(natural)s 범위입니다. 과제 범위를 그보다 좁게 할 수 "
                    "없습니다."
                )
                % {"natural": _label(Project.Scope, natural)}
            }
        )
    return value


def _hub_of_designated_complex(first: Problem) -> Designation:
    """The hub of the first problem's complex; a project needs a designated complex."""
    if first.hub is None:
        raise ValidationError(
            {
                "problems": _(
                    "'%(title)s' 기업의 산업단지가 이 사업연도에 거점·연계단지로 지정되지 않아 "
                    "과제를 만들 수 없습니다. 협력기관 연계를 검토하세요."
                )
                % {"title": first.title}
            }
        )
    return first.hub


def _add_firms_and_experts_of(
    actor: Any, project: Project, chosen: Sequence[Problem], *, source: str
) -> None:
    """The problems' firms join (the first one leads), then their experts (not withdrawn)
    in the order they were assigned."""
    firms = list(dict.fromkeys(problem.organisation_id for problem in chosen))
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
        fields["category"] = category_of_year(fields["category"], project.program_year)
    if "scope" in fields:
        fields["scope"] = _choice(fields["scope"], Project.Scope, "scope")
        natural = scope_of(list(project.problems.all()))
        if _SCOPE_RANK[fields["scope"]] < _SCOPE_RANK[natural]:
            raise ValidationError({"scope": _("애로과제들의 범위보다 좁게 할 수 없습니다.")})
    _check_dates(
        project.program_year,
        fields.get("start_date", project.start_date),
        fields.get("end_date", project.end_date),
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
