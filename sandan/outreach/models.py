"""Council dues (회비): the levels a council sets for a program year, each member's level,
the invoices issued to members and the payments and refunds made against them.

What is owed and paid is kept in won (integers). An invoice carries its amount and the net
paid so far (`paid_krw`, kept by the services under a row lock); the database refuses a
paid amount below zero or above the invoice, so no payment can overpay and no refund can
return more than was paid, whatever path wrote it.
"""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from sandan.core.querysets import RestrictedQuerySet


def _council_scope(prefix: str) -> dict[str, str | None]:
    """Staff reach the dues of the councils of their scope; a company only its own rows."""
    return {
        "zone": f"{prefix}__zone",
        "office": f"{prefix}__hub__complex__office",
        "complex": f"{prefix}__hub__complex",
    }


class DuesLevel(models.Model):
    """회비 등급: a level of annual dues of one council in one program year (e.g. 정회원
    300,000원, 대기업 회원 1,000,000원)."""

    council = models.ForeignKey(
        "councils.Council",
        on_delete=models.PROTECT,
        related_name="dues_levels",
        verbose_name=_("협의체"),
    )
    program_year = models.ForeignKey(
        "program.ProgramYear",
        on_delete=models.PROTECT,
        related_name="dues_levels",
        verbose_name=_("사업연도"),
    )
    name = models.CharField(_("등급명"), max_length=60)
    annual_amount_krw = models.BigIntegerField(_("연회비(원)"))
    created_at = models.DateTimeField(auto_now_add=True)

    objects: ClassVar[RestrictedQuerySet[DuesLevel]] = RestrictedQuerySet.as_manager()  # type: ignore[assignment]
    scope_paths: ClassVar[dict[str, str | None]] = {
        **_council_scope("council"),
        # A member firm sees the levels of the councils it belongs to.
        "organisation": "council__memberships__organisation",
    }

    class Meta:
        ordering = ["council", "-program_year__year", "-annual_amount_krw", "name"]
        verbose_name = _("회비 등급")
        verbose_name_plural = _("회비 등급")
        constraints = [
            models.UniqueConstraint(
                fields=["council", "program_year", "name"], name="dues_level_name_per_year"
            ),
            models.CheckConstraint(
                name="dues_level_amount_positive", condition=Q(annual_amount_krw__gt=0)
            ),
            models.CheckConstraint(name="dues_level_has_name", condition=~Q(name="")),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.annual_amount_krw:,}원)"


