"""The number filters of sandan_ui: thousands separators, fixed decimals, 억원."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.template import Context, Template
from django.utils import translation

from sandan.core.templatetags.sandan_ui import eok, number


@pytest.mark.parametrize(
    ("value", "digits", "shown"),
    [
        (1234567, 0, "1,234,567"),
        (999, 0, "999"),
        (-1234567, 0, "-1,234,567"),
        (1234.56, 1, "1,234.6"),
        (Decimal("1234.549"), 2, "1,234.55"),
        ("12.5", 2, "12.50"),
        (0, 0, "0"),
        (None, 0, "–"),
        ("", 1, "–"),
        ("–", 0, "–"),  # after default_if_none:"–"
        ("n/a", 0, "n/a"),
    ],
)
def test_number(value: Any, digits: int, shown: str) -> None:
    assert number(value, digits) == shown


@pytest.mark.parametrize("language", ["ko", "en"])
def test_number_groups_the_same_way_in_both_languages(language: str) -> None:
    with translation.override(language):
        html = Template("{% load sandan_ui %}{{ v|number }} {{ w|number:1 }}").render(
            Context({"v": 130000, "w": Decimal("2345.67")})
        )
    assert html == "130,000 2,345.7"


def test_eok_in_korean() -> None:
    with translation.override("ko"):
        assert eok(12345) == "1조 2,345억원"
        assert eok(20000) == "2조원"
        assert eok(Decimal("1234.4")) == "1,234억원"
        assert eok(None) == "–"


def test_eok_in_english() -> None:
    with translation.override("en"):
        # No-break spaces: a figure never wraps away from its unit.
        assert eok(12345) == "KRW\u00a01.23\u00a0trillion"
        assert eok(300) == "KRW\u00a030.0\u00a0billion"
