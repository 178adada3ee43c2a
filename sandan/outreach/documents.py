"""A dues invoice and a payment receipt as PDFs with Hangul, on the core's `Report`
(sandan/core/pdf.py, ADR 0013). They lay out what the invoice and its payments hold; the
figures are the kept ones (amount, net paid, outstanding), never recomputed here."""

from __future__ import annotations

from django.utils.translation import gettext as _

from sandan.core.pdf import Report, Value
from sandan.outreach.models import Invoice, Payment


def _won(value: int) -> str:
    return _("%(amount)s원") % {"amount": f"{value:,}"}


def _parties(report: Report, invoice: Invoice) -> None:
    member = invoice.membership
    report.data_table(
        [_("항목"), _("내용")],
        [
            [_("협의체"), member.council.name],
            [_("회원 기관"), member.organisation.name_ko],
            [_("사업자등록번호"), member.organisation.business_number or "–"],
            [_("회비 등급"), invoice.level.name],
            [_("사업연도"), str(invoice.program_year.year)],
        ],
        widths=[1, 3],
    )


def invoice_pdf(invoice: Invoice) -> bytes:
    """The invoice: who owes what for which year, by when, and what was paid so far."""
    report = Report(
        _("협의체 회비 청구서"),
        [invoice.number, _("발행일 %(day)s") % {"day": invoice.issued_on.isoformat()}],
    )
    report.figures(
        [
            (_("청구액"), _won(invoice.amount_krw)),
            (_("납부액"), _won(invoice.paid_krw)),
            (_("남은 금액"), _won(invoice.outstanding_krw)),
            (_("납부 기한"), invoice.due_on.isoformat()),
        ]
    )
    _parties(report, invoice)
    rows: list[list[Value]] = [
        [p.paid_on.isoformat(), p.get_kind_display(), p.get_method_display(), p.signed_krw]
        for p in invoice.payments.all()
    ]
    report.heading(_("납부 내역"))
    report.data_table(
        [_("일자"), _("구분"), _("방법"), _("금액(원)")],
        rows,
        numeric=[False, False, False, True],
        empty=_("납부 내역이 없습니다."),
    )
    return report.output_bytes()


def receipt_pdf(payment: Payment) -> bytes:
    """The receipt of one payment (영수증) or the note of one refund (환불 확인서)."""
    invoice = payment.invoice
    title = (
        _("협의체 회비 영수증") if payment.kind == Payment.Kind.PAYMENT else _("회비 환불 확인서")
    )
    report = Report(title, [payment.receipt_number, invoice.number])
    report.figures(
        [
            (payment.get_kind_display(), _won(payment.amount_krw)),
            (_("일자"), payment.paid_on.isoformat()),
            (_("방법"), payment.get_method_display()),
            (_("남은 금액"), _won(invoice.outstanding_krw)),
        ]
    )
    _parties(report, invoice)
    if payment.note:
        report.note(_("비고: %(note)s") % {"note": payment.note})
    report.note(
        _("위 금액을 %(council)s 회비로 %(kind)s하였음을 확인합니다.")
        % {"council": invoice.membership.council.name, "kind": payment.get_kind_display()}
    )
    return report.output_bytes()
