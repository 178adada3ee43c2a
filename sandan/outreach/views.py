"""Dues pages: the collection overview (per council and hub, with a chart), a council's dues
(levels, members' levels, issuing, invoices, arrears and lapsed members), the invoice list
(a member firm's own invoices), an invoice with its payments, and the invoice and receipt
PDFs.

Every row comes from a selector or `.restrict(request.user, action)`: out of scope is a
404, a write out of scope a 403. Writes go through `outreach.services`; a refused write
re-renders its page with the form's field errors and status 400.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from sandan.accounts.roles import Role, roles_of
from sandan.core.forms import FAILED, run_service
from sandan.core.pagination import paginate
from sandan.core.querysets import allows
from sandan.core.shortcuts import get_visible_or_404, may
from sandan.councils.models import Council, Membership
from sandan.councils.selectors import current_memberships
from sandan.outreach import documents, selectors, services
from sandan.outreach.forms import (
    PART_LABELS,
    AssignForm,
    CloseLedgerForm,
    DuesFilterForm,
    IssueForm,
    LedgerEntryForm,
    LevelForm,
    PaymentForm,
    PilotForm,
    RefundForm,
)
from sandan.outreach.models import DuesLevel, Invoice, LedgerEntry, Payment, Pilot
from sandan.program.models import Designation, ProgramYear

INVOICES_ON_COUNCIL_PAGE = 200


def _year(form: DuesFilterForm, user: Any) -> int | None:
    """The chosen year, else the newest year with dues the user sees."""
    chosen = form.value("year")
    if chosen:
        return int(chosen)
    years = selectors.dues_years(user)
    return years[0] if years else None


def _pdf(data: bytes, name: str) -> HttpResponse:
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{name}.pdf"'
    return response


def _chart(rows: list[selectors.Collection]) -> dict[str, Any]:
    return {
        "labels": [row.name for row in rows],
        "yTitle": _("징수율(%)"),
        "datasets": [
            {"label": _("징수율(%)"), "data": [float(row.rate or 0) for row in rows]},
        ],
    }


@login_required
def dues_overview(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not allows(user, Invoice, "view"):
        raise PermissionDenied(_("회비 현황을 볼 권한이 없습니다."))
    if roles_of(user) <= {Role.COMPANY_USER}:  # a member firm: its own invoices
        return redirect("outreach:invoice_list")
    form = DuesFilterForm(request.GET or None)
    year = _year(form, user)
    report = selectors.collection(user, year) if year else None
    context = {
        "form": form,
        "year": year,
        "report": report,
        "chart": _chart(report.by_hub) if report else None,
        "councils": list(
            selectors.councils_with_dues(user)
            .select_related("hub__complex", "zone")
            .order_by("name")
        ),
        "grace": _grace(year),
    }
    return render(request, "outreach/dues_overview.html", context)


def _grace(year: int | None) -> int | None:
    program_year = ProgramYear.objects.filter(year=year).first() if year else None
    return selectors.grace_days(program_year) if program_year else None


# A council's dues ----------------------------------------------------------------------


def _council_forms(
    request: HttpRequest, council: Council, program_year: ProgramYear | None, today: dt.date
) -> dict[str, Any]:
    members = (
        Membership.objects.filter(council=council)
        .filter(current_memberships(today))
        .select_related("organisation")
        .order_by("organisation__name_ko")
    )
    levels = DuesLevel.objects.filter(council=council, program_year=program_year)
    post = request.POST if request.method == "POST" else None
    action = request.POST.get("action") if post else None
    return {
        "level_form": LevelForm(post if action == "level" else None, prefix="level"),
        "assign_form": AssignForm(
            post if action == "assign" else None, prefix="assign", members=members, levels=levels
        ),
        "issue_form": IssueForm(
            post if action == "issue" else None,
            prefix="issue",
            initial={"issued_on": today, "due_on": today + dt.timedelta(days=30)},
        ),
        "members": list(members),
    }


def _run_council_action(
    request: HttpRequest, forms: dict[str, Any], council: Council, program_year: ProgramYear
) -> bool:
    """Run the posted form's service; True when it succeeded."""
    user = request.user
    action = request.POST.get("action")
    form = forms.get(f"{action}_form")
    if form is None or not form.is_valid():
        return False
    data = form.cleaned_data
    done: Any
    if action == "level":
        done = run_service(
            form,
            lambda: services.create_dues_level(
                user, council=council, program_year=program_year, **data
            ),
        )
        message = _("회비 등급을 만들었습니다.")
    elif action == "assign":
        done = run_service(form, lambda: services.assign_dues_level(user, **data))
        message = _("회비 등급을 지정했습니다.")
    else:
        done = run_service(
            form,
            lambda: services.issue_invoices(
                user, council=council, program_year=program_year, **data
            ),
        )
        if done is not FAILED:
            assert isinstance(done, services.IssueResult)
            message = _(
                "청구서 %(issued)s건을 발행했습니다(이미 발행 %(already)s건, 등급 미지정 "
                "%(unassigned)s곳)."
            ) % {
                "issued": len(done.issued),
                "already": done.already,
                "unassigned": len(done.unassigned),
            }
    if done is FAILED:
        return False
    messages.success(request, message)
    return True


