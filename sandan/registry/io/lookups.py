"""Look-ups the registry importers share: provinces and municipalities by their names."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from sandan.registry.models import (
    Municipality,
    Province,
)

BATCH_SIZE = 1000

# --- lookups shared by both importers ------------------------------------------------------


def _key(text: str) -> str:
    return "".join(text.split())


def province_lookup() -> dict[str, Province]:
    """Every way a file names a province → the current row.

    Short (서울), full (서울특별시) and old names (강원도 → 51 강원특별자치도): a historic row
    maps to the current row with the same short name.
    """
    provinces = list(Province.objects.all())
    current = {p.short_ko: p for p in provinces if p.valid_until is None}
    lookup: dict[str, Province] = {}
    for province in provinces:
        target = current.get(province.short_ko, province)
        for name in (province.name_ko, province.short_ko):
            if province.valid_until is None or name not in lookup:
                lookup[_key(name)] = target
    for province in current.values():
        if province.name_ko.endswith("광역시") or province.name_ko.endswith("특별시"):
            lookup.setdefault(province.short_ko + "시", province)
    return lookup


@dataclass
class MunicipalityLookup:
    by_name: dict[tuple[int, str], int] = field(default_factory=dict)
    only_one: dict[int, int] = field(default_factory=dict)

    @classmethod
    def load(cls) -> MunicipalityLookup:
        lookup = cls()
        per_province: dict[int, list[int]] = defaultdict(list)
        for pk, province_id, name in Municipality.objects.values_list(
            "pk", "province_id", "name_ko"
        ):
            lookup.by_name[(province_id, _key(name))] = pk
            per_province[province_id].append(pk)
        lookup.only_one = {p: ids[0] for p, ids in per_province.items() if len(ids) == 1}
        return lookup

    def resolve(self, province_id: int, name: str) -> int | None:
        """'구로구', '창원시 성산구', '청주' (→ 청주시), '세종' (the only one); else None."""
        compact = _key(name)
        if not compact:
            return None
        candidates = [compact, *(compact + suffix for suffix in ("시", "군", "구"))]
        parts = name.split()
        if len(parts) > 1:  # a 일반구 not in the table falls back to its city
            candidates.append(_key(parts[0]))
        for candidate in candidates:
            pk = self.by_name.get((province_id, candidate))
            if pk is not None:
                return pk
        return self.only_one.get(province_id)