class DuesAssignment(models.Model):
    """A member's dues level for a program year (one level per membership and year)."""

    membership = models.ForeignKey(
        "councils.Membership",
        on_delete=models.PROTECT,
        related_name="dues_assignments",
        verbose_name=_("협의체 회원"),
    )
    level = models.ForeignKey(
        DuesLevel, on_delete=models.PROTECT, related_name="assignments", verbose_name=_("회비 등급")
    )
    # The level's year, kept on the row so that "one level per member and year" is a
    # database constraint; the service sets it from the level.
    program_year = models.ForeignKey(
        "program.ProgramYear",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("사업연도"),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects: ClassVar[RestrictedQuerySet[DuesAssignment]] = RestrictedQuerySet.as_manager()  # type: ignore[assignment]
    scope_paths: ClassVar[dict[str, str | None]] = {
        **_council_scope("membership__council"),
        "organisation": "membership__organisation",
    }

    class Meta:
        ordering = ["membership", "-program_year__year"]
        verbose_name = _("회비 등급 지정")
        verbose_name_plural = _("회비 등급 지정")
        constraints = [
            models.UniqueConstraint(
                fields=["membership", "program_year"], name="dues_assignment_once_per_year"
            )
        ]

    def __str__(self) -> str:
        return f"{self.membership_id} → {self.level_id}"


class Invoice(models.Model):
    """회비 청구서: one member's dues of one program year."""

    membership = models.ForeignKey(
        "councils.Membership",
        on_delete=models.PROTECT,
        related_name="invoices",
        verbose_name=_("협의체 회원"),
    )
    program_year = models.ForeignKey(
        "program.ProgramYear",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("사업연도"),
    )
    level = models.ForeignKey(
        DuesLevel, on_delete=models.PROTECT, related_name="invoices", verbose_name=_("회비 등급")
    )
    number = models.CharField(_("청구 번호"), max_length=30, unique=True)
    amount_krw = models.BigIntegerField(_("청구액(원)"))
    # The net of payments less refunds, kept by the services (sandan.outreach.services).
    paid_krw = models.BigIntegerField(_("납부액(원)"), default=0)
    issued_on = models.DateField(_("발행일"))
    due_on = models.DateField(_("납부 기한"))
    created_at = models.DateTimeField(auto_now_add=True)

    objects: ClassVar[RestrictedQuerySet[Invoice]] = RestrictedQuerySet.as_manager()  # type: ignore[assignment]
    scope_paths: ClassVar[dict[str, str | None]] = {
        **_council_scope("membership__council"),
        "organisation": "membership__organisation",
    }

    class Meta:
        ordering = ["-program_year__year", "number"]
        verbose_name = _("회비 청구서")
        verbose_name_plural = _("회비 청구서")
        constraints = [
            models.UniqueConstraint(
                fields=["membership", "program_year"], name="invoice_once_per_member_year"
            ),
            models.CheckConstraint(name="invoice_amount_positive", condition=Q(amount_krw__gt=0)),
            models.CheckConstraint(
                name="invoice_paid_within_amount",
                condition=Q(paid_krw__gte=0) & Q(paid_krw__lte=F("amount_krw")),
            ),
            models.CheckConstraint(
                name="invoice_due_after_issue", condition=Q(due_on__gte=F("issued_on"))
            ),
        ]
        indexes = [models.Index(fields=["program_year", "due_on"], name="invoice_year_due")]

    def __str__(self) -> str:
        return self.number

    @property
    def outstanding_krw(self) -> int:
        return self.amount_krw - self.paid_krw

    @property
    def is_paid(self) -> bool:
        return self.paid_krw >= self.amount_krw


class Payment(models.Model):
    """A payment against an invoice, or a refund of what was paid (amounts are positive;
    `kind` says which way the money went)."""

    class Kind(models.TextChoices):
        PAYMENT = "payment", _("납부")
        REFUND = "refund", _("환불")

    class Method(models.TextChoices):
        TRANSFER = "transfer", _("계좌이체")
        CARD = "card", _("카드")
        CASH = "cash", _("현금")
        OTHER = "other", _("기타")

    invoice = models.ForeignKey(
        Invoice, on_delete=models.PROTECT, related_name="payments", verbose_name=_("청구서")
    )
    kind = models.CharField(_("구분"), max_length=10, choices=Kind.choices, default=Kind.PAYMENT)
    amount_krw = models.BigIntegerField(_("금액(원)"))
    paid_on = models.DateField(_("일자"))
    method = models.CharField(
        _("방법"), max_length=10, choices=Method.choices, default=Method.TRANSFER
    )
    note = models.CharField(_("비고"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("기록자"),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects: ClassVar[RestrictedQuerySet[Payment]] = RestrictedQuerySet.as_manager()  # type: ignore[assignment]
    scope_paths: ClassVar[dict[str, str | None]] = {
        **_council_scope("invoice__membership__council"),
        "organisation": "invoice__membership__organisation",
    }

    class Meta:
        ordering = ["invoice", "paid_on", "id"]
        verbose_name = _("회비 납부")
        verbose_name_plural = _("회비 납부")
        constraints = [
            models.CheckConstraint(name="payment_amount_positive", condition=Q(amount_krw__gt=0)),
            models.CheckConstraint(
                name="payment_kind_valid", condition=Q(kind__in=["payment", "refund"])
            ),
            models.CheckConstraint(
                name="payment_method_valid",
                condition=Q(method__in=["transfer", "card", "cash", "other"]),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.invoice_id} {self.get_kind_display()} {self.amount_krw:,}원"

    @property
    def signed_krw(self) -> int:
        return self.amount_krw if self.kind == self.Kind.PAYMENT else -self.amount_krw

    @property
    def receipt_number(self) -> str:
        return f"R-{self.invoice.number}-{self.pk}"


class Pilot(models.Model):
    """자립형 클러스터 시범 거점: a hub HQ confirmed to run as a private-led, self-sustaining
    cluster from `starts_in`, with the reason and the readiness score it had then."""

    hub = models.OneToOneField(
        "program.Designation",
        on_delete=models.PROTECT,
        related_name="pilot",
        verbose_name=_("거점단지 지정"),
    )
    starts_in = models.PositiveSmallIntegerField(_("자립 운영 시작 연도"))
    score = models.DecimalField(_("준비도 점수"), max_digits=5, decimal_places=1)
    # The parts of the score when HQ confirmed (name → {"value", "points"}), kept as shown.
    parts = models.JSONField(_("점수 구성"), default=dict)
    proposed = models.BooleanField(_("시스템 제안"), default=False)
    reason = models.TextField(_("확정 사유"))
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("확정자"),
    )
    confirmed_at = models.DateTimeField(_("확정 일시"))
    # Ledger entries dated on or before this day are closed (no new entries).
    closed_through = models.DateField(_("장부 마감일"), null=True, blank=True)

    objects: ClassVar[RestrictedQuerySet[Pilot]] = RestrictedQuerySet.as_manager()  # type: ignore[assignment]
    scope_paths: ClassVar[dict[str, str | None]] = {
        "zone": "hub__zone",
        "office": "hub__complex__office",
        "complex": "hub__complex",
        "organisation": None,
    }

    class Meta:
        ordering = ["starts_in", "hub"]
        verbose_name = _("자립형 시범 거점")
        verbose_name_plural = _("자립형 시범 거점")
        constraints = [
            models.CheckConstraint(name="pilot_has_reason", condition=~Q(reason="")),
            models.CheckConstraint(
                name="pilot_score_in_range", condition=Q(score__gte=0) & Q(score__lte=100)
            ),
        ]

    def __str__(self) -> str:
        return f"{self.hub_id} ({self.starts_in})"


class LedgerEntry(models.Model):
    """A line of a pilot's ledger: private income other than dues (donations with donor and
    receipt, sponsorships, service fees) or a running cost. Dues come from the invoices'
    payments and are not entered twice."""

    class Kind(models.TextChoices):
        DONATION = "donation", _("기부금")
        SPONSORSHIP = "sponsorship", _("후원금")
        SERVICE_FEE = "service_fee", _("서비스 수수료")
        RUNNING_COST = "running_cost", _("운영비 지출")

    INCOME: ClassVar[tuple[str, ...]] = ("donation", "sponsorship", "service_fee")

    pilot = models.ForeignKey(
        Pilot, on_delete=models.PROTECT, related_name="ledger", verbose_name=_("시범 거점")
    )
    kind = models.CharField(_("구분"), max_length=14, choices=Kind.choices)
    amount_krw = models.BigIntegerField(_("금액(원)"))
    on = models.DateField(_("일자"))
    counterparty = models.CharField(_("기부자·후원자·거래처"), max_length=120, blank=True)
    receipt_number = models.CharField(_("영수증 번호"), max_length=40, blank=True)
    note = models.CharField(_("비고"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("기록자"),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects: ClassVar[RestrictedQuerySet[LedgerEntry]] = RestrictedQuerySet.as_manager()  # type: ignore[assignment]
    scope_paths: ClassVar[dict[str, str | None]] = {
        "zone": "pilot__hub__zone",
        "office": "pilot__hub__complex__office",
        "complex": "pilot__hub__complex",
        "organisation": None,
    }

    class Meta:
        ordering = ["pilot", "on", "id"]
        verbose_name = _("자립 장부 항목")
        verbose_name_plural = _("자립 장부 항목")
        constraints = [
            models.CheckConstraint(
                name="pilot_ledger_amount_positive", condition=Q(amount_krw__gt=0)
            ),
            models.CheckConstraint(
                name="pilot_ledger_kind_valid",
                condition=Q(kind__in=["donation", "sponsorship", "service_fee", "running_cost"]),
            ),
            models.CheckConstraint(
                name="ledger_gift_names_giver",
                condition=~Q(kind__in=["donation", "sponsorship"]) | ~Q(counterparty=""),
            ),
            models.CheckConstraint(
                name="ledger_donation_has_receipt",
                condition=~Q(kind="donation") | ~Q(receipt_number=""),
            ),
        ]
        indexes = [models.Index(fields=["pilot", "on"], name="ledger_pilot_day")]

    def __str__(self) -> str:
        return f"{self.pilot_id} {self.get_kind_display()} {self.amount_krw:,}원"
