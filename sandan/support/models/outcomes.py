"""Outcomes of the participating firms and their one-time satisfaction surveys."""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from sandan.core.querysets import ReadAlso, RestrictedQuerySet
from sandan.support.models._common import (
    _PROJECT_READERS,
    _PROJECT_SCOPE,
    TEXT_MAX,
    _read_through,
    _through,
)
from sandan.support.models.projects import Project

# Outcomes and surveys ---------------------------------------------------------------

_OUTCOME_COUNTS = (
    "patents_filed",
    "patents_granted",
    "prototypes",
    "new_products",
    "new_hires",
    "certifications",
)
_OUTCOME_AMOUNTS = (
    "sales_increase_krw",
    "exports_increase_usd",
    "cost_saved_krw",
    "sales_before_krw",
    "sales_after_krw",
    "employees_before",
    "employees_after",
    "exports_before_usd",
    "exports_after_usd",
)
OUTCOME_FIGURES = _OUTCOME_COUNTS + _OUTCOME_AMOUNTS


class Outcome(models.Model):
    """성과: what a project changed for one firm, with before/after figures."""

    project = models.ForeignKey(
        Project, on_delete=models.PROTECT, related_name="outcomes", verbose_name=_("지원과제")
    )
    organisation = models.ForeignKey(
        "registry.Organisation",
        on_delete=models.PROTECT,
        related_name="outcomes",
        verbose_name=_("기업"),
    )
    patents_filed = models.PositiveIntegerField(_("특허 출원"), default=0)
    patents_granted = models.PositiveIntegerField(_("특허 등록"), default=0)
    prototypes = models.PositiveIntegerField(_("시제품"), default=0)
    new_products = models.PositiveIntegerField(_("신제품"), default=0)
    sales_increase_krw = models.PositiveBigIntegerField(_("매출 증가(원)"), default=0)
    exports_increase_usd = models.PositiveBigIntegerField(_("수출 증가(달러)"), default=0)
    new_hires = models.PositiveIntegerField(_("신규 고용(명)"), default=0)
    cost_saved_krw = models.PositiveBigIntegerField(_("비용 절감(원)"), default=0)
    certifications = models.PositiveIntegerField(_("인증 취득"), default=0)
    sales_before_krw = models.PositiveBigIntegerField(_("지원 전 매출(원)"), null=True, blank=True)
    sales_after_krw = models.PositiveBigIntegerField(_("지원 후 매출(원)"), null=True, blank=True)
    employees_before = models.PositiveIntegerField(_("지원 전 종업원"), null=True, blank=True)
    employees_after = models.PositiveIntegerField(_("지원 후 종업원"), null=True, blank=True)
    exports_before_usd = models.PositiveBigIntegerField(
        _("지원 전 수출(달러)"), null=True, blank=True
    )
    exports_after_usd = models.PositiveBigIntegerField(
        _("지원 후 수출(달러)"), null=True, blank=True
    )
    note = models.TextField(_("비고"), max_length=TEXT_MAX, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("입력자"),
    )
    recorded_at = models.DateTimeField(_("입력 일시"))

    objects: ClassVar[RestrictedQuerySet[Outcome]] = RestrictedQuerySet.as_manager()  # type: ignore[assignment]
    # A firm sees its own outcome, not the other participants'.
    scope_paths: ClassVar[dict[str, str | None]] = {
        **_through("project", _PROJECT_SCOPE),
        "organisation": "organisation",
    }
    read_also: ClassVar[ReadAlso] = _read_through("project", _PROJECT_READERS)
    owner_path: ClassVar[str] = "project__participants__expert__user"

    class Meta:
        ordering = ["project", "organisation"]
        verbose_name = _("성과")
        verbose_name_plural = _("성과")
        constraints = [
            models.UniqueConstraint(fields=["project", "organisation"], name="outcome_once"),
            *[
                models.CheckConstraint(
                    name=f"outcome_{name}_not_negative"[:60],
                    condition=Q(**{f"{name}__isnull": True}) | Q(**{f"{name}__gte": 0}),
                )
                for name in OUTCOME_FIGURES
            ],
        ]
        indexes = [models.Index(fields=["organisation", "project"], name="outcome_organisation")]

    def __str__(self) -> str:
        return f"{self.project_id}:{self.organisation_id}"


