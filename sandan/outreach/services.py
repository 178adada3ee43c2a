"""Every write about council dues (pages, API, commands, demo data).

Each function checks its input first and says what is wrong in a ValidationError keyed by
field; nothing is written then. Writes run in one transaction and are audited through
`sandan.core.services`; a payment or refund locks its invoice, so two clerks recording
at once cannot together pay more than is owed (the invoice's check constraint is the
last guard).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from sandan.core.services import NotAllowed, create_object, ensure_allowed, update_object
from sandan.councils.models import Council, Membership
from sandan.councils.selectors import current_memberships
from sandan.outreach import selectors
from sandan.outreach.models import (
    DuesAssignment,
    DuesLevel,
    Invoice,
    LedgerEntry,
    Payment,
    Pilot,
)
from sandan.program.models import Designation, ProgramYear

# Levels and assignments --------------------------------------------------------------


def _check_amount(value: Any, name: str = "amount_krw") -> int:
    if value is None or isinstance(value, bool) or not isinstance(value, int):
        raise ValidationError({name: _("금액을 원 단위 정수로 입력하세요.")})
    if value <= 0:
        raise ValidationError({name: _("금액은 0원보다 커야 합니다.")})
    return int(value)


def _check_year(council: Council, program_year: ProgramYear | None) -> ProgramYear:
    if program_year is None:
        raise ValidationError({"program_year": _("사업연도를 선택하세요.")})
    if program_year.year < council.hub.program_year.year:
        raise ValidationError(
            {
                "program_year": _(
                    "협의체가 %(year)s년 거점단지에 속하므로 그 이전 연도의 회비는 정할 수 "
                    "없습니다."
                )
                % {"year": council.hub.program_year.year}
            }
        )
    if program_year.status == ProgramYear.Status.CLOSED:
        raise ValidationError({"program_year": _("종료된 사업연도의 회비는 바꿀 수 없습니다.")})
    return program_year


def create_dues_level(
    actor: Any,
    *,
    council: Council,
    program_year: ProgramYear | None,
    name: str,
    annual_amount_krw: Any,
    source: str = "web",
) -> DuesLevel:
    """A dues level of a council for a program year."""
    program_year = _check_year(council, program_year)
    amount = _check_amount(annual_amount_krw, "annual_amount_krw")
    if not name.strip():
        raise ValidationError({"name": _("등급명을 입력하세요.")})
    fields = {
        "council": council,
        "program_year": program_year,
        "name": name.strip(),
        "annual_amount_krw": amount,
    }
    return create_object(actor, DuesLevel, fields, source=source)


def assign_dues_level(
    actor: Any, *, membership: Membership, level: DuesLevel, source: str = "web"
) -> DuesAssignment:
    """Put a member on a level for the level's year (replacing the year's earlier level
    until an invoice of that year is issued)."""
    if membership.council_id != level.council_id:
        raise ValidationError({"level": _("회원이 속한 협의체의 회비 등급을 고르세요.")})
    if Invoice.objects.filter(membership=membership, program_year=level.program_year).exists():
        raise ValidationError(
            {"level": _("이 회원에게 이미 이 연도의 청구서가 발행되어 등급을 바꿀 수 없습니다.")}
        )
    current = DuesAssignment.objects.filter(
        membership=membership, program_year=level.program_year
    ).first()
    if current is not None:
        return update_object(actor, current, {"level": level}, source=source)
    fields = {"membership": membership, "level": level, "program_year": level.program_year}
    return create_object(actor, DuesAssignment, fields, source=source)


# Invoices -------------------------------------------------------------------------------


@dataclass
class IssueResult:
    """What issuing a council's invoices for a year did."""

    issued: list[Invoice] = field(default_factory=list)
    already: int = 0  # members who had this year's invoice already
    unassigned: list[Membership] = field(default_factory=list)  # members with no level


def invoice_number(membership: Membership, program_year: ProgramYear) -> str:
    return f"D{program_year.year}-{membership.council_id:04d}-{membership.pk:06d}"


