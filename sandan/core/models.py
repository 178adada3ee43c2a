"""Shared models: the audit log, and the abstract attachment of the apps' files."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from sandan.core.files import ATTACHMENT_CONTENT_TYPES, ATTACHMENT_MAX_BYTES
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


# Attachments ------------------------------------------------------------------------


class Attachment(models.Model):
    """A file uploaded to some object, its type and size checked by
    `sandan.core.files.check_attachment`.

    A concrete attachment adds the object it belongs to, its `file` (where it is stored:
    `attachment_file(upload_to)`) and the database checks of type and size
    (`attachment_constraints(...)` in its Meta, under its own constraint names)."""

    title = models.CharField(_("제목"), max_length=200)
    content_type = models.CharField(_("파일 형식"), max_length=100)
    size_bytes = models.PositiveIntegerField(_("크기(바이트)"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.title


def attachment_file(upload_to: Callable[[Any, str], str]) -> models.FileField:
    """The file field of an attachment, stored under the path `upload_to` gives."""
    return models.FileField(_("파일"), upload_to=upload_to, max_length=255)


def attachment_constraints(*, size: str, type: str) -> list[models.BaseConstraint]:
    """The database's own check of an attachment's size and type (named per table)."""
    return [
        models.CheckConstraint(
            name=size, condition=Q(size_bytes__gt=0, size_bytes__lte=ATTACHMENT_MAX_BYTES)
        ),
        models.CheckConstraint(name=type, condition=Q(content_type__in=ATTACHMENT_CONTENT_TYPES)),
    ]
