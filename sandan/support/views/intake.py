"""Problem intake: the form a firm (or the staff for a firm) submits, with attachments, and
the bulk import of a CSV/XLSX file (with a dry run and a report of every bad row)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from sandan.core.files import check_attachment
from sandan.core.forms import FAILED, run_service
from sandan.core.querysets import allows
from sandan.core.services import NotAllowed
from sandan.registry.models import Organisation
from sandan.support import io, services
from sandan.support.forms.problems import (
    ProblemForm,
    ProblemUploadForm,
)
from sandan.support.models import (
    Problem,
)
from sandan.support.views.common import (
    own_organisations,
)

# Intake -----------------------------------------------------------------------------


def _intake_form(request: HttpRequest) -> ProblemForm:
    user = request.user
    own = own_organisations(user)
    data = request.POST if request.method == "POST" else None
    files = request.FILES if request.method == "POST" else None
    if own and not allows(user, Problem, "change"):
        firms = Organisation.objects.filter(pk__in=own, kind=Organisation.Kind.COMPANY).order_by(
            "name_ko"
        )
        return ProblemForm(data, files, own_firms=firms, scope_firms=None)
    scope = Organisation.objects.restrict(user, "view").filter(kind=Organisation.Kind.COMPANY)
    return ProblemForm(data, files, own_firms=None, scope_firms=scope)


def _check_uploads(form: ProblemForm, uploads: list[UploadedFile]) -> bool:
    """Each file's type and size, by the service's own check; errors named by file."""
    ok = True
    for upload in uploads:
        try:
            check_attachment(upload)
        except ValidationError as error:
            ok = False
            for message in error.messages:
                form.add_error("attachments", f"{upload.name}: {message}")
    return ok


@login_required
def problem_create(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not allows(user, Problem, "add"):
        raise PermissionDenied(_("애로과제를 등록할 권한이 없습니다."))
    form = _intake_form(request)
    status = 200
    if request.method == "POST":
        firm_field = "organisation" if "organisation" in form.fields else "business_number"
        rename = {"organisation": firm_field, "file": "attachments"}
        valid = form.is_valid()
        uploads = [f for f in request.FILES.getlist("attachments") if f]
        files_ok = _check_uploads(form, uploads)
        if valid:
            data = form.cleaned_data
            fields = {
                "organisation": form.firm(),
                "title": data["title"],
                "description": data["description"],
                "help_wanted": data["help_wanted"],
                "urgency": data["urgency"],
            }
            if not files_ok:
                # Say what else is wrong at once, without saving anything.
                run_service(form, lambda: services.problem_fields(**fields, suggest=False), rename)
            else:
                try:
                    problem = run_service(
                        form,
                        lambda: services.submit_problem(user, attachments=uploads, **fields),
                        rename,
                    )
                except NotAllowed:
                    form.add_error(firm_field, _("이 기업의 애로과제를 등록할 권한이 없습니다."))
                else:
                    if problem is not FAILED:
                        messages.success(
                            request,
                            _(
                                "애로과제를 접수했습니다. "
                                "담당 코디네이터가 분야를 확인하고 연락드립니다."
                            ),
                        )
                        return redirect("support:problem_detail", pk=problem.pk)
        status = 400
    context = {
        "form": form,
        "hidden_errors": _hidden_errors(form),
        # A browser never re-sends chosen files with a re-shown form.
        "reattach": bool(request.method == "POST" and request.FILES.getlist("attachments")),
    }
    return render(request, "support/problem_form.html", context, status=status)


def _hidden_errors(form: Any) -> list[str]:
    return [str(e) for field in form.hidden_fields() for e in field.errors]


# Bulk import ------------------------------------------------------------------------


@login_required
def problem_import(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not allows(user, Problem, "change"):
        raise PermissionDenied(_("애로과제를 일괄 등록할 권한이 없습니다."))
    if request.GET.get("template"):
        response = HttpResponse(io.problems_template_csv(), content_type="text/csv")
        response["Content-Disposition"] = 'attachment; filename="problems-template.csv"'
        return response
    form = ProblemUploadForm(request.POST or None, request.FILES or None)
    report = None
    status = 200
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        report = io.import_problems(
            upload, user, filename=upload.name, dry_run=form.cleaned_data["dry_run"]
        )
        if report.ok and not report.dry_run:
            messages.success(
                request,
                _("애로과제 %(created)d건을 등록했습니다. 분야 추천이 함께 붙었습니다.")
                % {"created": report.created},
            )
            return redirect(f"{reverse('support:problem_list')}?source=import")
        status = 200 if report.ok else 400
    elif request.method == "POST":
        status = 400
    return render(
        request, "support/problem_import.html", {"form": form, "report": report}, status=status
    )
