"""Dues endpoints: levels, invoices (list and detail with payments), payments and the
collection per council and hub of a year, each scoped by `restrict()` through the shared
selectors and paginated as {"items", "count"}.

No `from __future__ import annotations` here: django-ninja reads the operations'
signatures at import time (see sandan/registry/api.py).
"""

import datetime as dt
from decimal import Decimal
from typing import Any, Literal

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema
from ninja.pagination import paginate

from sandan.api.pagination import Pagination
from sandan.api.params import Code, Id, Year
from sandan.core.querysets import allows
from sandan.core.shortcuts import get_visible_or_404
from sandan.outreach import selectors
from sandan.outreach.models import Invoice, LedgerEntry, Pilot
from sandan.program.models import ProgramYear

router = Router(tags=["dues"])

Status = Literal["open", "arrears", "lapsed", "paid"]


def _user(request: HttpRequest) -> Any:
    return request.auth  # type: ignore[attr-defined]


class LevelOut(Schema):
    id: int
    council: int
    year: int
    name: str
    annual_amount_krw: int

    @staticmethod
    def resolve_council(obj: Any) -> int:
        return int(obj.council_id)

    @staticmethod
    def resolve_year(obj: Any) -> int:
        return int(obj.program_year.year)


class PaymentOut(Schema):
    id: int
    invoice: int
    kind: str
    amount_krw: int
    signed_krw: int
    paid_on: dt.date
    method: str
    note: str

    @staticmethod
    def resolve_invoice(obj: Any) -> int:
        return int(obj.invoice_id)


class InvoiceOut(Schema):
    id: int
    number: str
    year: int
    council: int
    council_name: str
    membership: int
    organisation: int
    organisation_name: str
    level: str
    amount_krw: int
    paid_krw: int
    outstanding_krw: int
    issued_on: dt.date
    due_on: dt.date
    status: str

    @staticmethod
    def resolve_year(obj: Any) -> int:
        return int(obj.program_year.year)

    @staticmethod
    def resolve_council(obj: Any) -> int:
        return int(obj.membership.council_id)

    @staticmethod
    def resolve_council_name(obj: Any) -> str:
        return str(obj.membership.council.name)

    @staticmethod
    def resolve_membership(obj: Any) -> int:
        return int(obj.membership_id)

    @staticmethod
    def resolve_organisation(obj: Any) -> int:
        return int(obj.membership.organisation_id)

    @staticmethod
    def resolve_organisation_name(obj: Any) -> str:
        return str(obj.membership.organisation.name_ko)

    @staticmethod
    def resolve_level(obj: Any) -> str:
        return str(obj.level.name)

    @staticmethod
    def resolve_status(obj: Any) -> str:
        return selectors.status_of(obj)


class InvoiceDetailOut(InvoiceOut):
    payments: list[PaymentOut]

    @staticmethod
    def resolve_payments(obj: Any) -> list[Any]:
        return list(obj.payments.all())


class InvoiceQuery(Schema):
    year: Year | None = None
    council: Id | None = None
    zone: Code | None = None
    status: Status | None = None


class CollectionOut(Schema):
    key: int | str
    name: str
    invoices: int
    billed_krw: int
    paid_krw: int
    arrears_krw: int
    lapsed: int
    rate_pct: Decimal | None

    @staticmethod
    def resolve_rate_pct(obj: Any) -> Decimal | None:
        rate: Decimal | None = obj.rate
        return rate


class CollectionReportOut(Schema):
    year: int
    total: CollectionOut
    by_council: list[CollectionOut]
    by_hub: list[CollectionOut]


@router.get("/dues/levels", response=list[LevelOut])
@paginate(Pagination)
def list_levels(request: HttpRequest, council: Id | None = None, year: Year | None = None) -> Any:
    return selectors.levels(_user(request), council=council, year=year)


@router.get("/dues/invoices", response=list[InvoiceOut])
@paginate(Pagination)
def list_invoices(request: HttpRequest, filters: Query[InvoiceQuery]) -> Any:
    return selectors.invoices(_user(request), selectors.InvoiceFilter(**filters.dict()))


@router.get("/dues/invoices/{invoice_id}", response=InvoiceDetailOut)
def get_invoice(request: HttpRequest, invoice_id: Id) -> Any:
    return get_visible_or_404(
        Invoice.objects.select_related(
            "membership__organisation", "membership__council", "program_year", "level"
        ).prefetch_related("payments"),
        _user(request),
        _("청구서를 찾을 수 없습니다."),
        pk=invoice_id,
    )


@router.get("/dues/payments", response=list[PaymentOut])
@paginate(Pagination)
def list_payments(
    request: HttpRequest, invoice: Id | None = None, council: Id | None = None
) -> Any:
    return selectors.payments(_user(request), invoice=invoice, council=council).select_related(None)


@router.get("/dues/collection", response=CollectionReportOut)
def get_collection(request: HttpRequest, year: Year) -> Any:
    return selectors.collection(_user(request), year)


class PartOut(Schema):
    name: str
    value: Decimal
    points: Decimal


