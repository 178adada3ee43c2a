"""Duplicate-funding flags raised on projects at submission and approval."""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from sandan.core.querysets import ReadAlso, RestrictedQuerySet
from sandan.support.models._common import (
    _PROJECT_READERS,
    _PROJECT_SCOPE,
    _choices_check,
    _read_through,
    _through,
)
from sandan.support.models.projects import Project


class DuplicateFlagKind(models.TextChoices):
    SAME_CATEGORY = "same_category", _("같은 분야 중복")
    SIMILAR_TEXT = "similar_text", _("유사 과제")
    OVER_CAP = "over_cap", _("지원 한도 초과")


class DuplicateFlag(models.Model):
    """A duplicate-funding warning raised at approval; each needs an override with a reason."""

    Kind = DuplicateFlagKind

    project = models.ForeignKey(
        Project,
        on_delete=models.CASCADE,
        related_name="duplicate_flags",
        verbose_name=_("지원과제"),
    )
    kind = models.CharField(_("구분"), max_length=14, choices=Kind.choices)
    organisation = models.ForeignKey(
        "registry.Organisation",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("기업"),
    )
    other_project = models.ForeignKey(
        Project,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("중복 의심 과제"),
    )
    similarity = models.FloatField(_("유사도"), null=True, blank=True)
    detail = models.CharField(_("내용"), max_length=500)
    overridden_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("확인자"),
    )
    override_reason = models.CharField(_("확인 사유"), max_length=500, blank=True)
    overridden_at = models.DateTimeField(_("확인 일시"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects: ClassVar[RestrictedQuerySet[DuplicateFlag]] = RestrictedQuerySet.as_manager()  # type: ignore[assignment]
    scope_paths: ClassVar[dict[str, str | None]] = {
        **_through("project", _PROJECT_SCOPE),
        "organisation": None,
    }
    read_also: ClassVar[ReadAlso] = _read_through("project", _PROJECT_READERS)

    class Meta:
        ordering = ["project", "kind", "id"]
        verbose_name = _("중복 지원 점검")
        verbose_name_plural = _("중복 지원 점검")
        constraints = [
            _choices_check("duplicate_kind_valid", "kind", DuplicateFlagKind),
            models.CheckConstraint(
                name="duplicate_override_has_reason",
                condition=Q(overridden_at__isnull=True) | ~Q(override_reason=""),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.project_id} {self.get_kind_display()}"

    @property
    def is_open(self) -> bool:
        return self.overridden_at is None
