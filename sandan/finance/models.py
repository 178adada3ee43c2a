"""The program's money: a budget tree of lines and an append-only ledger of movements.

A line's balances are never stored: they are sums of its transactions (selectors), so a
number shown is a number the ledger keeps. See docs/adr/0019-finance-ledger.md.
"""

from __future__ import annotations

from typing import Any, ClassVar, NoReturn

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from sandan.core.i18n import is_english, local_name
from sandan.core.querysets import RestrictedQuerySet


class LineKind(models.TextChoices):
    YEAR = "year", _("사업연도 총액")
    ZONE = "zone", _("권역")
    HUB = "hub", _("거점단지")
    NATIONAL = "national", _("전국 사업")
    CATEGORY = "category", _("지원서비스 분야")


class NationalPurpose(models.TextChoices):
    """The national lines the 2010 announcement names beside the zones."""

    LINKAGE = "linkage", _("연계 과제")
    GLOBAL_EXCHANGE = "global_exchange", _("국제 교류")
    KNOWLEDGE_SERVICES = "knowledge_services", _("지식서비스")
    NETWORKING = "networking", _("네트워킹")
    SELF_SUSTAINING = "self_sustaining", _("자립형 클러스터 시범")


# A line reaches staff through its zone and, under a hub, the hub's complex and office.
LINE_SCOPE: dict[str, str | None] = {
    "zone": "zone",
    "office": "hub__complex__office",
    "complex": "hub__complex",
}


