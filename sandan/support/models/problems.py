"""Problems (애로과제), their attachments and the coordinators' triage decisions."""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from sandan.core.models import Attachment, attachment_constraints, attachment_file
from sandan.core.querysets import RestrictedQuerySet
from sandan.support.models._common import (
    _PROBLEM_SCOPE,
    TEXT_MAX,
    TITLE_MAX,
    _choices_check,
    _through,
)


def problem_attachment_path(instance: ProblemAttachment, filename: str) -> str:
    return f"support/problems/{instance.problem_id}/{Path(filename).name}"


# Problems ---------------------------------------------------------------------------


class ProblemUrgency(models.TextChoices):
    LOW = "low", _("낮음")
    NORMAL = "normal", _("보통")
    HIGH = "high", _("높음")
    URGENT = "urgent", _("긴급")


class ProblemStatus(models.TextChoices):
    SUBMITTED = "submitted", _("접수")
    TRIAGED = "triaged", _("분류 완료")
    MATCHED = "matched", _("전문가 배정")
    IN_PROJECT = "in_project", _("과제 지원 중")
    REFERRED = "referred", _("협력기관 연계")
    CLOSED = "closed", _("종결")
    REJECTED = "rejected", _("반려")


class ProblemSource(models.TextChoices):
    WEB = "web", _("웹 접수")
    ACTIVITY = "activity", _("네트워킹 활동")
    IMPORT = "import", _("일괄 등록")


