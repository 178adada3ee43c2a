from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class TokenForm(forms.Form):
    name = forms.CharField(
        label=_("토큰 이름"),
        max_length=100,
        initial="api",
        help_text=_("어디에 쓰는 토큰인지 적어 두세요."),
    )
