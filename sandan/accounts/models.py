"""Users, their role memberships with a scope, and API tokens."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import Any, ClassVar

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import connections, models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sandan.accounts.roles import Grant, Role
from sandan.core import clock
from sandan.core.querysets import RestrictedQuerySet, ScopePath


class User(AbstractUser):
    display_name = models.CharField(_("표시 이름"), max_length=100, blank=True)

    _sandan_grants: list[Grant] | None  # the cache behind scope_grants(), not a field

    def __str__(self) -> str:
        return self.display_name or self.username

    def scope_grants(self) -> list[Grant]:
        """The user's active memberships, resolved; loaded once per user object.

        `sandan.core.querysets.restrict()` reads them through this method (the core knows
        users only as something that carries grants). An API token's look-up fills the
        cache in the same round trip (`ApiTokenQuerySet.find`).
        """
        cached: list[Grant] | None = getattr(self, "_sandan_grants", None)
        if cached is None:
            cached = [m.as_grant() for m in Membership.objects.active_for(self)]
            self._sandan_grants = cached
        return cached


class ScopeKind(models.TextChoices):
    NATIONAL = "national", _("전국")
    ZONE = "zone", _("광역경제권")
    OFFICE = "office", _("공단 조직")
    COMPLEX = "complex", _("산업단지")
    ORGANISATION = "organisation", _("기관")


def _in_force(today: Any) -> Q:
    """Memberships that count on `today`: switched on, started and not yet ended."""
    return (
        Q(is_active=True)
        & (Q(valid_from__isnull=True) | Q(valid_from__lte=today))
        & (Q(valid_until__isnull=True) | Q(valid_until__gte=today))
    )


class MembershipQuerySet(RestrictedQuerySet["Membership"]):
    def active_for(self, user: Any) -> MembershipQuerySet:
        return self.filter(user=user).in_force()

    def in_force(self) -> MembershipQuerySet:
        return self.filter(_in_force(clock.today()))

    def ended(self) -> MembershipQuerySet:
        today = clock.today()
        return self.filter(Q(is_active=False) | Q(valid_until__lt=today))

    def upcoming(self) -> MembershipQuerySet:
        return self.filter(is_active=True, valid_from__gt=clock.today())


class MembershipStatus(models.TextChoices):
    IN_FORCE = "in_force", _("유효")
    UPCOMING = "upcoming", _("시작 전")
    ENDED = "ended", _("종료")


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
    valid_from = models.DateField(
        _("시작일"), null=True, blank=True, help_text=_("비워 두면 바로 유효합니다.")
    )
    valid_until = models.DateField(
        _("종료일"),
        null=True,
        blank=True,
        help_text=_("이 날까지 유효합니다. 비워 두면 기한 없음."),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects: ClassVar[MembershipQuerySet] = MembershipQuerySet.as_manager()  # type: ignore[assignment]

    # A membership is in a staff member's scope when its own scope lies inside it: a zone
    # sees the memberships of the zone, of its offices, complexes and organisations.
    scope_paths: ClassVar[dict[str, ScopePath]] = {
        "zone": (
            "zone",
            "office__zone",
            "complex__province__zone",
            "organisation__complex__province__zone",
        ),
        "office": ("office", "complex__office", "organisation__complex__office"),
        "complex": ("complex", "organisation__complex"),
        "organisation": "organisation",
    }

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
            models.CheckConstraint(
                name="membership_starts_before_it_ends",
                condition=Q(valid_from__isnull=True)
                | Q(valid_until__isnull=True)
                | Q(valid_from__lte=models.F("valid_until")),
                violation_error_message=_("종료일은 시작일보다 앞설 수 없습니다."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()} · {self.scope_label}"

    @property
    def scope_kind(self) -> str:
        return scope_kind_of(self.zone_id, self.office_id, self.complex_id, self.organisation_id)

    @property
    def scope_label(self) -> str:
        target = self.zone or self.office or self.complex or self.organisation
        return str(target) if target else str(ScopeKind.NATIONAL.label)

    @property
    def status(self) -> str:
        today = clock.today()
        if not self.is_active or (self.valid_until is not None and self.valid_until < today):
            return MembershipStatus.ENDED
        if self.valid_from is not None and self.valid_from > today:
            return MembershipStatus.UPCOMING
        return MembershipStatus.IN_FORCE

    def get_status_display(self) -> str:
        return str(MembershipStatus(self.status).label)

    def as_grant(self) -> Grant:
        return scope_grant(
            self.role, self.zone_id, self.office_id, self.complex_id, self.organisation_id
        )


def scope_kind_of(
    zone_id: int | None, office_id: int | None, complex_id: int | None, organisation_id: int | None
) -> str:
    """The kind of a membership's scope: whichever target is set, else national."""
    if zone_id:
        return ScopeKind.ZONE
    if office_id:
        return ScopeKind.OFFICE
    if complex_id:
        return ScopeKind.COMPLEX
    if organisation_id:
        return ScopeKind.ORGANISATION
    return ScopeKind.NATIONAL


