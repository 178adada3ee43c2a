"""`sandan import_complexes FILE [--dry-run] [--as-of YYYY-MM-DD]`."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import CommandParser

from sandan.registry.io import import_complexes
from sandan.registry.management.commands._importing import ImportCommand


class Command(ImportCommand):
    help = "Import a KICOX complex list (all-or-nothing upsert; see docs/importers.md)."
    importer = staticmethod(import_complexes)

    def add_arguments(self, parser: CommandParser) -> None:
        super().add_arguments(parser)
        parser.add_argument(
            "--as-of",
            type=dt.date.fromisoformat,
            default=None,
            help="date of the figures (quarter of the stats); default: YYYYMMDD in the file name",
        )

    def extra_options(self, options: dict[str, Any]) -> dict[str, Any]:
        return {"as_of": options["as_of"]}
