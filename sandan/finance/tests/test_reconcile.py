"""`sandan reconcile`: the year's totals, and a failure when the ledger was tampered with."""

from __future__ import annotations

from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from sandan.finance import services
from sandan.finance.models import BudgetLine
from sandan.support.tests.factories import ProjectFactory

pytestmark = pytest.mark.django_db


def test_reconcile_prints_the_years_totals(root: BudgetLine, category_line: BudgetLine) -> None:
    for step in (category_line.parent.parent, category_line.parent, category_line):  # type: ignore[union-attr]
        services.allocate(None, step, 300_000_000)
    project = ProjectFactory(hub=category_line.hub)
    services.commit(None, category_line, project.pk, 100_000_000)
    services.disburse(None, category_line, project.pk, 30_000_000)
    out = StringIO()
    call_command("reconcile", "--year", "2010", stdout=out)
    text = out.getvalue()
    assert "66,300,000,000" in text
    assert "100,000,000" in text and "30,000,000" in text
    assert "ok" in text


def test_a_row_written_around_the_services_fails_reconciliation(
    root: BudgetLine, zone_line: BudgetLine
) -> None:
    services.allocate(None, zone_line, 1_000_000_000)
    # A raw write that skips the services: the zone takes more than the total has.
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO finance_ledgertransaction "
            "(line_id, kind, amount_krw, reason, transfer, at) "
            "VALUES (%s, 'allocate', %s, '', '', CURRENT_TIMESTAMP)",
            [zone_line.pk, 70_000_000_000],
        )
    err = StringIO()
    with pytest.raises(CommandError):
        call_command("reconcile", "--year", "2010", stdout=StringIO(), stderr=err)
    assert "0원 아래" in err.getvalue()


def test_an_unknown_year_is_an_error(db: Any) -> None:
    with pytest.raises(CommandError):
        call_command("reconcile", "--year", "1999")