class ReadinessOut(Schema):
    hub: int
    hub_name: str
    score: Decimal
    parts: list[PartOut]
    dues_base_krw: int
    running_cost_krw: int
    dues_cover_pct: Decimal | None
    proposed: bool
    pilot: int | None

    @staticmethod
    def resolve_hub(obj: Any) -> int:
        return int(obj.hub_id)

    @staticmethod
    def resolve_pilot(obj: Any) -> int | None:
        pilot: int | None = obj.pilot_id
        return pilot


class PilotOut(Schema):
    id: int
    hub: int
    hub_name: str
    year: int
    starts_in: int
    score: Decimal
    parts: dict[str, dict[str, str]]
    proposed: bool
    reason: str
    confirmed_at: dt.datetime
    ledger_year: int
    private_income_krw: int
    running_cost_krw: int
    self_sufficiency_pct: Decimal | None

    @staticmethod
    def resolve_hub(obj: Any) -> int:
        return int(obj.hub_id)

    @staticmethod
    def resolve_hub_name(obj: Any) -> str:
        return str(obj.hub.complex.name_ko)

    @staticmethod
    def resolve_year(obj: Any) -> int:
        return int(obj.hub.program_year.year)

    @staticmethod
    def resolve_ledger_year(obj: Any) -> int:
        return int(obj.sufficiency.year)

    @staticmethod
    def resolve_private_income_krw(obj: Any) -> int:
        return int(obj.sufficiency.total.income_krw)

    @staticmethod
    def resolve_running_cost_krw(obj: Any) -> int:
        return int(obj.sufficiency.total.cost_krw)

    @staticmethod
    def resolve_self_sufficiency_pct(obj: Any) -> Decimal | None:
        ratio: Decimal | None = obj.sufficiency.total.ratio
        return ratio


class LedgerRowOut(Schema):
    source: Literal["ledger", "dues"]
    id: int
    kind: str  # "dues", a LedgerEntry kind ("running_cost" is the cost side)
    on: dt.date
    amount_krw: int  # dues net: refunds negative
    counterparty: str
    receipt_number: str


class LedgerOut(Schema):
    pilot: int
    year: int
    running_cost_rule_krw: int
    private_income_krw: int
    running_cost_krw: int
    self_sufficiency_pct: Decimal | None
    entries: list[LedgerRowOut]


@router.get("/pilots/readiness", response=list[ReadinessOut], tags=["pilots"])
def list_readiness(request: HttpRequest, year: Year) -> Any:
    """Each hub's readiness score with its parts; `proposed` marks the hubs the system
    proposes as self-sustaining pilots."""
    program_year = ProgramYear.objects.filter(year=year).first()
    if program_year is None or not allows(_user(request), Pilot, "view"):
        return []
    return selectors.readiness(_user(request), program_year)


@router.get("/pilots", response=list[PilotOut], tags=["pilots"])
@paginate(Pagination)
def list_pilots(request: HttpRequest, year: Year | None = None) -> Any:
    """Confirmed pilots with their private income, running cost and self-sufficiency ratio
    for `year` (default: each pilot's first year on its own)."""
    pilots = list(
        Pilot.objects.restrict(_user(request), "view").select_related(
            "hub__complex", "hub__program_year"
        )
    )
    for pilot in pilots:
        pilot.sufficiency = selectors.self_sufficiency(pilot, year or pilot.starts_in)  # type: ignore[attr-defined]
    return pilots


@router.get("/pilots/{pilot_id}/ledger", response=LedgerOut, tags=["pilots"])
def get_ledger(request: HttpRequest, pilot_id: Id, year: Year | None = None) -> Any:
    """A pilot's ledger of a year: every entry and every dues payment or refund, so that
    the ratio can be recomputed (income kinds ÷ running_cost)."""
    user = _user(request)
    pilot = get_visible_or_404(
        Pilot.objects.select_related("hub__program_year"),
        user,
        _("시범 거점을 찾을 수 없습니다."),
        pk=pilot_id,
    )
    day_year = year or pilot.starts_in
    report = selectors.self_sufficiency(pilot, day_year)
    entries = [
        LedgerRowOut(
            source="ledger",
            id=e.pk,
            kind=e.kind,
            on=e.on,
            amount_krw=e.amount_krw,
            counterparty=e.counterparty,
            receipt_number=e.receipt_number,
        )
        for e in LedgerEntry.objects.restrict(user, "view").filter(pilot=pilot, on__year=day_year)
    ] + [
        LedgerRowOut(
            source="dues",
            id=p.pk,
            kind="dues",
            on=p.paid_on,
            amount_krw=p.signed_krw,
            counterparty="",
            receipt_number=p.receipt_number,
        )
        for p in selectors.dues_income(pilot, user)
        .filter(paid_on__year=day_year)
        .select_related("invoice")
    ]
    return LedgerOut(
        pilot=pilot.pk,
        year=day_year,
        running_cost_rule_krw=report.running_cost_rule_krw,
        private_income_krw=report.total.income_krw,
        running_cost_krw=report.total.cost_krw,
        self_sufficiency_pct=report.total.ratio,
        entries=sorted(entries, key=lambda row: (row.on, row.source, row.id)),
    )
