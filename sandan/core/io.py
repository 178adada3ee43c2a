"""The reusable core of every importer: read a table, find its header, parse its cells.

An importer (`sandan.<app>.io`) declares its columns (pretix's shape for import columns): a
Korean name, the aliases published files use, a parser (text → value, raising
`ValueError(reason)`), a validator for rules across the row, and whether the column is
required. It reads the file with `read_table()`, validates every row into a plan with
`validate_rows()`, and only writes when no row failed (all-or-nothing, as pretix does). This
module knows nothing about models: it turns CSV (UTF-8 with or without BOM, CP949/EUC-KR) and
XLSX files into numbered rows of strings keyed by column, parses them by the columns, and
reports problems as `RowError`s with the row number the user sees in a spreadsheet or text
editor. Writing is `sandan.core.bulk`'s (re-exported here).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import sys
import unicodedata
from collections.abc import Callable, Hashable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from pathlib import Path
from typing import IO, Any, TypeVar

from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

# Re-exported: importers write through these.
from sandan.core.bulk import (
    ANALYSE_AFTER_ROWS as ANALYSE_AFTER_ROWS,
)
from sandan.core.bulk import (
    UpsertPlan as UpsertPlan,
)
from sandan.core.bulk import (
    changes_between as changes_between,
)
from sandan.core.bulk import (
    complete_values as complete_values,
)
from sandan.core.bulk import (
    existing_values as existing_values,
)
from sandan.core.bulk import (
    fast_insert as fast_insert,
)
from sandan.core.bulk import (
    refresh_statistics as refresh_statistics,
)
from sandan.core.bulk import (
    stored_fields as stored_fields,
)

T = TypeVar("T")
Parser = Callable[[str], Any]  # text → value; raises ValueError(reason) (or CellError)
Rule = Callable[[Any, Mapping[str, Any]], None]  # (value, the row's values); raises ValueError

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
    the factor that converts it to the unit we store (e.g. ㎡ → 천㎡ is 0.001). `parse` turns
    a cell's text into a value (a `Number` is scaled by the file's unit); `validate` checks
    the value against the rest of the row. A column without a parser is read as text.
    """

    key: str
    label: str
    aliases: tuple[str, ...] = ()
    required: bool = False
    units: tuple[tuple[str, Decimal], ...] = ()
    parse: Parser | None = None
    validate: Rule | None = None

    def matches(self, base: str) -> bool:
        return base in {_norm(name) for name in (self.label, *self.aliases)}

    def factor_for(self, unit: str) -> Decimal:
        for name, factor in self.units:
            if _norm(unicodedata.normalize("NFKC", name)) == unit:
                return factor
        return Decimal(1)

    def parser_for(self, factor: Decimal) -> Parser | None:
        """The parser for one file: a unit column's `Number` scaled to the file's unit."""
        if self.units and isinstance(self.parse, Number):
            return self.parse.scaled(factor)
        return self.parse


def columns_by_key(*declared: Column) -> dict[str, Column]:
    """An importer's columns by key, in the order declared."""
    return {column.key: column for column in declared}


def bind(declared: Mapping[str, Column], **parsers: Parser) -> list[Column]:
    """The columns with parsers that need this import's look-ups (a province by name, a
    firm by business number), loaded once per import."""
    return [
        replace(column, parse=parsers[key]) if key in parsers else column
        for key, column in declared.items()
    ]


def column_heading(column: Column) -> str:
    """The header a sample file writes for `column`: its label, with the unit it is stored in
    when the column reads several ("생산(억원)")."""
    stored = next((name for name, factor in column.units if factor == 1), None)
    return f"{column.label}({stored})" if stored else column.label