class Problem(models.Model):
    """애로과제: a firm's need in its own words, triaged into a service category."""

    Urgency = ProblemUrgency
    Status = ProblemStatus
    Source = ProblemSource

    # Allowed moves of `status`; closed and rejected are final.
    TRANSITIONS: ClassVar[dict[str, tuple[str, ...]]] = {
        "submitted": ("triaged", "referred", "rejected"),
        "triaged": ("matched", "in_project", "referred", "rejected", "closed"),
        "matched": ("in_project", "referred", "closed"),
        "in_project": ("closed",),
        # A declined referral sends the problem back to where it was.
        "referred": ("closed", "triaged", "matched", "submitted"),
        "closed": (),
        "rejected": (),
    }

    organisation = models.ForeignKey(
        "registry.Organisation",
        on_delete=models.PROTECT,
        related_name="problems",
        verbose_name=_("기업"),
    )
    program_year = models.ForeignKey(
        "program.ProgramYear",
        on_delete=models.PROTECT,
        related_name="problems",
        verbose_name=_("사업연도"),
    )
    # The hub the firm's complex belongs to in that year (a hub's designation for a hub,
    # the linked complex's hub otherwise); empty when the complex is not designated.
    hub = models.ForeignKey(
        "program.Designation",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="problems",
        verbose_name=_("거점단지"),
    )
    # The firm's complex and zone at submission, kept on the row for scope and filters.
    complex = models.ForeignKey(
        "registry.Complex",
        on_delete=models.PROTECT,
        related_name="problems",
        verbose_name=_("산업단지"),
    )
    zone = models.ForeignKey(
        "registry.Zone", on_delete=models.PROTECT, related_name="problems", verbose_name=_("권역")
    )
    title = models.CharField(_("제목"), max_length=TITLE_MAX)
    description = models.TextField(_("무엇이 문제인가"), max_length=TEXT_MAX)
    help_wanted = models.TextField(_("원하는 도움"), max_length=TEXT_MAX, blank=True)
    urgency = models.CharField(
        _("긴급도"), max_length=8, choices=Urgency.choices, default=Urgency.NORMAL
    )
    status = models.CharField(
        _("상태"), max_length=12, choices=Status.choices, default=Status.SUBMITTED
    )
    source = models.CharField(
        _("접수 경로"), max_length=10, choices=Source.choices, default=Source.WEB
    )
    activity = models.ForeignKey(
        "councils.Activity",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="problems",
        verbose_name=_("발굴 활동"),
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("접수자"),
    )
    # The triage engine's proposal, stored at intake.
    suggested_category = models.ForeignKey(
        "program.ServiceCategory",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("추천 분야"),
    )
    suggestion_confidence = models.FloatField(
        _("추천 신뢰도"),
        null=True,
        blank=True,
        validators=[MinValueValidator(0.0), MaxValueValidator(1.0)],
    )
    # Confidence of the suggested category minus that of the runner-up (how clearly it wins).
    suggestion_margin = models.FloatField(
        _("2위 분야와의 차이"),
        null=True,
        blank=True,
        validators=[MinValueValidator(0.0), MaxValueValidator(1.0)],
    )
    suggestion_evidence = models.JSONField(_("추천 근거 낱말"), default=list, blank=True)
    # The Korean analysis of `text` (support.text.stored_analysis), kept so that triage does
    # not analyse the year's history again in every new process. Derived data: not editable,
    # so not in the audit log's before/after values.
    analysis = models.JSONField(_("형태소 분석"), default=dict, blank=True, editable=False)
    # The coordinator's confirmed category.
    category = models.ForeignKey(
        "program.ServiceCategory",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="problems",
        verbose_name=_("지원서비스 분야"),
    )
    triaged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("분류자"),
    )
    # Service-level timestamps: intake → triage → match → project start → resolution.
    submitted_at = models.DateTimeField(_("접수 일시"))
    triaged_at = models.DateTimeField(_("분류 일시"), null=True, blank=True)
    matched_at = models.DateTimeField(_("전문가 배정 일시"), null=True, blank=True)
    project_started_at = models.DateTimeField(_("과제 착수 일시"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("지원 완료 일시"), null=True, blank=True)
    closed_at = models.DateTimeField(_("종결 일시"), null=True, blank=True)
    close_reason = models.CharField(_("종결·반려 사유"), max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects: ClassVar[RestrictedQuerySet[Problem]] = RestrictedQuerySet.as_manager()  # type: ignore[assignment]
    scope_paths: ClassVar[dict[str, str | None]] = _PROBLEM_SCOPE
    # An expert reaches the problems assigned to them (one assignment per expert and problem).
    owner_path: ClassVar[str] = "assignments__expert__user"

    class Meta:
        ordering = ["-submitted_at", "-id"]
        verbose_name = _("애로과제")
        verbose_name_plural = _("애로과제")
        constraints = [
            models.CheckConstraint(name="problem_title_given", condition=~Q(title="")),
            models.CheckConstraint(name="problem_description_given", condition=~Q(description="")),
            models.CheckConstraint(
                name="problem_confidence_0_1",
                condition=Q(suggestion_confidence__isnull=True)
                | Q(suggestion_confidence__gte=0.0, suggestion_confidence__lte=1.0),
            ),
            _choices_check("problem_status_valid", "status", ProblemStatus),
            _choices_check("problem_urgency_valid", "urgency", ProblemUrgency),
            _choices_check("problem_source_valid", "source", ProblemSource),
            models.CheckConstraint(
                name="problem_activity_source",
                condition=~Q(source="activity") | Q(activity__isnull=False),
            ),
            models.CheckConstraint(
                name="problem_triaged_has_category",
                condition=Q(status__in=["submitted", "referred", "rejected", "closed"])
                | Q(category__isnull=False),
            ),
        ]
        indexes = [
            models.Index(
                fields=["program_year", "status", "submitted_at"], name="problem_year_status"
            ),
            models.Index(fields=["hub", "status", "submitted_at"], name="problem_hub_status"),
            models.Index(fields=["zone", "submitted_at"], name="problem_zone"),
            models.Index(fields=["category", "submitted_at"], name="problem_category"),
            models.Index(fields=["organisation", "submitted_at"], name="problem_organisation"),
            models.Index(fields=["submitted_at", "id"], name="problem_submitted"),
            models.Index(fields=["created_at"], name="problem_created"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("support:problem_detail", args=[self.pk])

    @property
    def text(self) -> str:
        """What triage and matching read: title, description and the help wanted."""
        return "\n".join(part for part in (self.title, self.description, self.help_wanted) if part)


class ProblemAttachment(Attachment):
    """A file a firm attaches to its problem (drawings, photos, test reports), checked."""

    problem = models.ForeignKey(
        Problem, on_delete=models.PROTECT, related_name="attachments", verbose_name=_("애로과제")
    )
    file = attachment_file(problem_attachment_path)

    objects: ClassVar[RestrictedQuerySet[ProblemAttachment]] = RestrictedQuerySet.as_manager()  # type: ignore[assignment]
    scope_paths: ClassVar[dict[str, str | None]] = _through("problem", _PROBLEM_SCOPE)
    owner_path: ClassVar[str] = "problem__assignments__expert__user"

    class Meta:
        ordering = ["problem", "uploaded_at", "id"]
        verbose_name = _("애로과제 첨부파일")
        verbose_name_plural = _("애로과제 첨부파일")
        constraints = attachment_constraints(
            size="problem_attachment_size", type="problem_attachment_type"
        )


class TriageDecision(models.Model):
    """A coordinator's confirmed category for a problem, with what the engine proposed.
    Confirmed decisions are the training history of triage."""

    problem = models.ForeignKey(
        Problem,
        on_delete=models.CASCADE,
        related_name="triage_decisions",
        verbose_name=_("애로과제"),
    )
    suggested = models.ForeignKey(
        "program.ServiceCategory",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("추천 분야"),
    )
    confidence = models.FloatField(_("추천 신뢰도"), null=True, blank=True)
    chosen = models.ForeignKey(
        "program.ServiceCategory",
        on_delete=models.PROTECT,
        related_name="triage_decisions",
        verbose_name=_("확정 분야"),
    )
    overridden = models.BooleanField(_("추천 변경"), default=False)
    note = models.CharField(_("메모"), max_length=300, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("결정자"),
    )
    decided_at = models.DateTimeField(_("결정 일시"))

    objects: ClassVar[RestrictedQuerySet[TriageDecision]] = RestrictedQuerySet.as_manager()  # type: ignore[assignment]
    scope_paths: ClassVar[dict[str, str | None]] = {
        **_through("problem", _PROBLEM_SCOPE),
        "organisation": None,
    }

    class Meta:
        ordering = ["-decided_at", "-id"]
        verbose_name = _("분류 결정")
        verbose_name_plural = _("분류 결정")
        constraints = [
            models.CheckConstraint(
                name="triage_confidence_0_1",
                condition=Q(confidence__isnull=True) | Q(confidence__gte=0.0, confidence__lte=1.0),
            ),
        ]
        indexes = [models.Index(fields=["problem", "decided_at"], name="triage_problem")]

    def __str__(self) -> str:
        return f"{self.problem_id} → {self.chosen_id}"
