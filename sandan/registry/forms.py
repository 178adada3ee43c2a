"""Forms of the registry pages: list filters (GET) and edit forms (POST → services)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _

from sandan.core.forms import ALL, FilterForm, choice_field, filter_select, search_field
from sandan.core.i18n import local_name
from sandan.registry import selectors
from sandan.registry.models import Complex, Industry, Organisation

# The 2010 default service categories (domain.md). Program years own their categories;
# until the program app ships them, the expert filter offers these defaults.
SERVICE_CATEGORIES = [
    ("PROD_COMMERCIALIZATION", _("생산기술사업화")),
    ("MFG_EFFICIENCY", _("제조기술효율화")),
    ("TECH_MGMT_SUPPORT", _("기술 및 경영지원")),
    ("TOTAL_MARKETING", _("토털 마케팅")),
    ("FIELD_EDUCATION", _("현장맞춤형 교육")),
]
SERVICE_CATEGORY_LABELS = dict(SERVICE_CATEGORIES)

kicox_id_validator = RegexValidator(r"^\d{6}$", _("단지 코드는 숫자 6자리입니다."))


def zone_choices(user: Any) -> list[tuple[str, Any]]:
    """(code, local name) of the zones the user may see."""
    return [
        (z.code, local_name(z)) for z in selectors.zones(user).only("code", "name_ko", "name_en")
    ]


class ComplexFilterForm(FilterForm):
    q = search_field(_("검색어"), _("단지명, 시군구, 단지 코드"))
    kind = filter_select(ALL + list(Complex.Kind.choices), label=_("유형"))
    zone = filter_select(label=_("권역"))
    province = filter_select(label=_("시도"))
    office = filter_select(label=_("관리 조직"))

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choice_field(self, "zone").choices = ALL + zone_choices(user)
        choice_field(self, "province").choices = ALL + [
            (p.code, local_name(p))
            for p in selectors.provinces(user)
            .select_related(None)
            .only("code", "name_ko", "name_en")
        ]
        choice_field(self, "office").choices = ALL + [
            (o.code, local_name(o))
            for o in selectors.offices(user)
            .select_related(None)
            .only("code", "name_ko", "name_en", "kind")
        ]

    def to_filter(self) -> selectors.ComplexFilter:
        return selectors.ComplexFilter(
            kind=self.value("kind"),
            zone=self.value("zone"),
            province=self.value("province"),
            office=self.value("office"),
            q=self.value("q"),
        )


class OrganisationFilterForm(FilterForm):
    q = search_field(_("검색어"), _("기관명 또는 사업자등록번호"))
    kind = filter_select(ALL + list(Organisation.Kind.choices), label=_("구분"))
    zone = filter_select(label=_("권역"))
    complex = forms.CharField(
        label=_("단지 코드"),
        required=False,
        max_length=6,
        validators=[kicox_id_validator],
        widget=forms.TextInput(
            attrs={"class": "krds-input", "inputmode": "numeric", "placeholder": "241001"}
        ),
    )
    small_firm = filter_select(
        [("", _("전체")), ("yes", _("소기업만")), ("no", _("소기업 제외"))],
        label=_("소기업(50인 이하)"),
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choice_field(self, "zone").choices = ALL + zone_choices(user)

    def to_filter(self) -> selectors.OrganisationFilter:
        small = self.value("small_firm")
        return selectors.OrganisationFilter(
            kind=self.value("kind"),
            zone=self.value("zone"),
            complex=self.value("complex"),
            small_firm=None if small is None else small == "yes",
            q=self.value("q"),
        )


class ExpertFilterForm(FilterForm):
    q = search_field(_("검색어"), _("이름, 직위, 전문 분야"))
    category = filter_select(ALL + SERVICE_CATEGORIES, label=_("지원서비스 분야"))


class ComplexForm(forms.ModelForm[Complex]):
    """What a regional HQ or HQ may correct about a complex; kind and place stay fixed
    because the KICOX id encodes them."""

    reason = forms.CharField(
        label=_("수정 사유"),
        required=False,
        max_length=500,
        widget=forms.TextInput(attrs={"class": "krds-input"}),
        help_text=_("감사 기록에 남습니다."),
    )

    class Meta:
        model = Complex
        fields = [
            "name_ko",
            "name_en",
            "status",
            "municipality_name",
            "designated_area_1000m2",
            "managed_area_1000m2",
            "sale_target_area_1000m2",
            "sold_area_1000m2",
            "unsold_area_1000m2",
            "year_designated",
            "tenants",
            "operating_firms",
        ]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _style(self)

    def _post_clean(self) -> None:
        # Model validation happens once, in the service (update_complex), on a locked
        # row; the form only checks its own fields so the instance is not touched here.
        pass

    def changes(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in self.Meta.fields}


class OrganisationForm(forms.Form):
    kind = forms.ChoiceField(label=_("구분"), choices=Organisation.Kind.choices)
    name_ko = forms.CharField(label=_("기관명"), max_length=150)
    name_en = forms.CharField(label=_("영문 기관명"), max_length=200, required=False)
    business_number = forms.CharField(
        label=_("사업자등록번호"),
        max_length=12,
        required=False,
        help_text=_("123-45-67890 형식도 됩니다."),
    )
    corporate_number = forms.CharField(label=_("법인등록번호"), max_length=14, required=False)
    industry_code = forms.CharField(
        label=_("업종 코드(KSIC)"), max_length=6, required=False, help_text=_("예: C29")
    )
    employees = forms.IntegerField(label=_("종업원 수"), min_value=0, required=False)
    complex_code = forms.CharField(
        label=_("소재 산업단지 코드"),
        max_length=6,
        required=False,
        validators=[kicox_id_validator],
    )
    address = forms.CharField(label=_("주소"), max_length=200, required=False)
    website = forms.URLField(label=_("웹사이트"), required=False, assume_scheme="https")
    contact_name = forms.CharField(label=_("담당자"), max_length=50, required=False)
    contact_email = forms.EmailField(label=_("담당자 이메일"), required=False)
    contact_phone = forms.CharField(label=_("담당자 전화"), max_length=20, required=False)
    reason = forms.CharField(
        label=_("수정 사유"),
        required=False,
        max_length=500,
        help_text=_("감사 기록에 남습니다."),
    )

    FIELD_FOR_MODEL = {"industry": "industry_code", "complex": "complex_code"}

    def __init__(
        self, *args: Any, user: Any, organisation: Organisation, show_contacts: bool, **kwargs: Any
    ) -> None:
        if kwargs.get("initial") is None:
            kwargs["initial"] = {
                "kind": organisation.kind,
                "name_ko": organisation.name_ko,
                "name_en": organisation.name_en,
                "business_number": organisation.business_number_display,
                "corporate_number": organisation.corporate_number,
                "industry_code": organisation.industry.code if organisation.industry else "",
                "employees": organisation.employees,
                "complex_code": organisation.complex.kicox_id if organisation.complex else "",
                "address": organisation.address,
                "website": organisation.website,
                "contact_name": organisation.contact_name,
                "contact_email": organisation.contact_email,
                "contact_phone": organisation.contact_phone,
            }
        super().__init__(*args, **kwargs)
        self.user = user
        if not show_contacts:
            # Masked data is never sent to the browser, not even in an edit form.
            for name in Organisation.PERSONAL_FIELDS:
                del self.fields[name]
        _style(self)

    def clean_industry_code(self) -> Industry | None:
        code = self.cleaned_data["industry_code"].strip().upper()
        if not code:
            return None
        industry = Industry.objects.restrict(self.user, "view").filter(code=code).first()
        if industry is None:
            raise ValidationError(_("없는 업종 코드입니다."))
        return industry

    def clean_complex_code(self) -> Complex | None:
        code = self.cleaned_data["complex_code"].strip()
        if not code:
            return None
        found = Complex.objects.restrict(self.user, "view").filter(kicox_id=code).first()
        if found is None:
            raise ValidationError(_("없는 단지 코드입니다."))
        return found

    def changes(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data.pop("reason", None)
        data["industry"] = data.pop("industry_code")
        data["complex"] = data.pop("complex_code")
        return data


def _style(form: forms.BaseForm) -> None:
    for field in form.fields.values():
        widget = field.widget
        if isinstance(widget, forms.Select):
            widget.attrs.setdefault("class", "krds-form-select")
        elif isinstance(widget, forms.CheckboxInput):
            continue
        elif isinstance(widget, forms.Textarea):
            widget.attrs.setdefault("class", "krds-input")
        else:
            widget.attrs.setdefault("class", "krds-input")
