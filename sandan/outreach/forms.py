"""Forms of the dues pages: the year/status filter (GET) and the forms that run the services.

Amounts are plain integer fields: whether an amount is too small or too large is the
service's decision, and its message lands on the field (`run_service`)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from sandan.core.forms import ALL, INPUT, SELECT, FilterForm, filter_select
from sandan.councils.models import Membership
from sandan.outreach.models import DuesLevel, LedgerEntry, Payment
from sandan.program.models import Designation

DATE = {**INPUT, "type": "date"}
STATUS_CHOICES = [
    ("open", _("납부 기한 전")),
    ("arrears", _("체납")),
    ("lapsed", _("자격 정지(유예 경과)")),
    ("paid", _("완납")),
]


class DuesFilterForm(FilterForm):
    year = forms.IntegerField(
        label=_("사업연도"),
        required=False,
        min_value=2005,
        max_value=2100,
        widget=forms.NumberInput(attrs=INPUT),
    )
    status = filter_select(ALL + STATUS_CHOICES, label=_("납부 상태"))


class LevelForm(forms.Form):
    name = forms.CharField(label=_("등급명"), max_length=60, widget=forms.TextInput(attrs=INPUT))
    annual_amount_krw = forms.IntegerField(
        label=_("연회비(원)"), widget=forms.NumberInput(attrs={**INPUT, "inputmode": "numeric"})
    )


def _organisation_name(membership: Membership) -> str:
    return str(membership.organisation.name_ko)


class AssignForm(forms.Form):
    membership = forms.ModelChoiceField(
        label=_("회원"), queryset=Membership.objects.none(), widget=forms.Select(attrs=SELECT)
    )
    level = forms.ModelChoiceField(
        label=_("회비 등급"), queryset=DuesLevel.objects.none(), widget=forms.Select(attrs=SELECT)
    )

    def __init__(self, *args: Any, members: Any, levels: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        membership = self.fields["membership"]
        assert isinstance(membership, forms.ModelChoiceField)
        membership.queryset = members
        membership.label_from_instance = _organisation_name  # type: ignore[method-assign,assignment]
        level = self.fields["level"]
        assert isinstance(level, forms.ModelChoiceField)
        level.queryset = levels


class IssueForm(forms.Form):
    issued_on = forms.DateField(label=_("발행일"), widget=forms.DateInput(attrs=DATE))
    due_on = forms.DateField(label=_("납부 기한"), widget=forms.DateInput(attrs=DATE))


class PaymentForm(forms.Form):
    amount_krw = forms.IntegerField(
        label=_("금액(원)"), widget=forms.NumberInput(attrs={**INPUT, "inputmode": "numeric"})
    )
    paid_on = forms.DateField(label=_("일자"), widget=forms.DateInput(attrs=DATE))
    method = forms.ChoiceField(
        label=_("방법"), choices=Payment.Method.choices, widget=forms.Select(attrs=SELECT)
    )
    note = forms.CharField(
        label=_("비고"), max_length=200, required=False, widget=forms.TextInput(attrs=INPUT)
    )


class RefundForm(PaymentForm):
    note = forms.CharField(
        label=_("환불 사유"), max_length=200, widget=forms.TextInput(attrs=INPUT)
    )


# The readiness score's parts, as the pages name them (keys of selectors.READINESS_WEIGHTS).
PART_LABELS = (
    ("firms", _("회원 기업 수")),
    ("dues_base", _("회비 청구액(원)")),
    ("collection", _("징수율(%)")),
    ("activity", _("협의체당 개최 활동")),
    ("outcomes", _("지원 성과 건수")),
)


def _hub_name(hub: Designation) -> str:
    return str(hub.complex.name_ko)


class PilotForm(forms.Form):
    hub = forms.ModelChoiceField(
        label=_("거점단지"), queryset=Designation.objects.none(), widget=forms.Select(attrs=SELECT)
    )
    starts_in = forms.IntegerField(
        label=_("자립 운영 시작 연도"),
        min_value=2005,
        max_value=2100,
        widget=forms.NumberInput(attrs=INPUT),
    )
    reason = forms.CharField(
        label=_("확정 사유"),
        max_length=2000,
        widget=forms.Textarea(attrs={**INPUT, "rows": 3}),
    )

    def __init__(self, *args: Any, hubs: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        hub = self.fields["hub"]
        assert isinstance(hub, forms.ModelChoiceField)
        hub.queryset = hubs
        hub.label_from_instance = _hub_name  # type: ignore[method-assign,assignment]


class LedgerEntryForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("구분"), choices=LedgerEntry.Kind.choices, widget=forms.Select(attrs=SELECT)
    )
    amount_krw = forms.IntegerField(
        label=_("금액(원)"), widget=forms.NumberInput(attrs={**INPUT, "inputmode": "numeric"})
    )
    on = forms.DateField(label=_("일자"), widget=forms.DateInput(attrs=DATE))
    counterparty = forms.CharField(
        label=_("기부자·후원자·거래처"),
        max_length=120,
        required=False,
        widget=forms.TextInput(attrs=INPUT),
    )
    receipt_number = forms.CharField(
        label=_("영수증 번호"), max_length=40, required=False, widget=forms.TextInput(attrs=INPUT)
    )
    note = forms.CharField(
        label=_("비고"), max_length=200, required=False, widget=forms.TextInput(attrs=INPUT)
    )


class CloseLedgerForm(forms.Form):
    through = forms.DateField(label=_("마감일(달의 마지막 날)"), widget=forms.DateInput(attrs=DATE))