def sample_csv(columns: Sequence[Column], rows: Iterable[dict[str, str]]) -> bytes:
    """A sample file for an importer, built from its own column description so that the two
    cannot drift apart: a UTF-8 CSV (with BOM, which Excel needs to read Hangul) whose header
    row is every column the importer reads, then `rows` (column key → cell)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([column_heading(column) for column in columns])
    for row in rows:
        writer.writerow([row.get(column.key, "") for column in columns])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


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
    source: Source, columns: Iterable[Column], *, filename: str | None = None
) -> tuple[Table | None, list[RowError]]:
    """Read a CSV or XLSX file and find its header; errors say which column is missing.

    Columns the importer does not know are ignored; a missing required column is one error
    on the header row naming every missing column."""
    columns = tuple(columns)
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
    try:
        value = (value * factor).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    except InvalidOperation:  # more digits than the context holds ('1e30'): too large anyway
        raise ValueError(_("값이 너무 큽니다.")) from None
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


def parse_choice(text: str, choices: Mapping[str, str], *, default: str | None = None) -> str:
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


class CellError(ValueError):
    """A parser's reason, reporting `value` (e.g. the cleaned text) instead of the raw cell."""

    def __init__(self, reason: object, value: str | None = None) -> None:
        super().__init__(str(reason))
        self.value = value


@dataclass(frozen=True)
class Number:
    """A decimal cell (`parse_decimal`); a unit column's parser is scaled by the file's unit."""

    places: int = 1
    max_digits: int = 12
    factor: Decimal = Decimal(1)

    def __call__(self, text: str) -> Decimal:
        return parse_decimal(
            text, places=self.places, factor=self.factor, max_digits=self.max_digits
        )

    def scaled(self, factor: Decimal) -> Number:
        return Number(self.places, self.max_digits, factor)


@dataclass(frozen=True)
class Integer:
    """A whole number (`parse_int`, '1,234' → 1234); blank or '-' is 0, or None if `empty`
    is None (unknown rather than zero)."""

    empty: int | None = 0

    def __call__(self, text: str) -> int | None:
        if self.empty is None and text.strip() in ("", "-"):
            return None
        return parse_int(text)


@dataclass(frozen=True)
class Choice:
    """A label mapped to a code through normalised variants (`parse_choice`)."""

    labels: Mapping[str, str]
    default: str | None = None

    def __call__(self, text: str) -> str:
        return parse_choice(text, self.labels, default=self.default)


EMPTY = gettext_lazy("값이 비어 있습니다.")
TOO_LONG = gettext_lazy("%(n)d자를 넘을 수 없습니다.")


@dataclass(frozen=True)
class Text:
    """Text, its `spaces` collapsed ('collapse'), stripped ('strip') or with line ends made
    '\\n' ('lines'). A blank `required` cell or one longer than `max_length` is an error,
    reported with the cleaned text (`show_raw`: with the cell as written)."""

    max_length: int
    required: bool = False
    spaces: str = "collapse"
    show_raw: bool = False
    empty: str | Promise = EMPTY
    too_long: str | Promise = TOO_LONG

    def __post_init__(self) -> None:
        if self.spaces not in ("collapse", "strip", "lines"):
            raise ValueError(f"unknown spaces rule {self.spaces!r}")

    def __call__(self, text: str) -> str:
        if self.spaces == "collapse":
            cleaned = " ".join(text.split())
        elif self.spaces == "strip":
            cleaned = text.strip()
        else:
            cleaned = text.replace("\r\n", "\n").strip()
        if self.required and not cleaned:
            raise CellError(self.empty, text if self.show_raw else "")
        if len(cleaned) > self.max_length:
            n = self.max_length
            reason = str(self.too_long) % {"n": n, "max": f"{n:,}"}
            raise CellError(reason, text if self.show_raw else cleaned)
        return cleaned


# --- rows: parse the cells of every row by the columns ---------------------------------------