class Survey(models.Model):
    """A satisfaction survey sent to a firm when its project completes; the e-mailed link
    carries a one-time token, of which only a SHA-256 hash is stored."""

    project = models.ForeignKey(
        Project, on_delete=models.PROTECT, related_name="surveys", verbose_name=_("지원과제")
    )
    organisation = models.ForeignKey(
        "registry.Organisation",
        on_delete=models.PROTECT,
        related_name="surveys",
        verbose_name=_("기업"),
    )
    email = models.EmailField(_("수신 이메일"), blank=True)
    token_hash = models.CharField(_("토큰 해시"), max_length=64, unique=True)
    sent_at = models.DateTimeField(_("발송 일시"))
    expires_at = models.DateTimeField(_("만료 일시"))
    answered_at = models.DateTimeField(_("응답 일시"), null=True, blank=True)

    objects: ClassVar[RestrictedQuerySet[Survey]] = RestrictedQuerySet.as_manager()  # type: ignore[assignment]
    scope_paths: ClassVar[dict[str, str | None]] = {
        **_through("project", _PROJECT_SCOPE),
        "organisation": "organisation",
    }
    read_also: ClassVar[ReadAlso] = _read_through("project", _PROJECT_READERS)
    PERSONAL_FIELDS: ClassVar[tuple[str, ...]] = ("email",)

    class Meta:
        ordering = ["project", "organisation"]
        verbose_name = _("만족도 조사")
        verbose_name_plural = _("만족도 조사")
        constraints = [
            models.UniqueConstraint(fields=["project", "organisation"], name="survey_once"),
            models.CheckConstraint(
                name="survey_expires_after_sent", condition=Q(expires_at__gt=F("sent_at"))
            ),
        ]
        indexes = [models.Index(fields=["answered_at", "expires_at"], name="survey_open")]

    def __str__(self) -> str:
        return f"{self.project_id}:{self.organisation_id}"


SURVEY_ITEMS = ("overall", "timeliness", "expertise", "usefulness", "recommend")


class SurveyResponse(models.Model):
    """A firm's answers: five 5-point items and a comment."""

    survey = models.OneToOneField(
        Survey, on_delete=models.PROTECT, related_name="response", verbose_name=_("만족도 조사")
    )
    overall = models.PositiveSmallIntegerField(
        _("전반적 만족도"), validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    timeliness = models.PositiveSmallIntegerField(
        _("신속성"), validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    expertise = models.PositiveSmallIntegerField(
        _("전문성"), validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    usefulness = models.PositiveSmallIntegerField(
        _("유용성"), validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    recommend = models.PositiveSmallIntegerField(
        _("추천 의향"), validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    comment = models.TextField(_("의견"), max_length=TEXT_MAX, blank=True)
    answered_at = models.DateTimeField(_("응답 일시"))

    objects: ClassVar[RestrictedQuerySet[SurveyResponse]] = RestrictedQuerySet.as_manager()  # type: ignore[assignment]
    scope_paths: ClassVar[dict[str, str | None]] = {
        **_through("survey__project", _PROJECT_SCOPE),
        "organisation": "survey__organisation",
    }
    read_also: ClassVar[ReadAlso] = _read_through("survey__project", _PROJECT_READERS)

    class Meta:
        verbose_name = _("만족도 응답")
        verbose_name_plural = _("만족도 응답")
        constraints = [
            models.CheckConstraint(
                name=f"survey_{item}_1_5", condition=Q(**{f"{item}__gte": 1, f"{item}__lte": 5})
            )
            for item in SURVEY_ITEMS
        ]

    def __str__(self) -> str:
        return f"{self.survey_id}"
