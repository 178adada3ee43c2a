"""Bulk upserts for importers: plain executemany/COPY inserts and one audit batch.

Importers (`sandan.<app>.io`) validate every row first (`sandan.core.io`), then hand what
they would write to an `UpsertPlan`; this module writes it. `sandan.core.io` re-exports
these names, so `from sandan.core.io import UpsertPlan` keeps working.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from django.db import connections, models, router

M = TypeVar("M", bound=models.Model)

# --- writing: bulk upserts with one audit batch ------------------------------------------------
#
# Django's bulk_create prepares every value through the field API and, on SQLite, splits
# inserts into batches of 999 parameters; for 130,000 organisations plus their 130,000
# audit entries that alone takes about a minute. `fast_insert` sends plain values with
# executemany (values of the types below need no preparation), and the audit entries are
# built from the values we already hold. They carry exactly what `audit.entry_for` would
# record (tests/test_import.py checks that), under one batch id.

_PLAIN_TYPES = {
    "AutoField",
    "BigAutoField",
    "BigIntegerField",
    "BooleanField",
    "CharField",
    "EmailField",
    "ForeignKey",
    "IntegerField",
    "PositiveBigIntegerField",
    "PositiveIntegerField",
    "PositiveSmallIntegerField",
    "SlugField",
    "SmallIntegerField",
    "TextField",
    "URLField",
}


def stored_fields(model: type[models.Model]) -> list[str]:
    """Attribute names of the concrete, writable columns (no pk, no generated columns)."""
    return [
        f.attname
        for f in model._meta.concrete_fields
        if not f.primary_key and not getattr(f, "generated", False)
    ]


def _writable(model: type[models.Model]) -> list[Any]:
    return [
        f
        for f in model._meta.concrete_fields
        if not f.primary_key and not getattr(f, "generated", False)
    ]


def _template(model: type[models.Model]) -> tuple[list[str], dict[str, Any], list[Any]]:
    """(timestamp attnames, constant defaults, fields whose default must be built per row)."""
    stamps, constants, per_row = [], {}, []
    for f in _writable(model):
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
            stamps.append(f.attname)
        elif callable(f.default) and f.default is not models.NOT_PROVIDED:
            per_row.append(f)
        else:
            constants[f.attname] = f.get_default()
    return stamps, constants, per_row


def complete_values(
    model: type[models.Model], values: dict[str, Any], now: dt.datetime
) -> dict[str, Any]:
    """`values` plus the defaults (and auto_now timestamps) of every other stored field."""
    stamps, constants, per_row = _TEMPLATES.get(model) or _TEMPLATES.setdefault(
        model, _template(model)
    )
    full = {**constants, **values}
    for f in per_row:
        if f.attname not in values:
            full[f.attname] = f.get_default()
    for name in stamps:
        full[name] = now
    return full


_TEMPLATES: dict[type[models.Model], tuple[list[str], dict[str, Any], list[Any]]] = {}


# A load of at least this many rows refreshes the table's planner statistics at once.
ANALYSE_AFTER_ROWS = 1000


def refresh_statistics(*tables: type[models.Model], using: str = "default") -> None:
    """Give PostgreSQL's planner statistics of freshly loaded tables now (ANALYZE; the whole
    database when no model is named) rather than whenever autovacuum gets to them — never,
    where it is off. Without them it planned the 50-row complex list as a join of all 1,363
    complexes. SQLite: nothing to do (its planner runs without statistics)."""
    connection = connections[using]
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        if not tables:
            cursor.execute("ANALYZE")
        for model in tables:
            cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")


def fast_insert(
    model: type[models.Model], rows: Sequence[dict[str, Any]], *, batch_size: int = 2000
) -> None:
    """INSERT complete rows ({attname: value}, see complete_values) with executemany."""
    if not rows:
        return
    connection = connections[router.db_for_write(model)]
    fields = _writable(model)
    quote = connection.ops.quote_name
    columns = ", ".join(quote(f.column) for f in fields)
    placeholders = ", ".join(["%s"] * len(fields))
    table = quote(model._meta.db_table)
    # Only quoted names from the model's own metadata go into the SQL; values are parameters.
    sql = f"INSERT INTO {table} ({columns}) VALUES ({placeholders})"  # noqa: S608
    names = [f.attname for f in fields]
    prepared = [(i, f) for i, f in enumerate(fields) if f.get_internal_type() not in _PLAIN_TYPES]
    memo: dict[tuple[int, Any], Any] = {}  # timestamps repeat in every row: convert them once
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("PRAGMA cache_size = -131072")  # 128 MB: keep big inserts in memory
        for start in range(0, len(rows), batch_size):
            params = []
            for row in rows[start : start + batch_size]:
                values = [row[name] for name in names]
                for i, f in prepared:
                    value = values[i]
                    if value is None:
                        continue
                    if isinstance(value, dt.datetime):
                        key = (i, value)
                        if key not in memo:
                            memo[key] = f.get_db_prep_save(value, connection)
                        values[i] = memo[key]
                    else:
                        values[i] = f.get_db_prep_save(value, connection)
                params.append(values)
            if connection.vendor == "postgresql":
                # COPY is the fast path into PostgreSQL (Django's client-side binding would
                # quote every one of the 2.6 million values in Python).
                raw = connection.connection.cursor()  # type: ignore[union-attr]
                with raw.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                    for row_values in params:
                        copy.write_row(row_values)
            else:
                cursor.executemany(sql, params)


def existing_values(
    queryset: models.QuerySet[Any], fields: Sequence[str] | None = None
) -> list[dict[str, Any]]:
    """Every row as {attname: value} including `id`, for comparison without model instances."""
    names = ["pk", *(fields or stored_fields(queryset.model))]
    rows = []
    for row in queryset.values(*names):
        row["id"] = row.pop("pk")
        rows.append(row)
    return rows


def changes_between(existing: dict[str, Any], wanted: dict[str, Any]) -> dict[str, Any]:
    return {name: value for name, value in wanted.items() if existing.get(name) != value}


_AUDITED: dict[type[models.Model], list[tuple[str, bool]]] = {}


def _snapshot(model: type[models.Model], values: dict[str, Any]) -> dict[str, Any]:
    """`audit.snapshot` of a row given as {attname: value}, by the same rules (editable
    fields only, secrets hashed, JSON-ready values), without building an instance."""
    from sandan.core.audit import SECRET_FIELDS, _plain, _secret

    fields = _AUDITED.get(model)
    if fields is None:
        fields = _AUDITED[model] = [
            (f.attname, f.name in SECRET_FIELDS)
            for f in model._meta.concrete_fields
            if not f.primary_key and not getattr(f, "generated", False) and f.editable
        ]
    return {
        name: _secret(values.get(name)) if secret else _plain(values.get(name))
        for name, secret in fields
    }


def _created_changes(model: type[models.Model], values: dict[str, Any]) -> dict[str, list[Any]]:
    """audit.diff({}, audit.snapshot(row)) in one pass (this runs 130,000 times an import)."""
    from sandan.core.audit import _plain, _secret

    if model not in _AUDITED:
        _snapshot(model, {})
    changes: dict[str, list[Any]] = {}
    for name, secret in _AUDITED[model]:
        value = values.get(name)
        if secret:
            value = _secret(value)
        elif value is None:
            continue
        elif type(value) not in _JSON_READY:
            value = _plain(value)
        changes[name] = [None, value]
    return changes


_JSON_READY = (str, int, bool, float)


@dataclass
class UpsertPlan(Generic[M]):
    """What an import would write to one model: new rows and (existing row, changes) pairs.

    `key` names the fields that identify a new row again after it is inserted (its natural
    key); `describe` gives the audit log's object_repr from a row's values.
    """

    model: type[M]
    key: tuple[str, ...]
    describe: Callable[[dict[str, Any]], str]
    creates: list[dict[str, Any]] = field(default_factory=list)
    updates: list[tuple[dict[str, Any], dict[str, Any]]] = field(default_factory=list)

    def write(
        self, *, actor: Any, batch: str, source: str, batch_size: int = 2000
    ) -> dict[tuple[Any, ...], int]:
        """Insert the new rows, update the changed ones, audit both under `batch`.

        Call inside transaction.atomic(). Returns {natural key: pk} of the created rows.
        """
        from sandan.core import clock
        from sandan.core.models import AuditEntry

        now = clock.now()
        audit = _AuditRows(self.model, self.describe, actor, batch, source, now)
        created = self._insert(audit, now, batch_size)
        self._update(audit, now, batch_size)
        fast_insert(AuditEntry, audit.rows, batch_size=batch_size)
        return created

    def _insert(self, audit: _AuditRows, now: dt.datetime, batch_size: int) -> dict[Any, int]:
        """Insert the new rows; find their pks again by natural key (inserted after the
        largest pk there was) and audit each as created."""
        from sandan.core.models import AuditAction

        manager = self.model._default_manager
        last_pk = manager.order_by("-pk").values_list("pk", flat=True).first() or 0
        full_rows = [complete_values(self.model, values, now) for values in self.creates]
        fast_insert(self.model, full_rows, batch_size=batch_size)
        created: dict[tuple[Any, ...], int] = {}
        if full_rows:
            for pk, *key in manager.filter(pk__gt=last_pk).values_list("pk", *self.key):
                created[tuple(key)] = pk
        for values in full_rows:
            pk = created[tuple(values[name] for name in self.key)]
            audit.add(AuditAction.CREATE, pk, values, _created_changes(self.model, values))
        return created

    def _update(self, audit: _AuditRows, now: dt.datetime, batch_size: int) -> None:
        """Update the changed rows (and their auto_now stamps); audit each change."""
        from sandan.core.audit import diff
        from sandan.core.models import AuditAction

        auto_now = [
            f.attname for f in self.model._meta.concrete_fields if getattr(f, "auto_now", False)
        ]
        updated: list[M] = []
        changed_fields: set[str] = set(auto_now)
        for existing, changes in self.updates:
            values = {**existing, **changes, **dict.fromkeys(auto_now, now)}
            changed_fields.update(changes)
            updated.append(self.model(**values))
            before = _snapshot(self.model, existing)
            after = _snapshot(self.model, values)
            audit.add(AuditAction.UPDATE, existing["id"], values, diff(before, after))
        if updated:
            self.model._default_manager.bulk_update(
                updated, sorted(changed_fields), batch_size=batch_size
            )


class _AuditRows:
    """The audit entries of one plan's writes, as complete rows for `fast_insert`."""

    def __init__(
        self,
        model: type[models.Model],
        describe: Callable[[dict[str, Any]], str],
        actor: Any,
        batch: str,
        source: str,
        now: dt.datetime,
    ) -> None:
        from django.contrib.contenttypes.models import ContentType

        from sandan.core.models import AuditEntry

        self.entry_model = AuditEntry
        self.describe = describe
        self.now = now
        self.common = {
            "actor_id": actor.pk if getattr(actor, "is_authenticated", False) else None,
            "content_type_id": ContentType.objects.get_for_model(model).pk,
            "source": source,
            "batch": batch,
        }
        self.rows: list[dict[str, Any]] = []

    def add(self, action: str, pk: int, values: dict[str, Any], changes: dict[str, Any]) -> None:
        entry = {
            **self.common,
            "action": action,
            "object_id": str(pk),
            "object_repr": self.describe(values)[:255],
            "changes": changes,
        }
        self.rows.append(complete_values(self.entry_model, entry, self.now))
