"""The e-mails people receive about their accounts (the console backend prints them in dev).

Links to set a password are Django's single-use password-reset links: the token expires
after PASSWORD_RESET_TIMEOUT and stops working as soon as the password is set.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode


def set_password_url(user: Any) -> str:
    """The absolute address at which `user` sets a password (single use, expiring)."""
    path = reverse(
        "accounts:password_reset_confirm",
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
            "token": default_token_generator.make_token(user),
        },
    )
    return f"{settings.SANDAN_SITE_URL}{path}"


def _send(to: str, template: str, context: dict[str, Any], language: str) -> None:
    with translation.override(language):
        subject, _blank, body = render_to_string(template, context).strip().partition("\n")
    EmailMessage(subject.strip(), body.strip() + "\n", settings.DEFAULT_FROM_EMAIL, [to]).send()


def _context(**extra: Any) -> dict[str, Any]:
    return {
        "site_url": settings.SANDAN_SITE_URL,
        "days": settings.PASSWORD_RESET_TIMEOUT // (24 * 3600),
        **extra,
    }


def send_welcome(user: Any) -> None:
    """A new staff account: how to set the password."""
    if not user.email:
        return
    context = _context(user=user, url=set_password_url(user))
    _send(user.email, "accounts/email/welcome.txt", context, translation.get_language())


def send_request_received(account_request: Any) -> None:
    context = _context(request=account_request)
    _send(
        account_request.email,
        "accounts/email/request_received.txt",
        context,
        account_request.language,
    )


def send_request_approved(account_request: Any, user: Any) -> None:
    context = _context(request=account_request, user=user, url=set_password_url(user))
    _send(
        account_request.email,
        "accounts/email/request_approved.txt",
        context,
        account_request.language,
    )


def send_request_rejected(account_request: Any) -> None:
    context = _context(request=account_request)
    _send(
        account_request.email,
        "accounts/email/request_rejected.txt",
        context,
        account_request.language,
    )
