"""The audit log as people read it: names as the pages name them, values formatted.

An entry stores attnames and JSON values (`hub_id: 62`, `amount_krw: 3000000`,
`approved_at: "2010-05-03T14:20:00+09:00"`); a reader sees "거점단지: 창원국가산업단지",
"사업비: 3,000,000원", "승인일시: 2010.05.03 14:20". Related objects are named by their label
when the reader may see them (else by their number), and each entry links to its object and
the object's history while the object still exists and is visible to the reader.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import models
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from sandan.core.models import AuditEntry
from sandan.core.privacy import MASK

# The objects whose history has a page of its own (`core:object_history`): slug → label.
HISTORY_MODELS = {
    "complex": "registry.Complex",
    "organisation": "registry.Organisation",
    "expert": "registry.Expert",
    "office": "registry.Office",
    "complexstat": "registry.ComplexStat",
    "problem": "support.Problem",
    "project": "support.Project",
    "membership": "accounts.Membership",
    "accountrequest": "accounts.AccountRequest",
}
HISTORY_SLUG = {label.lower(): slug for slug, label in HISTORY_MODELS.items()}


@dataclass
class FieldChange:
    name: str
    before: str
    after: str


@dataclass
class EntryView:
    """One audit entry ready for a page or a CSV row."""

    entry: AuditEntry
    model_name: str
    label: str
    url: str = ""
    history_url: str = ""
    changes: list[FieldChange] = field(default_factory=list)

    @property
    def changed_names(self) -> str:
        return ", ".join(change.name for change in self.changes)


def _field(model: type[models.Model] | None, attname: str) -> models.Field[Any, Any] | None:
    if model is None:
        return None
    for candidate in model._meta.concrete_fields:
        if candidate.attname == attname or candidate.name == attname:
            return candidate
    return None


def field_label(model: type[models.Model] | None, attname: str) -> str:
    """The field's verbose name as the forms show it (`hub_id` → 거점단지)."""
    found = _field(model, attname)
    if found is None:
        return attname
    name = str(found.verbose_name)
    # Django's default verbose name is the field name with spaces: keep the stored name then.
    return attname if name == found.name.replace("_", " ") else name


def _date_text(value: str) -> str:
    try:
        moment = dt.datetime.fromisoformat(value)
    except ValueError:
        return value
    if "T" not in value and len(value) <= 10:
        return f"{moment:%Y.%m.%d}"
    if timezone.is_aware(moment):
        moment = timezone.localtime(moment)
    return f"{moment:%Y.%m.%d %H:%M}"


def _money_text(value: Any) -> str:
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return str(value)
    return f"{amount:,.0f}" + _("원")


def value_text(
    found: models.Field[Any, Any] | None,
    value: Any,
    labels: dict[tuple[type[models.Model], Any], str] | None = None,
) -> str:
    """One stored value as a reader sees it ("–" for nothing)."""
    if value is None or value == "" or value == []:
        return "–"
    if found is not None and found.is_relation and found.related_model is not None:
        related: Any = found.related_model
        label = (labels or {}).get((related, value))
        return label if label is not None else f"#{value}"
    if found is not None and found.choices:
        return str(dict(found.flatchoices).get(value, value))
    if isinstance(value, bool) or isinstance(found, models.BooleanField):
        return _("예") if value else _("아니오")
    if found is not None and found.name.endswith("_krw"):
        return _money_text(value)
    if isinstance(found, models.DateTimeField | models.DateField) and isinstance(value, str):
        return _date_text(value)
    if isinstance(value, int | Decimal) and not isinstance(value, bool):
        return f"{value:,}"
    if isinstance(value, list | dict):
        return ", ".join(str(item) for item in value) if isinstance(value, list) else str(value)
    return str(value)


def _visible_rows(
    model: type[models.Model], pks: Iterable[Any], user: Any
) -> dict[Any, models.Model]:
    manager: Any = model._default_manager
    # A label (`__str__`) may name a required parent (a municipality its province): loaded
    # in the same query, so that a page costs one query per kind of object, not per row.
    queryset = manager.select_related()
    if callable(getattr(queryset, "restrict", None)):
        queryset = queryset.restrict(user, "view")
    try:
        return dict(queryset.in_bulk(list(pks)))
    except (ValueError, TypeError):  # an id that is not a number of that model's key
        return {}


def _related_labels(
    entries: Sequence[AuditEntry], user: Any
) -> dict[tuple[type[models.Model], Any], str]:
    """The labels of every object the entries' changes point at, one query per model."""
    wanted: dict[type[models.Model], set[Any]] = defaultdict(set)
    for entry in entries:
        model = entry.content_type.model_class()
        for attname, pair in entry.changes.items():
            found = _field(model, attname)
            if found is None or not found.is_relation or found.related_model is None:
                continue
            related: Any = found.related_model
            wanted[related].update(value for value in pair if value not in (None, ""))
    labels: dict[tuple[type[models.Model], Any], str] = {}
    for model, pks in wanted.items():
        for pk, obj in _visible_rows(model, pks, user).items():
            labels[(model, pk)] = str(obj)
    return labels


def _object_url(obj: models.Model | None) -> str:
    if obj is None:
        return ""
    get_url = getattr(obj, "get_absolute_url", None)
    if get_url is None:
        return ""
    try:
        return str(get_url())
    except NoReverseMatch:
        return ""


def describe(
    entries: Sequence[AuditEntry],
    user: Any,
    *,
    personal_visible: Any = None,
) -> list[EntryView]:
    """The entries as readers see them. `personal_visible(entry)` says whether the personal
    fields of that entry's object may be shown (masked as `•••` otherwise)."""
    labels = _related_labels(entries, user)
    objects: dict[type[models.Model], dict[Any, models.Model]] = {}
    by_model: dict[type[models.Model], set[Any]] = defaultdict(set)
    for entry in entries:
        model = entry.content_type.model_class()
        if model is not None:
            by_model[model].add(entry.object_id)
    for model, pks in by_model.items():
        objects[model] = {str(pk): obj for pk, obj in _visible_rows(model, pks, user).items()}
    views = []
    for entry in entries:
        model = entry.content_type.model_class()
        obj = objects.get(model, {}).get(entry.object_id) if model is not None else None
        personal = set(getattr(model, "PERSONAL_FIELDS", ()))
        show_personal = personal_visible(entry) if personal_visible is not None else False
        changes = []
        for attname, pair in sorted(entry.changes.items()):
            found = _field(model, attname)
            before, after = pair[0], pair[1]
            if (found.name if found is not None else attname) in personal and not show_personal:
                changes.append(
                    FieldChange(
                        field_label(model, attname),
                        MASK if before else "–",
                        MASK if after else "–",
                    )
                )
                continue
            changes.append(
                FieldChange(
                    field_label(model, attname),
                    value_text(found, before, labels),
                    value_text(found, after, labels),
                )
            )
        slug = HISTORY_SLUG.get(entry.content_type.app_label + "." + entry.content_type.model)
        views.append(
            EntryView(
                entry=entry,
                model_name=str(model._meta.verbose_name) if model else entry.content_type.model,
                label=str(obj) if obj is not None else entry.object_repr,
                url=_object_url(obj),
                history_url=reverse("core:object_history", args=[slug, entry.object_id])
                if slug and obj is not None
                else "",
                changes=changes,
            )
        )
    return views
