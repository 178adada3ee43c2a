"""What the support pages share: the look-ups of a problem or project to show or change, and
the small questions about the user (the firms they act for, whose contacts they may see).

A page of a row outside the user's scope is a 404 (`get_visible_or_404`); a write to a row
that exists but is not the user's to change is a 403, even when it is out of sight, so a
refused write says "not yours" rather than "gone".
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from sandan.accounts.roles import Role, grants_for
from sandan.core.privacy import with_contact_flag
from sandan.core.shortcuts import get_visible_or_404, may
from sandan.support.models import Problem, Project

# The user ---------------------------------------------------------------------------


def own_organisations(user: Any) -> set[int]:
    """The firms a company user acts for (empty for every other role)."""
    return {
        pk
        for grant in grants_for(user)
        if grant.role == Role.COMPANY_USER and grant.scope_kind == "organisation"
        for pk in grant.scope_ids
    }


def is_national(user: Any) -> bool:
    return bool(user.is_superuser) or any(g.scope_kind == "national" for g in grants_for(user))


def contact_visible(user: Any, model: type[Any], ids: Iterable[int]) -> set[int]:
    """The ids among `ids` whose personal contact data the user may see (one query)."""
    wanted = set(ids)
    if not wanted:
        return set()
    rows = with_contact_flag(model.objects.filter(pk__in=wanted), user).values_list(
        "pk", "contact_visible"
    )
    return {pk for pk, visible in rows if visible}


def posted(request: HttpRequest) -> Any:
    """The form data of a POST (even an empty one, so that it is validated), else None."""
    return request.POST if request.method == "POST" else None


# Problems ---------------------------------------------------------------------------


def problem_or_404(user: Any, pk: int) -> Problem:
    return get_visible_or_404(
        Problem.objects.select_related(
            "organisation__complex",
            "program_year",
            "hub__complex",
            "complex",
            "zone",
            "category",
            "suggested_category",
            "activity__council",
            "submitted_by",
            "triaged_by",
        ),
        user,
        _("애로과제를 찾을 수 없습니다."),
        pk=pk,
    )


def problem_to_change(request: HttpRequest, pk: int) -> Problem:
    """The problem a write works on: unknown is a 404, outside the user's scope a 403."""
    user = request.user
    if not Problem.objects.filter(pk=pk).exists():
        raise Http404(_("애로과제를 찾을 수 없습니다."))
    if not may(user, Problem, "change", pk):
        raise PermissionDenied(_("이 애로과제를 처리할 권한이 없습니다."))
    return problem_or_404(user, pk)


def row_to_change(request: HttpRequest, model: type[Any], pk: int) -> Any:
    """An assignment or a referral to change: unknown 404, out of scope 403."""
    if not model.objects.filter(pk=pk).exists():
        raise Http404(_("찾을 수 없습니다."))
    if not may(request.user, model, "change", pk):
        raise PermissionDenied(_("이 작업을 할 권한이 없습니다."))
    return model.objects.restrict(request.user, "change").get(pk=pk)


def to_problem(problem_pk: int, anchor: str = "") -> HttpResponse:
    """Back to the problem page (at `anchor`)."""
    url = reverse("support:problem_detail", args=[problem_pk])
    return HttpResponseRedirect(f"{url}#{anchor}" if anchor else url)


# Projects ---------------------------------------------------------------------------


def project_or_404(user: Any, pk: int) -> Project:
    return get_visible_or_404(
        Project.objects.select_related(
            "program_year", "hub__complex", "zone", "category", "approved_by", "created_by"
        ),
        user,
        _("지원과제를 찾을 수 없습니다."),
        pk=pk,
    )


def project_to_change(request: HttpRequest, pk: int, action: str = "change") -> Project:
    """The project a form page or a write works on. A page (GET) of a project out of the
    user's sight is a 404; a write (POST) out of scope is a 403; both need `action`."""
    user = request.user
    if request.method == "POST":
        exists = Project.objects.filter(pk=pk).exists()
        if not exists:
            raise Http404(_("지원과제를 찾을 수 없습니다."))
        if not may(user, Project, "view", pk):
            raise PermissionDenied(_("이 과제를 바꿀 권한이 없습니다."))
    project = project_or_404(user, pk)
    if not may(user, Project, action, pk):
        if action == "approve":
            raise PermissionDenied(
                _("이 과제를 승인할 권한이 없습니다. 과제의 권역을 담당하는 광역본부가 승인합니다.")
            )
        raise PermissionDenied(_("이 과제를 바꿀 권한이 없습니다."))
    return project


def to_project(project: Project) -> HttpResponse:
    """Back to the project page."""
    return redirect("support:project_detail", pk=project.pk)


def project_form_page(
    request: HttpRequest,
    project: Project | None,
    form: Any,
    title: str,
    *,
    status: int = 200,
    multipart: bool = False,
    extra: dict[str, Any] | None = None,
) -> HttpResponse:
    """A form about a project (or a new one), in the shared project form template."""
    cancel = (
        reverse("support:project_detail", args=[project.pk])
        if project
        else reverse("support:project_list")
    )
    context = {
        "form": form,
        "title": title,
        "project": project,
        "cancel_url": cancel,
        "multipart": multipart,
        **(extra or {}),
    }
    return render(request, "support/project_form.html", context, status=status)