class Row:
    """One data row: its number, its cells ({column key: text}) and the import's errors.

    `parse()` runs the columns' parsers and validators; an error is reported on this row
    under the column's Korean name. `ok` says whether this row has added no error so far.
    """

    __slots__ = ("_reader", "_start", "cells", "errors", "number")

    def __init__(
        self, reader: RowReader, number: int, cells: dict[str, str], errors: list[RowError]
    ) -> None:
        self._reader = reader
        self.number = number
        self.cells = cells
        self.errors = errors
        self._start = len(errors)

    @property
    def ok(self) -> bool:
        return len(self.errors) == self._start

    def has(self, key: str) -> bool:
        """Whether the file has this column."""
        return key in self.cells

    def text(self, key: str) -> str:
        return self.cells.get(key, "")

    def error(self, key: str, value: str, reason: object) -> None:
        column = self._reader.columns.get(key)
        label = column.label if column is not None else key
        self.errors.append(RowError(self.number, label, value, str(reason)))

    def parse(self, *keys: str, first_error: bool = False) -> dict[str, Any]:
        """The parsed values of the file's columns (of `keys`, in that order; else every
        column with a parser). A bad cell is reported and left out; with `first_error`
        parsing stops at it. Validators then run on the values that parsed."""
        steps, rules = self._reader.plans.get(keys) or self._reader.plan(keys)
        cells = self.cells
        values: dict[str, Any] = {}
        for key, parse in steps:
            text = cells[key]
            try:
                values[key] = parse(text)
            except ValueError as exc:
                shown = exc.value if isinstance(exc, CellError) and exc.value is not None else text
                self.error(key, shown, exc)
                if first_error:
                    return values
        for key, validate in rules:
            if key in values:
                try:
                    validate(values[key], values)
                except ValueError as exc:
                    self.error(key, cells[key], exc)
                    if first_error:
                        break
        return values


class RowReader:
    """The columns of one table, with each present column's parser prepared once."""

    def __init__(self, table: Table, declared: Iterable[Column]) -> None:
        self.table = table
        self.columns = {column.key: column for column in declared}
        self.parsers: dict[str, Parser] = {}
        for key, column in self.columns.items():
            parse = column.parser_for(table.factors[key]) if table.has(key) else None
            if parse is not None:
                self.parsers[key] = parse
        self.plans: dict[tuple[str, ...], tuple[list[tuple[str, Parser]], list[Any]]] = {}

    def plan(
        self, keys: tuple[str, ...]
    ) -> tuple[list[tuple[str, Parser]], list[tuple[str, Rule]]]:
        """(key, parser) of the named columns in the file (all, if none named), then their
        (key, validator) pairs: worked out once per import, not once per row."""
        plan = self.plans.get(keys)
        if plan is None:
            named = keys or tuple(self.parsers)
            steps = [(key, self.parsers[key]) for key in named if key in self.parsers]
            rules = [
                (key, validate)
                for key, _parse in steps
                if (validate := self.columns[key].validate) is not None
            ]
            plan = self.plans[keys] = (steps, rules)
        return plan

    def rows(
        self, errors: list[RowError], *, progress: bool = False, desc: str = ""
    ) -> Iterator[Row]:
        for number, cells in self.table.records(progress=progress, desc=desc):
            yield Row(self, number, cells, errors)


def validate_rows(
    table: Table,
    declared: Iterable[Column],
    build: Callable[[Row], tuple[Hashable, T] | None],
    *,
    report: ImportReport,
    errors: list[RowError],
    duplicate: Callable[[Row, T, int], None],
    skip: Callable[[Row], bool] | None = None,
    progress: bool = False,
    desc: str = "",
) -> list[T]:
    """Check every row: `build` returns (natural key, item) or None for a bad row (whose
    errors it reported). A row whose key repeats an earlier row's is reported through
    `duplicate(row, item, earlier row number)`. Rows `skip` says are not counted."""
    reader = RowReader(table, declared)
    items: list[T] = []
    seen: dict[Hashable, int] = {}
    for row in reader.rows(errors, progress=progress, desc=desc):
        if skip is not None and skip(row):
            continue
        report.total_rows += 1
        built = build(row)
        if built is None:
            continue
        key, item = built
        if key in seen:
            duplicate(row, item, seen[key])
            continue
        seen[key] = row.number
        items.append(item)
    return items


def finish(report: ImportReport, errors: list[RowError]) -> ImportReport:
    """The report with every error in row order; a failed import counts nothing."""
    report.errors = sorted(errors, key=lambda e: e.row)
    if report.errors:
        report.created = report.updated = report.unchanged = 0
    return report


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