class BudgetLine(models.Model):
    """예산 항목: one node of a program year's budget tree.

    year total → zone → hub → category, and year total → national line → category. Only
    category lines hold commitments; every other line passes its allocation down.
    """

    Kind = LineKind
    Purpose = NationalPurpose

    program_year = models.ForeignKey(
        "program.ProgramYear",
        on_delete=models.PROTECT,
        related_name="budget_lines",
        verbose_name=_("사업연도"),
    )
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
        verbose_name=_("상위 항목"),
    )
    kind = models.CharField(_("구분"), max_length=10, choices=Kind.choices)
    name = models.CharField(_("항목명"), max_length=120)
    purpose = models.CharField(
        _("전국 사업 구분"), max_length=20, choices=Purpose.choices, blank=True
    )
    # Kept on every line of a zone's subtree (zone, hub, its categories), so that scope
    # filters need no walk up the tree.
    zone = models.ForeignKey(
        "registry.Zone",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="budget_lines",
        verbose_name=_("권역"),
    )
    hub = models.ForeignKey(
        "program.Designation",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="budget_lines",
        verbose_name=_("거점단지"),
    )
    category = models.ForeignKey(
        "program.ServiceCategory",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="budget_lines",
        verbose_name=_("지원서비스 분야"),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects: ClassVar[RestrictedQuerySet[BudgetLine]] = RestrictedQuerySet.as_manager()  # type: ignore[assignment]
    scope_paths: ClassVar[dict[str, str | None]] = LINE_SCOPE

    class Meta:
        ordering = ["program_year", "id"]
        verbose_name = _("예산 항목")
        verbose_name_plural = _("예산 항목")
        constraints = [
            models.CheckConstraint(
                name="budget_line_kind_valid", condition=Q(kind__in=LineKind.values)
            ),
            models.CheckConstraint(name="budget_line_named", condition=~Q(name="")),
            models.CheckConstraint(
                name="budget_line_root_is_year",
                condition=Q(kind="year", parent__isnull=True)
                | (~Q(kind="year") & Q(parent__isnull=False)),
            ),
            models.CheckConstraint(
                name="budget_line_zone_has_zone",
                condition=~Q(kind="zone") | Q(zone__isnull=False, hub__isnull=True),
            ),
            models.CheckConstraint(
                name="budget_line_hub_has_hub",
                condition=~Q(kind="hub") | Q(zone__isnull=False, hub__isnull=False),
            ),
            models.CheckConstraint(
                name="budget_line_national_has_purpose",
                condition=(Q(kind="national") & Q(purpose__in=NationalPurpose.values))
                | (~Q(kind="national") & Q(purpose="")),
            ),
            models.CheckConstraint(
                name="budget_line_category_has_category",
                condition=(Q(kind="category") & Q(category__isnull=False))
                | (~Q(kind="category") & Q(category__isnull=True)),
            ),
            models.UniqueConstraint(
                fields=["program_year"], condition=Q(kind="year"), name="budget_line_one_root"
            ),
            models.UniqueConstraint(
                fields=["parent", "zone"], condition=Q(kind="zone"), name="budget_line_zone_once"
            ),
            models.UniqueConstraint(
                fields=["parent", "hub"], condition=Q(kind="hub"), name="budget_line_hub_once"
            ),
            models.UniqueConstraint(
                fields=["parent", "purpose"],
                condition=Q(kind="national"),
                name="budget_line_purpose_once",
            ),
            models.UniqueConstraint(
                fields=["parent", "category"],
                condition=Q(kind="category"),
                name="budget_line_category_once",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.program_year} {self.name}"

    def label(self) -> str:
        """The line's name in the page's language: the stored (Korean) name, or in English
        what the line is for (its zone, hub, service category or national purpose)."""
        if not is_english():
            return self.name
        if self.kind == LineKind.ZONE and self.zone_id:
            return local_name(self.zone)
        if self.kind == LineKind.HUB and self.hub_id:
            return local_name(self.hub.complex)  # type: ignore[union-attr]
        if self.kind == LineKind.CATEGORY and self.category_id:
            return local_name(self.category)
        if self.kind == LineKind.NATIONAL:
            return str(self.get_purpose_display())  # type: ignore[attr-defined]
        if self.kind == LineKind.YEAR:
            return str(_("%(year)s년 사업비 총액") % {"year": self.program_year.year})
        return self.name


class TransactionKind(models.TextChoices):
    ALLOCATE = "allocate", _("배정")
    REALLOCATE_OUT = "reallocate_out", _("전용(감액)")
    REALLOCATE_IN = "reallocate_in", _("전용(증액)")
    COMMIT = "commit", _("약정")
    DISBURSE = "disburse", _("집행")
    RETURN = "return", _("반납")
    SETTLE = "settle", _("정산")


PROJECT_KINDS = ("commit", "disburse", "return", "settle")
LINE_KINDS = ("allocate", "reallocate_out", "reallocate_in")


class AppendOnly(RestrictedQuerySet["LedgerTransaction"]):
    """The ledger is only ever added to: bulk updates and deletes are refused."""

    def update(self, **kwargs: Any) -> NoReturn:
        raise TypeError("ledger transactions are append-only")

    def delete(self) -> NoReturn:  # type: ignore[override]
        raise TypeError("ledger transactions are append-only")


class LedgerTransaction(models.Model):
    """One movement of money on a line; never changed, never deleted.

    allocate: the line receives money from its parent (the year total: from the year's
    budget). reallocate out/in: a pair (same `transfer`) that moves money between sibling
    lines, with a reason and an approver. commit: a project's public grant is reserved.
    disburse: paid to the project. return: the project pays back part of what it was paid
    (it leaves the commitment too). settle: the unpaid rest of a commitment is released.
    """

    Kind = TransactionKind

    line = models.ForeignKey(
        BudgetLine,
        on_delete=models.PROTECT,
        related_name="transactions",
        verbose_name=_("예산 항목"),
    )
    kind = models.CharField(_("구분"), max_length=16, choices=Kind.choices)
    amount_krw = models.BigIntegerField(_("금액(원)"))
    project = models.ForeignKey(
        "support.Project",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="ledger_transactions",
        verbose_name=_("지원과제"),
    )
    reason = models.CharField(_("사유"), max_length=300, blank=True)
    # The pair of a reallocation shares one key (a uuid's hex).
    transfer = models.CharField(_("전용 묶음"), max_length=32, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("처리자"),
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("승인자"),
    )
    at = models.DateTimeField(_("일시"))

    objects: ClassVar[AppendOnly] = AppendOnly.as_manager()  # type: ignore[assignment]
    scope_paths: ClassVar[dict[str, str | None]] = {
        **{kind: f"line__{path}" for kind, path in LINE_SCOPE.items() if path},
        # A firm sees the money of the projects it takes part in.
        "organisation": "project__participants__organisation",
    }

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("예산 거래")
        verbose_name_plural = _("예산 거래")
        constraints = [
            models.CheckConstraint(
                name="ledger_kind_valid", condition=Q(kind__in=TransactionKind.values)
            ),
            models.CheckConstraint(name="ledger_amount_positive", condition=Q(amount_krw__gt=0)),
            models.CheckConstraint(
                name="ledger_project_iff_project_kind",
                condition=(Q(kind__in=PROJECT_KINDS) & Q(project__isnull=False))
                | (Q(kind__in=LINE_KINDS) & Q(project__isnull=True)),
            ),
            models.CheckConstraint(
                name="ledger_reallocation_reasoned_and_approved",
                condition=~Q(kind__in=["reallocate_out", "reallocate_in"])
                | (~Q(reason="") & Q(approved_by__isnull=False) & ~Q(transfer="")),
            ),
        ]
        indexes = [
            models.Index(fields=["line", "kind"], name="ledger_line_kind"),
            models.Index(fields=["project", "kind"], name="ledger_project_kind"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.amount_krw:,}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None and not self._state.adding:
            raise TypeError("ledger transactions are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise TypeError("ledger transactions are append-only")
