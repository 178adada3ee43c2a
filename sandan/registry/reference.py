"""Reference data the program ships in data/: zones, provinces, municipalities, KSIC, offices.

`load_reference()` upserts them by their natural codes with bulk operations (one
transaction, a few queries per table), so running it twice changes nothing. It is a
system load (actor None) and writes no audit entries: the rows come from versioned files
in the repository, whose git history is their audit trail (see data/README.md).

`office_for()` answers "which KICOX office manages a complex in this province and
municipality?" from the `manages` column of data/kicox_offices_2010.csv; importers use it.
"""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any, TypeVar

from django.conf import settings
from django.db import models, transaction

from sandan.registry.models import Industry, Municipality, Office, OfficeTerm, Province, Zone

M = TypeVar("M", bound=models.Model)

DATA_DIR = Path(getattr(settings, "SANDAN_DATA_DIR", Path(settings.BASE_DIR) / "data"))
OFFICES_CSV = "kicox_offices_2010.csv"
OFFICES_BEFORE_2010_CSV = "kicox_offices_before_2010.csv"
OFFICE_TERMS_CSV = "kicox_office_terms.csv"
BATCH_SIZE = 1000


def _rows(name: str, data_dir: Path | None = None) -> list[dict[str, str]]:
    with (data_dir or DATA_DIR).joinpath(name).open(encoding="utf-8-sig", newline="") as handle:
        return [{k: (v or "").strip() for k, v in row.items()} for row in csv.DictReader(handle)]


def _date(text: str) -> dt.date | None:
    return dt.date.fromisoformat(text) if text else None


@dataclass
class LoadCount:
    created: int = 0
    updated: int = 0
    unchanged: int = 0

    def __str__(self) -> str:
        return f"{self.created} created, {self.updated} updated, {self.unchanged} unchanged"


@dataclass
class ReferenceSummary:
    counts: dict[str, LoadCount] = field(default_factory=dict)

    def lines(self) -> list[str]:
        return [f"{name:<15} {count}" for name, count in self.counts.items()]


def _upsert(
    model: type[M], key: str, wanted: Sequence[dict[str, Any]], fields: Sequence[str]
) -> LoadCount:
    """Create missing rows and update changed ones, matching on the unique `key` field."""
    existing = {getattr(obj, key): obj for obj in model._default_manager.all()}
    to_create: list[M] = []
    to_update: list[M] = []
    count = LoadCount()
    for values in wanted:
        obj = existing.get(values[key])
        if obj is None:
            to_create.append(model(**values))
            count.created += 1
            continue
        changed = False
        for name in fields:
            if getattr(obj, name) != values[name]:
                setattr(obj, name, values[name])
                changed = True
        if changed:
            to_update.append(obj)
            count.updated += 1
        else:
            count.unchanged += 1
    model._default_manager.bulk_create(to_create, batch_size=BATCH_SIZE)
    if to_update:
        model._default_manager.bulk_update(to_update, list(fields), batch_size=BATCH_SIZE)
    return count


def _ids(model: type[models.Model], key: str) -> dict[str, int]:
    return dict(model._default_manager.values_list(key, "pk"))


def _two_pass(
    model: type[M],
    rows: Iterable[dict[str, Any]],
    fields: Sequence[str],
    parent_of: dict[str, str],
) -> LoadCount:
    """Upsert a self-referencing tree by code: parents that exist are set in the upsert
    (so a second run compares them too); parents created in this run are set after."""
    ids = _ids(model, "code")
    rows = [
        {**row, "parent_id": ids.get(parent_of[row["code"]]) if parent_of[row["code"]] else None}
        for row in rows
    ]
    count = _upsert(model, "code", rows, [*fields, "parent_id"])
    ids = _ids(model, "code")
    late = []
    for row in rows:
        parent_code = parent_of[row["code"]]
        if parent_code and row["parent_id"] is None:
            obj = model(pk=ids[row["code"]])
            obj.parent_id = ids[parent_code]  # type: ignore[attr-defined]
            late.append(obj)
    if late:
        model._default_manager.bulk_update(late, ["parent_id"], batch_size=BATCH_SIZE)
    return count


