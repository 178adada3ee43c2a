"""Reads of council dues that the pages and the API share, each from `restrict(user, ...)`.

An invoice is *in arrears* when something is still owed after its due date, and the
member has *lapsed* when that is still so `dues_grace_days` (the invoice year's rule, see
sandan/program/models.py) after the due date. Collection rate = paid ÷ billed, over the
invoices issued.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Any

from django.db.models import Count, F, Q, QuerySet, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from sandan.councils.models import Activity, Council, Membership
from sandan.councils.selectors import current_memberships
from sandan.outreach.models import (
    DuesAssignment,
    DuesLevel,
    Invoice,
    LedgerEntry,
    Payment,
    Pilot,
)
from sandan.program.models import Designation, ProgramYear
from sandan.registry.models import Organisation
from sandan.support.models import Outcome

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


# Self-sustaining pilots: readiness of the hubs ------------------------------------------

# The parts of the readiness score and their weight in points (they add up to 100). Firms,
# dues base, activity and outcomes score relative to the best hub of the year; collection
# scores on its own rate. See docs/adr/0020-outreach-and-council-dues.md.
READINESS_WEIGHTS: dict[str, int] = {
    "firms": 25,
    "dues_base": 20,
    "collection": 25,
    "activity": 15,
    "outcomes": 15,
}
PILOTS_MIN, PILOTS_MAX = 3, 5


@dataclass(frozen=True)
class Part:
    name: str
    value: Decimal
    points: Decimal


@dataclass(frozen=True)
class Readiness:
    """One hub's readiness to run on private funds: its parts, score and the proposal."""

    hub_id: int
    hub_name: str
    zone_id: int
    parts: tuple[Part, ...]
    score: Decimal
    running_cost_krw: int
    dues_base_krw: int
    proposed: bool = False
    pilot_id: int | None = None

    @property
    def dues_cover_pct(self) -> Decimal | None:
        """Billed dues ÷ the year's running-cost rule, in percent."""
        if not self.running_cost_krw:
            return None
        return (Decimal(self.dues_base_krw) * 100 / self.running_cost_krw).quantize(Decimal("0.1"))

    def snapshot(self) -> dict[str, dict[str, str]]:
        return {p.name: {"value": str(p.value), "points": str(p.points)} for p in self.parts}


def _by_hub(qs: Any, hub_path: str, measure: Any) -> dict[int, Any]:
    return {row[hub_path]: row["v"] for row in qs.order_by().values(hub_path).annotate(v=measure)}


def _raw_readiness(program_year: ProgramYear, hub_ids: list[int]) -> dict[str, dict[int, Any]]:
    """Per hub designation: firms, dues billed and paid, held activities per council and
    outcomes of the year's data (aggregates only)."""
    year_end = dt.date(program_year.year, 12, 31)
    firms = Membership.objects.filter(
        council__hub_id__in=hub_ids, organisation__kind=Organisation.Kind.COMPANY
    ).filter(current_memberships(year_end))
    invoices_of_year = Invoice.objects.filter(
        program_year=program_year, membership__council__hub_id__in=hub_ids
    )
    held = Activity.objects.filter(
        council__hub_id__in=hub_ids,
        status=Activity.Status.HELD,
        starts_at__year=program_year.year,
    )
    hub = "council__hub_id"
    return {
        "firms": _by_hub(firms, hub, Count("organisation", distinct=True)),
        "billed": _by_hub(invoices_of_year, f"membership__{hub}", Sum("amount_krw")),
        "paid": _by_hub(invoices_of_year, f"membership__{hub}", Sum("paid_krw")),
        "activities": _by_hub(held, hub, Count("pk")),
        "councils": _by_hub(Council.objects.filter(hub_id__in=hub_ids), "hub_id", Count("pk")),
        "outcomes": _by_hub(
            Outcome.objects.filter(project__hub_id__in=hub_ids), "project__hub_id", Count("pk")
        ),
    }


def _relative(value: Decimal, best: Decimal, weight: int) -> Decimal:
    return (weight * value / best).quantize(Decimal("0.1")) if best else Decimal(0)


