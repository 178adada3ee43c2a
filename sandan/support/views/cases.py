"""The problems raised at a networking activity (recorded in rows, shown on the activity),
and the expert's own cases with their mentoring notes."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Case, Count, IntegerField, Max, Q, QuerySet, Value, When
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from sandan.core.forms import FAILED, run_service
from sandan.core.pagination import paginate
from sandan.core.querysets import allows
from sandan.core.shortcuts import get_visible_or_404, may
from sandan.councils.models import Activity
from sandan.registry.models import Expert, Organisation
from sandan.support import services
from sandan.support.forms.problems import (
    ActivityProblemFormSet,
    MentoringNoteForm,
)
from sandan.support.models import (
    ExpertAssignment,
    MentoringNote,
    Problem,
    ProblemAttachment,
)
from sandan.support.views.common import (
    contact_visible,
)

CASES_PER_PAGE = 50
ACTIVITY_PROBLEMS_ON_PAGE = 200


# Problems raised at a networking activity -------------------------------------------


@login_required
def activity_problems(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    activity = get_visible_or_404(
        Activity.objects.select_related("council__hub__complex", "council__hub__program_year"),
        user,
        _("활동을 찾을 수 없습니다."),
        pk=pk,
    )
    may_record = may(user, Activity, "change", activity.pk) and allows(user, Problem, "add")
    if request.method == "POST" and not may_record:
        raise PermissionDenied(_("이 활동의 애로과제를 기록할 권한이 없습니다."))
    # The firms of the council and those who attended, as far as the user sees them.
    firms = (
        Organisation.objects.restrict(user, "view")
        .filter(kind=Organisation.Kind.COMPANY, complex__isnull=False)
        .filter(
            Q(pk__in=activity.council.memberships.values("organisation_id"))
            | Q(pk__in=activity.attendance.values("organisation_id"))
        )
        .order_by("name_ko")
    )
    formset = ActivityProblemFormSet(
        request.POST if request.method == "POST" else None, firms=firms, prefix="rows"
    )
    errors: list[str] = []
    status = 200
    if request.method == "POST":
        if formset.is_valid():
            filled = formset.filled()
            for form in filled:
                for name in ("organisation", "title", "description"):
                    if not str(form.cleaned_data.get(name) or "").strip():
                        form.add_error(name, _("이 행에 꼭 적어야 합니다."))
            if not filled:
                errors.append(_("기록할 애로과제를 한 건 이상 적어 주세요."))
            elif all(form.is_valid() for form in filled):
                rows = [form.cleaned_data for form in filled]
                try:
                    created = services.record_activity_problems(user, activity, rows)
                except ValidationError as error:
                    errors.extend(error.messages)
                else:
                    messages.success(
                        request,
                        _("애로과제 %(n)d건을 기록했습니다.") % {"n": len(created)},
                    )
                    return redirect("councils:activity_detail", pk=activity.pk)
        status = 400
    recorded = list(
        Problem.objects.restrict(user, "view")
        .filter(activity=activity)
        .select_related("organisation", "category", "suggested_category")
        .order_by("submitted_at", "id")[:ACTIVITY_PROBLEMS_ON_PAGE]
    )
    context = {
        "activity": activity,
        "formset": formset,
        "errors": errors,
        "recorded": recorded,
        "may_record": may_record,
        "no_firms": may_record and not firms.exists(),
    }
    return render(request, "support/activity_problems.html", context, status=status)


# The expert's cases -----------------------------------------------------------------


def cases_for(user: Any) -> QuerySet[ExpertAssignment]:
    """The user's own assignments as an expert, open ones first, with their note counts."""
    return (
        ExpertAssignment.objects.restrict(user, "view")
        .filter(expert__user=user)
        .select_related(
            "problem__organisation", "problem__category", "problem__hub__complex", "expert"
        )
        .annotate(
            note_count=Count("notes"),
            last_note=Max("notes__date"),
            open_first=Case(
                When(status=ExpertAssignment.Status.ACTIVE, then=Value(0)),
                default=Value(1),
                output_field=IntegerField(),
            ),
        )
        .order_by("open_first", "-assigned_at", "-id")
    )


@login_required
def case_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    profile = Expert.objects.filter(user=user).first() if user.is_authenticated else None
    context = {
        "profile": profile,
        **paginate(request, cases_for(user), CASES_PER_PAGE),
    }
    return render(request, "support/case_list.html", context)


@login_required
def case_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    assignment = (
        ExpertAssignment.objects.restrict(user, "view")
        .select_related(
            "expert__affiliation",
            "problem__organisation__complex",
            "problem__category",
            "problem__suggested_category",
            "problem__hub__complex",
        )
        .filter(pk=pk)
        .first()
    )
    if assignment is None:
        raise Http404(_("배정을 찾을 수 없습니다."))
    problem = assignment.problem
    may_write = (
        assignment.expert.user_id == user.pk
        and assignment.status != ExpertAssignment.Status.WITHDRAWN
        and allows(user, MentoringNote, "add")
    )
    form = MentoringNoteForm(
        request.POST if request.method == "POST" else None,
        initial={"date": timezone.localdate()},
    )
    status = 200
    if request.method == "POST":
        if not may_write:
            raise PermissionDenied(_("배정된 전문가만 멘토링 일지를 쓸 수 있습니다."))
        if form.is_valid():
            added = run_service(
                form,
                lambda: services.add_mentoring_note(
                    user, assignment, form.cleaned_data["body"], date=form.cleaned_data["date"]
                ),
            )
            if added is not FAILED:
                messages.success(request, _("멘토링 일지를 저장했습니다."))
                return redirect("support:case_detail", pk=assignment.pk)
        status = 400
    context = {
        "assignment": assignment,
        "problem": problem,
        "firm_contact_visible": bool(
            contact_visible(user, Organisation, [problem.organisation_id])
        ),
        "attachments": list(
            ProblemAttachment.objects.restrict(user, "view").filter(problem=problem)
        ),
        "notes": list(
            MentoringNote.objects.restrict(user, "view")
            .filter(assignment=assignment)
            .select_related("author")
            .order_by("-date", "-id")
        ),
        "form": form,
        "may_write": may_write,
        "may_see_problem": Problem.objects.restrict(user, "view").filter(pk=problem.pk).exists(),
    }
    return render(request, "support/case_detail.html", context, status=status)
