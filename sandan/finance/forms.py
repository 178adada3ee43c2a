"""The allocation form of a line's page (POST → `services.allocate`)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from sandan.core.forms import INPUT, SELECT
from sandan.finance.models import BudgetLine


class AllocateForm(forms.Form):
    """Pass money from a line to one of its children."""

    child = forms.ModelChoiceField(
        label=_("받을 하위 항목"),
        queryset=BudgetLine.objects.none(),
        widget=forms.Select(attrs=SELECT),
    )
    amount_krw = forms.IntegerField(
        label=_("금액(원)"),
        min_value=1,
        max_value=10**15,
        widget=forms.NumberInput(attrs={**INPUT, "inputmode": "numeric"}),
    )
    reason = forms.CharField(
        label=_("사유"), required=False, max_length=300, widget=forms.TextInput(attrs=INPUT)
    )

    def __init__(self, *args: Any, line: BudgetLine, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["child"].queryset = line.children.order_by("pk")  # type: ignore[attr-defined]
