"""The reusable core of every importer: read a table, find its header, parse its cells.

An importer (`sandan.<app>.io`) declares its columns with the names and variants that the
published files use, reads the file with `read_table()`, validates every row into a plan,
and only writes when no row failed (all-or-nothing, as pretix does). This module knows
nothing about models: it turns CSV (UTF-8 with or without BOM, CP949/EUC-KR) and XLSX files
into numbered rows of strings keyed by column, and reports problems as `RowError`s with the
row number the user sees in a spreadsheet or text editor.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import sys
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from pathlib import Path
from typing import IO, Any, Generic, TypeVar

from django.db import connections, models, router
from django.utils.translation import gettext as _

M = TypeVar("M", bound=models.Model)

HEADER_SEARCH_ROWS = 10
Source = str | Path | IO[bytes] | Any  # a path, or a binary file object (Django UploadedFile)


@dataclass(frozen=True)
class RowError:
    """One bad cell. `row` is the 1-based line (CSV) or row (XLSX) number in the file."""

    row: int
    column: str
    value: str
    reason: str

    def __str__(self) -> str:
        return f"row {self.row}, column {self.column}, value '{self.value}': {self.reason}"


@dataclass
class ImportReport:
    kind: str
    total_rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)
    dry_run: bool = False
    batch: str = ""

    @property
    def ok(self) -> bool:
        return not self.errors

    def summary(self) -> str:
        verb = "would be" if self.dry_run else "were"
        if not self.ok:
            return (
                f"{self.kind}: {self.total_rows} rows, {len(self.errors)} errors; "
                "nothing was written"
            )
        return (
            f"{self.kind}: {self.total_rows} rows; {self.created} {verb} created, "
            f"{self.updated} {verb} updated, {self.unchanged} unchanged"
            + ("" if self.dry_run else f" (batch {self.batch})")
        )


class ImportFileError(Exception):
    """The file cannot be read at all (not CSV/XLSX, broken, unknown encoding)."""


# --- column names ---------------------------------------------------------------------------

_PAREN = re.compile(r"[(\[（［]([^)\]）］]*)[)\]）］]")
_NOISE = re.compile(r"[\s·ㆍ・‧.,_\-/:*※]+")


def _norm(text: str) -> str:
    return _NOISE.sub("", unicodedata.normalize("NFKC", text)).lower()


def split_header(text: str) -> tuple[str, str]:
    """'지정면적 (천㎡)' → ('지정면적', '천m2'); '시·군·구' → ('시군구', '')."""
    text = unicodedata.normalize("NFKC", str(text or ""))
    units = " ".join(_PAREN.findall(text))
    base = _PAREN.sub("", text)
    return _norm(base), _norm(units)


@dataclass(frozen=True)
class Column:
    """A column an importer understands.

    `aliases` are the names used by published files (compared after dropping spaces, dots,
    middle dots and anything in parentheses); `units` maps a unit written in parentheses to
    the factor that converts it to the unit we store (e.g. ㎡ → 천㎡ is 0.001).
    """

    key: str
    label: str
    aliases: tuple[str, ...] = ()
    required: bool = False
    units: tuple[tuple[str, Decimal], ...] = ()

    def matches(self, base: str) -> bool:
        return base in {_norm(name) for name in (self.label, *self.aliases)}

    def factor_for(self, unit: str) -> Decimal:
        for name, factor in self.units:
            if _norm(unicodedata.normalize("NFKC", name)) == unit:
                return factor
        return Decimal(1)


@dataclass
class Table:
    """A readable table: its header row, where each column is, and its data rows."""

    header_row: int
    positions: dict[str, int]
    factors: dict[str, Decimal]
    rows: list[tuple[int, list[str]]]

    def has(self, key: str) -> bool:
        return key in self.positions

    def records(
        self, progress: bool = False, desc: str = ""
    ) -> Iterator[tuple[int, dict[str, str]]]:
        """Yield (row number, {column key: stripped text}) for every non-blank data row."""
        rows: Iterable[tuple[int, list[str]]] = self.rows
        if progress:
            from tqdm import tqdm

            rows = tqdm(self.rows, desc=desc, unit="rows", file=sys.stderr, mininterval=0.5)
        positions = list(self.positions.items())
        for number, cells in rows:
            if not any(cells):
                continue
            width = len(cells)
            yield number, {key: cells[i] if i < width else "" for key, i in positions}


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value).strip()


# --- reading files ----------------------------------------------------------------------------


def _read_bytes(source: Source) -> tuple[bytes, str]:
    if isinstance(source, str | Path):
        path = Path(source)
        return path.read_bytes(), path.name
    name = getattr(source, "name", "") or ""
    if hasattr(source, "seek"):
        source.seek(0)
    data = b"".join(source.chunks()) if hasattr(source, "chunks") else source.read()
    return data, Path(str(name)).name


def decode_text(data: bytes) -> str:
    """UTF-8 (BOM or not) first, strictly; then CP949 (a superset of EUC-KR); then a guess."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8")
    for encoding in ("utf-8", "cp949"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is None:
        raise ImportFileError(_("파일의 문자 인코딩을 알 수 없습니다."))
    return str(best)


def _csv_rows(text: str) -> list[tuple[int, list[str]]]:
    first_line = text.split("\n", 1)[0]
    delimiter = "\t" if first_line.count("\t") > first_line.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows: list[tuple[int, list[str]]] = []
    start = 1
    for record in reader:
        rows.append((start, [cell.strip() for cell in record]))
        start = reader.line_num + 1
    return rows


def _xlsx_sheets(data: bytes) -> list[list[tuple[int, list[str]]]]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for broken files
        raise ImportFileError(_("엑셀 파일을 읽을 수 없습니다.")) from exc
    try:
        sheets = []
        active = workbook.active
        ordered = [active, *[ws for ws in workbook.worksheets if ws is not active]]
        for sheet in ordered:
            if sheet is None:
                continue
            rows = [
                (number, [_cell_text(value) for value in values])
                for number, values in enumerate(sheet.iter_rows(values_only=True), start=1)
            ]
            sheets.append(rows)
        return sheets
    finally:
        workbook.close()


def _locate_header(
    rows: Sequence[tuple[int, list[str]]], columns: Sequence[Column]
) -> tuple[int, dict[str, int], dict[str, Decimal], int] | None:
    """The best header among the first rows: (index, positions, factors, required found)."""
    best: tuple[int, dict[str, int], dict[str, Decimal], int] | None = None
    best_score = (0, 0)
    for index, (_number, cells) in enumerate(rows[:HEADER_SEARCH_ROWS]):
        positions: dict[str, int] = {}
        factors: dict[str, Decimal] = {}
        for position, cell in enumerate(cells):
            base, unit = split_header(cell)
            if not base:
                continue
            for column in columns:
                if column.key not in positions and column.matches(base):
                    positions[column.key] = position
                    factors[column.key] = column.factor_for(unit)
                    break
        required = sum(1 for column in columns if column.required and column.key in positions)
        score = (required, len(positions))
        if score > best_score:
            best, best_score = (index, positions, factors, required), score
    return best


def read_table(
    source: Source, columns: Sequence[Column], *, filename: str | None = None
) -> tuple[Table | None, list[RowError]]:
    """Read a CSV or XLSX file and find its header; errors say which column is missing."""
    data, own_name = _read_bytes(source)
    name = filename or own_name
    is_xlsx = name.lower().endswith((".xlsx", ".xlsm")) or data.startswith(b"PK\x03\x04")
    try:
        sheets = _xlsx_sheets(data) if is_xlsx else [_csv_rows(decode_text(data))]
    except ImportFileError as exc:
        return None, [RowError(1, "", name, str(exc))]
    except csv.Error as exc:
        return None, [RowError(1, "", name, _("CSV 형식이 올바르지 않습니다: %s") % exc)]
    required = [column for column in columns if column.required]
    chosen: (
        tuple[list[tuple[int, list[str]]], tuple[int, dict[str, int], dict[str, Decimal], int]]
        | None
    ) = None
    for rows in sheets:
        found = _locate_header(rows, columns)
        if found is None:
            continue
        if chosen is None or found[3] > chosen[1][3]:
            chosen = (rows, found)
        if found[3] == len(required):
            break
    if chosen is None:
        first = sheets[0][0][1] if sheets and sheets[0] else []
        labels = ", ".join(column.label for column in required)
        return None, [RowError(1, labels, ", ".join(first)[:200], _("필수 열이 없습니다."))]
    rows, (index, positions, factors, _found) = chosen
    header_number, header_cells = rows[index]
    missing = [column for column in required if column.key not in positions]
    if missing:
        shown = ", ".join(cell for cell in header_cells if cell)[:200]
        labels = ", ".join(column.label for column in missing)
        return None, [RowError(header_number, labels, shown, _("필수 열이 없습니다."))]
    return Table(header_number, positions, factors, list(rows[index + 1 :])), []


# --- cell parsers: each returns a value or raises ValueError(reason) -------------------------

_BLANKS = {"", "-", "–", "—", "－"}


def parse_decimal(
    text: str,
    *,
    places: int = 1,
    factor: Decimal = Decimal(1),
    max_digits: int = 12,
    required: bool = False,
) -> Decimal:
    """'1,234.5' → Decimal('1234.5'); blank or '-' → 0 unless required."""
    raw = text.replace(",", "").replace("%", "").strip()
    if raw in _BLANKS:
        if required:
            raise ValueError(_("값이 비어 있습니다."))
        return Decimal(0).quantize(Decimal(1).scaleb(-places))
    try:
        value = Decimal(raw)
    except InvalidOperation:
        raise ValueError(_("숫자가 아닙니다.")) from None
    if not value.is_finite():
        raise ValueError(_("숫자가 아닙니다."))
    if value < 0:
        raise ValueError(_("음수는 쓸 수 없습니다."))
    value = (value * factor).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    if value >= Decimal(10) ** (max_digits - places):
        raise ValueError(_("값이 너무 큽니다."))
    return value


def parse_int(text: str, *, required: bool = False, maximum: int = 2_147_483_647) -> int:
    """'1,234' → 1234; blank or '-' → 0 unless required; '12.0' (from Excel) is fine."""
    raw = text.replace(",", "").strip()
    if raw.isascii() and raw.isdigit():
        number_ = int(raw)
        if number_ > maximum:
            raise ValueError(_("값이 너무 큽니다."))
        return number_
    if raw in _BLANKS:
        if required:
            raise ValueError(_("값이 비어 있습니다."))
        return 0
    try:
        number = Decimal(raw)
    except InvalidOperation:
        raise ValueError(_("정수가 아닙니다.")) from None
    if not number.is_finite() or number != number.to_integral_value():
        raise ValueError(_("정수가 아닙니다."))
    if number < 0:
        raise ValueError(_("음수는 쓸 수 없습니다."))
    if number > maximum:
        raise ValueError(_("값이 너무 큽니다."))
    return int(number)


def parse_choice(text: str, choices: dict[str, str], *, default: str | None = None) -> str:
    """Map a label ('국가산업단지') to a code ('national') through normalised variants."""
    exact = choices.get(text.strip())
    if exact is not None:
        return exact
    key = _norm(text)
    if not key:
        if default is not None:
            return default
        raise ValueError(_("값이 비어 있습니다."))
    for label, code in choices.items():
        if _norm(label) == key:
            return code
    raise ValueError(_("알 수 없는 값입니다."))


_DATE_IN_NAME = re.compile(r"(?<!\d)(20\d{2}|19\d{2})(\d{2})(\d{2})(?!\d)")


def date_from_filename(name: str | None) -> dt.date | None:
    """'kicox_complexes_20251231.csv' → 2025-12-31 (None if no valid YYYYMMDD)."""
    for match in _DATE_IN_NAME.finditer(Path(name or "").name):
        try:
            return dt.date(int(match[1]), int(match[2]), int(match[3]))
        except ValueError:
            continue
    return None


def source_name(source: Source, filename: str | None = None) -> str:
    if filename:
        return filename
    if isinstance(source, str | Path):
        return Path(source).name
    return Path(str(getattr(source, "name", "") or "")).name


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
        from django.contrib.contenttypes.models import ContentType
        from django.utils import timezone

        from sandan.core.audit import diff
        from sandan.core.models import AuditAction, AuditEntry

        manager = self.model._default_manager
        now = timezone.now()
        content_type_id = ContentType.objects.get_for_model(self.model).pk
        actor_id = actor.pk if getattr(actor, "is_authenticated", False) else None
        audit_rows: list[dict[str, Any]] = []

        def audit(action: str, pk: int, values: dict[str, Any], changes: dict[str, Any]) -> None:
            audit_rows.append(
                complete_values(
                    AuditEntry,
                    {
                        "actor_id": actor_id,
                        "action": action,
                        "content_type_id": content_type_id,
                        "object_id": str(pk),
                        "object_repr": self.describe(values)[:255],
                        "changes": changes,
                        "source": source,
                        "batch": batch,
                    },
                    now,
                )
            )

        last_pk = manager.order_by("-pk").values_list("pk", flat=True).first() or 0
        full_rows = [complete_values(self.model, values, now) for values in self.creates]
        fast_insert(self.model, full_rows, batch_size=batch_size)
        created: dict[tuple[Any, ...], int] = {}
        if full_rows:
            for pk, *key in manager.filter(pk__gt=last_pk).values_list("pk", *self.key):
                created[tuple(key)] = pk
        for values in full_rows:
            pk = created[tuple(values[name] for name in self.key)]
            audit(AuditAction.CREATE, pk, values, _created_changes(self.model, values))

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
            audit(AuditAction.UPDATE, existing["id"], values, diff(before, after))
        if updated:
            manager.bulk_update(updated, sorted(changed_fields), batch_size=batch_size)
        fast_insert(AuditEntry, audit_rows, batch_size=batch_size)
        return created


# Exports ------------------------------------------------------------------------------

# A spreadsheet runs a cell that starts with one of these as a formula (CSV/formula
# injection, OWASP): text from users (a firm's name, a title) must never do that.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n")


def safe_cell(value: Any) -> Any:
    """`value` as a spreadsheet cell that is never a formula: text starting like one gets a
    leading apostrophe (shown as text); numbers, dates and None pass unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def xlsx_bytes(sheets: Iterable[tuple[str, Sequence[Any], Iterable[Sequence[Any]]]]) -> bytes:
    """An XLSX workbook of (sheet title, header, rows) sheets; every cell through
    `safe_cell`. Sheet titles are cut to Excel's 31 characters."""
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    for title, header, rows in sheets:
        sheet = workbook.create_sheet(title=str(title)[:31])
        sheet.append([safe_cell(value) for value in header])
        for row in rows:
            sheet.append([safe_cell(value) for value in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
