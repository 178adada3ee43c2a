"""Look-ups that views and the API share, always through the user's scope.

`get_visible_or_404` answers 404 both when the object does not exist and when the user may not
see it (so a URL does not reveal what exists outside the user's scope); `get_changeable_or_403`
answers 404 when the object is out of sight and 403 when it is visible but not the user's to
change. `may` is the question behind buttons and links on a page; `may_read_history` the one
behind an object's history link.
"""

from __future__ import annotations

from typing import Any, TypeVar

from django.db import models
from django.http import Http404

from sandan.core.models import AuditEntry
from sandan.core.querysets import RestrictedQuerySet, allows
from sandan.core.services import NotAllowed

M = TypeVar("M", bound=models.Model)


def may(user: Any, model: type[models.Model], action: str, pk: Any) -> bool:
    """Whether `user` may `action` the row `pk` of `model` (role first, then scope)."""
    if not allows(user, model, action):
        return False
    manager: Any = model._default_manager
    return bool(manager.restrict(user, action).filter(pk=pk).exists())


def may_read_history(user: Any, model: type[models.Model], pk: Any) -> bool:
    """Whether `user` may read the history of row `pk`: readers of all history (auditor, HQ,
    ministry), or those who may change the row."""
    if allows(user, AuditEntry, "view"):
        return True
    manager: Any = model._default_manager
    return bool(manager.restrict(user, "change").filter(pk=pk).exists())


def get_visible_or_404(
    queryset: RestrictedQuerySet[M], user: Any, message: str, **lookup: Any
) -> M:
    """The one row of `queryset` matching `lookup` that `user` may view, or Http404(message)."""
    found = queryset.restrict(user, "view").filter(**lookup).first()
    if found is None:
        raise Http404(message)
    return found


def get_changeable_or_403(
    queryset: RestrictedQuerySet[M],
    user: Any,
    message: str,
    denied: str,
    *,
    action: str = "change",
    **lookup: Any,
) -> M:
    """The row `user` may `action`; Http404(message) out of sight, NotAllowed(denied) if only
    visible."""
    found = get_visible_or_404(queryset, user, message, **lookup)
    if not may(user, queryset.model, action, found.pk):
        raise NotAllowed(denied)
    return found
