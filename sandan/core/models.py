"""Shared models: the audit log, and the abstract attachment of the apps' files."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from sandan.core import clock
from sandan.core.files import ATTACHMENT_CONTENT_TYPES, ATTACHMENT_MAX_BYTES
from sandan.core.querysets import RestrictedQuerySet


class AuditAction(models.TextChoices):
    CREATE = "create", _("생성")
    UPDATE = "update", _("수정")
    DELETE = "delete", _("삭제")


class AuditEvent(models.TextChoices):
    """What happened, in the program's words, when a write is more than a plain edit.

    Named as Zulip's audit log names its events: a service that approves, designates or
    refers says so (`event=`), and the log shows that instead of "update".
    """

    SUBMITTED = "submitted", _("승인 요청")
    RETURNED = "returned", _("반려")
    APPROVED = "approved", _("승인")
    STARTED = "started", _("착수")
    COMPLETED = "completed", _("완료")
    CANCELLED = "cancelled", _("취소")
    DESIGNATED = "designated", _("지정")
    UNDESIGNATED = "undesignated", _("지정 해제")
    REFERRED = "referred", _("협력기관 연계")
    TRIAGE_CONFIRMED = "triage_confirmed", _("분류 확정")
    REJECTED = "rejected", _("접수 반려")
    CLOSED = "closed", _("종결")
    ASSIGNED = "assigned", _("전문가 배정")
    ASSIGNMENT_ENDED = "assignment_ended", _("배정 종료")
    PLAN_ACCEPTED = "plan_accepted", _("계획 채택")


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
    # The site's clock (ADR 0017): a write of a world held "as of" a date is dated then.
    at = models.DateTimeField(_("일시"), default=clock.now, editable=False, db_index=True)
    action = models.CharField(_("작업"), max_length=16, choices=AuditAction.choices)
    # What happened in the program's words (approved, designated, referred, ...); empty for
    # a plain create, edit or delete.
    event = models.CharField(
        _("사건"), max_length=32, choices=AuditEvent.choices, blank=True, default=""
    )
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
        indexes = [
            models.Index(fields=["content_type", "object_id", "-at"]),
            models.Index(fields=["event", "-at"], name="auditentry_event_at"),
        ]
        verbose_name = _("감사 기록")
        verbose_name_plural = _("감사 기록")

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action} {self.object_repr}"

    @property
    def what_happened(self) -> str:
        """The event's name when a service named one, else create / update / delete."""
        return str(self.get_event_display() if self.event else self.get_action_display())

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
