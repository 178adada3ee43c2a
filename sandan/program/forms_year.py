"""Forms of the program-year editor (POST → program.services): targets, rules, categories,
the year's timeline. Every form carries `reason`, which an approved year requires."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from sandan.core.i18n import local_name
from sandan.program.models import RULE_INFO, ProgramYear, ServiceCategory
from sandan.registry.models import Zone

TEXT = {"class": "krds-input"}
NUMBER = {"class": "krds-input", "inputmode": "numeric"}
UNIT_HINTS: dict[str, Any] = {"percent": _("퍼센트(%)"), "krw": _("원"), "days": _("일")}


def _reason_field(program_year: ProgramYear) -> forms.CharField:
    approved = program_year.status == ProgramYear.Status.APPROVED
    return forms.CharField(
        label=_("변경 사유"),
        required=approved,
        max_length=300,
        widget=forms.TextInput(attrs=TEXT),
        help_text=_(
            "승인된 사업연도는 사유를 남겨야 바꿀 수 있습니다. 사유는 변경 이력에 남습니다."
        )
        if approved
        else _("작성 중인 사업연도는 사유 없이 바꿀 수 있습니다."),
    )


def _override_field() -> forms.CharField:
    return forms.CharField(
        label=_("규칙 예외 사유"),
        required=False,
        max_length=300,
        widget=forms.TextInput(attrs=TEXT),
        help_text=_(
            "권역별 목표를 지정이 지키지 못하게 되거나 거점단지마다 연계단지를 둘 수 없게 되는 "
            "변경은 이 사유를 적어야 저장됩니다."
        ),
    )


class YearTargetsForm(forms.Form):
    hub_target = forms.IntegerField(
        label=_("거점단지 목표"), min_value=0, max_value=1000, widget=forms.NumberInput(NUMBER)
    )
    linked_target = forms.IntegerField(
        label=_("연계단지 목표"), min_value=0, max_value=5000, widget=forms.NumberInput(NUMBER)
    )
    budget_total_krw = forms.IntegerField(
        label=_("총 예산(원)"), min_value=0, widget=forms.NumberInput(NUMBER)
    )
    notes = forms.CharField(
        label=_("비고"), required=False, widget=forms.Textarea(attrs={**TEXT, "rows": 2})
    )

    def __init__(self, *args: Any, program_year: ProgramYear, **kwargs: Any) -> None:
        targets = {t.zone_id: t for t in program_year.zone_targets.all()}
        self.zones = list(Zone.objects.order_by("order"))
        initial = {
            "hub_target": program_year.hub_target,
            "linked_target": program_year.linked_target,
            "budget_total_krw": program_year.budget_total_krw,
            "notes": program_year.notes,
        }
        for zone in self.zones:
            target = targets.get(zone.pk)
            initial[f"hubs_{zone.code}"] = target.hubs if target else 0
            initial[f"linked_{zone.code}"] = target.linked if target else 0
        kwargs["initial"] = initial
        super().__init__(*args, **kwargs)
        for zone in self.zones:
            name = local_name(zone)
            self.fields[f"hubs_{zone.code}"] = forms.IntegerField(
                label=_("%(zone)s 거점단지") % {"zone": name},
                min_value=0,
                max_value=1000,
                widget=forms.NumberInput(NUMBER),
            )
            self.fields[f"linked_{zone.code}"] = forms.IntegerField(
                label=_("%(zone)s 연계단지") % {"zone": name},
                min_value=0,
                max_value=5000,
                widget=forms.NumberInput(NUMBER),
            )
        self.fields["reason"] = _reason_field(program_year)
        self.fields["override_reason"] = _override_field()

    def zone_rows(self) -> list[tuple[Zone, Any, Any]]:
        return [(z, self[f"hubs_{z.code}"], self[f"linked_{z.code}"]) for z in self.zones]

    def zone_targets(self) -> dict[str, tuple[int, int]]:
        data = self.cleaned_data
        return {z.code: (data[f"hubs_{z.code}"], data[f"linked_{z.code}"]) for z in self.zones}


class YearRulesForm(forms.Form):
    """One field per rule the code reads (RULE_INFO), typed by the rule's unit."""

    def __init__(self, *args: Any, program_year: ProgramYear, **kwargs: Any) -> None:
        kwargs["initial"] = {name: program_year.rule(name) for name in RULE_INFO}
        super().__init__(*args, **kwargs)
        for name, (label, unit) in RULE_INFO.items():
            field: forms.Field
            if unit == "bool":
                field = forms.BooleanField(label=label, required=False)
            elif unit == "ratio":
                field = forms.FloatField(
                    label=label,
                    min_value=0,
                    max_value=1,
                    widget=forms.NumberInput({**NUMBER, "step": "0.05"}),
                )
            else:
                field = forms.IntegerField(
                    label=label,
                    min_value=0,
                    max_value=100 if unit == "percent" else None,
                    widget=forms.NumberInput(NUMBER),
                    help_text=UNIT_HINTS.get(unit, ""),
                )
                field.required = False
            self.fields[name] = field
        self.fields["reason"] = _reason_field(program_year)
        self.fields["override_reason"] = _override_field()

    def rules(self) -> dict[str, Any]:
        return {
            name: self.cleaned_data[name]
            for name in RULE_INFO
            if self.cleaned_data.get(name) is not None
        }


