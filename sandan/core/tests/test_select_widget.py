"""sandan/core/templates/django/forms/widgets/select.html replaces Django's select template
with one that inlines the per-option includes; the markup must stay Django's."""

from __future__ import annotations

from django import forms
from django.forms.renderers import DjangoTemplates, get_default_renderer


class ChoiceForm(forms.Form):
    plain = forms.ChoiceField(
        choices=[("", "전체"), ("x", "엑스 <b>&"), ("묶음", [("y", "와이"), ("z", "제트")])],
        initial="y",
    )
    many = forms.MultipleChoiceField(choices=[("1", "하나"), ("2", "둘")], initial=["1", "2"])
    disabled = forms.ChoiceField(
        choices=[("1", "하나")],
        widget=forms.Select(attrs={"class": "krds-select", "disabled": True, "data-x": 0}),
    )
    empty = forms.ChoiceField(choices=[])


def test_select_markup_is_djangos_own() -> None:
    form = ChoiceForm(data={"plain": "z", "many": ["2"], "disabled": "1"})
    ours = str(form.render(renderer=get_default_renderer()))
    djangos = str(form.render(renderer=DjangoTemplates()))
    assert ours == djangos
    assert '<option value="z" selected>제트</option>' in ours
    assert "엑스 &lt;b&gt;&amp;" in ours  # labels stay escaped


def test_the_project_renderer_uses_our_select_template() -> None:
    template = get_default_renderer().get_template("django/forms/widgets/select.html")
    assert "sandan/core/templates" in str(template.origin.name)
