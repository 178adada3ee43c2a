"""The declarative import columns of `sandan.core.io`: names and aliases, parsers, row rules."""

from __future__ import annotations

import io
import re
from collections.abc import Hashable, Mapping
from decimal import Decimal
from typing import Any

import pytest

from sandan.core.io import (
    CellError,
    Choice,
    Column,
    ImportReport,
    Integer,
    Number,
    Row,
    RowError,
    RowReader,
    Table,
    Text,
    bind,
    columns_by_key,
    finish,
    read_table,
    validate_rows,
)

AREA_UNITS = (("천㎡", Decimal(1)), ("㎡", Decimal("0.001")))


def _at_most_tenants(operating: int, values: Mapping[str, Any]) -> None:
    if operating > values.get("tenants", operating):
        raise ValueError("가동업체 수가 입주업체 수보다 많습니다.")


COLUMNS = columns_by_key(
    Column(
        "name", "단지명", ("산업단지명", "complex"), required=True, parse=Text(10, required=True)
    ),
    Column("municipality", "시군", ("시군구",), required=True),
    Column("area", "지정면적", (), units=AREA_UNITS, parse=Number()),
    Column("tenants", "입주업체", ("입주업체수",), parse=Integer()),
    Column("operating", "가동업체", (), parse=Integer(), validate=_at_most_tenants),
)


def _csv(text: str) -> io.BytesIO:
    data = io.BytesIO(text.encode("utf-8"))
    data.name = "complexes.csv"
    return data


def _table(text: str) -> Table:
    table, errors = read_table(_csv(text), COLUMNS.values())
    assert table is not None, errors
    return table


def _rows(text: str, errors: list[RowError]) -> list[Row]:
    return list(RowReader(_table(text), COLUMNS.values()).rows(errors))


# --- names and aliases ------------------------------------------------------------------------


def test_aliases_middle_dots_spaces_and_english_names_find_a_column() -> None:
    table = _table("Complex,시·군·구,입주업체 수\n반월,안산시,12\n")
    assert table.positions == {"name": 0, "municipality": 1, "tenants": 2}


def test_a_unit_in_parentheses_scales_a_number_column() -> None:
    errors: list[RowError] = []
    [row] = _rows('단지명,시군,지정면적 (㎡)\n반월,안산시,"15,200,049"\n', errors)
    assert row.parse() == {"name": "반월", "area": Decimal("15200.0")}
    assert errors == []


def test_a_missing_required_column_is_one_error_on_the_header_row() -> None:
    table, errors = read_table(_csv("제목 행\n\n단지명,지정면적\n반월,1\n"), COLUMNS.values())
    assert table is None
    assert errors == [RowError(3, "시군", "단지명, 지정면적", "필수 열이 없습니다.")]


def test_unknown_columns_are_ignored() -> None:
    errors: list[RowError] = []
    [row] = _rows("단지명,비고,시군\n반월,아무 말,안산시\n", errors)
    assert row.cells == {"name": "반월", "municipality": "안산시"}
    assert row.parse() == {"name": "반월"} and errors == []


# --- parsers -------------------------------------------------------------------------------------


def test_number_reads_commas_blanks_and_units() -> None:
    assert Number()("1,234.56") == Decimal("1234.6")
    assert Number()("-") == Decimal("0.0")
    assert Number(places=2).scaled(Decimal("0.001"))("350,456") == Decimal("350.46")
    for text, reason in (("12만", "숫자가 아닙니다."), ("-5", "음수는 쓸 수 없습니다.")):
        with pytest.raises(ValueError, match=re.escape(reason)):
            Number()(text)
    for text in ("1000", "1e30"):  # 1e30 once escaped as decimal.InvalidOperation (a 500)
        with pytest.raises(ValueError, match=re.escape("값이 너무 큽니다.")):
            Number(max_digits=4)(text)


def test_integer_reads_commas_and_excel_floats_and_knows_unknown_from_zero() -> None:
    assert Integer()("2,981") == 2981
    assert Integer()("12.0") == 12
    assert Integer()("") == 0
    assert Integer(empty=None)("-") is None
    assert Integer(empty=None)("0") == 0
    with pytest.raises(ValueError, match=re.escape("정수가 아닙니다.")):
        Integer()("1.5")


def test_choice_compares_normalised_labels_and_falls_back_to_its_default() -> None:
    kinds = Choice({"국가산업단지": "national", "농공단지": "agro_industrial"}, default="national")
    assert kinds("국가 산업단지") == "national"
    assert kinds("") == "national"
    with pytest.raises(ValueError, match=re.escape("알 수 없는 값입니다.")):
        kinds("공업")
    with pytest.raises(ValueError, match=re.escape("값이 비어 있습니다.")):
        Choice({"국가": "national"})("")


