"""A firm requests an account (no login); staff of the firm's complex approve or reject it."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from sandan.accounts import selectors, services
from sandan.accounts.forms import AccountRequestForm, DecisionForm
from sandan.accounts.models import AccountRequest, AccountRequestStatus
from sandan.core.forms import FAILED, run_action, run_service
from sandan.core.pagination import paginate
from sandan.core.querysets import allows
from sandan.core.shortcuts import get_changeable_or_403, get_visible_or_404, may


def account_request(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("accounts:profile")
    form = AccountRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        done = run_service(
            form,
            lambda: services.request_account(
                organisation=form.firm,
                business_number=data["business_number"],
                name=data["name"],
                email=data["email"],
                phone=data["phone"],
                department=data["department"],
                message=data["message"],
                language=translation.get_language() or "ko",
            ),
        )
        if done is not FAILED:
            request.session["account_request_firm"] = form.firm.name_ko
            return redirect("accounts:account_request_sent")
    status = 400 if request.method == "POST" else 200
    return render(request, "accounts/account_request.html", {"form": form}, status=status)


def account_request_sent(request: HttpRequest) -> HttpResponse:
    firm = request.session.get("account_request_firm", "")
    return render(request, "accounts/account_request_sent.html", {"firm": firm})


def _may_decide_requests(request: HttpRequest) -> None:
    if not allows(request.user, AccountRequest, "view"):
        raise PermissionDenied(_("계정 신청을 볼 권한이 없습니다."))


@login_required
def request_list(request: HttpRequest) -> HttpResponse:
    _may_decide_requests(request)
    status = request.GET.get("status", AccountRequestStatus.PENDING)
    if status not in AccountRequestStatus.values:
        status = ""
    queryset = selectors.account_requests(request.user, status or None)
    context = {
        "status": status,
        "statuses": AccountRequestStatus.choices,
        **paginate(request, queryset),
    }
    return render(request, "accounts/request_list.html", context)


def _visible_request(request: HttpRequest, pk: int) -> AccountRequest:
    return get_visible_or_404(
        selectors.account_requests(request.user),
        request.user,
        _("계정 신청을 찾을 수 없습니다."),
        pk=pk,
    )


@login_required
def request_detail(request: HttpRequest, pk: int) -> HttpResponse:
    _may_decide_requests(request)
    found = _visible_request(request, pk)
    context = {
        "account_request": found,
        "may_decide": found.status == AccountRequestStatus.PENDING
        and may(request.user, AccountRequest, "approve", found.pk),
        "reject_form": DecisionForm(),
    }
    return render(request, "accounts/request_detail.html", context)


def _decidable(request: HttpRequest, pk: int) -> AccountRequest:
    return get_changeable_or_403(
        selectors.account_requests(request.user),
        request.user,
        _("계정 신청을 찾을 수 없습니다."),
        _("이 신청을 처리할 권한이 없습니다."),
        action="approve",
        pk=pk,
    )


@login_required
@require_POST
def request_approve(request: HttpRequest, pk: int) -> HttpResponse:
    found = _decidable(request, pk)
    user = run_action(request, lambda: services.approve_account_request(request.user, found))
    if user is not FAILED:
        messages.success(
            request,
            _("승인했습니다. %(email)s로 비밀번호를 정하는 링크를 보냈습니다.")
            % {"email": found.email},
        )
    return redirect("accounts:request_detail", found.pk)


@login_required
@require_POST
def request_reject(request: HttpRequest, pk: int) -> HttpResponse:
    found = _decidable(request, pk)
    form = DecisionForm(request.POST)
    if form.is_valid():
        done = run_service(
            form,
            lambda: services.reject_account_request(
                request.user, found, reason=form.cleaned_data["reason"]
            ),
        )
        if done is not FAILED:
            messages.success(request, _("반려했습니다. 신청자에게 사유를 이메일로 알렸습니다."))
            return redirect("accounts:request_detail", found.pk)
    context = {"account_request": found, "may_decide": True, "reject_form": form}
    return render(request, "accounts/request_detail.html", context, status=400)