def issue_invoices(
    actor: Any,
    *,
    council: Council,
    program_year: ProgramYear | None,
    issued_on: dt.date | None,
    due_on: dt.date | None,
    source: str = "web",
) -> IssueResult:
    """One invoice per current member of the council that has a level for the year and no
    invoice of that year yet. Running it again issues only what is missing."""
    program_year = _check_year(council, program_year)
    if issued_on is None:
        raise ValidationError({"issued_on": _("발행일을 입력하세요.")})
    if due_on is None or due_on < issued_on:
        raise ValidationError({"due_on": _("납부 기한은 발행일 이후여야 합니다.")})
    result = IssueResult()
    members = (
        Membership.objects.filter(council=council)
        .filter(current_memberships(issued_on))
        .select_related("council")
        .order_by("pk")
    )
    levels = {
        a.membership_id: a.level
        for a in DuesAssignment.objects.filter(
            membership__council=council, program_year=program_year
        ).select_related("level")
    }
    invoiced = set(
        Invoice.objects.filter(membership__council=council, program_year=program_year).values_list(
            "membership_id", flat=True
        )
    )
    with transaction.atomic():
        for member in members:
            if member.pk in invoiced:
                result.already += 1
                continue
            level = levels.get(member.pk)
            if level is None:
                result.unassigned.append(member)
                continue
            fields = {
                "membership": member,
                "program_year": program_year,
                "level": level,
                "number": invoice_number(member, program_year),
                "amount_krw": level.annual_amount_krw,
                "issued_on": issued_on,
                "due_on": due_on,
            }
            result.issued.append(create_object(actor, Invoice, fields, source=source))
    return result


# Payments and refunds ---------------------------------------------------------------------


def _check_day(value: dt.date | None, invoice: Invoice) -> dt.date:
    if value is None:
        raise ValidationError({"paid_on": _("일자를 입력하세요.")})
    if value < invoice.issued_on:
        raise ValidationError({"paid_on": _("청구서 발행일보다 앞선 날짜는 입력할 수 없습니다.")})
    if value > timezone.localdate():
        raise ValidationError({"paid_on": _("앞으로의 날짜는 입력할 수 없습니다.")})
    return value


def _locked(actor: Any, invoice: Invoice) -> Invoice:
    ensure_allowed(actor, invoice, "change")
    return Invoice.objects.select_for_update().get(pk=invoice.pk)


def _add(
    actor: Any,
    invoice: Invoice,
    *,
    kind: str,
    amount: int,
    paid_on: dt.date,
    method: str,
    note: str,
    source: str,
) -> Payment:
    payment = create_object(
        actor,
        Payment,
        {
            "invoice": invoice,
            "kind": kind,
            "amount_krw": amount,
            "paid_on": paid_on,
            "method": method,
            "note": note.strip(),
            "recorded_by": actor if getattr(actor, "is_authenticated", False) else None,
        },
        source=source,
        reason=note,
    )
    signed = amount if kind == Payment.Kind.PAYMENT else -amount
    update_object(actor, invoice, {"paid_krw": invoice.paid_krw + signed}, source=source)
    return payment


def record_payment(
    actor: Any,
    invoice: Invoice,
    *,
    amount_krw: Any,
    paid_on: dt.date | None,
    method: str = Payment.Method.TRANSFER,
    note: str = "",
    source: str = "web",
) -> Payment:
    """A payment (in full or in part) of an invoice; never more than is still owed."""
    amount = _check_amount(amount_krw)
    with transaction.atomic():
        locked = _locked(actor, invoice)
        day = _check_day(paid_on, locked)
        if amount > locked.outstanding_krw:
            raise ValidationError(
                {
                    "amount_krw": _(
                        "납부액 %(amount)s원이 남은 청구액 %(outstanding)s원보다 많습니다. "
                        "남은 금액까지만 기록할 수 있습니다."
                    )
                    % {"amount": f"{amount:,}", "outstanding": f"{locked.outstanding_krw:,}"}
                }
            )
        return _add(
            actor,
            locked,
            kind=Payment.Kind.PAYMENT,
            amount=amount,
            paid_on=day,
            method=method,
            note=note,
            source=source,
        )


def refund_payment(
    actor: Any,
    invoice: Invoice,
    *,
    amount_krw: Any,
    paid_on: dt.date | None,
    reason: str,
    method: str = Payment.Method.TRANSFER,
    source: str = "web",
) -> Payment:
    """A refund of (part of) what was paid on an invoice, with its reason."""
    amount = _check_amount(amount_krw)
    if not reason.strip():
        raise ValidationError({"note": _("환불 사유를 적어 주세요.")})
    with transaction.atomic():
        locked = _locked(actor, invoice)
        day = _check_day(paid_on, locked)
        if amount > locked.paid_krw:
            raise ValidationError(
                {
                    "amount_krw": _("환불액 %(amount)s원이 납부된 %(paid)s원보다 많습니다.")
                    % {"amount": f"{amount:,}", "paid": f"{locked.paid_krw:,}"}
                }
            )
        return _add(
            actor,
            locked,
            kind=Payment.Kind.REFUND,
            amount=amount,
            paid_on=day,
            method=method,
            note=reason,
            source=source,
        )


# Self-sustaining pilots ----------------------------------------------------------------------


