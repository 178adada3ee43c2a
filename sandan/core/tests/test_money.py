"""Money reads the same on every page: one unit per kind of figure (sandan.core.money), in
Korean and in English, and a figure never wraps away from its unit."""

from __future__ import annotations

from decimal import Decimal

from django.template import Context, Template
from django.utils import translation

from sandan.core import money

NBSP = "\u00a0"


def test_exact_won_for_one_records_amounts() -> None:
    with translation.override("ko"):
        assert money.won(13_610_000) == "13,610,000원"
        assert money.won(13_610_000, bare=True) == "13,610,000"
        assert money.won(None) == "–"
    with translation.override("en"):
        assert money.won(13_610_000) == f"KRW{NBSP}13,610,000"


def test_million_won_for_sums_and_lists() -> None:
    with translation.override("ko"):
        assert money.million_won(13_610_000) == "13.6백만원"
        assert money.million_won(1_234_567_890_123, bare=True) == "1,234,567.9"
        assert money.million_won(0) == "0.0백만원"
    with translation.override("en"):
        assert money.million_won(13_610_000) == f"KRW{NBSP}13.6{NBSP}million"


def test_eok_for_national_figures_kept_in_eok() -> None:
    with translation.override("ko"):
        assert money.eok(Decimal("560000")) == "56조원"
        assert money.eok(Decimal("1234.4"), bare=True) == "1,234"


def test_dollars_for_exports() -> None:
    with translation.override("ko"):
        assert money.usd(13_610_000) == "13,610,000달러"
    with translation.override("en"):
        assert money.usd(13_610_000) == f"USD{NBSP}13,610,000"
        # the regression the issue measured: "13,610,00 / 0 USD" — no space inside the figure
        assert " " not in money.usd(13_610_000)


def test_a_table_cell_takes_its_unit_from_the_field_name() -> None:
    assert money.by_field_name(1_500_000, "sales_increase_krw") == "1.5"
    assert money.by_field_name(250_000, "exports_increase_usd") == "250,000"
    assert money.by_field_name(1234, "new_hires") == "1,234"
    assert money.by_field_name(None, "new_hires") == "–"


def test_the_template_filters_are_the_same_family() -> None:
    template = Template(
        "{% load sandan_ui %}{{ a|won }} {{ a|won:'bare' }} {{ a|million_won }} "
        "{{ a|usd }} {{ b|eok }} {{ a|figure_for:'cost_saved_krw' }}"
    )
    with translation.override("ko"):
        html = template.render(Context({"a": 2_500_000, "b": 300}))
    assert html == "2,500,000원 2,500,000 2.5백만원 2,500,000달러 300억원 2.5"