def load_zones(data_dir: Path | None = None) -> LoadCount:
    rows = [
        {
            "code": row["code"],
            "name_ko": row["name_ko"],
            "name_en": row["name_en"],
            "kind": row["kind"],
            "order": order,
        }
        for order, row in enumerate(_rows("regions/zones.csv", data_dir), start=1)
    ]
    return _upsert(Zone, "code", rows, ["name_ko", "name_en", "kind", "order"])


def load_provinces(data_dir: Path | None = None) -> LoadCount:
    zones = _ids(Zone, "code")
    rows = [
        {
            "code": row["code"],
            "name_ko": row["name_ko"],
            "name_en": row["name_en"],
            "short_ko": row["short_ko"],
            "zone_id": zones[row["zone"]],
            "valid_from": _date(row["since"]),
            "valid_until": _date(row["until"]),
        }
        for row in _rows("regions/sido.csv", data_dir)
    ]
    fields = ["name_ko", "name_en", "short_ko", "zone_id", "valid_from", "valid_until"]
    return _upsert(Province, "code", rows, fields)


def load_municipalities(data_dir: Path | None = None) -> LoadCount:
    """시군구 by their current code (강원 51xxx, 전북 52xxx, 군위군 27720 in 대구).

    The source lists 2020 법정동 codes with `code_current` derived from them; a complex
    list of today names the current 시도, so the current code and province are what we key on.
    """
    provinces = _ids(Province, "code")
    source = _rows("regions/sigungu.csv", data_dir)
    current = {row["code"]: row["code_current"] or row["code"] for row in source}
    rows = [
        {
            "code": current[row["code"]],
            "name_ko": row["name_ko"],
            "name_en": row["name_en"],
            "province_id": provinces[current[row["code"]][:2]],
            "kostat_code": row["kostat_code"],
        }
        for row in source
    ]
    parent_of = {
        current[row["code"]]: current[row["parent_code"]] if row["parent_code"] else ""
        for row in source
    }
    fields = ["name_ko", "name_en", "province_id", "kostat_code"]
    return _two_pass(Municipality, rows, fields, parent_of)


def load_industries(data_dir: Path | None = None) -> LoadCount:
    source = _rows("ksic/ksic.csv", data_dir)
    max_length = Industry._meta.get_field("code").max_length or 6
    too_long = [row["code"] for row in source if len(row["code"]) > max_length]
    if too_long:
        raise ValueError(f"KSIC codes longer than {max_length}: {too_long[:5]}")
    rows = [
        {
            "code": row["code"],
            "level": row["level"],
            "name_ko": row["name_ko"],
            "name_en": row["name_en"],
        }
        for row in source
    ]
    parent_of = {row["code"]: row["parent"] for row in source}
    return _two_pass(Industry, rows, ["level", "name_ko", "name_en"], parent_of)


def load_offices(data_dir: Path | None = None) -> LoadCount:
    """The 2010 field network plus the offices it replaced (kicox_offices_before_2010.csv,
    with their end and successor) and the earlier parents of offices (kicox_office_terms)."""
    zones = _ids(Zone, "code")
    source = [
        *({**row, "valid_until": "", "successor": ""} for row in _rows(OFFICES_CSV, data_dir)),
        *_rows(OFFICES_BEFORE_2010_CSV, data_dir),
    ]
    rows = [
        {
            "code": row["code"],
            "kind": row["kind"],
            "name_ko": row["name_ko"],
            "name_en": row["name_en"],
            "zone_id": zones[row["zone"]] if row["zone"] else None,
            "is_illustrative": row["is_illustrative"] == "1",
            "valid_from": _date(row.get("valid_from", "")),
            "valid_until": _date(row["valid_until"]),
        }
        for row in source
    ]
    # Offices must be created top-down: the check constraint wants a parent on every non-HQ.
    ids = _ids(Office, "code")
    count = LoadCount()
    fields = [
        "kind",
        "name_ko",
        "name_en",
        "zone_id",
        "is_illustrative",
        "parent_id",
        "valid_from",
        "valid_until",
    ]
    for level in ("hq", "regional_hq", "branch"):
        level_rows = [dict(r) for r, s in zip(rows, source, strict=True) if s["kind"] == level]
        for values, src in zip(level_rows, [s for s in source if s["kind"] == level], strict=True):
            values["parent_id"] = ids[src["parent"]] if src["parent"] else None
        part = _upsert(Office, "code", level_rows, fields)
        count.created += part.created
        count.updated += part.updated
        count.unchanged += part.unchanged
        ids = _ids(Office, "code")
    for row in source:
        successor = ids[row["successor"]] if row["successor"] else None
        Office.objects.filter(code=row["code"]).exclude(successor_id=successor).update(
            successor_id=successor
        )
    _load_office_terms(ids, data_dir)
    return count


