"""Forms of the program pages (POST → program.services)."""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from sandan.core.i18n import local_name, pick_name
from sandan.program.models import Designation, ProgramYear
from sandan.registry.models import Complex, Zone

TEXT = {"class": "krds-input"}
# "123456", or "창원국가 (123456)" as the datalist offers it.
_COMPLEX_CODE = re.compile(r"(?:^|\()(\d{6})\)?$")
SELECT = {"class": "krds-form-select"}


class CopyYearForm(forms.Form):
    year = forms.IntegerField(
        label=_("새 사업연도"),
        min_value=2005,
        max_value=2100,
        widget=forms.NumberInput(attrs=TEXT),
    )

    def clean_year(self) -> int:
        year = int(self.cleaned_data["year"])
        if ProgramYear.objects.filter(year=year).exists():
            raise ValidationError(_("%(year)s년 사업연도가 이미 있습니다.") % {"year": year})
        return year


class DesignationForm(forms.Form):
    complex = forms.CharField(
        label=_("산업단지"),
        max_length=120,
        widget=forms.TextInput(attrs={**TEXT, "list": "complex-options", "autocomplete": "off"}),
        help_text=_("단지명이나 단지 코드 6자리를 입력하거나 목록에서 고르세요."),
    )
    role = forms.ChoiceField(
        label=_("구분"), choices=Designation.Role.choices, widget=forms.Select(attrs=SELECT)
    )
    hub = forms.ChoiceField(
        label=_("거점단지"),
        required=False,
        widget=forms.Select(attrs=SELECT),
        help_text=_("연계단지만 고릅니다."),
    )
    cross_zone_reason = forms.CharField(
        label=_("권역 외 연계 사유"),
        required=False,
        max_length=300,
        widget=forms.TextInput(attrs=TEXT),
    )
    reason = forms.CharField(
        label=_("변경 사유"),
        required=False,
        max_length=300,
        widget=forms.TextInput(attrs=TEXT),
        help_text=_("승인된 사업연도의 지정을 바꿀 때 필요합니다."),
    )

    def __init__(self, *args: Any, program_year: ProgramYear, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.program_year = program_year
        hubs = Designation.objects.filter(program_year=program_year, role="hub").select_related(
            "complex"
        )
        self.fields["hub"].choices = [("", "—")] + [  # type: ignore[attr-defined]
            (str(d.pk), f"{d.complex.name_ko} ({d.complex.kicox_id})") for d in hubs
        ]

    def complex_options(self) -> list[tuple[str, str]]:
        """(value, zone) for the datalist: "name (code)", which clean_complex reads back."""
        rows = Complex.objects.order_by("province__zone__order", "name_ko").values_list(
            "name_ko", "kicox_id", "province__zone__name_ko", "province__zone__name_en"
        )
        return [(f"{name} ({code})", pick_name(ko, en)) for name, code, ko, en in rows]

    def clean_complex(self) -> Complex:
        value = " ".join(self.cleaned_data["complex"].split())
        complexes = Complex.objects.select_related("province__zone")
        code = _COMPLEX_CODE.search(value)
        if code:
            found = complexes.filter(kicox_id=code.group(1)).first()
            if found is None:
                raise ValidationError(
                    _("단지 코드 %(code)s인 산업단지가 없습니다.") % {"code": code.group(1)}
                )
            return found
        named = list(complexes.filter(name_ko=value)[:2])
        if len(named) > 1:
            raise ValidationError(
                _("‘%(name)s’라는 단지가 여럿입니다. 목록에서 코드와 함께 고르세요.")
                % {"name": value}
            )
        if not named:
            raise ValidationError(
                _("‘%(name)s’인 산업단지가 없습니다. 단지명이나 코드 6자리를 확인하세요.")
                % {"name": value}
            )
        return named[0]

    def clean_hub(self) -> Designation | None:
        value = self.cleaned_data.get("hub")
        if not value:
            return None
        return Designation.objects.select_related("zone").get(pk=int(value))


class PlanForm(forms.Form):
    hubs = forms.IntegerField(
        label=_("거점단지 수"),
        required=False,
        min_value=1,
        max_value=500,
        widget=forms.NumberInput(attrs=TEXT),
        help_text=_("비우면 사업연도 목표를 씁니다."),
    )
    geo_weight = forms.FloatField(
        label=_("거리 가중치"),
        initial=1.0,
        min_value=0,
        max_value=100,
        widget=forms.NumberInput(attrs={**TEXT, "step": "0.1"}),
    )
    industry_weight = forms.FloatField(
        label=_("업종 구성 가중치"),
        initial=1.0,
        min_value=0,
        max_value=100,
        widget=forms.NumberInput(attrs={**TEXT, "step": "0.1"}),
    )
    geo_scale_km = forms.FloatField(
        label=_("거리 기준(km)"),
        initial=50.0,
        min_value=1,
        max_value=1000,
        widget=forms.NumberInput(attrs=TEXT),
        help_text=_("이 거리가 업종 구성이 완전히 다른 것과 같은 무게를 갖습니다."),
    )
    min_hub_operating_firms = forms.IntegerField(
        label=_("거점단지 최소 가동업체 수"),
        required=False,
        min_value=0,
        widget=forms.NumberInput(attrs=TEXT),
        help_text=_("비우면 사업연도 규칙을 씁니다."),
    )
    min_operating_firms = forms.IntegerField(
        label=_("대상 단지 최소 가동업체 수"),
        initial=1,
        min_value=0,
        widget=forms.NumberInput(attrs=TEXT),
    )
    kinds = forms.MultipleChoiceField(
        label=_("단지 유형"),
        required=False,
        choices=Complex.Kind.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("고르지 않으면 모든 유형"),
    )
    pinned = forms.CharField(
        label=_("고정 거점단지"),
        required=False,
        widget=forms.TextInput(attrs=TEXT),
        help_text=_("단지 코드를 쉼표로 구분"),
    )
    excluded = forms.CharField(
        label=_("제외 단지"),
        required=False,
        widget=forms.TextInput(attrs=TEXT),
        help_text=_("단지 코드를 쉼표로 구분"),
    )
    allow_cross_zone = forms.BooleanField(label=_("권역 외 연계 허용"), required=False)
    time_limit = forms.FloatField(
        label=_("계산 시간 한도(초)"),
        initial=60,
        min_value=1,
        max_value=600,
        widget=forms.NumberInput(attrs=TEXT),
    )

    def _codes(self, name: str) -> tuple[str, ...]:
        codes = tuple(c.strip() for c in self.cleaned_data.get(name, "").split(",") if c.strip())
        known = set(Complex.objects.filter(kicox_id__in=codes).values_list("kicox_id", flat=True))
        unknown = [c for c in codes if c not in known]
        if unknown:
            raise ValidationError(_("알 수 없는 단지 코드: %s") % ", ".join(unknown))
        return codes

    def clean_pinned(self) -> tuple[str, ...]:
        return self._codes("pinned")

    def clean_excluded(self) -> tuple[str, ...]:
        return self._codes("excluded")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if set(data.get("pinned") or ()) & set(data.get("excluded") or ()):
            raise ValidationError(_("같은 단지를 고정하면서 제외할 수 없습니다."))
        return data


def zone_choices() -> list[tuple[str, str]]:
    return [(z.code, local_name(z)) for z in Zone.objects.order_by("order")]
