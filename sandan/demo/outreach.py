"""Demo data of council dues: the 2010 hub councils bill their members for the year and
most pay, some in part, some late, some not at all; a few payments are refunded. Then HQ
confirms the hubs the readiness score proposes as self-sustaining pilots from 2011.

Everything goes through `sandan.outreach.services` (levels, assignments, invoicing,
payments, refunds), so the rows keep the services' rules and are audited with the demo's
source. Deterministic for a seed; a rerun adds nothing (councils that have levels for the
year are skipped, and invoicing is idempotent).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sandan.councils.models import Council, Membership
from sandan.councils.selectors import current_memberships
from sandan.demo.base import AUDIT_SOURCE, rng_for
from sandan.outreach import selectors, services
from sandan.outreach.models import DuesLevel, Invoice, Payment, Pilot
from sandan.program.models import Designation, ProgramYear

YEAR = 2010
ISSUED_ON = dt.date(2010, 10, 1)
DUE_ON = dt.date(2010, 10, 29)
# (level name, annual amount in won) for officers and for other members; advisors
# (universities and institutes in an advisory role) pay no dues and get no level.
OFFICERS = ("임원사", 1_000_000)
MEMBERS = ("정회원", 300_000)
METHODS = (Payment.Method.TRANSFER, Payment.Method.TRANSFER, Payment.Method.CARD)


@dataclass
class DuesDemoSummary:
    councils: int = 0
    invoices: int = 0
    billed_krw: int = 0
    paid_krw: int = 0
    refunds: int = 0
    pilots: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        rate = f"{self.paid_krw * 100 / self.billed_krw:.1f}%" if self.billed_krw else "–"
        return [
            f"dues {YEAR}: {self.councils} councils, {self.invoices:,} invoices, "
            f"billed {self.billed_krw:,} KRW, paid {self.paid_krw:,} KRW ({rate}), "
            f"{self.refunds} refunds",
            f"self-sustaining pilots from {YEAR + 1}: " + (", ".join(self.pilots) or "none"),
        ]


def _bill(council: Council, program_year: ProgramYear) -> None:
    officers, members = (
        services.create_dues_level(
            None,
            council=council,
            program_year=program_year,
            name=name,
            annual_amount_krw=amount,
            source=AUDIT_SOURCE,
        )
        for name, amount in (OFFICERS, MEMBERS)
    )
    current = Membership.objects.filter(council=council).filter(current_memberships(ISSUED_ON))
    for member in current.order_by("pk"):
        if member.role == Membership.Role.ADVISOR:
            continue
        level = officers if member.is_officer else members
        services.assign_dues_level(None, membership=member, level=level, source=AUDIT_SOURCE)
    services.issue_invoices(
        None,
        council=council,
        program_year=program_year,
        issued_on=ISSUED_ON,
        due_on=DUE_ON,
        source=AUDIT_SOURCE,
    )


def _pay(invoice: Invoice, seed: int) -> None:
    """Pay an invoice as its member would (in full, in part, late or not at all)."""
    rng = rng_for(seed, "dues", invoice.number)
    draw = rng.random()
    method = rng.choice(METHODS)
    if draw < 0.12:  # never paid
        return
    days = rng.randint(3, 27) if draw < 0.72 else rng.randint(30, 80)  # late payers
    paid_on = ISSUED_ON + dt.timedelta(days=days)
    amount = invoice.amount_krw if draw >= 0.22 else invoice.amount_krw // 2  # part-payers
    payment = services.record_payment(
        None, invoice, amount_krw=amount, paid_on=paid_on, method=method, source=AUDIT_SOURCE
    )
    if rng.random() < 0.03 and amount == invoice.amount_krw:
        services.refund_payment(
            None,
            payment.invoice,
            amount_krw=amount // 2,
            paid_on=paid_on + dt.timedelta(days=14),
            reason="등급 조정(임원사 → 정회원)에 따른 차액 환불",
            method=method,
            source=AUDIT_SOURCE,
        )


def confirm_pilots(program_year: ProgramYear) -> None:
    """HQ confirms the hubs the readiness score proposes (none if some are confirmed)."""
    if Pilot.objects.filter(hub__program_year=program_year).exists():
        return
    for row in selectors.readiness(None, program_year, every=True):
        if row.proposed:
            services.confirm_pilot(
                None,
                hub=Designation.objects.get(pk=row.hub_id),
                starts_in=YEAR + 1,
                reason=(
                    f"준비도 {row.score}점으로 제안된 거점단지: 회원 기반과 회비 징수 실적이 "
                    "자립 운영에 충분함"
                ),
                source=AUDIT_SOURCE,
            )


SPONSORS = ("(재)지역산업진흥재단", "한빛전자 주식회사", "(주)대성정밀", "경남은행")
DONORS = ("(주)동양기계", "(주)한성산업", "세원테크 주식회사", "(사)기업사랑나눔회")


def _ledger_year(pilot: Pilot, seed: int) -> None:
    """A first year on private funds: monthly running costs near the year's rule, donations
    with receipts, sponsorships and service fees; the year's ledger closed at year end."""
    rng = rng_for(seed, "pilot-ledger", pilot.hub_id)
    year = pilot.starts_in
    monthly_cost = int(pilot.hub.program_year.rule("self_sustaining_running_cost_krw") or 0) // 12
    for month in range(1, 13):
        day = dt.date(year, month, 25)
        cost = monthly_cost + rng.randint(-2, 2) * 500_000
        entries = [("running_cost", max(cost, 1_000_000), "", "", "월 운영비(인건비·사무실)")]
        if month % 3 == 0:
            donor = rng.choice(DONORS)
            entries.append(
                ("donation", rng.randint(4, 12) * 1_000_000, donor, f"G{year}-{month:02d}", "")
            )
        if month in (4, 10):
            entries.append(
                (
                    "sponsorship",
                    rng.randint(5, 15) * 1_000_000,
                    rng.choice(SPONSORS),
                    "",
                    "포럼 후원",
                )
            )
        entries.append(("service_fee", rng.randint(2, 8) * 500_000, "", "", "기술자문·교육 수수료"))
        for kind, amount, counterparty, receipt, note in entries:
            services.record_ledger_entry(
                None,
                pilot,
                kind=kind,
                amount_krw=amount,
                on=day,
                counterparty=counterparty,
                receipt_number=receipt,
                note=note,
                source=AUDIT_SOURCE,
            )
    services.close_ledger(None, pilot, through=dt.date(year, 12, 31), source=AUDIT_SOURCE)


