"""Record every write in the audit log.

Services call `snapshot()` before changing an object and `record()` after; bulk
importers build entries with `entry_for()` and save them with one `bulk_create`.
"""

from __future__ import annotations

import datetime as dt
import decimal
import hashlib
from collections.abc import Iterable, Sequence
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models.fields.files import FieldFile

from sandan.core.models import AuditAction, AuditEntry

Snapshot = dict[str, Any]

# Secrets never enter the log; a short digest still shows that they changed.
SECRET_FIELDS = frozenset({"password", "key_hash"})


def _secret(value: Any) -> str:
    return "sha256:" + hashlib.sha256(str(value).encode()).hexdigest()[:8] if value else ""


def _plain(value: Any) -> Any:
    if isinstance(value, FieldFile):  # an uploaded file is logged by its stored name
        return value.name or ""
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    return value


def snapshot(instance: models.Model | None) -> Snapshot:
    """The concrete, editable field values of an instance, JSON-ready (FKs as ids).

    Non-editable fields (`auto_now` timestamps, generated columns) are left out: they
    change on every save, so an update that changed nothing would otherwise be recorded.
    """
    if instance is None:
        return {}
    values: Snapshot = {}
    for field in instance._meta.concrete_fields:
        if field.primary_key or getattr(field, "generated", False) or not field.editable:
            continue
        value = getattr(instance, field.attname)
        values[field.attname] = _secret(value) if field.name in SECRET_FIELDS else _plain(value)
    return values


def diff(before: Snapshot, after: Snapshot) -> dict[str, list[Any]]:
    keys = set(before) | set(after)
    return {
        key: [before.get(key), after.get(key)]
        for key in sorted(keys)
        if before.get(key) != after.get(key)
    }


def entry_for(
    actor: Any,
    instance: models.Model,
    action: str,
    before: Snapshot,
    *,
    source: str = "web",
    batch: str = "",
    reason: str = "",
    content_type: ContentType | None = None,
    event: str = "",
) -> AuditEntry:
    after = {} if action == AuditAction.DELETE else snapshot(instance)
    actor_id = getattr(actor, "pk", None) if actor is not None else None
    return AuditEntry(
        actor_id=actor_id if getattr(actor, "is_authenticated", False) else None,
        action=action,
        event=event,
        content_type=content_type or ContentType.objects.get_for_model(type(instance)),
        object_id=str(instance.pk),
        object_repr=str(instance)[:255],
        changes=diff(before, after),
        source=source,
        batch=batch,
        reason=reason[:500],
    )


def record(
    actor: Any,
    instance: models.Model,
    action: str,
    before: Snapshot | None = None,
    *,
    source: str = "web",
    reason: str = "",
    event: str = "",
) -> AuditEntry | None:
    """Save one audit entry; an update that changed nothing records nothing.

    `event` names what happened when it is more than an edit (`AuditEvent`: approved,
    designated, referred, ...)."""
    entry = entry_for(
        actor, instance, action, before or {}, source=source, reason=reason, event=event
    )
    if action == AuditAction.UPDATE and not entry.changes:
        return None
    entry.save()
    return entry


def record_many(entries: Iterable[AuditEntry], batch_size: int = 2000) -> int:
    objs = [entry for entry in entries if entry.action != AuditAction.UPDATE or entry.changes]
    AuditEntry.objects.bulk_create(objs, batch_size=batch_size)
    return len(objs)


def record_created(actor: Any, objs: Sequence[models.Model], *, source: str, batch: str) -> int:
    """One CREATE entry per row of a bulk insert (all rows of one model), saved together."""
    if not objs:
        return 0
    content_type = ContentType.objects.get_for_model(type(objs[0]))
    return record_many(
        entry_for(
            actor,
            obj,
            AuditAction.CREATE,
            {},
            source=source,
            batch=batch,
            content_type=content_type,
        )
        for obj in objs
    )


def history_of(instance: models.Model) -> models.QuerySet[AuditEntry]:
    return AuditEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(type(instance)),
        object_id=str(instance.pk),
    ).select_related("actor")
