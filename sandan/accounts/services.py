"""Writes about people: accounts, roles and their scopes, account requests, API tokens.

Every function here is the one path for its write: it checks that the actor may do it,
validates, writes in a transaction and records the change in the audit log. E-mails leave
only after the transaction commits.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from sandan.accounts import mail
from sandan.accounts.models import (
    AccountRequest,
    AccountRequestStatus,
    ApiToken,
    Membership,
    ScopeKind,
    User,
    scope_kind_of,
)
from sandan.accounts.roles import Role
from sandan.core import audit, clock
from sandan.core.models import AuditAction
from sandan.core.querysets import allows
from sandan.core.services import NotAllowed, ensure_allowed

SCOPE_FIELDS = ("zone", "office", "complex", "organisation")

# The scopes that make sense for each role (docs/permissions.md, "the usual set-up").
SCOPES_OF_ROLE: dict[str, tuple[str, ...]] = {
    Role.MINISTRY_OFFICER: (ScopeKind.NATIONAL,),
    Role.HQ_STAFF: (ScopeKind.NATIONAL,),
    Role.AUDITOR: (ScopeKind.NATIONAL,),
    Role.REGIONAL_STAFF: (ScopeKind.ZONE, ScopeKind.OFFICE),
    Role.COORDINATOR: (ScopeKind.OFFICE, ScopeKind.COMPLEX),
    Role.COMPANY_USER: (ScopeKind.ORGANISATION,),
    Role.EXPERT: (ScopeKind.ORGANISATION, ScopeKind.NATIONAL),
}


def create_api_token(actor: Any, user: User, name: str = "api", *, source: str = "web") -> str:
    """Issue a token for `user` and return the raw value (shown once, never stored)."""
    if actor is not None and actor.pk != user.pk and not actor.is_superuser:
        raise NotAllowed("only the user or an administrator may create the user's tokens")
    with transaction.atomic():
        token, raw = ApiToken.issue(user, name=name)
        audit.record(actor, token, AuditAction.CREATE, source=source)
    return raw


def revoke_api_token(actor: Any, token: ApiToken, *, source: str = "web") -> None:
    if actor is not None and actor.pk != token.user_id and not actor.is_superuser:
        raise NotAllowed("only the user or an administrator may revoke the user's tokens")
    with transaction.atomic():
        before = audit.snapshot(token)
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit.record(actor, token, AuditAction.UPDATE, before, source=source)


def grant_role(
    actor: Any, user: User, role: str, *, source: str = "web", reason: str = "", **scope: Any
) -> Membership:
    """Give `user` a role in a scope (keyword `zone`, `office`, `complex` or `organisation`,
    none for national; `valid_from` / `valid_until` bound it in time). Only HQ grants roles;
    `actor=None` is the system (demo data, commands)."""
    if actor is not None and not allows(actor, Membership, "add"):
        raise NotAllowed(_("역할은 공단 본사만 부여할 수 있습니다."))
    with transaction.atomic():
        membership = Membership(user=user, role=role, **scope)
        if actor is not None:
            _check_scope_fits_role(membership)
        membership.full_clean()
        membership.save()
        ensure_allowed(actor, membership, "add")
        audit.record(actor, membership, AuditAction.CREATE, source=source, reason=reason)
    return membership


def _check_scope_fits_role(membership: Membership) -> None:
    kind = scope_kind_of(
        membership.zone_id, membership.office_id, membership.complex_id, membership.organisation_id
    )
    allowed = SCOPES_OF_ROLE.get(membership.role, ())
    if kind not in allowed:
        labels = ", ".join(str(ScopeKind(k).label) for k in allowed)
        raise ValidationError(
            {
                "role": _("%(role)s의 범위는 %(kinds)s 중 하나여야 합니다.")
                % {"role": membership.get_role_display(), "kinds": labels}
            }
        )
    organisation = membership.organisation
    is_company = getattr(organisation, "kind", "company") == "company"
    if membership.role == Role.COMPANY_USER and organisation is not None and not is_company:
        raise ValidationError({"organisation": _("기업 사용자는 기업에만 속할 수 있습니다.")})


def create_account(
    actor: Any,
    *,
    username: str,
    email: str,
    display_name: str,
    role: str,
    valid_from: dt.date | None = None,
    valid_until: dt.date | None = None,
    source: str = "web",
    **scope: Any,
) -> User:
    """HQ creates a staff account with its first membership; the new user gets an e-mail
    with a link to set a password (nobody else ever knows it)."""
    if actor is None or not allows(actor, Membership, "add"):
        raise NotAllowed(_("계정은 공단 본사만 만들 수 있습니다."))
    email = User.objects.normalize_email(email).strip()
    with transaction.atomic():
        if User.objects.filter(username__iexact=username).exists():
            raise ValidationError({"username": _("이미 쓰이는 아이디입니다.")})
        if email and User.objects.filter(email__iexact=email).exists():
            raise ValidationError({"email": _("이 이메일을 쓰는 계정이 이미 있습니다.")})
        user = User(username=username, email=email, display_name=display_name)
        user.set_unusable_password()
        user.full_clean()
        user.save()
        audit.record(actor, user, AuditAction.CREATE, source=source)
        grant_role(
            actor,
            user,
            role,
            source=source,
            valid_from=valid_from,
            valid_until=valid_until,
            **scope,
        )
        transaction.on_commit(lambda: mail.send_welcome(user))
    return user


def end_membership(
    actor: Any,
    membership: Membership,
    *,
    on: dt.date | None = None,
    reason: str = "",
    source: str = "web",
) -> Membership:
    """End a membership: it counts up to and including `on` (default today; from today it
    no longer counts at all). Only HQ ends memberships; the reason is kept in the log."""
    if actor is not None and not allows(actor, Membership, "change"):
        raise NotAllowed(_("역할은 공단 본사만 종료할 수 있습니다."))
    today = clock.today()
    end = on or today
    with transaction.atomic():
        ensure_allowed(actor, membership, "change")
        locked = Membership.objects.select_for_update().get(pk=membership.pk)
        if not locked.is_active or (locked.valid_until and locked.valid_until < today):
            raise ValidationError(_("이미 종료된 역할입니다."))
        if locked.valid_from and end < locked.valid_from:
            raise ValidationError({"valid_until": _("종료일은 시작일보다 앞설 수 없습니다.")})
        before = audit.snapshot(locked)
        locked.valid_until = end
        if end <= today:  # ending today means now: the role stops counting at once
            locked.is_active = False
        locked.save(update_fields=["valid_until", "is_active"])
        audit.record(actor, locked, AuditAction.UPDATE, before, source=source, reason=reason)
    return locked


# --- account requests from firms -------------------------------------------------------------


def request_account(
    *,
    organisation: Any,
    business_number: str,
    name: str,
    email: str,
    phone: str = "",
    department: str = "",
    message: str = "",
    language: str = "ko",
    source: str = "web",
    notify: bool = True,
) -> AccountRequest:
    """A firm asks for an account (anyone may; the form found the firm by its number).
    `notify=False` sends no acknowledgement (demo data)."""
    with transaction.atomic():
        account_request = AccountRequest(
            organisation=organisation,
            business_number=business_number,
            name=name,
            email=User.objects.normalize_email(email).strip(),
            phone=phone,
            department=department,
            message=message,
            language=language,
        )
        account_request.full_clean()
        account_request.save()
        audit.record(None, account_request, AuditAction.CREATE, source=source)
        if notify:
            transaction.on_commit(lambda: mail.send_request_received(account_request))
    return account_request


def _lock_pending(actor: Any, account_request: AccountRequest) -> AccountRequest:
    ensure_allowed(actor, account_request, "approve")
    locked = AccountRequest.objects.select_for_update().get(pk=account_request.pk)
    if locked.status != AccountRequestStatus.PENDING:
        raise ValidationError(_("이미 처리된 신청입니다."))
    return locked


def approve_account_request(
    actor: Any, account_request: AccountRequest, *, source: str = "web"
) -> User:
    """Approve a firm's request: the user (its e-mail is the login) and a company_user
    membership for the firm are created, and the requester is sent a link to set a password."""
    with transaction.atomic():
        locked = _lock_pending(actor, account_request)
        email = locked.email
        if User.objects.filter(Q(username__iexact=email) | Q(email__iexact=email)).exists():
            raise ValidationError(
                _(
                    "이 이메일을 쓰는 계정이 이미 있습니다. "
                    "신청을 반려하고 본사에 역할 부여를 요청하세요."
                )
            )
        user = User(username=email, email=email, display_name=locked.name)
        user.set_unusable_password()
        user.full_clean()
        user.save()
        audit.record(actor, user, AuditAction.CREATE, source=source, reason=_("계정 신청 승인"))
        membership = Membership(
            user=user,
            role=Role.COMPANY_USER,
            organisation_id=locked.organisation_id,
            valid_from=clock.today(),
        )
        membership.full_clean()
        membership.save()
        audit.record(
            actor, membership, AuditAction.CREATE, source=source, reason=_("계정 신청 승인")
        )
        before = audit.snapshot(locked)
        locked.status = AccountRequestStatus.APPROVED
        locked.decided_at = clock.now()
        locked.decided_by = actor
        locked.user = user
        locked.save()
        audit.record(actor, locked, AuditAction.UPDATE, before, source=source, reason=_("승인"))
        transaction.on_commit(lambda: mail.send_request_approved(locked, user))
    return user


def reject_account_request(
    actor: Any, account_request: AccountRequest, *, reason: str, source: str = "web"
) -> AccountRequest:
    """Reject a firm's request with a reason, which the requester is told by e-mail."""
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": _("반려 사유를 적어 주세요.")})
    with transaction.atomic():
        locked = _lock_pending(actor, account_request)
        before = audit.snapshot(locked)
        locked.status = AccountRequestStatus.REJECTED
        locked.decided_at = clock.now()
        locked.decided_by = actor
        locked.decision_reason = reason[:500]
        locked.save()
        audit.record(actor, locked, AuditAction.UPDATE, before, source=source, reason=reason)
        transaction.on_commit(lambda: mail.send_request_rejected(locked))
    return locked
