"""Importers of the registry: KICOX complex lists and organisation lists.

One service each, behind both the management commands and the web upload. Both are
all-or-nothing: every row is validated against lookups loaded once (no query per row);
if any row is bad nothing is written and the report lists every bad row. Otherwise all
rows are upserted on their natural key in one transaction, with one audit batch.
See docs/importers.md for the file layouts.
"""

from sandan.registry.io.complexes import (
    COMPLEX_COLUMNS,
    COMPLEX_EXAMPLE,
    complex_sample_csv,
    import_complexes,
)
from sandan.registry.io.organisations import (
    ORGANISATION_COLUMNS,
    ORGANISATION_EXAMPLE,
    import_organisations,
    organisation_sample_csv,
)

__all__ = [
    "COMPLEX_COLUMNS",
    "COMPLEX_EXAMPLE",
    "ORGANISATION_COLUMNS",
    "ORGANISATION_EXAMPLE",
    "complex_sample_csv",
    "import_complexes",
    "import_organisations",
    "organisation_sample_csv",
]
