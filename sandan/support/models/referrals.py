"""Referrals of problems to partner agencies."""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from sandan.core.querysets import RestrictedQuerySet
from sandan.support.models._common import _PROBLEM_SCOPE, TEXT_MAX, _choices_check, _through
from sandan.support.models.problems import Problem

# Referrals and duplicate flags ------------------------------------------------------


class ReferralPartnerKind(models.TextChoices):
    REGIONAL_COMMITTEE = "regional_committee", _("광역위원회")
    LEADING_INDUSTRY = "leading_industry", _("선도산업지원단")
    LOCAL_GOVERNMENT = "local_government", _("지자체")
    TECHNOPARK = "technopark", _("테크노파크")
    OTHER = "other", _("기타 기관")


class ReferralStatus(models.TextChoices):
    SENT = "sent", _("연계 요청")
    ACCEPTED = "accepted", _("접수")
    DECLINED = "declined", _("거절")
    COMPLETED = "completed", _("지원 완료")


class Referral(models.Model):
    """협력기관 연계: a problem handed to another agency's program that fits better."""

    PartnerKind = ReferralPartnerKind
    Status = ReferralStatus

    TRANSITIONS: ClassVar[dict[str, tuple[str, ...]]] = {
        "sent": ("accepted", "declined"),
        "accepted": ("completed", "declined"),
        "declined": (),
        "completed": (),
    }

    problem = models.ForeignKey(
        Problem, on_delete=models.PROTECT, related_name="referrals", verbose_name=_("애로과제")
    )
    agency = models.ForeignKey(
        "registry.Organisation",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="referrals_received",
        verbose_name=_("연계 기관"),
    )
    partner_kind = models.CharField(_("기관 구분"), max_length=20, choices=PartnerKind.choices)
    note = models.TextField(_("연계 메모"), max_length=TEXT_MAX, blank=True)
    status = models.CharField(_("상태"), max_length=10, choices=Status.choices, default=Status.SENT)
    outcome = models.TextField(_("연계 결과"), max_length=TEXT_MAX, blank=True)
    referred_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("연계자"),
    )
    referred_at = models.DateTimeField(_("연계 일시"))
    closed_at = models.DateTimeField(_("종결 일시"), null=True, blank=True)

    objects: ClassVar[RestrictedQuerySet[Referral]] = RestrictedQuerySet.as_manager()  # type: ignore[assignment]
    scope_paths: ClassVar[dict[str, str | None]] = _through("problem", _PROBLEM_SCOPE)

    class Meta:
        ordering = ["-referred_at", "-id"]
        verbose_name = _("협력기관 연계")
        verbose_name_plural = _("협력기관 연계")
        constraints = [
            _choices_check("referral_status_valid", "status", ReferralStatus),
            _choices_check("referral_partner_valid", "partner_kind", ReferralPartnerKind),
            models.CheckConstraint(
                name="referral_closed_has_date",
                condition=Q(status__in=["sent", "accepted"]) | Q(closed_at__isnull=False),
            ),
        ]
        indexes = [models.Index(fields=["partner_kind", "status"], name="referral_partner")]

    def __str__(self) -> str:
        return f"{self.problem_id} → {self.get_partner_kind_display()}"
