"""PDF reports with Hangul that renders, on fpdf2 (ADR 0013).

`Report` is an A4 document set in the vendored PretendardGOV (Regular and Bold, in
`sandan/core/fonts/`; nothing is downloaded at run time). fpdf2 embeds only the glyphs used
(a subset) with a ToUnicode map, so the Hangul shows in every viewer and can be searched and
copied. The builder offers what reports need: a title with a subtitle line, headings, key
figures, tables (header row repeated after a page break, numbers right-aligned with thousands
separators, an optional bold total row) and a horizontal bar chart drawn with rectangles.

    report = Report(_("성과 보고서"), [_("2010년 사업"), _("전국")], landscape=True)
    report.heading(_("분야별"))
    report.data_table([_("분야"), _("기업 수")], [["기술개발", 12]], numeric=[False, True])
    data = report.output_bytes()

Text comes in as given: callers pass translated labels (gettext), so the English interface
gets an English report once the strings are translated.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path

from fpdf import FPDF, FontFace
from fpdf.enums import Align, TableBordersLayout, TableCellFillMode, XPos, YPos

FONT_DIR = Path(__file__).resolve().parent / "fonts"
FAMILY = "PretendardGOV"
FONT_FILES = {"": "PretendardGOV-Regular.ttf", "B": "PretendardGOV-Bold.ttf"}

Value = str | int | float | Decimal | None
RGB = tuple[int, int, int]

# KRDS-like colours: primary blue, greys for rules and secondary text.
INK: RGB = (30, 33, 36)
MUTED: RGB = (88, 97, 106)
RULE: RGB = (205, 209, 213)
HEAD_FILL: RGB = (236, 242, 254)
STRIPE: RGB = (246, 247, 248)
PALETTE: tuple[RGB, ...] = (
    (37, 99, 235),
    (14, 159, 110),
    (234, 138, 0),
    (200, 54, 84),
    (111, 66, 193),
    (0, 138, 168),
)
EMPTY = "–"


def format_value(value: Value, decimals: int = 0) -> str:
    """A cell's text: integers with thousands separators, other numbers rounded to
    `decimals` places, None as a dash, text as is."""
    if value is None:
        return EMPTY
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float | Decimal):
        return f"{value:,.{decimals}f}"
    return value


class Report(FPDF):
    """An A4 report: title and subtitle on the first page, page numbers in the footer."""

    def __init__(
        self,
        title: str,
        subtitle: Sequence[str] = (),
        *,
        landscape: bool = False,
        language: str = "ko",
        author: str = "sandan",
    ) -> None:
        super().__init__(orientation="L" if landscape else "P", unit="mm", format="A4")
        for style, name in FONT_FILES.items():
            self.add_font(FAMILY, style, str(FONT_DIR / name))
        self.report_title = title
        self.set_title(title)
        self.set_lang(language)
        self.set_author(author)
        self.set_creator("sandan")
        self.set_subject(" · ".join(subtitle) if subtitle else title)
        self.set_margins(15, 15, 15)
        self.set_auto_page_break(auto=True, margin=18)
        self.set_text_color(*INK)
        self.add_page()
        self.set_font(FAMILY, "B", 18)
        self.multi_cell(0, 9, title, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        if subtitle:
            self.set_font(FAMILY, "", 9.5)
            self.set_text_color(*MUTED)
            self.multi_cell(0, 5.5, "  ·  ".join(subtitle), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
            self.set_text_color(*INK)
        self.ln(2)
        self._rule()
        self.ln(4)

    # Page furniture -------------------------------------------------------------------

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font(FAMILY, "", 8)
        self.set_text_color(*MUTED)
        self.cell(0, 5, self.report_title, align=Align.L)
        self.set_x(self.l_margin)
        self.cell(0, 5, f"{self.page_no()} / {{nb}}", align=Align.R)
        self.set_text_color(*INK)

    def _rule(self) -> None:
        self.set_draw_color(*RULE)
        self.set_line_width(0.3)
        self.line(self.l_margin, self.get_y(), self.w - self.r_margin, self.get_y())

    def _room_for(self, height: float) -> None:
        """Start a new page unless `height` mm still fit on this one."""
        if self.get_y() + height > self.page_break_trigger:
            self.add_page()

    # Blocks -------------------------------------------------------------------------

    def heading(self, text: str, *, keep_with: float = 30) -> None:
        """A section heading, kept on the page of at least `keep_with` mm that follow."""
        self._room_for(10 + keep_with)
        self.ln(2)
        self.set_font(FAMILY, "B", 13)
        self.multi_cell(0, 7, text, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.ln(1.5)

    def note(self, text: str) -> None:
        """A line of secondary text (a caption, a unit, a remark)."""
        self.set_font(FAMILY, "", 8.5)
        self.set_text_color(*MUTED)
        self.multi_cell(0, 4.5, text, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.set_text_color(*INK)
        self.ln(1)

    def figures(self, items: Sequence[tuple[str, str]], *, columns: int = 4) -> None:
        """Key figures as boxes of a label over a value, `columns` to a row."""
        gap = 3.0
        width = (self.epw - gap * (columns - 1)) / columns
        height = 16.0
        for start in range(0, len(items), columns):
            self._room_for(height + gap)
            top = self.get_y()
            for index, (label, value) in enumerate(items[start : start + columns]):
                left = self.l_margin + index * (width + gap)
                self.set_draw_color(*RULE)
                self.set_fill_color(*STRIPE)
                self.rect(left, top, width, height, style="DF")
                self.set_xy(left + 3, top + 2)
                self.set_font(FAMILY, "", 8)
                self.set_text_color(*MUTED)
                self.cell(width - 6, 4.5, _fit(self, label, width - 6))
                self.set_xy(left + 3, top + 7.5)
                self.set_font(FAMILY, "B", 12)
                self.set_text_color(*INK)
                self.cell(width - 6, 6.5, _fit(self, value, width - 6))
            self.set_xy(self.l_margin, top + height + gap)
        self.ln(2)

    def data_table(
        self,
        header: Sequence[str],
        rows: Sequence[Sequence[Value]],
        *,
        numeric: Sequence[bool] | None = None,
        widths: Sequence[float] | None = None,
        total: Sequence[Value] | None = None,
        decimals: int = 0,
        empty: str = EMPTY,
        caption: str = "",
        width: float | None = None,
    ) -> None:
        """A table as wide as the page (or `width` mm, from the left margin): a bold header
        row repeated on every page the table spans, striped rows, numeric columns
        right-aligned with thousands separators, and an optional bold `total` row. Column
        `widths` (relative) are worked out from the contents unless given. With no rows, one
        row says `empty`."""
        count = len(header)
        numeric = list(numeric) if numeric is not None else [False] * count
        if len(numeric) != count or any(len(row) != count for row in rows):
            raise ValueError("every row and `numeric` must have one entry per column")
        aligns = tuple(Align.R if flag else Align.L for flag in numeric)
        texts = [[format_value(value, decimals) for value in row] for row in rows]
        if total is not None:
            texts.append([format_value(value, decimals) for value in total])
        if caption:
            self._room_for(30)
            self.note(caption)
        self.set_font(FAMILY, "", 8.5)
        self.set_draw_color(*RULE)
        self.set_line_width(0.2)
        # fpdf2 fills every cell with the current fill colour (e.g. a chart's last bar).
        self.set_fill_color(255, 255, 255)
        head = FontFace(family=FAMILY, emphasis="BOLD", fill_color=HEAD_FILL, color=INK)
        bold = FontFace(family=FAMILY, emphasis="BOLD")
        width = min(width or self.epw, self.epw)
        if widths is None:
            widths = self._widths(header, texts, numeric, width)
        with self.table(
            col_widths=tuple(widths),
            text_align=aligns,
            headings_style=head,
            line_height=5.5,
            padding=(1.2, 2.0),
            borders_layout=TableBordersLayout.HORIZONTAL_LINES,
            cell_fill_color=STRIPE,
            cell_fill_mode=TableCellFillMode.EVEN_ROWS,
            repeat_headings=1,
            width=width,
            align=Align.L,
        ) as table:
            heading_row = table.row()
            for text in header:
                heading_row.cell(text)
            for index, cells in enumerate(texts):
                is_total = total is not None and index == len(texts) - 1
                row = table.row(style=bold if is_total else None)
                for text in cells:
                    row.cell(text)
            if not rows:
                table.row().cell(empty, align=Align.C, colspan=count)
        self.ln(4)

    def _widths(
        self,
        header: Sequence[str],
        texts: Sequence[Sequence[str]],
        numeric: Sequence[bool],
        width: float,
    ) -> list[float]:
        """Column widths (mm): every number fits on one line, a header on at most two;
        text columns take what they need up to a third of the page, and what is left is
        shared by the numeric columns."""
        padding = 5.0
        needs: list[float] = []
        for column, title in enumerate(header):
            self.set_font(FAMILY, "B", 8.5)
            whole = self.get_string_width(title)
            longest = max((self.get_string_width(word) for word in title.split()), default=0.0)
            widest = max(longest, whole / 2)
            self.set_font(FAMILY, "", 8.5)
            for cells in texts:
                widest = max(widest, self.get_string_width(cells[column]))
            if not numeric[column]:
                widest = min(widest, width / 3)
            needs.append(widest + padding)
        spare = width - sum(needs)
        if spare < 0:
            return [need * width / sum(needs) for need in needs]
        share = spare / max(1, sum(numeric))
        if not any(numeric):
            share = spare / len(needs)
        return [
            need + share if flag or not any(numeric) else need
            for need, flag in zip(needs, numeric, strict=True)
        ]

    def bar_chart(
        self,
        title: str,
        labels: Sequence[str],
        series: Sequence[tuple[str, Sequence[float | int | None]]],
        *,
        unit: str = "",
        decimals: int = 0,
        label_width: float = 45,
        empty: str = EMPTY,
    ) -> None:
        """A titled chart of horizontal bars, one group per label and one bar per series
        (with a legend when there is more than one), drawn with rectangles on a common scale
        from zero. The chart starts on a new page when it would not fit on this one."""
        values = [float(v or 0) for _name, data in series for v in data]
        if any(len(data) != len(labels) for _name, data in series):
            raise ValueError("every series must have one value per label")
        bar = 4.2 if len(series) == 1 else 2.6
        group_gap = 2.5
        height = 20.0 + 7 * (len(series) > 1) + 6 * bool(unit)
        height += len(labels) * (bar * len(series) + group_gap)
        if height <= self.page_break_trigger - self.t_margin:
            self._room_for(height)
        self.heading(title, keep_with=20)
        if not labels or not values:
            self.note(empty)
            return
        peak = max(values) or 1.0
        value_room = 24.0
        left = self.l_margin + label_width
        span = self.epw - label_width - value_room
        if len(series) > 1:
            self._legend(series)
        if unit:
            self.note(unit)
        for index, label in enumerate(labels):
            group = bar * len(series)
            self._room_for(group + group_gap)
            top = self.get_y()
            self.set_font(FAMILY, "", 8)
            self.set_text_color(*INK)
            self.set_xy(self.l_margin, top + group / 2 - 2.5)
            self.cell(label_width - 2, 5, _fit(self, label, label_width - 3), align=Align.R)
            for position, (_name, data) in enumerate(series):
                raw = data[index]
                value = float(raw or 0)
                y = top + position * bar
                length = span * value / peak
                self.set_fill_color(*PALETTE[position % len(PALETTE)])
                if length > 0:
                    self.rect(left, y + 0.4, max(length, 0.3), bar - 0.8, style="F")
                self.set_font(FAMILY, "", 6.5 if len(series) > 1 else 7.5)
                self.set_text_color(*MUTED)
                self.set_xy(left + length + 1, y)
                self.cell(value_room - 1, bar, format_value(raw, decimals) if raw else "0")
            self.set_draw_color(*RULE)
            self.set_line_width(0.3)
            self.line(left, top, left, top + group)
            self.set_xy(self.l_margin, top + group + group_gap)
        self.set_text_color(*INK)
        self.set_fill_color(255, 255, 255)
        self.ln(3)

    def _legend(self, series: Sequence[tuple[str, Sequence[float | int | None]]]) -> None:
        self.set_font(FAMILY, "", 8)
        self._room_for(8)
        x, y = self.l_margin, self.get_y()
        for position, (name, _data) in enumerate(series):
            width = self.get_string_width(name) + 9
            if x + width > self.w - self.r_margin:
                x, y = self.l_margin, y + 5.5
            self.set_fill_color(*PALETTE[position % len(PALETTE)])
            self.rect(x, y + 1.2, 3, 3, style="F")
            self.set_xy(x + 4, y)
            self.cell(width - 4, 5.5, name)
            x += width
        self.set_xy(self.l_margin, y + 7)

    def output_bytes(self) -> bytes:
        return bytes(self.output())


def _fit(pdf: FPDF, text: str, width: float) -> str:
    """`text`, cut with an ellipsis if it is wider than `width` mm in the current font."""
    if pdf.get_string_width(text) <= width:
        return text
    cut = max(1, math.floor(len(text) * width / max(pdf.get_string_width(text), 1e-6)))
    while cut > 1 and pdf.get_string_width(text[:cut] + "…") > width:
        cut -= 1
    return text[:cut] + "…"
