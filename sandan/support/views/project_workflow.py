"""A project's workflow: submit, return, approve (with the duplicate-funding check and its
flags), re-check, start, complete (which sends the satisfaction surveys) and cancel."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from sandan.core.forms import FAILED, run_action, run_service
from sandan.support import services
from sandan.support.forms.projects import (
    ApprovalForm,
    ReasonForm,
)
from sandan.support.models import (
    DuplicateFlag,
    Project,
)
from sandan.support.views.common import (
    posted,
    project_form_page,
    project_to_change,
    to_project,
)

# Workflow ---------------------------------------------------------------------------


def _simple_transition(
    request: HttpRequest, pk: int, run: Callable[[Any, Project], Any], done: str
) -> HttpResponse:
    project = project_to_change(request, pk)
    if run_action(request, lambda: run(request.user, project)) is not FAILED:
        messages.success(request, done)
    return to_project(project)


@login_required
@require_POST
def project_submit(request: HttpRequest, pk: int) -> HttpResponse:
    return _simple_transition(request, pk, services.submit_project, _("승인을 요청했습니다."))


@login_required
@require_POST
def project_start(request: HttpRequest, pk: int) -> HttpResponse:
    return _simple_transition(request, pk, services.start_project, _("과제를 착수했습니다."))


@login_required
@require_POST
def project_complete(request: HttpRequest, pk: int) -> HttpResponse:
    project = project_to_change(request, pk)
    pairs = run_action(request, lambda: services.complete_project(request.user, project))
    if pairs is not FAILED:
        messages.success(
            request,
            _("과제를 완료했습니다. 참여기업 %(n)d곳에 만족도 조사를 보냈습니다.")
            % {"n": len(pairs)},
        )
    return to_project(project)


def _with_reason(
    request: HttpRequest,
    pk: int,
    action: str,
    run: Callable[[Any, Project, str], Any],
    title: str,
    done: str,
) -> HttpResponse:
    project = project_to_change(request, pk, action)
    form = ReasonForm(posted(request))
    status = 200
    if request.method == "POST":
        if form.is_valid():
            reason = form.cleaned_data["reason"]
            if run_service(form, lambda: run(request.user, project, reason)) is not FAILED:
                messages.success(request, done)
                return to_project(project)
        status = 400
    return project_form_page(request, project, form, title, status=status)


@login_required
def project_return(request: HttpRequest, pk: int) -> HttpResponse:
    return _with_reason(
        request,
        pk,
        "approve",
        lambda user, project, reason: services.return_project(user, project, reason),
        _("승인 요청 반려"),
        _("과제를 작성 중으로 돌려보냈습니다."),
    )


@login_required
def project_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    return _with_reason(
        request,
        pk,
        "change",
        lambda user, project, reason: services.cancel_project(user, project, reason),
        _("과제 취소"),
        _("과제를 취소했습니다."),
    )


@login_required
def project_approve(request: HttpRequest, pk: int) -> HttpResponse:
    """The approval page: the duplicate-funding check's flags of the project, each with a
    reason field; approving with open flags needs a reason for every one of them."""
    user = request.user
    project = project_to_change(request, pk, "approve")
    status = 200
    errors: list[str] = []
    if request.method == "POST":
        flags = list(project.duplicate_flags.select_related("organisation", "other_project"))
        form = ApprovalForm(request.POST, flags=flags)
        if form.is_valid():
            try:
                services.approve_project(user, project, form.overrides())
            except ValidationError as error:
                errors = error.messages
            else:
                messages.success(request, _("과제를 승인했습니다."))
                return to_project(project)
        status = 400
        project.refresh_from_db()
    flags = list(
        DuplicateFlag.objects.restrict(user, "view")
        .filter(project=project)
        .select_related("organisation", "other_project", "overridden_by")
    )
    form = ApprovalForm(request.POST if status == 400 else None, flags=flags)
    if status == 400:
        form.is_valid()
    context = {
        "project": project,
        "form": form,
        "flags": flags,
        "errors": errors,
        "share": services.cost_share(project),
    }
    return render(request, "support/project_approve.html", context, status=status)


@login_required
@require_POST
def project_recheck(request: HttpRequest, pk: int) -> HttpResponse:
    """Run the duplicate-funding check again (it ran at submission; another project of the
    same firm may have been funded since). Its flags are stored for the approval form."""
    project = project_to_change(request, pk, "approve")
    services.check_duplicates(request.user, project)
    messages.success(request, _("중복 지원 점검을 다시 했습니다."))
    return redirect("support:project_approve", pk=project.pk)
