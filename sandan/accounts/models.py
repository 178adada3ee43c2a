"""Users, their role memberships with a scope, and API tokens."""

from __future__ import annotations

import hashlib
import secrets
from typing import Any, ClassVar

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sandan.accounts.roles import Grant, Role


class User(AbstractUser):
    display_name = models.CharField(_("표시 이름"), max_length=100, blank=True)

    def __str__(self) -> str:
        return self.display_name or self.username


class ScopeKind(models.TextChoices):
    NATIONAL = "national", _("전국")
    ZONE = "zone", _("광역경제권")
    OFFICE = "office", _("공단 조직")
    COMPLEX = "complex", _("산업단지")
    ORGANISATION = "organisation", _("기관")


class MembershipQuerySet(models.QuerySet["Membership"]):
    def active_for(self, user: Any) -> MembershipQuerySet:
        today = timezone.localdate()
        return self.filter(user=user, is_active=True).filter(
            Q(valid_until__isnull=True) | Q(valid_until__gte=today)
        )


class Membership(models.Model):
    """A user holds a role within a scope; the scope is whichever target is set."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(_("역할"), max_length=32, choices=Role.choices)
    zone = models.ForeignKey(
        "registry.Zone", null=True, blank=True, on_delete=models.PROTECT, verbose_name=_("권역")
    )
    office = models.ForeignKey(
        "registry.Office", null=True, blank=True, on_delete=models.PROTECT, verbose_name=_("조직")
    )
    complex = models.ForeignKey(
        "registry.Complex",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        verbose_name=_("산업단지"),
    )
    organisation = models.ForeignKey(
        "registry.Organisation",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        verbose_name=_("기관"),
    )
    is_active = models.BooleanField(_("활성"), default=True)
    valid_until = models.DateField(_("만료일"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects: ClassVar[MembershipQuerySet] = MembershipQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        verbose_name = _("역할 부여")
        verbose_name_plural = _("역할 부여")
        constraints = [
            models.CheckConstraint(
                name="membership_at_most_one_scope",
                condition=(
                    Q(zone__isnull=True, office__isnull=True, complex__isnull=True)
                    | Q(zone__isnull=True, office__isnull=True, organisation__isnull=True)
                    | Q(zone__isnull=True, complex__isnull=True, organisation__isnull=True)
                    | Q(office__isnull=True, complex__isnull=True, organisation__isnull=True)
                ),
            ),
            models.CheckConstraint(
                name="membership_role_valid",
                condition=Q(role__in=[value for value, _label in Role.choices]),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()} · {self.scope_label}"

    @property
    def scope_kind(self) -> str:
        if self.zone_id:
            return ScopeKind.ZONE
        if self.office_id:
            return ScopeKind.OFFICE
        if self.complex_id:
            return ScopeKind.COMPLEX
        if self.organisation_id:
            return ScopeKind.ORGANISATION
        return ScopeKind.NATIONAL

    @property
    def scope_label(self) -> str:
        target = self.zone or self.office or self.complex or self.organisation
        return str(target) if target else str(ScopeKind.NATIONAL.label)

    def as_grant(self) -> Grant:
        kind = self.scope_kind
        ids: set[int] = set()
        if kind == ScopeKind.ZONE:
            ids = {self.zone_id} if self.zone_id else set()
        elif kind == ScopeKind.OFFICE and self.office is not None:
            ids = set(self.office.subtree_ids())
        elif kind == ScopeKind.COMPLEX and self.complex_id:
            ids = {self.complex_id}
        elif kind == ScopeKind.ORGANISATION and self.organisation_id:
            ids = {self.organisation_id}
        return Grant(role=self.role, scope_kind=str(kind), scope_ids=frozenset(ids))


def _hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


class ApiTokenQuerySet(models.QuerySet["ApiToken"]):
    def find(self, raw: str) -> ApiToken | None:
        return (
            self.select_related("user")
            .filter(key_hash=_hash_token(raw), revoked_at__isnull=True, user__is_active=True)
            .first()
        )


class ApiToken(models.Model):
    """A bearer token for the API. Only its SHA-256 is stored; the raw token is shown once."""

    PREFIX = "sdn_"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(_("이름"), max_length=100, default="api")
    key_hash = models.CharField(max_length=64, unique=True)
    hint = models.CharField(max_length=12)
    created_at = models.DateTimeField(_("생성일"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("최근 사용"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("폐기일"), null=True, blank=True)

    objects: ClassVar[ApiTokenQuerySet] = ApiTokenQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("API 토큰")
        verbose_name_plural = _("API 토큰")

    def __str__(self) -> str:
        return f"{self.name} ({self.hint}…)"

    @classmethod
    def issue(cls, user: Any, name: str = "api") -> tuple[ApiToken, str]:
        raw = cls.PREFIX + secrets.token_urlsafe(32)
        token = cls.objects.create(user=user, name=name, key_hash=_hash_token(raw), hint=raw[:8])
        return token, raw
