"""Rewrite the KICOX complex list with KICOX's own Korean column names.

The shared copy (../shared/data/complexes/kicox_complexes_20251231.csv) keeps the English JSON
keys of the repository it came from (billionaire-c/k-mfg). Its SOURCE.md maps each key back to
the column of KICOX's 전국산업단지현황통계 xlsx; this script applies that mapping, drops the two
columns the repository made up (`id`, `trendKey`) and leaves every value as it was.

    python data/build_kicox_csv.py [SOURCE_CSV] [TARGET_CSV]
"""

from __future__ import annotations

import csv
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
DEFAULT_SOURCE = Path("/work/shared/data/complexes/kicox_complexes_20251231.csv")
DEFAULT_TARGET = HERE / "kicox_complexes_20251231.csv"

# English key of the shared copy → KICOX column name (per SOURCE.md; areas in 천㎡).
COLUMNS = {
    "type": "유형",
    "sido": "시도",
    "sigungu": "시군",
    "name": "단지명",
    "status": "조성상태",
    "designatedArea": "지정면적",
    "managedArea": "관리면적",
    "facilityArea": "산업시설용지면적",
    "saleTargetArea": "분양대상면적",
    "soldArea": "분양면적",
    "unsoldArea": "미분양면적",
    "saleRate": "분양률",
    "tenants": "입주업체",
    "operating": "가동업체",
}
DROPPED = {"id", "trendKey"}


def convert(source: Path, target: Path) -> int:
    with source.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        fields = set(reader.fieldnames or [])
        unexpected = fields - set(COLUMNS) - DROPPED
        if unexpected:
            raise SystemExit(f"unexpected columns in {source}: {sorted(unexpected)}")
        rows = [{COLUMNS[key]: row[key] for key in COLUMNS} for row in reader]
    with target.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(COLUMNS.values()), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    return len(rows)


if __name__ == "__main__":
    source = Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_SOURCE
    target = Path(sys.argv[2]) if len(sys.argv) > 2 else DEFAULT_TARGET
    count = convert(source, target)
    print(f"{count} rows → {target}")
