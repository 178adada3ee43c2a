from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from sandan.accounts.models import Membership, MembershipStatus, ScopeKind
from sandan.accounts.roles import Role
from sandan.core import clock
from sandan.core.forms import ALL, INPUT, SELECT, FilterForm, filter_select, search_field

DATE = {**INPUT, "type": "date"}


class TokenForm(forms.Form):
    name = forms.CharField(
        label=_("토큰 이름"),
        max_length=100,
        initial="api",
        help_text=_("어디에 쓰는 토큰인지 적어 두세요."),
    )


def registry_model(field: str) -> Any:
    """The registry model a membership's scope field points to (registry sits above
    accounts, so accounts reaches its models only through the relation)."""
    return Membership._meta.get_field(field).related_model


def business_digits(value: str) -> str:
    return "".join(ch for ch in str(value) if ch.isdigit())


def find_firm(business_number: str) -> Any:
    """The registered company with this 사업자등록번호 (checked as the registry checks it)."""
    organisation_model = registry_model("organisation")
    number = business_digits(business_number)
    organisation_model._meta.get_field("business_number").run_validators(number)
    firm = (
        organisation_model.objects.filter(business_number=number, kind="company")
        .select_related("complex")
        .first()
    )
    if firm is None:
        raise ValidationError(
            _(
                "이 사업자등록번호로 등록된 기업이 없습니다. 기업이 있는 산업단지의 "
                "공단 지사에 기업 등록을 먼저 요청하세요."
            ),
            code="unknown_firm",
        )
    return firm


