"""Writes about users: roles, API tokens."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from sandan.accounts.models import ApiToken, Membership, User
from sandan.core import audit
from sandan.core.models import AuditAction
from sandan.core.services import NotAllowed


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
    actor: Any, user: User, role: str, *, source: str = "web", **scope: Any
) -> Membership:
    with transaction.atomic():
        membership = Membership(user=user, role=role, **scope)
        membership.full_clean()
        membership.save()
        audit.record(actor, membership, AuditAction.CREATE, source=source)
    return membership
