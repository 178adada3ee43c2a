"""Personal data: who may see it, and what everyone else sees instead.

A row's personal contact fields (a firm's contact person, an expert's e-mail and phone, a
survey respondent's e-mail) are shown only to users whose role reaches the row with the
"contact" action. Pages, the API and the templates all mask through this module.
"""

from __future__ import annotations

from collections.abc import Iterable, MutableMapping
from typing import Any, TypeVar

from django.db.models import BooleanField, Case, QuerySet, Value, When

from sandan.core.querysets import scope_condition

QS = TypeVar("QS", bound=QuerySet[Any])

MASK = "•••"


def masked(value: str, visible: bool) -> str:
    """`value` when visible; else the mask (an empty value stays empty: nothing to hide)."""
    return value if visible or not value else MASK


def mask_unless_visible(row: MutableMapping[str, Any], fields: Iterable[str]) -> None:
    """Mask `fields` of a row read with `with_contact_flag`, unless it is `contact_visible`."""
    if row.get("contact_visible"):
        return
    for name in fields:
        row[name] = masked(row.get(name) or "", False)


def with_contact_flag(queryset: QS, user: Any) -> QS:
    """Annotate `contact_visible`: whether `user` may see each row's personal contact data.

    Computed in the same SELECT from the role table's "contact" action, so that masking
    costs no extra query on list pages and API lists.
    """
    condition = scope_condition(queryset.model, user, "contact")
    visible: Any = Value(True, output_field=BooleanField())
    if condition is not None:
        visible = Case(
            When(condition, then=Value(True)), default=Value(False), output_field=BooleanField()
        )
    annotated: QS = queryset.annotate(contact_visible=visible)
    return annotated


def may_see_contacts(user: Any, obj: Any) -> bool:
    """Whether `user` may see `obj`'s personal contact fields (the "contact" action)."""
    manager = getattr(type(obj), "objects", None)
    if user is None or manager is None or not hasattr(manager, "restrict"):
        return False
    return bool(manager.restrict(user, "contact").filter(pk=obj.pk).exists())
