"""Row-level scope: every queryset a user reaches goes through `restrict(user, action)`.

How it works (after NetBox's RestrictedQuerySet, with our own role table):

* A user holds memberships: a role and a scope (national, a zone, an office, a complex or
  an organisation), which the user carries resolved as grants (`sandan.core.scope.Grant`;
  the accounts app provides them through `User.scope_grants()`, so the core imports no app).
* `sandan.accounts.roles.POLICY` says, per role, model and action, how far the role reaches:
  `ALL` rows, the rows inside the membership's `SCOPE`, or only the user's `OWN` rows.
* Each model says how its rows relate to each kind of scope through `scope_paths`
  (an ORM path to a zone, office, complex or organisation id), and for `OWN` through
  `owner_path` (an ORM path to the user).

`restrict()` turns that into one WHERE clause; it never runs a query of its own after the
memberships are loaded (once per user object).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

from django.db import models
from django.db.models import Q

from sandan.core.scope import NATIONAL, Grant, Reach, grants_of, is_signed_in

M = TypeVar("M", bound=models.Model)

# How a model's rows reach one kind of scope: an ORM path to the scope's id, several paths
# (any of them), or None (the model's rows are outside every scope of that kind).
ScopePath = str | tuple[str, ...] | None

ACTIONS = ("view", "add", "change", "delete", "contact", "approve")


@dataclass(frozen=True)
class ReadAlso:
    """Rows that a scope reads (`view` only) beyond the ones its `scope_paths` reach.

    A model declares it as `read_also` when people outside a row's own scope work with it
    without owning it: an inter-zone project is read by the staff of every zone whose firms
    take part; a regional partner agency is chosen by the staff of its region.

    * `paths`: per scope kind, more ORM paths to the ids of that kind (as in `scope_paths`);
      a scope kind not listed reads nothing more.
    * `only`: field lookups that limit the extra rows (`{"kind": "agency"}`); empty: any row.
    * `unplaced`: a path that is null on the rows that have no place at all (e.g. the
      `region` of a national agency); every scope kind listed in `paths` reads those rows.

    Writes (`add`, `change`, `delete`), `contact` and `approve` keep to `scope_paths`.
    """

    paths: Mapping[str, tuple[str, ...]]
    only: Mapping[str, Any] = field(default_factory=dict)
    unplaced: str = ""
    actions: frozenset[str] = field(default=frozenset({"view"}))


class RestrictedQuerySet(models.QuerySet[M]):
    def restrict(self, user: Any, action: str = "view") -> RestrictedQuerySet[M]:
        if action not in ACTIONS:
            raise ValueError(f"unknown action {action!r}")
        condition = scope_condition(self.model, user, action)
        if condition is None:
            return self
        return self.filter(condition)


def scope_condition(model: type[models.Model], user: Any, action: str) -> Q | None:
    """The filter that limits `model` to what `user` may `action`; None means no limit."""
    if not is_signed_in(user):
        return Q(pk__in=[])
    if user.is_superuser:
        return None
    label = model._meta.label_lower
    scope_paths: dict[str, ScopePath] = getattr(model, "scope_paths", {})
    owner_path: str | None = getattr(model, "owner_path", None)
    read_also: ReadAlso | None = getattr(model, "read_also", None)
    condition = Q(pk__in=[])
    for grant in grants_of(user):
        reach = grant.reach(label, action)
        if reach is None:
            continue
        if reach == Reach.ALL or (reach == Reach.SCOPE and grant.scope_kind == NATIONAL):
            return None
        if reach == Reach.OWN:
            if owner_path:
                condition |= _path_q(model, owner_path, owner_path, user.pk)
            continue
        condition |= _scope_q(grant, scope_paths, model)
        if read_also is not None and action in read_also.actions:
            condition |= _read_also_q(grant, read_also, model)
    return condition


def _read_also_q(grant: Grant, read_also: ReadAlso, model: type[models.Model]) -> Q:
    paths = read_also.paths.get(grant.scope_kind, ())
    if not paths:
        return Q(pk__in=[])
    ids = sorted(grant.scope_ids)
    reached = Q(pk__in=[])
    for path in paths:
        reached |= _path_q(model, path, f"{path}__in", ids)
    if read_also.unplaced:
        reached |= Q(**{f"{read_also.unplaced}__isnull": True})
    return reached & Q(**read_also.only) if read_also.only else reached


def _scope_q(
    grant: Grant, scope_paths: dict[str, ScopePath], model: type[models.Model] | None = None
) -> Q:
    paths = scope_paths.get(grant.scope_kind)
    if not paths:
        return Q(pk__in=[])
    condition = Q(pk__in=[])
    # A row may reach a scope along several paths (a membership's zone is its own zone, its
    # office's, its complex's or its organisation's): any of them puts the row in scope.
    for path in (paths,) if isinstance(paths, str) else paths:
        lookup = "pk__in" if path == "pk" else f"{path}__in"
        condition |= _path_q(model, path, lookup, sorted(grant.scope_ids))
    return condition


def _path_q(model: type[models.Model] | None, path: str, lookup: str, value: Any) -> Q:
    """`lookup=value` as a filter; through a to-many relation, as a primary-key subquery."""
    if model is not None and _crosses_to_many(model, path):
        # A join through a to-many relation would repeat a row once per match (e.g. an
        # expert's assignments, or a grant's scope ids); a subquery on the primary key keeps
        # each row once, also when other grants match it too, and still runs no query here.
        return Q(pk__in=model._base_manager.filter(**{lookup: value}).values("pk"))
    return Q(**{lookup: value})


def _crosses_to_many(model: type[models.Model], path: str) -> bool:
    current: Any = model
    for name in path.split("__"):
        if name == "pk":
            return False
        field = current._meta.get_field(name)
        if field.many_to_many or field.one_to_many:
            return True
        current = field.related_model
        if current is None:
            return False
    return False


def allows(user: Any, model: type[models.Model], action: str) -> bool:
    """Whether `user` may `action` at least some rows of `model` (for menus and buttons)."""
    if not is_signed_in(user):
        return False
    if user.is_superuser:
        return True
    label = model._meta.label_lower
    return any(grant.reach(label, action) is not None for grant in grants_of(user))
