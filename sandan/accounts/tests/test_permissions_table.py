"""docs/permissions.md shows the policy that runs."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from sandan.accounts.management.commands.permissions_table import generated, splice

DOC = Path(settings.BASE_DIR) / "docs" / "permissions.md"


def test_docs_match_the_policy() -> None:
    document = DOC.read_text(encoding="utf-8")
    assert splice(document, generated()) == document, (
        "docs/permissions.md is out of date: run `sandan permissions_table --write "
        "docs/permissions.md`"
    )


def test_command_prints_markdown() -> None:
    out = io.StringIO()
    call_command("permissions_table", stdout=out)
    text = out.getvalue()
    assert "| `registry.organisation` |" in text
    assert "view:own, change:own, contact:own" in text


def test_splice_needs_markers() -> None:
    with pytest.raises(CommandError):
        splice("no markers here", generated())
