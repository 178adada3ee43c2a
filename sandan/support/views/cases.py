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
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from sandan.core import clock
from sandan.core.forms import FAILED, run_service
from sandan.core.pagination import paginate
from sandan.core.querysets import allows
from sandan.core.shortcuts import get_visible_or_404, may
from sandan.councils.models import Activity
from sandan.registry.models import Expert, Organisation
from sandan.support import services
from sandan.support.forms.problems import (
    ActivityProblemFormSet,
    AssignmentAnswerForm,
    AvailabilityForm,
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


def _availability_form(profile: Expert | None) -> AvailabilityForm | None:
    if profile is None:
        return None
    return AvailabilityForm(
        initial={
            "unavailable_from": profile.unavailable_from,
            "unavailable_until": profile.unavailable_until,
            "max_open_cases": profile.max_open_cases,
        }
    )


@login_required
def case_list(request: HttpRequest, availability: AvailabilityForm | None = None) -> HttpResponse:
    user = request.user
    profile = Expert.objects.filter(user=user).first() if user.is_authenticated else None
    open_cases = (
        ExpertAssignment.objects.filter(
            expert=profile, status=ExpertAssignment.Status.ACTIVE
        ).count()
        if profile is not None
        else 0
    )
    today = clock.today()
    context = {
        "profile": profile,
        "open_cases": open_cases,
        "away_today": profile is not None and profile.is_away(today),
        "at_cap": profile is not None
        and not profile.is_away(today)
        and not services.is_available(profile, open_cases, today),
        "availability_form": availability or _availability_form(profile),
        **paginate(request, cases_for(user), CASES_PER_PAGE),
    }
    return render(request, "support/case_list.html", context, status=400 if availability else 200)


@login_required
@require_POST
def case_availability(request: HttpRequest) -> HttpResponse:
    """The expert sets a period away and a cap on open cases (the matcher respects both)."""
    profile = Expert.objects.filter(user_id=request.user.pk or 0).first()
    if profile is None:
        raise Http404(_("전문가 정보가 없습니다."))
    form = AvailabilityForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        saved = run_service(
            form,
            lambda: services.set_availability(
                request.user,
                profile,
                unavailable_from=data["unavailable_from"],
                unavailable_until=data["unavailable_until"],
                max_open_cases=data["max_open_cases"],
            ),
        )
        if saved is not FAILED:
            messages.success(request, _("배정 가능 여부를 저장했습니다."))
            return redirect("support:case_list")
    return case_list(request, availability=form)


def _case(user: Any, pk: int) -> ExpertAssignment:
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
    return assignment


@login_required
@require_POST
def case_answer(request: HttpRequest, pk: int) -> HttpResponse:
    """The assigned expert accepts or declines the assignment (a reason when declining)."""
    user = request.user
    assignment = _case(user, pk)
    if assignment.expert.user_id != user.pk:
        raise PermissionDenied(_("배정된 전문가만 배정을 수락하거나 거절할 수 있습니다."))
    form = AssignmentAnswerForm(request.POST)
    if form.is_valid():
        decline = form.cleaned_data["answer"] == "decline"
        done = run_service(
            form,
            lambda: (
                services.decline_assignment(user, assignment, form.cleaned_data["reason"])
                if decline
                else services.accept_assignment(user, assignment)
            ),
        )
        if done is not FAILED:
            if decline:
                messages.success(
                    request, _("배정을 거절했습니다. 코디네이터가 다른 전문가를 찾습니다.")
                )
            else:
                messages.success(request, _("배정을 수락했습니다."))
            return redirect("support:case_detail", pk=assignment.pk)
    return case_detail(request, pk, answer_form=form)


@login_required
def case_detail(
    request: HttpRequest, pk: int, answer_form: AssignmentAnswerForm | None = None
) -> HttpResponse:
    user = request.user
    assignment = _case(user, pk)
    problem = assignment.problem
    may_write = (
        assignment.expert.user_id == user.pk
        and assignment.status != ExpertAssignment.Status.WITHDRAWN
        and allows(user, MentoringNote, "add")
    )
    form = MentoringNoteForm(
        request.POST if request.method == "POST" and answer_form is None else None,
        initial={"date": clock.today()},
    )
    status = 400 if answer_form is not None else 200
    if request.method == "POST" and answer_form is None:
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
        "may_answer": assignment.expert.user_id == user.pk and assignment.awaits_answer,
        "answer_form": answer_form or AssignmentAnswerForm(),
        "may_see_problem": Problem.objects.restrict(user, "view").filter(pk=problem.pk).exists(),
    }
    return render(request, "support/case_detail.html", context, status=status)
