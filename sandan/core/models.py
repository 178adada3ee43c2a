"""Shared models: the audit log."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy as _

from sandan.core.querysets import RestrictedQuerySet


class AuditAction(models.TextChoices):
    CREATE = "create", _("생성")
    UPDATE = "update", _("수정")
    DELETE = "delete", _("삭제")


class AuditEntry(models.Model):
    """One write to one object: who, when, what, and the values before and after.

    `changes` maps each changed field to ``[before, after]`` (for a create, before is
    None; for a delete, after is None). `source` says which path wrote it (web, api,
    import, admin, command) so that imports of 130,000 rows can be traced as one batch.
    """

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="audit_entries",
        verbose_name=_("작업자"),
    )
    at = models.DateTimeField(_("일시"), auto_now_add=True, db_index=True)
    action = models.CharField(_("작업"), max_length=16, choices=AuditAction.choices)
    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT)
    object_id = models.CharField(max_length=64)
    object_repr = models.CharField(_("대상"), max_length=255)
    changes = models.JSONField(_("변경 내용"), default=dict)
    source = models.CharField(_("경로"), max_length=16, default="web")
    batch = models.CharField(_("일괄 작업"), max_length=64, blank=True, default="")
    reason = models.CharField(_("사유"), max_length=500, blank=True, default="")

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["content_type", "object_id", "-at"])]
        verbose_name = _("감사 기록")
        verbose_name_plural = _("감사 기록")

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action} {self.object_repr}"

    def changed_fields(self) -> list[tuple[str, Any, Any]]:
        return [(name, pair[0], pair[1]) for name, pair in sorted(self.changes.items())]
