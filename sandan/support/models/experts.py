"""Experts assigned to problems and their mentoring notes."""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from sandan.core.querysets import RestrictedQuerySet
from sandan.support.models._common import _PROBLEM_SCOPE, TEXT_MAX, _choices_check, _through
from sandan.support.models.problems import Problem


class ExpertAssignmentStatus(models.TextChoices):
    ACTIVE = "active", _("지원 중")
    COMPLETED = "completed", _("완료")
    WITHDRAWN = "withdrawn", _("철회")
    DECLINED = "declined", _("전문가 거절")


class ExpertAssignment(models.Model):
    """An expert assigned to a problem by a coordinator."""

    Status = ExpertAssignmentStatus

    problem = models.ForeignKey(
        Problem, on_delete=models.PROTECT, related_name="assignments", verbose_name=_("애로과제")
    )
    expert = models.ForeignKey(
        "registry.Expert",
        on_delete=models.PROTECT,
        related_name="assignments",
        verbose_name=_("전문가"),
    )
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("배정자"),
    )
    assigned_at = models.DateTimeField(_("배정 일시"))
    status = models.CharField(
        _("상태"), max_length=10, choices=Status.choices, default=Status.ACTIVE
    )
    match_score = models.FloatField(_("매칭 점수"), null=True, blank=True)
    match_explanation = models.JSONField(_("매칭 근거"), default=list, blank=True)
    ended_at = models.DateTimeField(_("종료 일시"), null=True, blank=True)
    # The expert's answer: accepted (when), or declined (status "declined", ended_at, reason).
    accepted_at = models.DateTimeField(_("수락 일시"), null=True, blank=True)
    decline_reason = models.CharField(_("거절 사유"), max_length=300, blank=True)

    objects: ClassVar[RestrictedQuerySet[ExpertAssignment]] = RestrictedQuerySet.as_manager()  # type: ignore[assignment]
    scope_paths: ClassVar[dict[str, str | None]] = _through("problem", _PROBLEM_SCOPE)
    owner_path: ClassVar[str] = "expert__user"

    class Meta:
        ordering = ["problem", "assigned_at", "id"]
        verbose_name = _("전문가 배정")
        verbose_name_plural = _("전문가 배정")
        constraints = [
            models.UniqueConstraint(fields=["problem", "expert"], name="assignment_once"),
            _choices_check("assignment_status_valid", "status", ExpertAssignmentStatus),
        ]
        indexes = [models.Index(fields=["expert", "status"], name="assignment_expert_status")]

    def __str__(self) -> str:
        return f"{self.problem_id} ← {self.expert_id}"

    @property
    def awaits_answer(self) -> bool:
        """Active and neither accepted nor declined by the expert yet."""
        return self.status == ExpertAssignmentStatus.ACTIVE and self.accepted_at is None


class MentoringNote(models.Model):
    """멘토링 일지: what the assigned expert did and advised, on one date."""

    assignment = models.ForeignKey(
        ExpertAssignment, on_delete=models.PROTECT, related_name="notes", verbose_name=_("배정")
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("작성자"),
    )
    body = models.TextField(_("내용"), max_length=TEXT_MAX)
    date = models.DateField(_("일자"))
    created_at = models.DateTimeField(auto_now_add=True)

    objects: ClassVar[RestrictedQuerySet[MentoringNote]] = RestrictedQuerySet.as_manager()  # type: ignore[assignment]
    scope_paths: ClassVar[dict[str, str | None]] = _through("assignment__problem", _PROBLEM_SCOPE)
    owner_path: ClassVar[str] = "assignment__expert__user"

    class Meta:
        ordering = ["assignment", "date", "id"]
        verbose_name = _("멘토링 일지")
        verbose_name_plural = _("멘토링 일지")
        constraints = [models.CheckConstraint(name="note_body_given", condition=~Q(body=""))]

    def __str__(self) -> str:
        return f"{self.assignment_id} {self.date}"