def scope_grant(
    role: str,
    zone_id: int | None,
    office_id: int | None,
    complex_id: int | None,
    organisation_id: int | None,
) -> Grant:
    """A membership resolved: its role, scope kind and the ids the scope covers."""
    kind = scope_kind_of(zone_id, office_id, complex_id, organisation_id)
    ids: list[int] = []
    if kind == ScopeKind.OFFICE and office_id:
        ids = _office_subtree(office_id)
    else:
        ids = [i for i in (zone_id, complex_id, organisation_id) if i]
    return Grant(role=role, scope_kind=str(kind), scope_ids=frozenset(ids))


def _office_subtree(office_id: int) -> list[int]:
    """The office and the offices below it, asked of the model the membership's `office`
    points to: registry sits above accounts, so accounts names it only through the relation."""
    office_model: Any = Membership._meta.get_field("office").related_model
    subtree: list[int] = office_model.subtree_of(office_id)
    return subtree


def _hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


@dataclass(frozen=True)
class TokenHolder:
    """Who a bearer token speaks for: the user, with memberships already resolved."""

    token_id: int
    user: User
    needs_touch: bool  # `last_used_at` is older than the caller's `stale_before`


class ApiTokenQuerySet(models.QuerySet["ApiToken"]):
    def find(self, raw: str, stale_before: datetime | None = None) -> TokenHolder | None:
        """The live token `raw` and its active user, in one round trip.

        Every API request starts here, so the token, its user and the user's active
        memberships are read by one hand-written join (the ORM would take three queries, and
        composing them cost more than running them); the memberships become the user's
        grants, as `User.scope_grants` would load them.
        """
        conn = connections[self.db]
        ops = conn.ops
        today = clock.today()
        params = [
            ops.adapt_datetimefield_value(stale_before or timezone.now()),
            True,
            ops.adapt_datefield_value(today),
            ops.adapt_datefield_value(today),
            _hash_token(raw),
            True,
        ]
        rows = list(User.objects.using(self.db).raw(_token_sql(self.db), params))
        if not rows:
            return None
        user = rows[0]
        extra = [vars(row) for row in rows]  # the joined columns, as read
        user._sandan_grants = [
            scope_grant(r["m_role"], r["m_zone"], r["m_office"], r["m_complex"], r["m_org"])
            for r in extra
            if r["m_role"] is not None
        ]
        return TokenHolder(
            token_id=extra[0]["token_id"], user=user, needs_touch=bool(extra[0]["needs_touch"])
        )


