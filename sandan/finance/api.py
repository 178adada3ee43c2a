"""Budget endpoints: the lines of a year with their balances, the ledger's transactions,
and new transactions through the finance services.

A refused movement (it would overspend) answers 409 with the amount that was available;
bad input answers 400 (service messages by field) or 422 (schema). No
`from __future__ import annotations`: django-ninja reads the signatures at import time.
"""

import datetime as dt
from collections.abc import Callable
from typing import Any, Literal

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Query, Router, Schema, Status
from ninja.pagination import paginate

from sandan.api.pagination import Pagination
from sandan.api.params import Id, Text, Year
from sandan.finance import selectors, services
from sandan.finance.models import BudgetLine, LedgerTransaction

router = Router(tags=["finance"])


def _user(request: HttpRequest) -> Any:
    return request.auth  # type: ignore[attr-defined]


class LineOut(Schema):
    id: int
    parent: int | None
    year: int
    kind: str
    purpose: str
    name: str
    zone: str | None
    allocated_krw: int
    committed_krw: int
    disbursed_krw: int
    available_krw: int


class TransactionOut(Schema):
    id: int
    line: int
    kind: str
    amount_krw: int
    project: int | None
    reason: str
    transfer: str
    at: dt.datetime

    @staticmethod
    def resolve_line(obj: Any) -> int:
        return int(obj.line_id)

    @staticmethod
    def resolve_project(obj: Any) -> int | None:
        return obj.project_id  # type: ignore[no-any-return]


class TransactionIn(Schema):
    line: Id
    kind: Literal["allocate", "commit", "disburse", "return", "settle"]
    amount_krw: int
    project: Id | None = None
    reason: Text = ""


class Refused(Schema):
    detail: str
    available_krw: int


def _line_row(balance: selectors.Balance) -> dict[str, Any]:
    line = balance.line
    return {
        "id": line.pk,
        "parent": line.parent_id,
        "year": line.program_year.year,
        "kind": line.kind,
        "purpose": line.purpose,
        "name": line.name,
        "zone": line.zone.code if line.zone_id else None,  # type: ignore[union-attr]
        "allocated_krw": balance.allocated_krw,
        "committed_krw": balance.committed_krw,
        "disbursed_krw": balance.disbursed_krw,
        "available_krw": balance.available_krw,
    }


@router.get("/budget/lines", response=list[LineOut])
@paginate(Pagination)
def list_lines(request: HttpRequest, year: Year | None = None) -> Any:
    lines = selectors.visible_lines(_user(request), year)
    return [_line_row(balance) for balance in selectors.balances(lines)]


class TransactionQuery(Schema):
    line: Id | None = None
    project: Id | None = None
    year: Year | None = None


@router.get("/budget/transactions", response=list[TransactionOut])
@paginate(Pagination)
def list_transactions(request: HttpRequest, filters: Query[TransactionQuery]) -> Any:
    return selectors.visible_transactions(_user(request), **filters.dict())


def _project_id(user: Any, project: int | None) -> int:
    """A project the user can see (404 otherwise); support's model, named by the FK."""
    if project is None:
        from django.core.exceptions import ValidationError

        raise ValidationError({"project": ["이 거래에는 지원과제를 지정해야 합니다."]})
    model: Any = LedgerTransaction._meta.get_field("project").related_model
    found = get_object_or_404(model.objects.restrict(user, "view"), pk=project)
    return int(found.pk)


MOVES: dict[str, Callable[..., Any]] = {
    "commit": services.commit,
    "disburse": services.disburse,
    "return": services.return_funds,
    "settle": services.settle,
}


@router.post("/budget/transactions", response={201: TransactionOut, 409: Refused})
def create_transaction(request: HttpRequest, body: TransactionIn) -> Any:
    user = _user(request)
    line = get_object_or_404(BudgetLine.objects.restrict(user, "view"), pk=body.line)
    try:
        if body.kind == "allocate":
            entry = services.allocate(user, line, body.amount_krw, reason=body.reason, source="api")
        else:
            project = _project_id(user, body.project)
            move = MOVES[body.kind]
            entry = move(user, line, project, body.amount_krw, reason=body.reason, source="api")
    except services.Overspend as refused:
        return Status(409, {"detail": refused.detail, "available_krw": refused.available_krw})
    return Status(201, entry)
