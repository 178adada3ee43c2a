"""The shared shape of every write: validate, check scope, save in a transaction, audit.

App services (`sandan.<app>.services`) call these with their own model and fields, so
that views, the API, importers, the admin and commands all take the same path.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.db.models import ProtectedError, RestrictedError
from django.utils.translation import gettext as _

from sandan.core import audit
from sandan.core.models import AuditAction

M = TypeVar("M", bound=models.Model)


class NotAllowed(PermissionDenied):
    """The actor's role or scope does not reach this object or action."""


def _scoped(model: type[models.Model]) -> Any:
    return model._default_manager.all()


def ensure_allowed(actor: Any, instance: models.Model, action: str) -> None:
    """Raise NotAllowed unless `actor` may `action` this saved instance.

    `actor=None` is the system itself (reference loaders, migrations, demo data).
    """
    if actor is None:
        return
    queryset = _scoped(type(instance))
    if not queryset.restrict(actor, action).filter(pk=instance.pk).exists():
        raise NotAllowed(_("이 작업을 할 권한이 없습니다."))


def create_object(
    actor: Any,
    model: type[M],
    fields: Mapping[str, Any],
    *,
    source: str = "web",
    reason: str = "",
    m2m: Mapping[str, Any] | None = None,
    event: str = "",
) -> M:
    with transaction.atomic():
        instance = model(**fields)
        instance.full_clean()
        instance.save()
        for name, values in (m2m or {}).items():
            getattr(instance, name).set(values)
        # Scope is checked on the saved row so that the same rule decides "may add here"
        # and "may see this": a write outside the actor's scope rolls back.
        ensure_allowed(actor, instance, "add")
        audit.record(actor, instance, AuditAction.CREATE, source=source, reason=reason, event=event)
    return instance


def update_object(
    actor: Any,
    instance: M,
    fields: Mapping[str, Any],
    *,
    source: str = "web",
    reason: str = "",
    m2m: Mapping[str, Any] | None = None,
    check_action: str = "change",
    event: str = "",
) -> M:
    def check(row: models.Model) -> None:
        ensure_allowed(actor, row, check_action)

    return _update_checked(
        actor, instance, fields, check, source=source, reason=reason, m2m=m2m, event=event
    )


def update_following(
    actor: Any,
    instance: M,
    fields: Mapping[str, Any],
    *,
    cause: models.Model,
    cause_action: str,
    belongs: Callable[[], bool],
    source: str = "web",
    reason: str = "",
    event: str = "",
) -> M:
    """A change of `instance` that follows from the actor's `cause_action` on `cause` (a
    project's approval moves its problems on): the right is checked on the cause, before and
    after, and `belongs()` must say that the row is one the cause governs. The row itself
    may lie outside the actor's scope (the problem of a firm of another zone in a project
    led in the actor's zone, docs/permissions.md); the change is audited as the actor's."""

    def check(_row: models.Model) -> None:
        ensure_allowed(actor, cause, cause_action)
        if not belongs():
            raise NotAllowed(_("이 작업을 할 권한이 없습니다."))

    return _update_checked(
        actor, instance, fields, check, source=source, reason=reason, event=event
    )


def _update_checked(
    actor: Any,
    instance: M,
    fields: Mapping[str, Any],
    check: Callable[[models.Model], None],
    *,
    source: str,
    reason: str,
    m2m: Mapping[str, Any] | None = None,
    event: str = "",
) -> M:
    with transaction.atomic():
        check(instance)
        locked = type(instance)._default_manager.select_for_update().get(pk=instance.pk)
        before = audit.snapshot(locked)
        for name, value in fields.items():
            setattr(locked, name, value)
        locked.full_clean()
        locked.save()
        for name, values in (m2m or {}).items():
            getattr(locked, name).set(values)
        # The change must not move the row out of the actor's scope either.
        check(locked)
        audit.record(
            actor, locked, AuditAction.UPDATE, before, source=source, reason=reason, event=event
        )
    return locked


def delete_object(
    actor: Any, instance: models.Model, *, source: str = "web", reason: str = "", event: str = ""
) -> None:
    with transaction.atomic():
        ensure_allowed(actor, instance, "delete")
        before = audit.snapshot(instance)
        entry = audit.entry_for(
            actor, instance, AuditAction.DELETE, before, source=source, reason=reason, event=event
        )
        try:
            instance.delete()
        except (ProtectedError, RestrictedError) as exc:
            # Rows that others still point at (PROTECT) are not deleted; say which, as a
            # validation error that pages and the API show, instead of a server error.
            blocking = sorted({str(obj._meta.verbose_name) for obj in exc.args[1]})
            raise ValidationError(
                _("다른 자료가 참조하고 있어 삭제할 수 없습니다: %(models)s"),
                code="protected",
                params={"models": ", ".join(blocking)},
            ) from exc
        entry.save()