@cache
def _token_sql(alias: str) -> str:
    """The lookup behind `ApiTokenQuerySet.find`; identifiers come from the models' metadata,
    every value is a parameter."""
    qn = connections[alias].ops.quote_name

    def column(model: type[models.Model], name: str) -> str:
        field = model._meta.get_field(name)
        assert isinstance(field, models.Field)
        return qn(field.column)

    names = {
        "token": qn(ApiToken._meta.db_table),
        "user": qn(User._meta.db_table),
        "membership": qn(Membership._meta.db_table),
        "user_columns": ", ".join(f"u.{qn(f.column)}" for f in User._meta.concrete_fields),
        **{f"t_{n}": column(ApiToken, n) for n in ("id", "user", "key_hash", "last_used_at")},
        "t_revoked_at": column(ApiToken, "revoked_at"),
        "u_id": column(User, "id"),
        "u_is_active": column(User, "is_active"),
        **{
            f"m_{n}": column(Membership, n)
            for n in (
                "id",
                "user",
                "role",
                "zone",
                "office",
                "complex",
                "organisation",
                "is_active",
                "valid_from",
                "valid_until",
            )
        },
    }
    return """
        SELECT {user_columns}, t.{t_id} AS token_id,
               CASE WHEN t.{t_last_used_at} IS NULL OR t.{t_last_used_at} < %s
                    THEN 1 ELSE 0 END AS needs_touch,
               m.{m_role} AS m_role, m.{m_zone} AS m_zone, m.{m_office} AS m_office,
               m.{m_complex} AS m_complex, m.{m_organisation} AS m_org
        FROM {token} t
        INNER JOIN {user} u ON u.{u_id} = t.{t_user}
        LEFT JOIN {membership} m ON m.{m_user} = u.{u_id} AND m.{m_is_active} = %s
             AND (m.{m_valid_from} IS NULL OR m.{m_valid_from} <= %s)
             AND (m.{m_valid_until} IS NULL OR m.{m_valid_until} >= %s)
        WHERE t.{t_key_hash} = %s AND t.{t_revoked_at} IS NULL AND u.{u_is_active} = %s
        ORDER BY m.{m_id}
    """.format(**names)  # noqa: S608 (identifiers from _meta; values are parameters)


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


class AccountRequestStatus(models.TextChoices):
    PENDING = "pending", _("승인 대기")
    APPROVED = "approved", _("승인")
    REJECTED = "rejected", _("반려")


class AccountRequestQuerySet(RestrictedQuerySet["AccountRequest"]):
    def pending(self) -> AccountRequestQuerySet:
        return self.filter(status=AccountRequestStatus.PENDING)


class AccountRequest(models.Model):
    """A firm's request for a company-user account, decided by a coordinator of its complex.

    The firm is found by its business registration number; approval creates the user (who
    sets a password through an e-mailed link) and a company_user membership for the firm.
    """

    organisation = models.ForeignKey(
        "registry.Organisation",
        on_delete=models.PROTECT,
        related_name="account_requests",
        verbose_name=_("기업"),
    )
    business_number = models.CharField(_("사업자등록번호"), max_length=10)
    name = models.CharField(_("신청자 이름"), max_length=50)
    email = models.EmailField(_("이메일"))
    phone = models.CharField(_("전화번호"), max_length=30, blank=True)
    department = models.CharField(_("부서·직위"), max_length=100, blank=True)
    message = models.TextField(_("남기실 말"), max_length=1000, blank=True)
    language = models.CharField(max_length=8, default="ko")  # the language of the e-mails
    status = models.CharField(
        _("상태"),
        max_length=12,
        choices=AccountRequestStatus.choices,
        default=AccountRequestStatus.PENDING,
    )
    # The site's clock (ADR 0017), as its decision is: a request is never decided before it
    # is made.
    created_at = models.DateTimeField(_("신청일시"), default=clock.now, editable=False)
    decided_at = models.DateTimeField(_("처리일시"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("처리자"),
    )
    decision_reason = models.CharField(_("반려 사유"), max_length=500, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="account_requests",
        verbose_name=_("만든 계정"),
    )

    objects: ClassVar[AccountRequestQuerySet] = AccountRequestQuerySet.as_manager()  # type: ignore[assignment]

    # Staff reach the requests of the firms in their scope (the coordinator of the firm's
    # complex, the regional HQ of its zone).
    scope_paths: ClassVar[dict[str, ScopePath]] = {
        "zone": "organisation__complex__province__zone",
        "office": "organisation__complex__office",
        "complex": "organisation__complex",
    }
    PERSONAL_FIELDS: ClassVar[tuple[str, ...]] = ("email", "phone")

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("계정 신청")
        verbose_name_plural = _("계정 신청")
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "email"],
                condition=Q(status="pending"),
                name="account_request_one_pending_per_email_and_firm",
                violation_error_message=_("이 기업에 같은 이메일로 낸 신청이 이미 심사 중입니다."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} · {self.organisation}"