def test_text_cleans_spaces_and_reports_the_cleaned_or_the_raw_text() -> None:
    assert Text(20)("  창원  국가 산단 ") == "창원 국가 산단"
    assert Text(20, spaces="lines")("첫 줄\r\n둘째  줄 ") == "첫 줄\n둘째  줄"
    with pytest.raises(CellError) as empty:
        Text(5, required=True)("   ")
    assert (str(empty.value), empty.value.value) == ("값이 비어 있습니다.", "")
    with pytest.raises(CellError) as long:
        Text(3)("가  나다라")
    assert (str(long.value), long.value.value) == ("3자를 넘을 수 없습니다.", "가 나다라")
    with pytest.raises(CellError) as raw:
        Text(1_000, show_raw=True, too_long="%(max)s자를 넘습니다.")("가 " * 600)
    assert str(raw.value) == "1,000자를 넘습니다." and raw.value.value == "가 " * 600


def test_bind_gives_a_column_its_parser_for_one_import() -> None:
    provinces = {"경기": 41}
    bound = {column.key: column for column in bind(COLUMNS, municipality=provinces.__getitem__)}
    assert bound["municipality"].parse is not None and COLUMNS["municipality"].parse is None
    assert bound["name"] is COLUMNS["name"]


# --- rows ----------------------------------------------------------------------------------------


def test_every_bad_cell_of_a_row_is_reported_with_row_column_and_value() -> None:
    errors: list[RowError] = []
    [good, bad] = _rows("단지명,시군,입주업체,가동업체\n반월,안산시,10,9\n,시흥시,열,-3\n", errors)
    assert good.parse() == {"name": "반월", "tenants": 10, "operating": 9} and good.ok
    assert bad.parse() == {} and not bad.ok
    assert errors == [
        RowError(3, "단지명", "", "값이 비어 있습니다."),
        RowError(3, "입주업체", "열", "정수가 아닙니다."),
        RowError(3, "가동업체", "-3", "음수는 쓸 수 없습니다."),
    ]


def test_first_error_stops_at_the_first_bad_cell_in_the_order_asked() -> None:
    errors: list[RowError] = []
    [row] = _rows("단지명,시군,입주업체,가동업체\n,시흥시,열,-3\n", errors)
    assert row.parse("operating", "name", first_error=True) == {}
    assert [e.column for e in errors] == ["가동업체"]


def test_a_validator_checks_a_value_against_the_rest_of_the_row() -> None:
    errors: list[RowError] = []
    rows = _rows("단지명,입주업체,가동업체,시군\n반월,10,11,안산\n시화,열,11,시흥\n", errors)
    for row in rows:
        row.parse()
    # Row 3's 입주 did not parse: nothing to compare 가동 with, so only the number is reported.
    assert errors == [
        RowError(2, "가동업체", "11", "가동업체 수가 입주업체 수보다 많습니다."),
        RowError(3, "입주업체", "열", "정수가 아닙니다."),
    ]


def _complex(row: Row) -> tuple[Hashable, str] | None:
    values = row.parse()
    return ((values["name"], row.text("municipality")), values["name"]) if row.ok else None


def test_validate_rows_counts_rows_skips_totals_and_names_repeated_keys() -> None:
    report = ImportReport(kind="complexes")
    errors: list[RowError] = []
    text = "단지명,시군\n반월,안산시\n합계,\n시화,시흥시\n반월,안산시\n,안산시\n"

    def duplicate(row: Row, item: str, first: int) -> None:
        row.error("name", item, f"{first}행과 같은 단지입니다.")

    items = validate_rows(
        _table(text),
        COLUMNS.values(),
        _complex,
        report=report,
        errors=errors,
        duplicate=duplicate,
        skip=lambda row: row.text("name") == "합계",
    )
    assert items == ["반월", "시화"]
    assert report.total_rows == 4
    assert errors == [
        RowError(5, "단지명", "반월", "2행과 같은 단지입니다."),
        RowError(6, "단지명", "", "값이 비어 있습니다."),
    ]


def test_finish_lists_errors_by_row_and_a_failed_import_counts_nothing() -> None:
    report = ImportReport(kind="complexes", created=3, updated=1)
    errors = [RowError(5, "시도", "경긱", "x"), RowError(2, "유형", "공업", "y")]
    assert [e.row for e in finish(report, errors).errors] == [2, 5]
    assert (report.created, report.updated, report.ok) == (0, 0, False)
