"""Program years and what belongs to them: zone targets, service categories, rules and the
yearly designation of hub and linked complexes. Everything that changes by year is data."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any, ClassVar

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from sandan.core import clock
from sandan.core.querysets import RestrictedQuerySet
from sandan.registry.models import Complex, Zone

DEFAULT_RULES: dict[str, Any] = {
    # An active council needs at least this many member firms …
    "council_min_firms": 10,
    # … and at least one university or research institute.
    "council_requires_academia": True,
    # Firms pay at least this share of a support project (cash + in kind), in percent.
    "firm_cost_share_min_pct": 20,
    # Public grant one firm may receive in the year, in won.
    "firm_grant_cap_krw": 100_000_000,
    # A hub complex needs at least this many operating firms.
    "hub_min_operating_firms": 50,
    # The designations of the year meet every zone's hub and linked targets exactly …
    "designations_meet_zone_targets": True,
    # … and every hub has at least one linked complex (both overridable with a reason).
    "hub_requires_linked": True,
    # A member whose dues invoice is still unpaid this many days after its due date has
    # lapsed (sandan.outreach).
    "dues_grace_days": 90,
    # How many hubs the readiness score proposes as self-sustaining pilots (3–5).
    "self_sustaining_pilots": 4,
}

# What each rule the code reads means and how to show its value: (label, unit). The values
# live in each year's `rules`; a rule a year adds that the code does not know is shown as is.
RULE_INFO: dict[str, tuple[Any, str]] = {
    "council_min_firms": (_("활동 협의체 최소 회원기업 수"), "count"),
    "council_requires_academia": (_("협의체에 대학·연구기관 필수"), "bool"),
    "firm_cost_share_min_pct": (_("기업 최소 부담 비율"), "percent"),
    "firm_grant_cap_krw": (_("기업당 연간 지원 한도"), "krw"),
    "hub_min_operating_firms": (_("거점단지 최소 가동업체 수"), "count"),
    "designations_meet_zone_targets": (_("지정은 권역별 목표와 정확히 일치"), "bool"),
    "hub_requires_linked": (_("거점단지마다 연계단지 1곳 이상"), "bool"),
    "self_sustaining_running_cost_krw": (_("자립형 클러스터 운영비"), "krw"),
    "dues_grace_days": (_("회비 미납 유예 기간(회원 자격 정지까지)"), "days"),
    "self_sustaining_pilots": (_("자립형 시범 거점 제안 수"), "count"),
    "triage_within_days": (_("접수 후 분류 기한"), "days"),
    "start_within_days": (_("분류 후 과제 착수 기한"), "days"),
    "complete_within_days": (_("착수 후 완료 기한"), "days"),
    "duplicate_similarity_threshold": (_("중복 지원 판정 유사도"), "ratio"),
    "survey_valid_days": (_("만족도 조사 링크 유효 기간"), "days"),
}


class ProgramYear(models.Model):
    """사업연도: the targets, categories, budget and rules of one year of the program."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("작성 중")
        APPROVED = "approved", _("승인")
        CLOSED = "closed", _("종료")

    year = models.PositiveSmallIntegerField(
        _("사업연도"), unique=True, validators=[MinValueValidator(2005), MaxValueValidator(2100)]
    )
    status = models.CharField(
        _("상태"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    # The period the year's work belongs to: a problem, project or activity dated within it
    # is work of this year (the fiscal year: 1 January to 31 December unless set otherwise).
    starts_on = models.DateField(_("시작일"))
    ends_on = models.DateField(_("종료일"))
    hub_target = models.PositiveSmallIntegerField(_("거점단지 목표"), default=0)
    linked_target = models.PositiveSmallIntegerField(_("연계단지 목표"), default=0)
    budget_total_krw = models.BigIntegerField(
        _("총 예산(원)"), default=0, validators=[MinValueValidator(0)]
    )
    rules = models.JSONField(_("운영 규칙"), default=dict, blank=True)
    notes = models.TextField(_("비고"), blank=True)
    approved_at = models.DateTimeField(_("승인일"), null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("승인자"),
    )

    objects: ClassVar[RestrictedQuerySet[ProgramYear]] = RestrictedQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        ordering = ["-year"]
        verbose_name = _("사업연도")
        verbose_name_plural = _("사업연도")
        constraints = [
            models.CheckConstraint(
                name="program_year_budget_not_negative", condition=Q(budget_total_krw__gte=0)
            ),
            models.CheckConstraint(
                name="program_year_period_in_order", condition=Q(starts_on__lte=F("ends_on"))
            ),
            models.CheckConstraint(
                name="program_year_approved_has_approver",
                condition=Q(status="draft") | Q(approved_at__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.year}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        self._fill_period()
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("program:year_detail", args=[self.year])

    def _fill_period(self) -> None:
        # A year made without a period gets the fiscal year, 1 January to 31 December.
        if self.starts_on is None and self.year:
            self.starts_on = dt.date(self.year, 1, 1)
        if self.ends_on is None and self.year:
            self.ends_on = dt.date(self.year, 12, 31)

    def full_clean(self, *args: Any, **kwargs: Any) -> None:
        self._fill_period()
        super().full_clean(*args, **kwargs)

    def holds(self, day: dt.date) -> bool:
        """Whether `day` falls within the year's period."""
        return self.starts_on <= day <= self.ends_on

    def rule(self, name: str) -> Any:
        return self.rules.get(name, DEFAULT_RULES.get(name))

    def described_rules(self) -> list[tuple[str, str, Any, str]]:
        """(name, label, value, unit) of every rule of the year, known rules first."""
        known = [name for name in RULE_INFO if name in self.rules]
        other = sorted(name for name in self.rules if name not in RULE_INFO)
        return [
            (name, str(RULE_INFO[name][0]), self.rules[name], RULE_INFO[name][1]) for name in known
        ] + [(name, name, self.rules[name], "") for name in other]

    @property
    def budget_100m_krw(self) -> Decimal:
        """The budget in 억원, the unit Korean budget tables use."""
        return Decimal(self.budget_total_krw) / 100_000_000


class ZoneTarget(models.Model):
    """How many hubs and linked complexes a zone should have in a program year."""

    program_year = models.ForeignKey(
        ProgramYear, on_delete=models.CASCADE, related_name="zone_targets"
    )
    zone = models.ForeignKey(Zone, on_delete=models.PROTECT, related_name="targets")
    hubs = models.PositiveSmallIntegerField(_("거점단지"), default=0)
    linked = models.PositiveSmallIntegerField(_("연계단지"), default=0)
    # The published plan gives only national totals; a per-zone split made up to show how
    # targets work is marked so wherever it is shown.
    is_illustrative = models.BooleanField(_("예시 자료"), default=False)

    objects: ClassVar[RestrictedQuerySet[ZoneTarget]] = RestrictedQuerySet.as_manager()  # type: ignore[assignment]
    scope_paths: ClassVar[dict[str, str | None]] = {"zone": "zone"}

    class Meta:
        ordering = ["program_year", "zone__order"]
        verbose_name = _("권역별 목표")
        verbose_name_plural = _("권역별 목표")
        constraints = [
            models.UniqueConstraint(fields=["program_year", "zone"], name="zone_target_once"),
        ]

    def __str__(self) -> str:
        return f"{self.program_year} {self.zone}: {self.hubs}/{self.linked}"


class ServiceCategory(models.Model):
    """지원서비스 분야 of a program year (2010: the five categories of domain.md)."""

    program_year = models.ForeignKey(
        ProgramYear, on_delete=models.CASCADE, related_name="categories"
    )
    code = models.CharField(_("코드"), max_length=40)
    name_ko = models.CharField(_("이름"), max_length=60)
    name_en = models.CharField(_("영문 이름"), max_length=100)
    description = models.TextField(_("설명"), blank=True)
    keywords = models.TextField(_("키워드"), blank=True, help_text=_("쉼표로 구분한 대표 낱말"))
    order = models.PositiveSmallIntegerField(_("순서"), default=0)

    objects: ClassVar[RestrictedQuerySet[ServiceCategory]] = RestrictedQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        ordering = ["program_year", "order", "code"]
        verbose_name = _("지원서비스 분야")
        verbose_name_plural = _("지원서비스 분야")
        constraints = [
            models.UniqueConstraint(fields=["program_year", "code"], name="category_code_per_year"),
        ]

    def __str__(self) -> str:
        return self.name_ko

    @property
    def keyword_list(self) -> list[str]:
        return [word.strip() for word in self.keywords.split(",") if word.strip()]


class InForceManager(models.Manager.from_queryset(RestrictedQuerySet)):  # type: ignore[misc]
    """Only the designations in force (approved): what councils, support and pages build on.
    Proposed and retired rows are reached through `Designation.all_objects`."""

    def get_queryset(self) -> Any:
        return super().get_queryset().filter(status=Designation.Status.APPROVED)


class Designation(models.Model):
    """One complex's role in one program year: a hub, or a linked complex of a hub.

    Lifecycle: a plan that is put forward creates PROPOSED rows; approving the plan makes
    them APPROVED (in force, with who and when) and RETIRES the year's designations the plan
    leaves out (kept, because councils and support projects may still point at them).
    """

    class Role(models.TextChoices):
        HUB = "hub", _("거점단지")
        LINKED = "linked", _("연계단지")

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("제안")
        APPROVED = "approved", _("승인")
        RETIRED = "retired", _("해제")

    program_year = models.ForeignKey(
        ProgramYear, on_delete=models.PROTECT, related_name="designations"
    )
    complex = models.ForeignKey(Complex, on_delete=models.PROTECT, related_name="designations")
    role = models.CharField(_("구분"), max_length=8, choices=Role.choices)
    hub = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="linked_designations",
        verbose_name=_("거점단지"),
    )
    # The complex's zone, kept on the row so that scope filters and the cross-zone rule
    # need no join; set by the service from the complex's province.
    zone = models.ForeignKey(Zone, on_delete=models.PROTECT, related_name="designations")
    is_cross_zone = models.BooleanField(_("권역 외 연계"), default=False)
    cross_zone_reason = models.CharField(_("권역 외 연계 사유"), max_length=300, blank=True)
    note = models.CharField(_("비고"), max_length=300, blank=True)
    status = models.CharField(
        _("상태"), max_length=10, choices=Status.choices, default=Status.APPROVED
    )
    plan = models.ForeignKey(
        "PlanRun",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="designations",
        verbose_name=_("지정안"),
    )
    approved_at = models.DateTimeField(_("승인일"), null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("승인자"),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    # `objects` holds the designations in force; services that manage the lifecycle (and
    # Django itself: the default manager) see every row.
    objects: ClassVar[RestrictedQuerySet[Designation]] = InForceManager()
    all_objects: ClassVar[RestrictedQuerySet[Designation]] = RestrictedQuerySet.as_manager()  # type: ignore[assignment]
    scope_paths: ClassVar[dict[str, str | None]] = {
        "zone": "zone",
        "office": "complex__office",
        "complex": "complex",
    }

    class Meta:
        ordering = ["program_year", "zone__order", "role", "complex__kicox_id"]
        default_manager_name = "all_objects"
        verbose_name = _("거점·연계단지 지정")
        verbose_name_plural = _("거점·연계단지 지정")
        constraints = [
            # One standing row (in force or retired) per complex and year, and at most one
            # proposed row beside it.
            models.UniqueConstraint(
                fields=["program_year", "complex"],
                condition=~Q(status="proposed"),
                name="designation_once_per_year",
            ),
            models.UniqueConstraint(
                fields=["program_year", "complex"],
                condition=Q(status="proposed"),
                name="designation_proposed_once_per_year",
            ),
            models.CheckConstraint(
                name="designation_status_valid",
                condition=Q(status__in=["proposed", "approved", "retired"]),
            ),
            models.CheckConstraint(
                name="designation_hub_has_no_hub", condition=~Q(role="hub") | Q(hub__isnull=True)
            ),
            models.CheckConstraint(
                name="designation_linked_names_hub",
                condition=~Q(role="linked") | Q(hub__isnull=False),
            ),
            models.CheckConstraint(
                name="designation_cross_zone_has_reason",
                condition=Q(is_cross_zone=False) | ~Q(cross_zone_reason=""),
            ),
            models.CheckConstraint(
                name="designation_role_valid", condition=Q(role__in=["hub", "linked"])
            ),
        ]
        indexes = [models.Index(fields=["program_year", "role", "zone"])]

    def __str__(self) -> str:
        return f"{self.program_year} {self.get_role_display()} {self.complex}"


class PlanRun(models.Model):
    """One run of the designation planner: its parameters, progress and proposal."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("대기")
        RUNNING = "running", _("계산 중")
        DONE = "done", _("완료")
        FAILED = "failed", _("실패")
        ACCEPTED = "accepted", _("제안(승인 대기)")
        APPROVED = "approved", _("승인")

    program_year = models.ForeignKey(ProgramYear, on_delete=models.CASCADE, related_name="plans")
    parameters = models.JSONField(_("조건"), default=dict)
    status = models.CharField(
        _("상태"), max_length=10, choices=Status.choices, default=Status.QUEUED
    )
    progress = models.PositiveSmallIntegerField(_("진행률(%)"), default=0)
    stage = models.CharField(_("단계"), max_length=120, blank=True)
    result = models.JSONField(_("결과"), default=dict, blank=True)
    error = models.TextField(_("오류"), blank=True)
    objective = models.FloatField(_("목적함수 값"), null=True, blank=True)
    gap = models.FloatField(_("최적성 간격"), null=True, blank=True)
    proven_optimal = models.BooleanField(_("최적 증명"), default=False)
    seconds = models.FloatField(_("계산 시간(초)"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # The site's clock (ADR 0017): a plan run in a world held "as of" a date is dated then.
    created_at = models.DateTimeField(default=clock.now, editable=False)
    finished_at = models.DateTimeField(null=True, blank=True)
    approved_at = models.DateTimeField(_("승인일"), null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("승인자"),
    )
    # Why the plan was approved although it breaks a rule of the year (zone targets, hubs
    # without linked complexes); empty when it keeps them all.
    override_reason = models.CharField(_("규칙 예외 사유"), max_length=300, blank=True)

    objects: ClassVar[RestrictedQuerySet[PlanRun]] = RestrictedQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("지정안 계산")
        verbose_name_plural = _("지정안 계산")
        constraints = [
            models.CheckConstraint(name="plan_progress_le_100", condition=Q(progress__lte=100)),
        ]

    def __str__(self) -> str:
        return f"{self.program_year} plan #{self.pk}"

    def get_absolute_url(self) -> str:
        return reverse("program:plan_detail", args=[self.pk])


class YearMilestone(models.Model):
    """A dated step of a program year's timeline (세부추진계획, 운영요령 개정, 사업 착수 …)."""

    program_year = models.ForeignKey(
        ProgramYear, on_delete=models.CASCADE, related_name="milestones"
    )
    due_on = models.DateField(_("일자"))
    title_ko = models.CharField(_("내용"), max_length=120)
    title_en = models.CharField(_("영문 내용"), max_length=160, blank=True)
    note = models.CharField(_("비고"), max_length=300, blank=True)

    objects: ClassVar[RestrictedQuerySet[YearMilestone]] = RestrictedQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        ordering = ["program_year", "due_on", "pk"]
        verbose_name = _("사업연도 일정")
        verbose_name_plural = _("사업연도 일정")

    def __str__(self) -> str:
        return f"{self.due_on:%Y-%m-%d} {self.title_ko}"


class CategoryMapping(models.Model):
    """An earlier year's service category that a category folds in, so that eras compare:
    the 11 service fields of 2005–2009 map onto the 5 categories of 2010. Each earlier
    category maps onto at most one category of the later year (the service checks it)."""

    category = models.ForeignKey(
        ServiceCategory,
        on_delete=models.CASCADE,
        related_name="maps_from",
        verbose_name=_("지원서비스 분야"),
    )
    previous = models.ForeignKey(
        ServiceCategory,
        on_delete=models.CASCADE,
        related_name="maps_to",
        verbose_name=_("이전 연도 분야"),
    )

    objects: ClassVar[RestrictedQuerySet[CategoryMapping]] = RestrictedQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        ordering = ["category__order", "previous__order"]
        verbose_name = _("분야 대응")
        verbose_name_plural = _("분야 대응")
        constraints = [
            models.UniqueConstraint(fields=["category", "previous"], name="category_mapping_once"),
        ]

    def __str__(self) -> str:
        return f"{self.previous} → {self.category}"
