"""Forms of the council pages: list filters (GET) and edit forms (POST → services)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from sandan.core.forms import ALL, INPUT, SELECT, FilterForm, filter_select
from sandan.core.i18n import local_name
from sandan.councils.models import Activity, Attendance, Council, Membership
from sandan.program.models import Designation
from sandan.registry.forms import zone_choices
from sandan.registry.models import Industry, Organisation


class CouncilFilterForm(FilterForm):
    q = forms.CharField(
        label=_("검색어"),
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={**INPUT, "type": "search", "placeholder": _("협의체명")}),
    )
    year = forms.IntegerField(
        label=_("사업연도"),
        required=False,
        min_value=2005,
        max_value=2100,
        widget=forms.NumberInput(attrs=INPUT),
    )
    zone = filter_select(label=_("권역"))
    hub = forms.RegexField(
        regex=r"^\d{6}$",
        label=_("거점단지 코드"),
        required=False,
        widget=forms.TextInput(attrs={**INPUT, "inputmode": "numeric"}),
    )
    status = filter_select(ALL + list(Council.Status.choices), label=_("상태"))

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["zone"].choices = ALL + zone_choices(user)  # type: ignore[attr-defined]


class ActivityFilterForm(FilterForm):
    year = forms.IntegerField(
        label=_("연도"),
        required=False,
        min_value=2005,
        max_value=2100,
        widget=forms.NumberInput(attrs=INPUT),
    )
    zone = filter_select(label=_("권역"))
    hub = forms.RegexField(
        regex=r"^\d{6}$",
        label=_("거점단지 코드"),
        required=False,
        widget=forms.TextInput(attrs={**INPUT, "inputmode": "numeric"}),
    )
    council = forms.IntegerField(label=_("협의체 번호"), required=False, min_value=1)
    kind = filter_select(ALL + list(Activity.Kind.choices), label=_("활동 구분"))
    date_from = forms.DateField(
        label=_("시작일"), required=False, widget=forms.DateInput(attrs={**INPUT, "type": "date"})
    )
    date_to = forms.DateField(
        label=_("종료일"), required=False, widget=forms.DateInput(attrs={**INPUT, "type": "date"})
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["zone"].choices = ALL + zone_choices(user)  # type: ignore[attr-defined]
        self.fields["council"].widget = forms.HiddenInput()


class CouncilForm(forms.Form):
    hub = forms.ModelChoiceField(
        label=_("거점단지 지정"),
        queryset=Designation.objects.none(),
        required=False,
        widget=forms.Select(attrs=SELECT),
    )
    name = forms.CharField(label=_("협의체명"), max_length=120, widget=forms.TextInput(attrs=INPUT))
    theme_kind = forms.ChoiceField(
        label=_("주제 구분"), choices=Council.ThemeKind.choices, widget=forms.Select(attrs=SELECT)
    )
    industry = forms.ModelChoiceField(
        label=_("업종(KSIC)"),
        queryset=Industry.objects.filter(level__in=["division", "group"]),
        required=False,
        widget=forms.Select(attrs=SELECT),
    )
    technology = forms.CharField(
        label=_("기술 분야"), max_length=120, required=False, widget=forms.TextInput(attrs=INPUT)
    )
    description = forms.CharField(
        label=_("소개"), required=False, widget=forms.Textarea(attrs={**INPUT, "rows": 4})
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        hubs = (
            Designation.objects.restrict(user, "view")
            .filter(role=Designation.Role.HUB)
            .select_related("program_year", "complex")
            .order_by("-program_year__year", "complex__name_ko")
        )
        self.fields["hub"].queryset = hubs  # type: ignore[attr-defined]
        self.fields["industry"].label_from_instance = (  # type: ignore[attr-defined]
            lambda industry: f"{industry.code} {local_name(industry)}"
        )


class MembershipForm(forms.Form):
    organisation = forms.ModelChoiceField(
        label=_("기관"),
        queryset=Organisation.objects.none(),
        required=False,
        widget=forms.Select(attrs=SELECT),
    )
    role = forms.ChoiceField(
        label=_("역할"), choices=Membership.Role.choices, widget=forms.Select(attrs=SELECT)
    )
    joined_on = forms.DateField(
        label=_("가입일"), widget=forms.DateInput(attrs={**INPUT, "type": "date"})
    )
    annual_fee_krw = forms.IntegerField(
        label=_("연회비(원)"), min_value=0, initial=0, widget=forms.NumberInput(attrs=INPUT)
    )
    note = forms.CharField(
        label=_("비고"), max_length=200, required=False, widget=forms.TextInput(attrs=INPUT)
    )

    def __init__(self, *args: Any, user: Any, council: Council, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Firms of the hub and its linked complexes, and any university, institute or agency.
        from sandan.councils.services import _eligible_complex_ids

        eligible = Organisation.objects.filter(complex_id__in=_eligible_complex_ids(council)) | (
            Organisation.objects.exclude(kind=Organisation.Kind.COMPANY)
        )
        self.fields["organisation"].queryset = eligible.order_by("name_ko")  # type: ignore[attr-defined]


class ActivityForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("활동 구분"), choices=Activity.Kind.choices, widget=forms.Select(attrs=SELECT)
    )
    title = forms.CharField(label=_("활동명"), max_length=200, widget=forms.TextInput(attrs=INPUT))
    status = forms.ChoiceField(
        label=_("상태"), choices=Activity.Status.choices, widget=forms.Select(attrs=SELECT)
    )
    starts_at = forms.DateTimeField(
        label=_("시작 일시"),
        widget=forms.DateTimeInput(
            attrs={**INPUT, "type": "datetime-local"}, format="%Y-%m-%dT%H:%M"
        ),
    )
    ends_at = forms.DateTimeField(
        label=_("종료 일시"),
        required=False,
        widget=forms.DateTimeInput(
            attrs={**INPUT, "type": "datetime-local"}, format="%Y-%m-%dT%H:%M"
        ),
    )
    place = forms.CharField(
        label=_("장소"), max_length=200, required=False, widget=forms.TextInput(attrs=INPUT)
    )
    agenda = forms.CharField(
        label=_("안건"), required=False, widget=forms.Textarea(attrs={**INPUT, "rows": 4})
    )
    minutes = forms.CharField(
        label=_("회의록"), required=False, widget=forms.Textarea(attrs={**INPUT, "rows": 6})
    )
    problems_raised = forms.IntegerField(
        label=_("발굴 애로과제 수"), min_value=0, initial=0, widget=forms.NumberInput(attrs=INPUT)
    )
    problems_note = forms.CharField(
        label=_("발굴 애로과제 내용"),
        required=False,
        widget=forms.Textarea(attrs={**INPUT, "rows": 3}),
    )


class AttendanceForm(forms.Form):
    organisation = forms.ModelChoiceField(
        label=_("기관"),
        queryset=Organisation.objects.none(),
        required=False,
        widget=forms.Select(attrs=SELECT),
    )
    person_name = forms.CharField(
        label=_("참석자"), max_length=50, widget=forms.TextInput(attrs=INPUT)
    )
    person_title = forms.CharField(
        label=_("직위"), max_length=50, required=False, widget=forms.TextInput(attrs=INPUT)
    )
    email = forms.EmailField(
        label=_("이메일"), required=False, widget=forms.EmailInput(attrs=INPUT)
    )
    status = forms.ChoiceField(
        label=_("상태"), choices=Attendance.Status.choices, widget=forms.Select(attrs=SELECT)
    )

    def __init__(self, *args: Any, user: Any, activity: Activity, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        members = Organisation.objects.filter(council_memberships__council_id=activity.council_id)
        self.fields["organisation"].queryset = members.distinct().order_by("name_ko")  # type: ignore[attr-defined]


class RegistrationForm(forms.Form):
    person_name = forms.CharField(
        label=_("참석자"), max_length=50, widget=forms.TextInput(attrs=INPUT)
    )
    person_title = forms.CharField(
        label=_("직위"), max_length=50, required=False, widget=forms.TextInput(attrs=INPUT)
    )
    email = forms.EmailField(
        label=_("이메일"), required=False, widget=forms.EmailInput(attrs=INPUT)
    )


class AttendanceUploadForm(forms.Form):
    file = forms.FileField(
        label=_("참석자 파일 (CSV, XLSX)"),
        help_text=_(
            "열: 기관명, 사업자등록번호, 참석자, 직위, 이메일, 상태. "
            "한 행이라도 틀리면 아무것도 저장하지 않습니다."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx"}),
    )
    dry_run = forms.BooleanField(label=_("검사만 하기"), required=False)


class AttachmentForm(forms.Form):
    file = forms.FileField(
        label=_("첨부파일"),
        help_text=_("PDF, HWP, HWPX, DOCX, XLSX, PPTX, PNG, JPG · 20MB 이하"),
    )
    title = forms.CharField(
        label=_("제목"), max_length=200, required=False, widget=forms.TextInput(attrs=INPUT)
    )