class CategoryForm(forms.Form):
    code = forms.SlugField(
        label=_("코드"),
        max_length=40,
        widget=forms.TextInput(TEXT),
        help_text=_("영문 대문자와 밑줄, 예: TOTAL_MARKETING"),
    )
    name_ko = forms.CharField(label=_("이름"), max_length=60, widget=forms.TextInput(TEXT))
    name_en = forms.CharField(label=_("영문 이름"), max_length=100, widget=forms.TextInput(TEXT))
    description = forms.CharField(
        label=_("설명"), required=False, widget=forms.Textarea(attrs={**TEXT, "rows": 3})
    )
    keywords = forms.CharField(
        label=_("키워드"),
        required=False,
        widget=forms.Textarea(attrs={**TEXT, "rows": 2}),
        help_text=_("쉼표로 구분한 대표 낱말 (분류 엔진이 읽습니다)"),
    )
    order = forms.IntegerField(
        label=_("순서"), required=False, min_value=0, widget=forms.NumberInput(NUMBER)
    )

    def __init__(
        self,
        *args: Any,
        program_year: ProgramYear,
        previous: ProgramYear | None,
        category: ServiceCategory | None = None,
        **kwargs: Any,
    ) -> None:
        initial = kwargs.pop("initial", {}) or {}
        if category is not None:
            initial.update(
                {
                    "code": category.code,
                    "name_ko": category.name_ko,
                    "name_en": category.name_en,
                    "description": category.description,
                    "keywords": category.keywords,
                    "order": category.order,
                    "maps_from": [
                        str(pk) for pk in category.maps_from.values_list("previous", flat=True)
                    ],
                }
            )
        kwargs["initial"] = initial
        super().__init__(*args, **kwargs)
        self.previous = previous
        if previous is not None:
            self.previous_categories = {str(c.pk): c for c in previous.categories.all()}
            self.fields["maps_from"] = forms.MultipleChoiceField(
                label=_("%(year)s년의 대응 분야") % {"year": previous.year},
                required=False,
                choices=[
                    (pk, f"{c.name_ko} ({c.code})") for pk, c in self.previous_categories.items()
                ],
                widget=forms.CheckboxSelectMultiple,
                help_text=_("이 분야로 합쳐 비교할 이전 사업연도의 분야를 고르세요."),
            )
        self.fields["reason"] = _reason_field(program_year)

    def maps_from(self) -> list[ServiceCategory] | None:
        if self.previous is None:
            return None
        return [self.previous_categories[pk] for pk in self.cleaned_data.get("maps_from", [])]


class MilestoneForm(forms.Form):
    due_on = forms.DateField(
        label=_("일자"), widget=forms.DateInput(attrs={**TEXT, "type": "date"})
    )
    title_ko = forms.CharField(label=_("내용"), max_length=120, widget=forms.TextInput(TEXT))
    title_en = forms.CharField(
        label=_("영문 내용"), required=False, max_length=160, widget=forms.TextInput(TEXT)
    )
    note = forms.CharField(
        label=_("비고"), required=False, max_length=300, widget=forms.TextInput(TEXT)
    )

    def __init__(self, *args: Any, program_year: ProgramYear, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["reason"] = _reason_field(program_year)


class ReasonForm(forms.Form):
    def __init__(self, *args: Any, program_year: ProgramYear, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["reason"] = _reason_field(program_year)
