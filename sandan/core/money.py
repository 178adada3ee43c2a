"""Money on pages: one unit system, one family of formats.

Which unit where (the rule every page follows; the template filters of the same names in
`sandan_ui` wrap these and keep a figure and its unit on one line):

* **원, exact** (`won`) — one record's own amounts, the ones a user types in or checks
  against a rule: a project's budget lines and cost share, a participant's outcome, a
  member's annual fee, a rule's limit. "13,610,000원" / "KRW 13,610,000".
* **백만원** (`million_won`, one decimal) — amounts summed or compared across many records:
  list tables (the project list), dashboards (outcome cards, tables and charts).
  "13.6백만원" / "KRW 13.6 million".
* **억원** (`eok`) — national-scale figures that are kept in 억원 already: program-year
  budgets and complex production. "1조 2,345억원" / "KRW 1.23 trillion".
* **달러** (`usd`) — export figures kept in US dollars. "13,610,000달러" / "USD 13,610,000".

In English the parts are joined by no-break spaces, so that a figure never breaks from its
unit. In a table the unit goes once into the column header ("금액(원)") and the cells carry the
bare figure (`bare=True`); on cards and in sentences the figure carries its unit. Exports
(XLSX, CSV, the API) always carry exact 원 and say so in their headers.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from sandan.core import i18n

MILLION = 1_000_000
DASH = "–"


def _decimal(value: Any) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None


def won(value: Any, *, bare: bool = False) -> str:
    """An exact amount in 원: "13,610,000원" (ko), "KRW 13,610,000" (en)."""
    amount = _decimal(value)
    if amount is None:
        return DASH
    figure = f"{round(amount):,}"
    if bare:
        return figure
    return f"KRW\u00a0{figure}" if i18n.is_english() else f"{figure}원"


def million_won(value: Any, *, bare: bool = False) -> str:
    """An amount in 원 shown in 백만원 with one decimal: "13.6백만원", "KRW 13.6 million"."""
    amount = _decimal(value)
    if amount is None:
        return DASH
    figure = f"{amount / MILLION:,.1f}"
    if bare:
        return figure
    return f"KRW\u00a0{figure}\u00a0million" if i18n.is_english() else f"{figure}백만원"


def eok(value: Any, *, bare: bool = False) -> str:
    """An amount kept in 억원 (100 million won), the Korean way: "1조 2,345억원".

    In English: "KRW 1.23 trillion" / "KRW 234.5 billion". `bare`: the figure in 억원
    with thousands separators (the column header says 억원, in either language).
    """
    amount = _decimal(value)
    if amount is None:
        return DASH
    if bare:
        return f"{round(amount):,}"
    if i18n.is_english():
        amount_won = amount * 100_000_000
        if amount_won >= 10**12:
            return f"KRW\u00a0{amount_won / 10**12:,.2f}\u00a0trillion"
        return f"KRW\u00a0{amount_won / 10**9:,.1f}\u00a0billion"
    whole = int(amount.to_integral_value())
    jo, rest = divmod(whole, 10_000)
    if jo:
        return f"{jo:,}조 {rest:,}억원" if rest else f"{jo:,}조원"
    return f"{whole:,}억원"


def usd(value: Any, *, bare: bool = False) -> str:
    """An amount in US dollars: "13,610,000달러" (ko), "USD 13,610,000" (en)."""
    amount = _decimal(value)
    if amount is None:
        return DASH
    figure = f"{round(amount):,}"
    if bare:
        return figure
    return f"USD\u00a0{figure}" if i18n.is_english() else f"{figure}달러"


def by_field_name(value: Any, name: str) -> str:
    """A table cell for a model field, bare, in the unit its name implies (`*_krw`:
    백만원, `*_usd`: dollars, anything else: a count)."""
    if name.endswith("_krw"):
        return million_won(value, bare=True)
    if name.endswith("_usd"):
        return usd(value, bare=True)
    amount = _decimal(value)
    return DASH if amount is None else f"{round(amount):,}"
