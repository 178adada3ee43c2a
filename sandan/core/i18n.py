"""Names of reference data in the active language.

Zones, provinces, municipalities, KSIC industries, KICOX offices and service categories carry
an English name next to the Korean one. Pages in English show `name_en` where there is one and
fall back to `name_ko`; everything else (firms, complexes, experts) keeps its Korean name.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.utils.translation import get_language


def is_english() -> bool:
    """Whether the active language is English."""
    return (get_language() or "ko").startswith("en")


def pick_name(name_ko: Any, name_en: Any) -> str:
    """`name_en` in English when it is not empty, else `name_ko` ("" for None)."""
    if name_en and is_english():
        return str(name_en)
    return "" if name_ko is None else str(name_ko)


def local_name(obj: Any) -> str:
    """The name of a model instance with `name_ko`/`name_en` in the active language."""
    if obj is None:
        return ""
    return pick_name(getattr(obj, "name_ko", obj), getattr(obj, "name_en", ""))


def name_fields(prefix: str) -> tuple[str, str]:
    """The two `.values()` fields of a related name: `name_fields("category__")` →
    ("category__name_ko", "category__name_en")."""
    return f"{prefix}name_ko", f"{prefix}name_en"


def local_value(row: Mapping[str, Any], prefix: str) -> str | None:
    """The name in the active language from a `.values()` row read with `name_fields(prefix)`;
    None when the relation is empty."""
    ko, en = name_fields(prefix)
    if row.get(ko) is None:
        return None
    return pick_name(row[ko], row.get(en))