@login_required
def council_dues(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    council = get_visible_or_404(
        Council.objects.select_related("hub__complex", "hub__program_year", "zone"),
        user,
        _("협의체를 찾을 수 없습니다."),
        pk=pk,
    )
    if not allows(user, Invoice, "view"):
        raise PermissionDenied(_("회비 현황을 볼 권한이 없습니다."))
    today = timezone.localdate()
    form = DuesFilterForm(request.GET or None)
    year = form.value("year") or max([council.hub.program_year.year, *selectors.dues_years(user)])
    program_year = ProgramYear.objects.filter(year=year).first()
    # Who runs a council (HQ; regional staff and coordinators in scope) runs its dues.
    may_change = allows(user, Invoice, "add") and may(user, Council, "change", council.pk)
    forms = _council_forms(request, council, program_year, today)
    status = 200
    if request.method == "POST":
        if not may_change or program_year is None:
            raise PermissionDenied(_("이 협의체의 회비를 관리할 권한이 없습니다."))
        if _run_council_action(request, forms, council, program_year):
            return redirect(f"{request.path}?year={year}")
        status = 400
    invoices = list(
        selectors.invoices(user, selectors.InvoiceFilter(year=year, council=council.pk), today)[
            :INVOICES_ON_COUNCIL_PAGE
        ]
    )
    rows = [(invoice, selectors.status_of(invoice, today)) for invoice in invoices]
    report = selectors.collection(user, year, today) if year else None
    council_row = (
        next((r for r in report.by_council if r.key == council.pk), None) if report else None
    )
    context = {
        "council": council,
        "year": year,
        "program_year": program_year,
        "form": form,
        "levels": list(selectors.levels(user, council=council.pk, year=year)),
        "assigned": selectors.assignments(user, council.pk, year),
        "rows": rows,
        "lapsed": [invoice for invoice, state in rows if state == "lapsed"],
        "arrears": [invoice for invoice, state in rows if state in ("arrears", "lapsed")],
        "collection": council_row,
        "grace": selectors.grace_days(program_year) if program_year else None,
        "payments": list(selectors.payments(user, council=council.pk).order_by("-paid_on")[:20]),
        "may_change": may_change,
        **forms,
    }
    return render(request, "outreach/council_dues.html", context, status=status)


# Invoices --------------------------------------------------------------------------------


@login_required
def invoice_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not allows(user, Invoice, "view"):
        raise PermissionDenied(_("회비 청구서를 볼 권한이 없습니다."))
    form = DuesFilterForm(request.GET or None)
    today = timezone.localdate()
    filters = selectors.InvoiceFilter(year=form.value("year"), status=form.value("status"))
    context = {
        "form": form,
        "today": today,
        **paginate(request, selectors.invoices(user, filters, today)),
    }
    context["rows"] = [(i, selectors.status_of(i, today)) for i in context["page"].object_list]
    return render(request, "outreach/invoice_list.html", context)


def _invoice(user: Any, pk: int) -> Invoice:
    return get_visible_or_404(
        Invoice.objects.select_related(
            "membership__organisation", "membership__council", "program_year", "level"
        ),
        user,
        _("청구서를 찾을 수 없습니다."),
        pk=pk,
    )


@login_required
def invoice_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    invoice = _invoice(user, pk)
    may_change = may(user, Invoice, "change", invoice.pk) and allows(user, Payment, "add")
    action = request.POST.get("action") if request.method == "POST" else None
    today = timezone.localdate()
    initial = {"paid_on": today}
    payment_form = PaymentForm(
        request.POST if action == "payment" else None,
        prefix="payment",
        initial={**initial, "amount_krw": invoice.outstanding_krw},
    )
    refund_form = RefundForm(
        request.POST if action == "refund" else None, prefix="refund", initial=initial
    )
    status = 200
    if action is not None:
        if not may_change:
            raise PermissionDenied(_("이 청구서에 납부를 기록할 권한이 없습니다."))
        form = payment_form if action == "payment" else refund_form
        service = services.record_payment if action == "payment" else services.refund_payment
        if form.is_valid():
            data = dict(form.cleaned_data)
            if action == "refund":
                data["reason"] = data.pop("note")
            if run_service(form, lambda: service(user, invoice, **data)) is not FAILED:
                messages.success(request, _("기록했습니다."))
                return redirect("outreach:invoice_detail", pk=invoice.pk)
        status = 400
    context = {
        "invoice": invoice,
        "state": selectors.status_of(invoice, today),
        "payments": list(selectors.payments(user, invoice=invoice.pk)),
        "may_change": may_change,
        "payment_form": payment_form,
        "refund_form": refund_form,
    }
    return render(request, "outreach/invoice_detail.html", context, status=status)


@login_required
def invoice_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    invoice = _invoice(request.user, pk)
    return _pdf(documents.invoice_pdf(invoice), f"invoice-{invoice.number}")


@login_required
def receipt_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    payment = (
        selectors.payments(request.user)
        .select_related("invoice__level", "invoice__program_year", "invoice__membership__council")
        .filter(pk=pk)
        .first()
    )
    if payment is None:
        raise Http404(_("납부 기록을 찾을 수 없습니다."))
    return _pdf(documents.receipt_pdf(payment), f"receipt-{payment.receipt_number}")


# Self-sustaining pilots ----------------------------------------------------------------


def _readiness_chart(rows: list[selectors.Readiness]) -> dict[str, Any]:
    labels = dict(PART_LABELS)
    return {
        "labels": [row.hub_name for row in rows],
        "yTitle": _("점수"),
        "datasets": [
            {"label": str(labels[name]), "data": [float(row.parts[i].points) for row in rows]}
            for i, name in enumerate(selectors.READINESS_WEIGHTS)
        ],
    }


@login_required
def pilot_readiness(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not allows(user, Pilot, "view"):
        raise PermissionDenied(_("자립형 시범 거점을 볼 권한이 없습니다."))
    form = DuesFilterForm(request.GET or None)
    year = form.value("year") or next(iter(selectors.dues_years(user)), None)
    program_year = ProgramYear.objects.filter(year=year).first() if year else None
    rows = selectors.readiness(user, program_year) if program_year else []
    may_confirm = allows(user, Pilot, "add") and program_year is not None
    hubs = Designation.objects.filter(pk__in=[r.hub_id for r in rows if r.pilot_id is None])
    confirm_form = PilotForm(
        request.POST if request.method == "POST" else None,
        hubs=hubs.select_related("complex").order_by("complex__name_ko"),
        initial={"starts_in": (year or 2010) + 1},
    )
    status = 200
    if request.method == "POST":
        if not may_confirm:
            raise PermissionDenied(_("자립형 시범 거점을 확정할 권한이 없습니다."))
        if confirm_form.is_valid():
            done = run_service(
                confirm_form, lambda: services.confirm_pilot(user, **confirm_form.cleaned_data)
            )
            if done is not FAILED:
                messages.success(request, _("자립형 시범 거점으로 확정했습니다."))
                return redirect(f"{request.path}?year={year}")
        status = 400
    context = {
        "form": form,
        "year": year,
        "program_year": program_year,
        "rows": rows,
        "part_names": PART_LABELS,
        "chart": _readiness_chart(rows),
        "pilots": list(
            Pilot.objects.restrict(user, "view")
            .filter(hub__program_year=program_year)
            .select_related("hub__complex", "confirmed_by")
        ),
        "may_confirm": may_confirm,
        "confirm_form": confirm_form,
        "weights": selectors.READINESS_WEIGHTS,
    }
    return render(request, "outreach/pilot_readiness.html", context, status=status)


def _ratio_chart(report: selectors.Sufficiency) -> dict[str, Any]:
    return {
        "labels": [f"{report.year}-{m.month:02d}" for m in report.months],
        "yTitle": _("자립도(%)"),
        "datasets": [
            {
                "label": _("자립도(%)"),
                "data": [float(m.ratio) if m.ratio is not None else None for m in report.months],
            }
        ],
    }


@login_required
def pilot_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    pilot = get_visible_or_404(
        Pilot.objects.select_related("hub__complex", "hub__program_year"),
        user,
        _("시범 거점을 찾을 수 없습니다."),
        pk=pk,
    )
    form = DuesFilterForm(request.GET or None)
    year = form.value("year") or pilot.starts_in
    may_record = may(user, Pilot, "view", pilot.pk) and allows(user, LedgerEntry, "add")
    may_close = may(user, Pilot, "change", pilot.pk)
    action = request.POST.get("action") if request.method == "POST" else None
    entry_form = LedgerEntryForm(
        request.POST if action == "entry" else None,
        prefix="entry",
        initial={"on": timezone.localdate()},
    )
    close_form = CloseLedgerForm(request.POST if action == "close" else None, prefix="close")
    status = 200
    if action is not None:
        if not (may_close if action == "close" else may_record):
            raise PermissionDenied(_("이 시범 거점의 장부를 기록할 권한이 없습니다."))
        done: Any
        if action == "close":
            done = close_form.is_valid() and run_service(
                close_form,
                lambda: services.close_ledger(user, pilot, **close_form.cleaned_data),
            )
        else:
            done = entry_form.is_valid() and run_service(
                entry_form,
                lambda: services.record_ledger_entry(user, pilot, **entry_form.cleaned_data),
            )
        if done and done is not FAILED:
            messages.success(request, _("기록했습니다."))
            return redirect(f"{request.path}?year={year}")
        status = 400
    report = selectors.self_sufficiency(pilot, year)
    context = {
        "pilot": pilot,
        "year": year,
        "form": form,
        "report": report,
        "chart": _ratio_chart(report),
        "entries": list(
            LedgerEntry.objects.restrict(user, "view").filter(pilot=pilot, on__year=year)
        ),
        "may_record": may_record,
        "may_close": may_close,
        "entry_form": entry_form,
        "close_form": close_form,
    }
    return render(request, "outreach/pilot_detail.html", context, status=status)
