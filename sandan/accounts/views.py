"""Login (throttled by django-axes), logout, password change and reset, the profile page."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from sandan.accounts.forms import TokenForm
from sandan.accounts.models import ApiToken, Membership, User
from sandan.accounts.services import create_api_token, revoke_api_token


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    redirect_authenticated_user = True


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("accounts:profile")

    def form_valid(self, form):  # type: ignore[no-untyped-def]
        messages.success(self.request, _("비밀번호를 바꿨습니다."))
        return super().form_valid(form)


def _krds(form: Any) -> Any:
    """Django's own auth forms, with the KRDS input style on every field."""
    for field in form.fields.values():
        field.widget.attrs.setdefault("class", "krds-input")
    return form


class PasswordResetView(auth_views.PasswordResetView):
    """Asks for an e-mail address and always answers the same way, so that the page does
    not tell whether an account uses that address; the link is single-use and expires."""

    template_name = "accounts/password_reset.html"
    email_template_name = "accounts/email/password_reset.txt"
    subject_template_name = "accounts/email/password_reset_subject.txt"
    success_url = reverse_lazy("accounts:password_reset_done")

    def get_form(self, form_class: Any = None) -> Any:
        return _krds(super().get_form(form_class))


class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "accounts/password_reset_done.html"


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "accounts/password_reset_confirm.html"
    success_url = reverse_lazy("accounts:password_reset_complete")

    def get_form(self, form_class: Any = None) -> Any:
        return _krds(super().get_form(form_class))


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "accounts/password_reset_complete.html"


@login_required
def profile(request: HttpRequest) -> HttpResponse:
    user = request.user
    assert isinstance(user, User)  # login_required
    new_token: str | None = None
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        new_token = create_api_token(user, user, name=form.cleaned_data["name"])
        messages.success(request, _("새 API 토큰을 만들었습니다. 지금만 보여 드립니다."))
        form = TokenForm()
    tokens = ApiToken.objects.filter(user=user, revoked_at__isnull=True)
    memberships = Membership.objects.filter(user=user).select_related(
        "zone", "office", "complex", "organisation"
    )
    return render(
        request,
        "accounts/profile.html",
        {"form": form, "tokens": tokens, "new_token": new_token, "memberships": memberships},
        status=400 if request.method == "POST" and form.errors else 200,
    )


@login_required
@require_POST
def revoke_token(request: HttpRequest, pk: int) -> HttpResponse:
    token = get_object_or_404(ApiToken, pk=pk, user=request.user, revoked_at__isnull=True)
    revoke_api_token(request.user, token)
    messages.success(request, _("토큰을 폐기했습니다."))
    return redirect("accounts:profile")
