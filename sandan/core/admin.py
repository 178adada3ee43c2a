"""Admin writes are audited like every other write (source "admin")."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db import models, transaction
from django.http import HttpRequest

from sandan.core import audit
from sandan.core.models import AuditAction, AuditEntry


class AuditedAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """Save and delete through a transaction that also writes the audit entry."""

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        with transaction.atomic():
            before = audit.snapshot(type(obj)._default_manager.get(pk=obj.pk)) if change else {}
            super().save_model(request, obj, form, change)
            action = AuditAction.UPDATE if change else AuditAction.CREATE
            audit.record(request.user, obj, action, before, source="admin")

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        with transaction.atomic():
            entry = audit.entry_for(
                request.user, obj, AuditAction.DELETE, audit.snapshot(obj), source="admin"
            )
            super().delete_model(request, obj)
            entry.save()

    def delete_queryset(self, request: HttpRequest, queryset: models.QuerySet[Any]) -> None:
        with transaction.atomic():
            entries = [
                audit.entry_for(
                    request.user, obj, AuditAction.DELETE, audit.snapshot(obj), source="admin"
                )
                for obj in queryset
            ]
            super().delete_queryset(request, queryset)
            audit.record_many(entries)


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """Read-only: the audit log is never edited, not even by administrators."""

    list_display = ("at", "actor", "action", "content_type", "object_repr", "source")
    list_filter = ("action", "source", "content_type")
    search_fields = ("object_repr", "actor__username", "batch")
    readonly_fields = [f.name for f in AuditEntry._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