class MembershipFields(forms.Form):
    """A role, its scope and its dates: the part of a membership a form asks for."""

    role = forms.ChoiceField(label=_("역할"), choices=Role.choices, widget=forms.Select(SELECT))
    scope_kind = forms.ChoiceField(
        label=_("범위"),
        choices=ScopeKind.choices,
        initial=ScopeKind.NATIONAL,
        widget=forms.RadioSelect,
        help_text=_("고른 범위에 맞는 칸 하나를 채우세요."),
    )
    zone = forms.ModelChoiceField(
        label=_("광역경제권"),
        queryset=registry_model("zone").objects.all(),
        required=False,
        widget=forms.Select(SELECT),
    )
    office = forms.ModelChoiceField(
        label=_("공단 조직"),
        queryset=registry_model("office").objects.all(),
        required=False,
        widget=forms.Select(SELECT),
    )
    complex_code = forms.CharField(
        label=_("산업단지 코드"),
        max_length=6,
        required=False,
        widget=forms.TextInput(INPUT),
        help_text=_("산업단지 목록의 단지 코드 (예: 1001)"),
    )
    business_number = forms.CharField(
        label=_("기관 사업자등록번호"),
        max_length=12,
        required=False,
        widget=forms.TextInput({**INPUT, "inputmode": "numeric"}),
        help_text=_("예: 123-45-67890"),
    )
    valid_from = forms.DateField(
        label=_("시작일"),
        required=False,
        widget=forms.DateInput(DATE),
        help_text=_("비워 두면 바로 유효합니다."),
    )
    valid_until = forms.DateField(
        label=_("종료일"),
        required=False,
        widget=forms.DateInput(DATE),
        help_text=_("이 날까지 유효합니다. 비워 두면 기한 없음."),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        data["scope"] = self._scope(data)
        start, end = data.get("valid_from"), data.get("valid_until")
        if start and end and end < start:
            self.add_error("valid_until", _("종료일은 시작일보다 앞설 수 없습니다."))
        return data

    def _scope(self, data: dict[str, Any]) -> dict[str, Any]:
        kind = data.get("scope_kind")
        if kind == ScopeKind.ZONE:
            return self._need(data, "zone", "zone", data.get("zone"))
        if kind == ScopeKind.OFFICE:
            return self._need(data, "office", "office", data.get("office"))
        if kind == ScopeKind.COMPLEX:
            code = (data.get("complex_code") or "").strip()
            found = (
                registry_model("complex").objects.filter(kicox_id=code).first() if code else None
            )
            if code and found is None:
                self.add_error("complex_code", _("이 코드의 산업단지가 없습니다."))
                return {}
            return self._need(data, "complex", "complex_code", found)
        if kind == ScopeKind.ORGANISATION:
            number = data.get("business_number") or ""
            if not number:
                return self._need(data, "organisation", "business_number", None)
            organisation_model = registry_model("organisation")
            found = organisation_model.objects.filter(business_number=business_digits(number))
            if not found.exists():
                self.add_error("business_number", _("이 사업자등록번호의 기관이 없습니다."))
                return {}
            return {"organisation": found.first()}
        return {}

    def _need(self, data: dict[str, Any], name: str, field: str, value: Any) -> dict[str, Any]:
        if value is None:
            self.add_error(field, _("고른 범위에 맞게 이 칸을 채우세요."))
            return {}
        return {name: value}


class AccountForm(MembershipFields):
    """HQ creates a staff account: who it is and its first role."""

    username = forms.CharField(
        label=_("아이디"),
        max_length=150,
        widget=forms.TextInput({**INPUT, "autocomplete": "off"}),
        help_text=_("영문, 숫자와 @ . + - _ 만 쓸 수 있습니다."),
    )
    display_name = forms.CharField(
        label=_("이름(표시)"), max_length=100, widget=forms.TextInput(INPUT)
    )
    email = forms.EmailField(
        label=_("이메일"),
        widget=forms.EmailInput(INPUT),
        help_text=_("비밀번호를 정하는 링크를 이 주소로 보냅니다."),
    )

    field_order = ["username", "display_name", "email"]


class EndMembershipForm(forms.Form):
    on = forms.DateField(
        label=_("종료일"),
        widget=forms.DateInput(DATE),
        help_text=_("이 날까지 유효합니다. 오늘을 고르면 지금 바로 끝납니다."),
    )
    reason = forms.CharField(label=_("사유"), max_length=500, widget=forms.TextInput(INPUT))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["on"].initial = clock.today()


class AccountRequestForm(forms.Form):
    """A firm asks for an account; the business registration number finds the firm."""

    business_number = forms.CharField(
        label=_("사업자등록번호"),
        max_length=12,
        widget=forms.TextInput({**INPUT, "inputmode": "numeric", "autocomplete": "off"}),
        help_text=_("예: 123-45-67890"),
    )
    name = forms.CharField(
        label=_("신청자 이름"),
        max_length=50,
        widget=forms.TextInput({**INPUT, "autocomplete": "name"}),
    )
    email = forms.EmailField(
        label=_("이메일"),
        widget=forms.EmailInput({**INPUT, "autocomplete": "email"}),
        help_text=_("승인되면 이 주소가 아이디가 되고, 비밀번호를 정하는 링크를 보내 드립니다."),
    )
    phone = forms.CharField(
        label=_("전화번호"),
        max_length=30,
        required=False,
        widget=forms.TextInput({**INPUT, "autocomplete": "tel", "inputmode": "tel"}),
    )
    department = forms.CharField(
        label=_("부서·직위"), max_length=100, required=False, widget=forms.TextInput(INPUT)
    )
    message = forms.CharField(
        label=_("남기실 말"),
        max_length=1000,
        required=False,
        widget=forms.Textarea({"class": "krds-input", "rows": 3}),
    )
    consent = forms.BooleanField(
        label=_("개인정보(이름, 이메일, 전화번호)를 계정 심사와 안내에 쓰는 데 동의합니다."),
    )

    def clean_business_number(self) -> str:
        number = business_digits(self.cleaned_data["business_number"])
        self.firm = find_firm(number)
        return number


class DecisionForm(forms.Form):
    reason = forms.CharField(
        label=_("반려 사유"),
        max_length=500,
        widget=forms.TextInput(INPUT),
        help_text=_("신청자에게 이메일로 전해집니다."),
    )


STATUS_CHOICES = [*ALL, *MembershipStatus.choices]


class PeopleFilterForm(FilterForm):
    q = search_field(_("검색"), _("이름, 아이디, 이메일"))
    role = filter_select([*ALL, *Role.choices], label=_("역할"))
    status = filter_select(STATUS_CHOICES, label=_("상태"))
