"""Reads of council dues that the pages and the API share, each from `restrict(user, ...)`.

An invoice is *in arrears* when something is still owed after its due date, and the
member has *lapsed* when that is still so `dues_grace_days` (the invoice year's rule, see
sandan/program/models.py) after the due date. Collection rate = paid ÷ billed, over the
invoices issued.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Count, F, Q, QuerySet, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from sandan.councils.models import Council
from sandan.outreach.models import DuesAssignment, DuesLevel, Invoice, Payment
from sandan.program.models import ProgramYear

STATUSES = ("open", "arrears", "lapsed", "paid")


def grace_days(program_year: ProgramYear) -> int:
    return int(program_year.rule("dues_grace_days"))


def arrears_q(today: dt.date) -> Q:
    return Q(paid_krw__lt=F("amount_krw"), due_on__lt=today)


def lapsed_q(today: dt.date) -> Q:
    """Invoices unpaid beyond the grace period of their year's rule."""
    condition = Q(pk__in=[])
    for year in ProgramYear.objects.all():
        limit = today - dt.timedelta(days=grace_days(year))
        condition |= Q(program_year=year, due_on__lt=limit)
    return Q(paid_krw__lt=F("amount_krw")) & condition


def status_of(invoice: Invoice, today: dt.date | None = None) -> str:
    day = today or timezone.localdate()
    if invoice.is_paid:
        return "paid"
    if invoice.due_on >= day:
        return "open"
    grace = grace_days(invoice.program_year)
    return "lapsed" if invoice.due_on < day - dt.timedelta(days=grace) else "arrears"


@dataclass(frozen=True)
class InvoiceFilter:
    year: int | None = None
    council: int | None = None
    zone: str | None = None
    status: str | None = None  # one of STATUSES
    organisation: int | None = None


def invoices(
    user: Any, filters: InvoiceFilter | None = None, today: dt.date | None = None
) -> QuerySet[Invoice]:
    f = filters or InvoiceFilter()
    day = today or timezone.localdate()
    qs = Invoice.objects.restrict(user, "view").select_related(
        "membership__organisation", "membership__council", "program_year", "level"
    )
    if f.year is not None:
        qs = qs.filter(program_year__year=f.year)
    if f.council is not None:
        qs = qs.filter(membership__council_id=f.council)
    if f.zone:
        qs = qs.filter(membership__council__zone__code=f.zone)
    if f.organisation is not None:
        qs = qs.filter(membership__organisation_id=f.organisation)
    if f.status == "paid":
        qs = qs.filter(paid_krw__gte=F("amount_krw"))
    elif f.status == "open":
        qs = qs.filter(paid_krw__lt=F("amount_krw"), due_on__gte=day)
    elif f.status == "arrears":
        qs = qs.filter(arrears_q(day)).exclude(lapsed_q(day))
    elif f.status == "lapsed":
        qs = qs.filter(lapsed_q(day))
    return qs.order_by("-program_year__year", "number")


def levels(user: Any, council: int | None = None, year: int | None = None) -> QuerySet[DuesLevel]:
    qs = DuesLevel.objects.restrict(user, "view").select_related("council", "program_year")
    if council is not None:
        qs = qs.filter(council_id=council)
    if year is not None:
        qs = qs.filter(program_year__year=year)
    return qs


def assignments(user: Any, council: int, year: int) -> dict[int, DuesAssignment]:
    """The year's level of each member of a council, by membership id."""
    qs = DuesAssignment.objects.restrict(user, "view").filter(
        membership__council_id=council, program_year__year=year
    )
    return {a.membership_id: a for a in qs.select_related("level")}


def payments(user: Any, invoice: int | None = None, council: int | None = None) -> Any:
    qs = Payment.objects.restrict(user, "view").select_related(
        "invoice__membership__organisation", "recorded_by"
    )
    if invoice is not None:
        qs = qs.filter(invoice_id=invoice)
    if council is not None:
        qs = qs.filter(invoice__membership__council_id=council)
    return qs


# Collection ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Collection:
    """Billed and paid of a group of invoices (a council, a hub, a whole year)."""

    key: int | str
    name: str
    invoices: int
    billed_krw: int
    paid_krw: int
    arrears_krw: int
    lapsed: int  # invoices unpaid beyond the grace period

    @property
    def rate(self) -> Decimal | None:
        """Paid ÷ billed, in percent to one decimal; None when nothing was billed."""
        if not self.billed_krw:
            return None
        return (Decimal(self.paid_krw) * 100 / self.billed_krw).quantize(Decimal("0.1"))


def _measures(today: dt.date) -> dict[str, Any]:
    arrears = Sum(F("amount_krw") - F("paid_krw"), filter=arrears_q(today))
    return {
        "n": Count("pk"),
        "billed": Coalesce(Sum("amount_krw"), 0),
        "paid": Coalesce(Sum("paid_krw"), 0),
        "arrears": Coalesce(arrears, 0),
        "lapsed": Count("pk", filter=lapsed_q(today)),
    }


def _sums(qs: QuerySet[Invoice], group: tuple[str, ...], today: dt.date) -> Any:
    return qs.order_by().values(*group).annotate(**_measures(today))


def _row(key: int | str, name: str, row: dict[str, Any]) -> Collection:
    return Collection(
        key=key,
        name=name,
        invoices=row["n"],
        billed_krw=row["billed"],
        paid_krw=row["paid"],
        arrears_krw=row["arrears"],
        lapsed=row["lapsed"],
    )


@dataclass(frozen=True)
class CollectionReport:
    year: int
    total: Collection
    by_council: list[Collection]
    by_hub: list[Collection]


def collection(user: Any, year: int, today: dt.date | None = None) -> CollectionReport:
    """Collection per council and per hub complex of the invoices of `year` the user sees."""
    day = today or timezone.localdate()
    qs = invoices(user, InvoiceFilter(year=year), day)
    council_rows = _sums(qs, ("membership__council_id", "membership__council__name"), day).order_by(
        "membership__council__name"
    )
    hub_rows = _sums(
        qs,
        ("membership__council__hub__complex_id", "membership__council__hub__complex__name_ko"),
        day,
    ).order_by("membership__council__hub__complex__name_ko")
    totals = qs.order_by().aggregate(**_measures(day))
    return CollectionReport(
        year=year,
        total=_row("total", "", totals),
        by_council=[
            _row(r["membership__council_id"], r["membership__council__name"], r)
            for r in council_rows
        ],
        by_hub=[
            _row(
                r["membership__council__hub__complex_id"],
                r["membership__council__hub__complex__name_ko"],
                r,
            )
            for r in hub_rows
        ],
    )


def dues_years(user: Any) -> list[int]:
    """The program years that have dues levels the user sees, newest first."""
    return sorted(
        set(DuesLevel.objects.restrict(user, "view").values_list("program_year__year", flat=True)),
        reverse=True,
    )


def councils_with_dues(user: Any) -> QuerySet[Council]:
    return Council.objects.restrict(user, "view").filter(dues_levels__isnull=False).distinct()