def confirm_pilot(
    actor: Any,
    *,
    hub: Designation,
    starts_in: int | None,
    reason: str,
    source: str = "web",
) -> Pilot:
    """HQ confirms a hub as a self-sustaining pilot, with its reason; the readiness score
    and its parts are kept as they stood (at most five pilots start in one year)."""
    if not reason.strip():
        raise ValidationError({"reason": _("확정 사유를 적어 주세요.")})
    if hub.role != Designation.Role.HUB:
        raise ValidationError({"hub": _("거점단지만 자립형 시범 거점이 될 수 있습니다.")})
    base = hub.program_year.year
    if starts_in is None or not base < starts_in <= base + 5:
        raise ValidationError(
            {
                "starts_in": _("시작 연도는 %(after)s년부터 %(until)s년 사이여야 합니다.")
                % {"after": base + 1, "until": base + 5}
            }
        )
    if Pilot.objects.filter(hub=hub).exists():
        raise ValidationError({"hub": _("이 거점단지는 이미 자립형 시범 거점입니다.")})
    if Pilot.objects.filter(starts_in=starts_in).count() >= selectors.PILOTS_MAX:
        raise ValidationError(
            {
                "hub": _("%(year)s년에 시작하는 시범 거점이 이미 %(max)s곳입니다.")
                % {"year": starts_in, "max": selectors.PILOTS_MAX}
            }
        )
    row = next(
        r for r in selectors.readiness(None, hub.program_year, every=True) if r.hub_id == hub.pk
    )
    fields = {
        "hub": hub,
        "starts_in": starts_in,
        "score": row.score,
        "parts": row.snapshot(),
        "proposed": row.proposed,
        "reason": reason.strip(),
        "confirmed_by": actor if getattr(actor, "is_authenticated", False) else None,
        "confirmed_at": timezone.now(),
    }
    return create_object(actor, Pilot, fields, source=source, reason=reason)


def record_ledger_entry(
    actor: Any,
    pilot: Pilot,
    *,
    kind: str,
    amount_krw: Any,
    on: dt.date | None,
    counterparty: str = "",
    receipt_number: str = "",
    note: str = "",
    source: str = "web",
) -> LedgerEntry:
    """A donation (donor and receipt required), sponsorship (sponsor required), service fee
    or running cost of a pilot, in a month not yet closed."""
    amount = _check_amount(amount_krw)
    if kind not in LedgerEntry.Kind.values:
        raise ValidationError({"kind": _("구분을 고르세요.")})
    if on is None:
        raise ValidationError({"on": _("일자를 입력하세요.")})
    if pilot.closed_through is not None and on <= pilot.closed_through:
        raise ValidationError(
            {
                "on": _("%(day)s까지 장부가 마감되었습니다. 그 뒤의 날짜로만 기록할 수 있습니다.")
                % {"day": pilot.closed_through.isoformat()}
            }
        )
    if (
        kind in (LedgerEntry.Kind.DONATION, LedgerEntry.Kind.SPONSORSHIP)
        and not counterparty.strip()
    ):
        raise ValidationError(
            {"counterparty": _("기부금과 후원금은 기부자(후원자)를 적어야 합니다.")}
        )
    if kind == LedgerEntry.Kind.DONATION and not receipt_number.strip():
        raise ValidationError({"receipt_number": _("기부금은 기부금 영수증 번호를 적어야 합니다.")})
    fields = {
        "pilot": pilot,
        "kind": kind,
        "amount_krw": amount,
        "on": on,
        "counterparty": counterparty.strip(),
        "receipt_number": receipt_number.strip(),
        "note": note.strip(),
        "recorded_by": actor if getattr(actor, "is_authenticated", False) else None,
    }
    return create_object(actor, LedgerEntry, fields, source=source)


def close_ledger(
    actor: Any, pilot: Pilot, *, through: dt.date | None, source: str = "web"
) -> Pilot:
    """Close a pilot's ledger through the end of a month (never reopened by a later close)."""
    if through is None:
        raise ValidationError({"through": _("마감할 달의 마지막 날을 입력하세요.")})
    if (through + dt.timedelta(days=1)).day != 1:
        raise ValidationError({"through": _("장부는 달의 마지막 날까지 마감합니다.")})
    if pilot.closed_through is not None and through <= pilot.closed_through:
        raise ValidationError({"through": _("이미 그 날짜까지 마감되었습니다.")})
    return update_object(actor, pilot, {"closed_through": through}, source=source)


__all__ = [
    "IssueResult",
    "NotAllowed",
    "assign_dues_level",
    "close_ledger",
    "confirm_pilot",
    "create_dues_level",
    "invoice_number",
    "issue_invoices",
    "record_ledger_entry",
    "record_payment",
    "refund_payment",
]
