"""The parts of a project: participants (firms, institutes, experts), the budget lines
(saved as a whole, refused when the firms' share breaks the year's cost-share rule),
milestones and documents."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from sandan.core.forms import FAILED, run_action, run_service
from sandan.core.querysets import allows
from sandan.registry.models import Organisation
from sandan.support import services
from sandan.support.forms.projects import (
    BudgetFormSet,
    BudgetReasonForm,
    DocumentForm,
    MilestoneForm,
    ParticipantForm,
)
from sandan.support.models import (
    Milestone,
    Participant,
    Project,
    ProjectDocument,
)
from sandan.support.views.common import (
    posted,
    project_form_page,
    project_to_change,
    to_project,
)

# Participants, budget, milestones, documents ------------------------------------------


@login_required
def participant_add(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    project = project_to_change(request, pk)
    form = ParticipantForm(posted(request), user=user, project=project)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            added = run_service(
                form,
                lambda: services.add_participant(
                    user,
                    project,
                    organisation=data.get("organisation"),
                    expert=data.get("expert"),
                    role=data.get("role") or None,
                    reason=data.get("reason", ""),
                ),
            )
            if added is not FAILED:
                messages.success(request, _("참여기관을 더했습니다."))
                return to_project(project)
        status = 400
    return project_form_page(request, project, form, _("참여기관·전문가 추가"), status=status)


@login_required
@require_POST
def participant_remove(request: HttpRequest, pk: int, participant_pk: int) -> HttpResponse:
    user = request.user
    project = project_to_change(request, pk)
    participant = (
        Participant.objects.filter(project=project, pk=participant_pk)
        .select_related("project__program_year")
        .first()
    )
    if participant is None:
        raise Http404(_("참여기관을 찾을 수 없습니다."))
    reason = request.POST.get("reason", "")
    removed = run_action(
        request, lambda: services.remove_participant(user, participant, reason=reason)
    )
    if removed is not FAILED:
        messages.success(request, _("참여기관을 뺐습니다."))
    return to_project(project)


class _Rollback(Exception):
    def __init__(self, error: ValidationError) -> None:
        self.error = error


@login_required
def budget_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """The budget as a formset; saved through `set_budget_lines`, and refused as a whole
    (nothing saved) when the firm's share breaks the year's cost-share rule."""
    user = request.user
    project = project_to_change(request, pk)
    organisations = Organisation.objects.filter(project_participations__project=project).order_by(
        "name_ko"
    )
    current = list(project.budget_lines.order_by("kind", "id"))
    initial = [
        {
            "kind": line.kind,
            "organisation": line.organisation_id,
            "amount_krw": line.amount_krw,
            "note": line.note,
        }
        for line in current
    ]
    data = request.POST if request.method == "POST" else None
    formset = BudgetFormSet(data, initial=initial, organisations=organisations, prefix="lines")
    reason_form = BudgetReasonForm(data)
    needs_reason = project.status in (Project.Status.APPROVED, Project.Status.IN_PROGRESS)
    errors: list[str] = []
    status = 200
    if request.method == "POST":
        if formset.is_valid() and reason_form.is_valid():
            try:
                with transaction.atomic():
                    services.set_budget_lines(
                        user,
                        project,
                        formset.lines(),
                        reason=reason_form.cleaned_data.get("reason", ""),
                    )
                    try:
                        # The service's own rule and message (also used at submission).
                        services.check_cost_share(project)
                    except ValidationError as error:
                        raise _Rollback(error) from error
            except _Rollback as rollback:
                errors = [*rollback.error.messages, _("사업비를 저장하지 않았습니다.")]
            except ValidationError as error:
                errors = error.messages
            else:
                share = services.cost_share(project)
                messages.success(
                    request,
                    _("사업비를 저장했습니다. 기업부담 비율 %(pct).1f%%") % {"pct": share.firm_pct},
                )
                return to_project(project)
        status = 400
    context = {
        "project": project,
        "formset": formset,
        "reason_form": reason_form,
        "needs_reason": needs_reason,
        "errors": errors,
        "share": services.cost_share(project),
    }
    return render(request, "support/project_budget.html", context, status=status)


@login_required
def milestone_add(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    project = project_to_change(request, pk)
    form = MilestoneForm(posted(request), project=project)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            added = run_service(
                form, lambda: services.add_milestone(user, project, **form.cleaned_data)
            )
            if added is not FAILED:
                messages.success(request, _("추진 일정을 더했습니다."))
                return to_project(project)
        status = 400
    return project_form_page(request, project, form, _("추진 일정 추가"), status=status)


@login_required
@require_POST
def milestone_complete(request: HttpRequest, pk: int, milestone_pk: int) -> HttpResponse:
    user = request.user
    project = project_to_change(request, pk)
    milestone = Milestone.objects.filter(project=project, pk=milestone_pk).first()
    if milestone is None:
        raise Http404(_("추진 일정을 찾을 수 없습니다."))
    if run_action(request, lambda: services.complete_milestone(user, milestone)) is not FAILED:
        messages.success(request, _("'%(title)s' 단계를 완료했습니다.") % {"title": milestone})
    return to_project(project)


@login_required
def document_add(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    if request.method == "POST" and not Project.objects.filter(pk=pk).exists():
        raise Http404(_("지원과제를 찾을 수 없습니다."))
    project = Project.objects.restrict(user, "view").filter(pk=pk).first()
    if project is None:
        if request.method == "POST":
            raise PermissionDenied(_("이 과제에 문서를 올릴 권한이 없습니다."))
        raise Http404(_("지원과제를 찾을 수 없습니다."))
    if not allows(user, ProjectDocument, "add") or project.status == Project.Status.CANCELLED:
        raise PermissionDenied(_("이 과제에 문서를 올릴 권한이 없습니다."))
    form = DocumentForm(posted(request), request.FILES if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            added = run_service(
                form,
                lambda: services.add_project_document(
                    user, project, form.cleaned_data["file"], title=form.cleaned_data["title"]
                ),
            )
            if added is not FAILED:
                messages.success(request, _("문서를 올렸습니다."))
                return to_project(project)
        status = 400
    return project_form_page(
        request, project, form, _("과제 문서 올리기"), status=status, multipart=True
    )


@login_required
def project_document(request: HttpRequest, pk: int) -> FileResponse:
    found = ProjectDocument.objects.restrict(request.user, "view").filter(pk=pk).first()
    if found is None:
        raise Http404(_("문서를 찾을 수 없습니다."))
    return FileResponse(
        found.file.open("rb"),
        as_attachment=True,
        filename=found.file.name.rsplit("/", 1)[-1],
        content_type=found.content_type,
    )
