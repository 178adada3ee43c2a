"""The PDF report builder: Hangul that extracts, tables that repeat their header on every
page, numbers with thousands separators, page numbers, and refusals of malformed input."""

from __future__ import annotations

import io
from decimal import Decimal

import pypdf
import pytest

from sandan.core.pdf import Report, format_value


def _pages(report: Report) -> list[str]:
    reader = pypdf.PdfReader(io.BytesIO(report.output_bytes()))
    return [page.extract_text() for page in reader.pages]


def test_values_are_written_with_thousands_separators_and_a_dash_for_nothing() -> None:
    assert format_value(12_345_678_900) == "12,345,678,900"
    assert format_value(4.1234, 2) == "4.12"
    assert format_value(Decimal("1234.5"), 1) == "1,234.5"
    assert format_value(None) == "–"
    assert format_value("기술개발") == "기술개발"


def test_a_long_table_repeats_its_header_on_every_page_and_pages_are_numbered() -> None:
    report = Report("성과 보고서", ["2010년 사업", "전국"])
    rows = [[f"거점단지 {index:03}", index * 1_000_000] for index in range(120)]
    report.data_table(["거점단지명", "매출 증가(원)"], rows, numeric=[False, True])
    pages = _pages(report)
    assert len(pages) >= 3
    for number, text in enumerate(pages, start=1):
        assert "거점단지명" in text and "매출 증가(원)" in text
        assert f"{number} / {len(pages)}" in text
    everything = "\n".join(pages)
    assert "거점단지 119" in everything and "119,000,000" in everything
    assert "2010년 사업" in pages[0]


def test_an_empty_table_says_so_and_malformed_input_is_refused() -> None:
    report = Report("빈 보고서", landscape=True)
    report.data_table(["분야", "기업 수"], [], numeric=[False, True], empty="자료가 없습니다.")
    report.bar_chart("분야별 기업 수", [], [("기업 수", [])], empty="그릴 자료가 없습니다.")
    text = "\n".join(_pages(report))
    assert "자료가 없습니다." in text and "그릴 자료가 없습니다." in text
    with pytest.raises(ValueError, match="one entry per column"):
        report.data_table(["분야", "기업 수"], [["기술개발"]])
    with pytest.raises(ValueError, match="one value per label"):
        report.bar_chart("분야별", ["기술개발", "마케팅"], [("기업 수", [3])])


def test_a_chart_labels_its_bars_and_series() -> None:
    report = Report("차트")
    report.bar_chart(
        "분야별 성과 건수",
        ["생산기술사업화", "제조기술효율화"],
        [("특허 출원", [70, 4]), ("신규 고용", [35, 1_253])],
        unit="단위: 건·명",
    )
    text = _pages(report)[0]
    for words in ("분야별 성과 건수", "생산기술사업화", "특허 출원", "신규 고용", "1,253", "70"):
        assert words in text, words