def readiness(user: Any, program_year: ProgramYear, *, every: bool = False) -> list[Readiness]:
    """The hubs of `program_year` the user sees through their councils (`every`: all, for
    the services), best first; the top ones (the year's rule `self_sustaining_pilots`,
    3–5) that bill dues are proposed. Relative parts compare with the best hub of all."""
    hubs = list(
        Designation.objects.filter(
            program_year=program_year, role=Designation.Role.HUB
        ).select_related("complex")
    )
    raw = _raw_readiness(program_year, [h.pk for h in hubs])
    values: dict[int, dict[str, Decimal]] = {}
    for h in hubs:
        billed = Decimal(raw["billed"].get(h.pk) or 0)
        paid = Decimal(raw["paid"].get(h.pk) or 0)
        councils = raw["councils"].get(h.pk) or 0
        values[h.pk] = {
            "firms": Decimal(raw["firms"].get(h.pk, 0)),
            "dues_base": billed,
            "collection": (paid * 100 / billed).quantize(Decimal("0.1")) if billed else Decimal(0),
            "activity": (
                Decimal(raw["activities"].get(h.pk, 0)) / councils if councils else Decimal(0)
            ).quantize(Decimal("0.1")),
            "outcomes": Decimal(raw["outcomes"].get(h.pk, 0)),
        }
    best = {
        name: max((v[name] for v in values.values()), default=Decimal(0))
        for name in READINESS_WEIGHTS
    }
    running_cost = int(program_year.rule("self_sustaining_running_cost_krw") or 0)
    pilots = dict(Pilot.objects.filter(hub__in=hubs).values_list("hub_id", "pk"))
    rows = []
    for h in hubs:
        v = values[h.pk]
        parts = tuple(
            Part(
                name,
                v[name],
                (weight * v[name] / 100).quantize(Decimal("0.1"))
                if name == "collection"
                else _relative(v[name], best[name], weight),
            )
            for name, weight in READINESS_WEIGHTS.items()
        )
        rows.append(
            Readiness(
                hub_id=h.pk,
                hub_name=h.complex.name_ko,
                zone_id=h.zone_id,
                parts=parts,
                score=sum((p.points for p in parts), Decimal(0)),
                running_cost_krw=running_cost,
                dues_base_krw=int(v["dues_base"]),
                pilot_id=pilots.get(h.pk),
            )
        )
    rows.sort(key=lambda r: (-r.score, r.hub_name))
    wanted = min(max(int(program_year.rule("self_sustaining_pilots") or 4), PILOTS_MIN), PILOTS_MAX)
    proposed = {r.hub_id for r in [r for r in rows if r.dues_base_krw > 0][:wanted]}
    seen = set(Council.objects.restrict(user, "view").values_list("hub_id", flat=True))
    return [replace(r, proposed=r.hub_id in proposed) for r in rows if every or r.hub_id in seen]


# Self-sufficiency of a pilot ----------------------------------------------------------------


@dataclass(frozen=True)
class Month:
    month: int
    income: dict[str, int]  # "dues" and the income kinds of LedgerEntry
    cost_krw: int

    @property
    def income_krw(self) -> int:
        return sum(self.income.values())

    @property
    def ratio(self) -> Decimal | None:
        """Private income ÷ running cost, in percent; None with no cost that month."""
        if not self.cost_krw:
            return None
        return (Decimal(self.income_krw) * 100 / self.cost_krw).quantize(Decimal("0.1"))


@dataclass(frozen=True)
class Sufficiency:
    year: int
    months: list[Month]
    total: Month
    running_cost_rule_krw: int


def dues_income(pilot: Pilot, user: Any = None) -> QuerySet[Payment]:
    """The dues payments and refunds of the councils of the pilot's hub (those `user` sees,
    when given)."""
    payments = Payment.objects.restrict(user, "view") if user is not None else Payment.objects
    return payments.filter(invoice__membership__council__hub_id=pilot.hub_id)


def self_sufficiency(pilot: Pilot, year: int) -> Sufficiency:
    """Month by month and for the year: private income (dues net of refunds, donations,
    sponsorships, service fees) against running costs entered in the ledger."""
    income: dict[int, dict[str, int]] = {m: {} for m in range(1, 13)}
    cost = dict.fromkeys(range(1, 13), 0)
    for entry in LedgerEntry.objects.filter(pilot=pilot, on__year=year).only(
        "kind", "amount_krw", "on"
    ):
        if entry.kind == LedgerEntry.Kind.RUNNING_COST:
            cost[entry.on.month] += entry.amount_krw
        else:
            bucket = income[entry.on.month]
            bucket[entry.kind] = bucket.get(entry.kind, 0) + entry.amount_krw
    for payment in (
        dues_income(pilot).filter(paid_on__year=year).only("kind", "amount_krw", "paid_on")
    ):
        bucket = income[payment.paid_on.month]
        bucket["dues"] = bucket.get("dues", 0) + payment.signed_krw
    months = [Month(m, income[m], cost[m]) for m in range(1, 13)]
    totals: dict[str, int] = {}
    for month in months:
        for kind, amount in month.income.items():
            totals[kind] = totals.get(kind, 0) + amount
    rule_year = ProgramYear.objects.filter(year=year).first() or pilot.hub.program_year
    return Sufficiency(
        year=year,
        months=months,
        total=Month(0, totals, sum(cost.values())),
        running_cost_rule_krw=int(rule_year.rule("self_sustaining_running_cost_krw") or 0),
    )


def pilot_public_grant_refusal(project: Any) -> str | None:
    """Why a project may not draw the program's public grant: its hub complex runs as a
    self-sustaining pilot in the project's year (public money then pays for networking
    only); None otherwise."""
    pilot = (
        Pilot.objects.filter(
            hub__complex_id=project.hub.complex_id, starts_in__lte=project.program_year.year
        )
        .select_related("hub__complex")
        .first()
    )
    if pilot is None:
        return None
    return _(
        "%(hub)s은(는) %(year)s년부터 자립형 시범 거점이라 사업의 공공 재원은 네트워킹에만 "
        "씁니다. 이 과제에는 정부지원금을 편성할 수 없습니다. 발굴된 과제는 연계 기관"
        "(광역위원회·선도산업지원단·지자체·테크노파크)의 다른 사업으로 연계(referral)하거나 "
        "기업부담금으로 추진하세요."
    ) % {"hub": pilot.hub.complex.name_ko, "year": pilot.starts_in}