def load_dues_demo(seed: int = 2010) -> DuesDemoSummary:
    """Levels, invoices and payments of 2010 for every 2010 hub council without dues yet."""
    summary = DuesDemoSummary()
    program_year = ProgramYear.objects.filter(year=YEAR).first()
    if program_year is not None:
        billed = DuesLevel.objects.filter(program_year=program_year).values("council_id")
        councils = (
            Council.objects.filter(hub__program_year=program_year)
            .exclude(pk__in=billed)
            .exclude(status__in=[Council.Status.MERGED, Council.Status.CLOSED])
            .select_related("hub__program_year")
            .order_by("pk")
        )
        for council in councils:
            _bill(council, program_year)
            invoices = Invoice.objects.filter(membership__council=council).order_by("pk")
            for invoice in invoices:
                _pay(invoice, seed)
        confirm_pilots(program_year)
        for pilot in Pilot.objects.filter(hub__program_year=program_year, ledger__isnull=True):
            _ledger_year(pilot, seed)
    invoices = Invoice.objects.filter(program_year__year=YEAR)
    summary.councils = invoices.values("membership__council").distinct().count()
    summary.invoices = invoices.count()
    summary.billed_krw = sum(invoices.values_list("amount_krw", flat=True))
    summary.paid_krw = sum(invoices.values_list("paid_krw", flat=True))
    summary.refunds = Payment.objects.filter(
        invoice__program_year__year=YEAR, kind=Payment.Kind.REFUND
    ).count()
    for pilot in (
        Pilot.objects.filter(hub__program_year__year=YEAR)
        .select_related("hub__complex", "hub__program_year")
        .order_by("hub__complex__name_ko")
    ):
        ratio = selectors.self_sufficiency(pilot, pilot.starts_in).total.ratio
        summary.pilots.append(f"{pilot.hub.complex.name_ko} ({pilot.starts_in}: {ratio}%)")
    return summary


def delete_outreach() -> None:
    """Remove the dues and the pilots with their ledgers, children first (tests that rebuild
    the councils). Not a service: it writes no audit entries."""
    from sandan.outreach.models import DuesAssignment, LedgerEntry

    LedgerEntry.objects.all().delete()
    Pilot.objects.all().delete()
    Payment.objects.all().delete()
    Invoice.objects.all().delete()
    DuesAssignment.objects.all().delete()
    DuesLevel.objects.all().delete()
