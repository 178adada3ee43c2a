"""People pages: accounts and their roles, seen through the reader's scope; HQ creates
accounts, grants roles and ends them."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from sandan.accounts import selectors, services
from sandan.accounts.forms import AccountForm, EndMembershipForm, MembershipFields, PeopleFilterForm
from sandan.accounts.models import Membership, User
from sandan.core.forms import FAILED, run_service
from sandan.core.pagination import paginate
from sandan.core.querysets import allows
from sandan.core.shortcuts import get_changeable_or_403

MEMBERSHIP_FIELDS = {"complex": "complex_code", "organisation": "business_number"}


def _may_see_people(user: Any) -> None:
    if not allows(user, Membership, "view"):
        raise PermissionDenied(_("사용자 목록을 볼 권한이 없습니다."))


def _may_manage_people(user: Any) -> None:
    if not allows(user, Membership, "add"):
        raise PermissionDenied(_("계정과 역할은 공단 본사만 관리할 수 있습니다."))


@login_required
def people_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    _may_see_people(user)
    form = PeopleFilterForm(request.GET or None)
    queryset = selectors.people(
        user, q=form.value("q"), role=form.value("role"), status=form.value("status")
    )
    context = {
        "form": form,
        "may_manage": allows(user, Membership, "add"),
        "pending_requests": selectors.pending_request_count(user),
        **paginate(request, queryset),
    }
    return render(request, "accounts/people_list.html", context)


def _person_or_404(request: HttpRequest, pk: int) -> User:
    _may_see_people(request.user)
    found = selectors.person(request.user, pk)
    if found is None:
        raise Http404(_("사용자를 찾을 수 없습니다."))
    return found


@login_required
def person_detail(request: HttpRequest, pk: int) -> HttpResponse:
    person = _person_or_404(request, pk)
    context = {
        "person": person,
        "memberships": person.shown,  # type: ignore[attr-defined]
        "may_manage": allows(request.user, Membership, "add"),
        "end_form": EndMembershipForm(),
    }
    return render(request, "accounts/person_detail.html", context)


@login_required
def account_create(request: HttpRequest) -> HttpResponse:
    actor = request.user
    _may_manage_people(actor)
    form = AccountForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        created = run_service(
            form,
            lambda: services.create_account(
                actor,
                username=data["username"],
                email=data["email"],
                display_name=data["display_name"],
                role=data["role"],
                valid_from=data["valid_from"],
                valid_until=data["valid_until"],
                **data["scope"],
            ),
            MEMBERSHIP_FIELDS,
        )
        if created is not FAILED:
            messages.success(
                request,
                _(
                    "계정 %(username)s을(를) 만들었습니다. "
                    "비밀번호를 정하는 링크를 %(email)s로 보냈습니다."
                )
                % {"username": created.username, "email": created.email},
            )
            return redirect("accounts:person_detail", created.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "accounts/account_form.html", {"form": form}, status=status)


@login_required
def membership_add(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request.user
    _may_manage_people(actor)
    person = _person_or_404(request, pk)
    form = MembershipFields(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        granted = run_service(
            form,
            lambda: services.grant_role(
                actor,
                person,
                data["role"],
                valid_from=data["valid_from"],
                valid_until=data["valid_until"],
                **data["scope"],
            ),
            MEMBERSHIP_FIELDS,
        )
        if granted is not FAILED:
            messages.success(request, _("역할을 부여했습니다."))
            return redirect("accounts:person_detail", person.pk)
    status = 400 if request.method == "POST" else 200
    context = {"form": form, "person": person}
    return render(request, "accounts/membership_form.html", context, status=status)


@login_required
def membership_end(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request.user
    membership = get_changeable_or_403(
        Membership.objects.select_related("user", "zone", "office", "complex", "organisation"),
        actor,
        _("역할 부여를 찾을 수 없습니다."),
        _("역할은 공단 본사만 종료할 수 있습니다."),
        pk=pk,
    )
    form = EndMembershipForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        ended = run_service(
            form,
            lambda: services.end_membership(
                actor, membership, on=data["on"], reason=data["reason"]
            ),
            {"valid_until": "on"},
        )
        if ended is not FAILED:
            messages.success(request, _("역할을 종료했습니다."))
            return redirect("accounts:person_detail", membership.user_id)
    status = 400 if request.method == "POST" else 200
    context = {"form": form, "membership": membership, "person": membership.user}
    return render(request, "accounts/membership_end.html", context, status=status)
