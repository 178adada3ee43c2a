"""A problem's expert assignments (assign the suggested experts, end an assignment) and
its referrals to partner agencies (refer, update). Each answers on the problem page."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from sandan.core.forms import FAILED, run_service
from sandan.registry.models import Expert, Organisation
from sandan.support import services
from sandan.support.forms.problems import (
    AssignForm,
    EndAssignmentForm,
    ReferralForm,
    ReferralUpdateForm,
)
from sandan.support.models import (
    ExpertAssignment,
    Referral,
)
from sandan.support.views.common import (
    problem_or_404,
    problem_to_change,
    row_to_change,
    to_problem,
)
from sandan.support.views.problems import SUGGESTED_EXPERTS, render_detail


@login_required
@require_POST
def problem_assign(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    problem = problem_to_change(request, pk)
    experts = Expert.objects.restrict(user, "view")
    form = AssignForm(request.POST, experts=experts)
    if form.is_valid():
        chosen = list(form.cleaned_data["experts"])
        ranked = {s.expert.pk: s for s in services.suggest_experts(problem, k=SUGGESTED_EXPERTS)}
        assigned = run_service(
            form,
            lambda: services.assign_experts(
                user,
                problem,
                chosen,
                scores={pk: ranked[pk].score for pk in ranked},
                explanations={pk: ranked[pk].explanation for pk in ranked},
            ),
        )
        if assigned is not FAILED:
            names = ", ".join(expert.name_ko for expert in chosen)
            messages.success(request, _("전문가를 배정했습니다: %(names)s") % {"names": names})
            return to_problem(problem.pk, "assignments")
    errors = [str(e) for e in form.errors.get("experts", [])] + [
        str(e) for e in form.non_field_errors()
    ]
    return render_detail(request, problem, {"errors": errors}, 400)


@login_required
@require_POST
def assignment_end(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    assignment = row_to_change(request, ExpertAssignment, pk)
    form = EndAssignmentForm(request.POST)
    if form.is_valid():
        ended = run_service(
            form,
            lambda: services.end_assignment(
                user, assignment, form.cleaned_data["status"], reason=form.cleaned_data["reason"]
            ),
        )
        if ended is not FAILED:
            messages.success(
                request,
                _("%(expert)s 전문가의 배정을 끝냈습니다.") % {"expert": assignment.expert},
            )
            return to_problem(assignment.problem_id, "assignments")
    errors = [str(e) for field_errors in form.errors.values() for e in field_errors]
    problem = problem_or_404(user, assignment.problem_id)
    return render_detail(request, problem, {"errors": errors}, 400)


@login_required
@require_POST
def problem_refer(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    problem = problem_to_change(request, pk)
    agencies = Organisation.objects.restrict(user, "view").filter(kind=Organisation.Kind.AGENCY)
    form = ReferralForm(request.POST, agencies=agencies)
    if form.is_valid():
        data = form.cleaned_data
        referred = run_service(
            form,
            lambda: services.refer_problem(
                user, problem, data["partner_kind"], data["agency"], data["note"]
            ),
            {"problem": "partner_kind"},
        )
        if referred is not FAILED:
            messages.success(request, _("협력기관에 연계했습니다."))
            return to_problem(problem.pk, "referrals")
    return render_detail(request, problem, {"refer": form}, 400)


@login_required
@require_POST
def referral_update(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    referral = row_to_change(request, Referral, pk)
    form = ReferralUpdateForm(request.POST)
    if form.is_valid():
        updated = run_service(
            form,
            lambda: services.update_referral(
                user, referral, form.cleaned_data["status"], form.cleaned_data["outcome"]
            ),
        )
        if updated is not FAILED:
            messages.success(request, _("연계 상태를 바꿨습니다."))
            return to_problem(referral.problem_id, "referrals")
    errors = [str(e) for field_errors in form.errors.values() for e in field_errors]
    problem = problem_or_404(user, referral.problem_id)
    return render_detail(request, problem, {"errors": errors}, 400)
