"""Budget API: lines with balances, transactions, 201 / 409 / 400 / 422, scope, queries."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from sandan.accounts.models import ApiToken
from sandan.accounts.roles import Role
from sandan.accounts.tests.factories import user_with_role
from sandan.finance import services
from sandan.finance.models import BudgetLine, LedgerTransaction
from sandan.support.tests.factories import ProjectFactory

pytestmark = pytest.mark.django_db


class Api:
    def __init__(self, user: Any) -> None:
        self.client = Client()
        token, self.raw = ApiToken.issue(user)
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now())
        self.auth = f"Bearer {self.raw}"

    def get(self, path: str, **query: Any) -> Any:
        return self.client.get(f"/api/v1/{path}", query, HTTP_AUTHORIZATION=self.auth)

    def post(self, path: str, body: dict[str, Any]) -> Any:
        return self.client.post(
            f"/api/v1/{path}",
            json.dumps(body),
            content_type="application/json",
            HTTP_AUTHORIZATION=self.auth,
        )


@pytest.fixture
def api(hq: Any) -> Api:
    return Api(hq)


def test_lines_of_a_year_with_their_balances(
    api: Api, root: BudgetLine, zone_line: BudgetLine
) -> None:
    services.allocate(None, zone_line, 2_000_000_000)
    body = api.get("budget/lines", year=2010).json()
    rows = {row["id"]: row for row in body["items"]}
    assert body["count"] == BudgetLine.objects.count()
    assert rows[root.pk]["allocated_krw"] == 66_300_000_000
    assert rows[root.pk]["available_krw"] == 64_300_000_000
    assert rows[zone_line.pk]["parent"] == root.pk
    assert rows[zone_line.pk]["kind"] == "zone"


def test_posting_an_allocation_answers_201_and_an_overspend_409(
    api: Api, root: BudgetLine, zone_line: BudgetLine
) -> None:
    ok = api.post(
        "budget/transactions", {"line": zone_line.pk, "kind": "allocate", "amount_krw": 10**9}
    )
    assert ok.status_code == 201, ok.content
    assert ok.json()["amount_krw"] == 10**9 and ok.json()["line"] == zone_line.pk
    refused = api.post(
        "budget/transactions",
        {"line": zone_line.pk, "kind": "allocate", "amount_krw": 70_000_000_000},
    )
    assert refused.status_code == 409
    assert refused.json()["available_krw"] == 65_300_000_000
    assert "65,300,000,000원" in refused.json()["detail"]


def test_a_commitment_beyond_the_line_is_409(api: Api, category_line: BudgetLine) -> None:
    project = ProjectFactory(hub=category_line.hub)
    refused = api.post(
        "budget/transactions",
        {"line": category_line.pk, "kind": "commit", "amount_krw": 1, "project": project.pk},
    )
    assert refused.status_code == 409 and refused.json()["available_krw"] == 0


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({"kind": "allocate", "amount_krw": 0}, 400),
        ({"kind": "allocate", "amount_krw": -1}, 400),
        ({"kind": "allocate", "amount_krw": 1.5}, 422),
        ({"kind": "allocate", "amount_krw": "many"}, 422),
        ({"kind": "spend", "amount_krw": 1}, 422),
        ({"kind": "commit", "amount_krw": 1}, 400),
    ],
)
def test_bad_input_is_4xx_and_writes_nothing(
    api: Api, zone_line: BudgetLine, body: dict[str, Any], status: int
) -> None:
    before = LedgerTransaction.objects.count()
    answer = api.post("budget/transactions", {"line": zone_line.pk, **body})
    assert answer.status_code == status, answer.content
    assert LedgerTransaction.objects.count() == before


def test_staff_of_another_zone_neither_see_nor_move_a_line(
    zone_line: BudgetLine, root: BudgetLine
) -> None:
    from sandan.registry.tests.factories import province

    other = Api(user_with_role(Role.REGIONAL_STAFF, zone=province("41").zone))
    ids = {row["id"] for row in other.get("budget/lines", year=2010).json()["items"]}
    assert zone_line.pk not in ids and root.pk not in ids
    answer = other.post(
        "budget/transactions", {"line": zone_line.pk, "kind": "allocate", "amount_krw": 1}
    )
    assert answer.status_code == 404


def test_regional_staff_may_see_but_not_fund_their_zone_from_the_total(
    regional: Any, zone_line: BudgetLine
) -> None:
    answer = Api(regional).post(
        "budget/transactions", {"line": zone_line.pk, "kind": "allocate", "amount_krw": 1}
    )
    assert answer.status_code == 403


def test_transactions_of_a_line_and_a_constant_number_of_queries(
    api: Api, zone_line: BudgetLine, hub_line: BudgetLine
) -> None:
    services.allocate(None, zone_line, 10**9)
    api.get("budget/transactions", line=zone_line.pk)  # warm the user's grants
    with CaptureQueriesContext(connection) as few:
        body = api.get("budget/transactions", line=zone_line.pk).json()
    assert [row["amount_krw"] for row in body["items"]] == [10**9]
    for _n in range(5):
        services.allocate(None, hub_line, 10**6)
    with CaptureQueriesContext(connection) as many:
        assert api.get("budget/transactions").json()["count"] == 7
    assert len(many) == len(few)
    with CaptureQueriesContext(connection) as lines:
        api.get("budget/lines", year=2010)
    assert len(lines) <= len(few) + 1
