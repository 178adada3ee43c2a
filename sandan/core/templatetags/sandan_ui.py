"""Template helpers shared by every page: masking, Korean numbers, money, local names."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import template

from sandan.core import i18n, money, privacy

register = template.Library()


# Input types KRDS draws through a wrapper of their own (check boxes, radios, files) or
# that are never seen: they get no `krds-input` class.
_NOT_KRDS_INPUT = frozenset({"checkbox", "radio", "file", "hidden", "submit", "button", "image"})


@register.simple_tag
def krds_input_class(input_type: str) -> str:
    """The KRDS class of a form input of type `input_type` ("" when it takes none)."""
    return "" if input_type in _NOT_KRDS_INPUT else "krds-input"


@register.filter
def mask(value: Any, visible: bool) -> str:
    """Personal data shown only when the row's `contact_visible` says so."""
    return privacy.masked("" if value is None else str(value), bool(visible))


@register.filter
def number(value: Any, digits: int = 0) -> str:
    """A number with thousands separators and `digits` decimals (None → "–")."""
    if value is None or value == "":
        return "–"
    try:
        amount = Decimal(str(value))
    except ArithmeticError:
        return str(value)
    places = int(digits)
    # Korean and English both group by thousands with "," and mark decimals with ".";
    # Python's own format is ~40x cheaper than humanize's locale-aware intcomma per cell.
    return f"{round(amount, places):,.{places}f}"


@register.filter
def percent(part: Any, whole: Any) -> str:
    try:
        return f"{Decimal(part) * 100 / Decimal(whole):.1f}%"
    except (ArithmeticError, TypeError, ValueError):
        return "–"


@register.filter
def lookup(mapping: Any, key: Any) -> Any:
    """`mapping[key]`, or the key itself when the mapping has no such entry."""
    try:
        return mapping.get(key, key)
    except AttributeError:
        return key


@register.filter
def province_short(province: Any) -> str:
    """A province's short name for tables: "경남" in Korean, its English name in English."""
    if province is None:
        return ""
    return i18n.pick_name(province.short_ko, province.name_en)


@register.filter
def local_name(obj: Any) -> str:
    """`name_en` in English when there is one, else `name_ko` (zones, provinces, …)."""
    return i18n.local_name(obj)


# Money: one family of formats, the rule of which unit where is in sandan.core.money.
# `{{ amount|won }}` → "13,610,000원"; `{{ amount|won:"bare" }}` → "13,610,000" (in a
# table whose column header carries the unit).


@register.filter
def won(value: Any, bare: str = "") -> str:
    """An exact amount in 원 (one record's own amounts)."""
    return money.won(value, bare=bool(bare))


@register.filter
def million_won(value: Any, bare: str = "") -> str:
    """An amount in 원 shown in 백만원 (sums and lists across records)."""
    return money.million_won(value, bare=bool(bare))


@register.filter
def eok(value: Any, bare: str = "") -> str:
    """An amount kept in 억원, the Korean way: 1조 2,345억원.

    In English: KRW 1.23 trillion / KRW 234.5 billion.
    """
    return money.eok(value, bare=bool(bare))


@register.filter
def usd(value: Any, bare: str = "") -> str:
    """An amount in US dollars."""
    return money.usd(value, bare=bool(bare))


@register.filter
def figure_for(value: Any, name: str) -> str:
    """A table cell of field `name`, bare, in the unit its name implies (`*_krw`: 백만원)."""
    return money.by_field_name(value, str(name))


@register.simple_tag
def page_links(page: Any) -> list[Any]:
    """Page numbers around the current one, with Paginator.ELLIPSIS for the gaps."""
    return list(page.paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1))


@register.simple_tag(takes_context=True)
def may_see_contacts(context: template.Context, obj: Any) -> bool:
    """Whether the current user may see `obj`'s personal contact fields ("contact" action)."""
    request = context.get("request")
    return privacy.may_see_contacts(getattr(request, "user", None), obj)