def _load_office_terms(ids: dict[str, int], data_dir: Path | None) -> None:
    wanted = {
        (ids[row["office"]], dt.date.fromisoformat(row["valid_until"])): row
        for row in _rows(OFFICE_TERMS_CSV, data_dir)
    }
    existing = {(t.office_id, t.valid_until): t for t in OfficeTerm.objects.all()}
    for key, row in wanted.items():
        values = {
            "parent_id": ids[row["parent"]],
            "valid_from": _date(row["valid_from"]),
            "is_illustrative": row["is_illustrative"] == "1",
        }
        term = existing.get(key)
        if term is None:
            OfficeTerm.objects.create(office_id=key[0], valid_until=key[1], **values)
        elif any(getattr(term, name) != value for name, value in values.items()):
            OfficeTerm.objects.filter(pk=term.pk).update(**values)


def load_reference(data_dir: Path | None = None) -> ReferenceSummary:
    """Upsert every reference table; safe to run any number of times."""
    summary = ReferenceSummary()
    with transaction.atomic():
        summary.counts["zones"] = load_zones(data_dir)
        summary.counts["provinces"] = load_provinces(data_dir)
        summary.counts["municipalities"] = load_municipalities(data_dir)
        summary.counts["industries"] = load_industries(data_dir)
        summary.counts["offices"] = load_offices(data_dir)
    office_coverage.cache_clear()
    return summary


# --- which office manages a complex -----------------------------------------------------------


@dataclass(frozen=True)
class OfficeCoverage:
    """`manages` rules of the office file: by (province code, municipality) or province."""

    by_municipality: dict[tuple[str, str], str]
    by_province: dict[str, str]

    def office_for(self, province_code: str, municipality_name: str = "") -> str | None:
        name = " ".join(municipality_name.split())
        # Most specific first: the exact municipality, then its city (for 일반구), then the
        # province. 'X시 Y구' falls back to 'X시'.
        candidates = [name]
        if " " in name:
            candidates.append(name.split(" ", 1)[0])
        for candidate in candidates:
            code = self.by_municipality.get((province_code, candidate))
            if code:
                return code
        return self.by_province.get(province_code)


def _short_to_code(data_dir: Path | None) -> dict[str, str]:
    """Province short and full names → current code (강원 → 51, not the historic 42)."""
    mapping: dict[str, str] = {}
    for row in _rows("regions/sido.csv", data_dir):
        if row["until"]:
            continue
        mapping[row["short_ko"]] = row["code"]
        mapping[row["name_ko"]] = row["code"]
    return mapping


@cache
def office_coverage(data_dir: Path | None = None) -> OfficeCoverage:
    provinces = _short_to_code(data_dir)
    by_municipality: dict[tuple[str, str], str] = {}
    by_province: dict[str, str] = {}
    for row in _rows(OFFICES_CSV, data_dir):
        for rule in filter(None, (part.strip() for part in row["manages"].split("|"))):
            province, _sep, municipality = rule.partition(":")
            code = provinces.get(province)
            if code is None:
                raise ValueError(f"{OFFICES_CSV}: office {row['code']}: unknown province {rule!r}")
            target: dict[Any, str] = by_municipality if municipality else by_province
            key: Any = (code, municipality) if municipality else code
            if key in target:
                raise ValueError(
                    f"{OFFICES_CSV}: {rule!r} is managed by both {target[key]} and {row['code']}"
                )
            target[key] = row["code"]
    return OfficeCoverage(by_municipality, by_province)


def office_for(province_code: str, municipality_name: str = "") -> str | None:
    """The code of the office that manages complexes in this province / municipality."""
    return office_coverage().office_for(province_code, municipality_name)
