"""`sandan import_organisations FILE [--dry-run]`."""

from __future__ import annotations

from sandan.registry.io import import_organisations
from sandan.registry.management.commands._importing import ImportCommand


class Command(ImportCommand):
    help = "Import organisations (all-or-nothing upsert; see docs/importers.md)."
    importer = staticmethod(import_organisations)
