"""Template helpers shared by every page: masking, Korean numbers, local names."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import template

from sandan.core import i18n, privacy

register = template.Library()


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
def local_name(obj: Any) -> str:
    """`name_en` in English when there is one, else `name_ko` (zones, provinces, …)."""
    return i18n.local_name(obj)


@register.filter
def eok(value: Any) -> str:
    """An amount in 억원 (100 million won), the Korean way: 1조 2,345억원.

    In English: KRW 1.23 trillion / KRW 234.5 billion.
    """
    if value is None or value == "":
        return "–"
    try:
        amount = Decimal(str(value))
    except ArithmeticError:
        return str(value)
    if i18n.is_english():
        won = amount * 100_000_000
        if won >= 10**12:
            return f"KRW {won / 10**12:,.2f} trillion"
        return f"KRW {won / 10**9:,.1f} billion"
    whole = int(amount.to_integral_value())
    jo, rest = divmod(whole, 10_000)
    if jo:
        return f"{jo:,}조 {rest:,}억원" if rest else f"{jo:,}조원"
    return f"{whole:,}억원"


@register.simple_tag
def page_links(page: Any) -> list[Any]:
    """Page numbers around the current one, with Paginator.ELLIPSIS for the gaps."""
    return list(page.paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1))


@register.simple_tag(takes_context=True)
def may_see_contacts(context: template.Context, obj: Any) -> bool:
    """Whether the current user may see `obj`'s personal contact fields ("contact" action)."""
    request = context.get("request")
    return privacy.may_see_contacts(getattr(request, "user", None), obj)
