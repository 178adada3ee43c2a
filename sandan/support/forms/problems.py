"""Forms of the problem pages: the list filter (GET), the intake form, triage, expert
assignment, referral, reject/close, mentoring notes, the activity rows and the bulk import
(POST → `sandan.support.services`). Lengths and kinds of files are checked by the services,
whose errors the views put on these forms' fields."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from sandan.core.files import ATTACHMENT_TYPES
from sandan.core.forms import ALL, INPUT, SELECT, FilterForm, choice_field, filter_select
from sandan.core.i18n import local_name
from sandan.program.models import ServiceCategory
from sandan.registry.forms import zone_choices
from sandan.registry.models import Expert, Organisation
from sandan.support import services
from sandan.support.forms import category_choices, year_choices
from sandan.support.models import (
    TEXT_MAX,
    TITLE_MAX,
    ExpertAssignment,
    Problem,
    Referral,
)
from sandan.support.selectors import ProblemFilter

ACCEPT = ",".join(ATTACHMENT_TYPES)
ATTACHMENT_HELP = _("PDF, HWP, HWPX, DOCX, XLSX, PPTX, PNG, JPG · 파일마다 20MB 이하 · 여러 개")


def _model_choice(form: forms.BaseForm, name: str) -> forms.ModelChoiceField[Any]:
    field = form.fields[name]
    assert isinstance(field, forms.ModelChoiceField)
    return field


def _text(label: Any, maximum: int, rows: int, required: bool = True, **kwargs: Any) -> Any:
    """A textarea; the length is checked by the service (its message says how long the text
    is), the browser only stops typing at the limit."""
    return forms.CharField(
        label=label,
        required=required,
        strip=False,
        widget=forms.Textarea(attrs={**INPUT, "rows": rows, "maxlength": maximum}),
        **kwargs,
    )


# List filter ------------------------------------------------------------------------


class ProblemFilterForm(FilterForm):
    q = forms.CharField(
        label=_("검색어"),
        required=False,
        max_length=100,
        widget=forms.TextInput(
            attrs={**INPUT, "type": "search", "placeholder": _("제목, 내용, 기업명")}
        ),
    )
    year = filter_select(label=_("사업연도"))
    zone = filter_select(label=_("권역"))
    hub = forms.RegexField(
        regex=r"^\d{6}$",
        label=_("거점단지 코드"),
        required=False,
        widget=forms.TextInput(attrs={**INPUT, "inputmode": "numeric"}),
    )
    status = filter_select(ALL + list(Problem.Status.choices), label=_("상태"))
    category = filter_select(label=_("지원서비스 분야"))
    urgency = filter_select(ALL + list(Problem.Urgency.choices), label=_("긴급도"))
    source = filter_select(ALL + list(Problem.Source.choices), label=_("접수 경로"))
    overdue = forms.BooleanField(label=_("처리 기한이 지난 것만"), required=False)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choice_field(self, "year").choices = ALL + year_choices()
        choice_field(self, "zone").choices = ALL + zone_choices(user)
        choice_field(self, "category").choices = ALL + category_choices()

    def filters(self) -> ProblemFilter:
        """The chosen filters (a bad value is left out, and shown on its field)."""
        year = self.value("year")
        return ProblemFilter(
            year=int(year) if year else None,
            zone=self.value("zone"),
            hub=self.value("hub"),
            status=self.value("status"),
            category=self.value("category"),
            urgency=self.value("urgency"),
            source=self.value("source"),
            overdue=bool(self.value("overdue")),
            text=self.value("q"),
        )


# Intake -----------------------------------------------------------------------------


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input (Django's documented pattern)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[UploadedFile]:
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data if item]
        return [single(data, initial)] if data else []


class ProblemForm(forms.Form):
    """The intake form (애로과제 신청). A company user acting for one firm does not choose
    it; one acting for several chooses among them; staff give the firm's business
    registration number (a national list would be too long for a menu)."""

    organisation = forms.ModelChoiceField(
        label=_("기업"),
        queryset=Organisation.objects.none(),
        required=False,
        empty_label=_("기업을 고르세요"),
        widget=forms.Select(attrs=SELECT),
    )
    business_number = forms.CharField(
        label=_("기업 사업자등록번호"),
        required=False,
        max_length=12,
        help_text=_("예: 123-45-67890. 담당 범위 안의 기업만 고를 수 있습니다."),
        widget=forms.TextInput(attrs={**INPUT, "inputmode": "numeric"}),
    )
    title = forms.CharField(
        label=_("제목"),
        strip=False,
        help_text=_("한 줄로 적어 주세요. 예: 사출품 수축 불량이 계속 발생합니다"),
        widget=forms.TextInput(attrs={**INPUT, "maxlength": TITLE_MAX}),
    )
    description = _text(
        _("무엇이 문제인가"),
        TEXT_MAX,
        6,
        help_text=_("언제부터, 어떤 제품·공정에서, 얼마나 문제가 되는지 적어 주세요."),
    )
    help_wanted = _text(
        _("원하는 도움"),
        TEXT_MAX,
        3,
        required=False,
        help_text=_("예: 성형 조건 최적화 자문, 해외 전시회 참가, 직원 교육"),
    )
    urgency = forms.ChoiceField(
        label=_("긴급도"),
        choices=Problem.Urgency.choices,
        initial=Problem.Urgency.NORMAL,
        widget=forms.RadioSelect,
    )
    attachments = MultipleFileField(
        label=_("첨부파일"),
        required=False,
        help_text=ATTACHMENT_HELP,
        widget=MultipleFileInput(attrs={"accept": ACCEPT}),
    )

    def __init__(
        self,
        *args: Any,
        own_firms: QuerySet[Organisation] | None,
        scope_firms: QuerySet[Organisation] | None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.scope_firms = scope_firms
        if own_firms is not None:
            del self.fields["business_number"]
            firms = list(own_firms)
            self.firms = firms
            _model_choice(self, "organisation").queryset = own_firms
            if len(firms) <= 1:
                self.fields["organisation"].widget = forms.HiddenInput()
                self.initial.setdefault("organisation", firms[0].pk if firms else None)
        else:
            self.firms = []
            del self.fields["organisation"]

    def clean_business_number(self) -> Organisation | None:
        from sandan.registry.validators import normalise_business_number

        raw = self.cleaned_data.get("business_number", "")
        if self.scope_firms is None:
            return None
        number = normalise_business_number(raw)
        if not number:
            raise forms.ValidationError(_("기업의 사업자등록번호를 적어 주세요."))
        firm = self.scope_firms.filter(business_number=number).first()
        if firm is None:
            raise forms.ValidationError(
                _("담당 범위 안에서 이 사업자등록번호의 기업을 찾지 못했습니다.")
            )
        return firm

    def firm(self) -> Organisation | None:
        if "organisation" in self.fields:
            chosen: Organisation | None = self.cleaned_data.get("organisation")
            if chosen is None and len(self.firms) == 1:
                return self.firms[0]
            return chosen
        found: Organisation | None = self.cleaned_data.get("business_number")
        return found


# Triage, assignment, referral, closing ----------------------------------------------


class TriageForm(forms.Form):
    category = forms.ModelChoiceField(
        label=_("지원서비스 분야"),
        queryset=ServiceCategory.objects.none(),
        empty_label=_("분야를 고르세요"),
        widget=forms.Select(attrs=SELECT),
        help_text=_("추천 분야가 맞으면 그대로 확정하고, 아니면 다른 분야를 고르세요."),
    )
    note = forms.CharField(
        label=_("메모"),
        required=False,
        max_length=300,
        help_text=_("추천과 다른 분야를 고를 때는 꼭 적어 주세요."),
        widget=forms.TextInput(attrs=INPUT),
    )

    def __init__(self, *args: Any, problem: Problem, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        category = _model_choice(self, "category")
        category.queryset = ServiceCategory.objects.filter(
            program_year_id=problem.program_year_id
        ).order_by("order", "code")
        category.label_from_instance = local_name  # type: ignore[method-assign]
        self.initial.setdefault("category", problem.category_id or problem.suggested_category_id)
        self.suggested_id = problem.suggested_category_id

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        chosen = data.get("category")
        overriding = (
            chosen is not None and self.suggested_id is not None and chosen.pk != self.suggested_id
        )
        if overriding and not str(data.get("note") or "").strip():
            self.add_error("note", services.OVERRIDE_NEEDS_NOTE)
        return data


class AssignForm(forms.Form):
    experts = forms.ModelMultipleChoiceField(
        label=_("배정할 전문가"),
        queryset=Expert.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("배정할 전문가를 한 명 이상 고르세요.")},
    )

    def __init__(self, *args: Any, experts: QuerySet[Expert], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _model_choice(self, "experts").queryset = experts


class EndAssignmentForm(forms.Form):
    status = forms.ChoiceField(
        label=_("종료 구분"),
        choices=[
            (ExpertAssignment.Status.COMPLETED.value, ExpertAssignment.Status.COMPLETED.label),
            (ExpertAssignment.Status.WITHDRAWN.value, ExpertAssignment.Status.WITHDRAWN.label),
        ],
        widget=forms.Select(attrs=SELECT),
    )
    reason = forms.CharField(
        label=_("사유"), required=False, max_length=300, widget=forms.TextInput(attrs=INPUT)
    )


class ReferralForm(forms.Form):
    partner_kind = forms.ChoiceField(
        label=_("협력기관 구분"),
        choices=Referral.PartnerKind.choices,
        widget=forms.Select(attrs=SELECT),
    )
    agency = forms.ModelChoiceField(
        label=_("연계 기관"),
        queryset=Organisation.objects.none(),
        required=False,
        empty_label=_("(기관을 지정하지 않음)"),
        widget=forms.Select(attrs=SELECT),
    )
    note = _text(
        _("연계 메모"),
        TEXT_MAX,
        3,
        required=False,
        help_text=_("왜 이 기관의 사업이 더 맞는지 적어 주세요."),
    )

    def __init__(self, *args: Any, agencies: QuerySet[Organisation], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _model_choice(self, "agency").queryset = agencies


class ReferralUpdateForm(forms.Form):
    status = forms.ChoiceField(
        label=_("연계 상태"),
        choices=[c for c in Referral.Status.choices if c[0] != Referral.Status.SENT],
        widget=forms.Select(attrs=SELECT),
    )
    outcome = _text(
        _("연계 결과"),
        TEXT_MAX,
        2,
        required=False,
        help_text=_("지원 완료로 바꿀 때는 결과를 적어야 합니다."),
    )


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("사유"),
        strip=False,
        widget=forms.TextInput(attrs={**INPUT, "maxlength": 300}),
    )


class AttachmentForm(forms.Form):
    attachments = MultipleFileField(
        label=_("첨부파일 추가"),
        help_text=ATTACHMENT_HELP,
        widget=MultipleFileInput(attrs={"accept": ACCEPT}),
    )


class MentoringNoteForm(forms.Form):
    date = forms.DateField(label=_("일자"), widget=forms.DateInput(attrs={**INPUT, "type": "date"}))
    body = _text(_("멘토링 내용"), TEXT_MAX, 6, help_text=_("무엇을 확인하고 어떤 조언을 했는지"))


class AssignmentAnswerForm(forms.Form):
    """The assigned expert accepts the case, or declines it saying why."""

    answer = forms.ChoiceField(
        label=_("배정 응답"), choices=[("accept", _("수락하기")), ("decline", _("거절하기"))]
    )
    reason = forms.CharField(
        label=_("거절 사유"),
        max_length=300,
        required=False,
        widget=forms.TextInput(attrs={**INPUT, "maxlength": 300}),
        help_text=_("거절할 때 꼭 적어 주세요. 코디네이터에게 보입니다."),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("answer") == "decline" and not str(data.get("reason") or "").strip():
            self.add_error("reason", _("거절 사유를 적어 주세요."))
        return data


class AvailabilityForm(forms.Form):
    """An expert's own availability: a period away and a cap on open cases."""

    unavailable_from = forms.DateField(
        label=_("부재 시작일"),
        required=False,
        widget=forms.DateInput(attrs={**INPUT, "type": "date"}),
    )
    unavailable_until = forms.DateField(
        label=_("부재 종료일"),
        required=False,
        widget=forms.DateInput(attrs={**INPUT, "type": "date"}),
    )
    max_open_cases = forms.IntegerField(
        label=_("최대 동시 배정"),
        required=False,
        min_value=1,
        max_value=99,
        widget=forms.NumberInput(attrs=INPUT),
        help_text=_("비워 두면 제한 없음"),
    )


# Activity rows and import -----------------------------------------------------------


class ActivityProblemForm(forms.Form):
    """One problem raised at an activity; a row left empty is skipped."""

    organisation = forms.ModelChoiceField(
        label=_("기업"),
        queryset=Organisation.objects.none(),
        required=False,
        empty_label=_("기업을 고르세요"),
        widget=forms.Select(attrs=SELECT),
    )
    title = forms.CharField(
        label=_("제목"),
        required=False,
        strip=False,
        widget=forms.TextInput(attrs={**INPUT, "maxlength": TITLE_MAX}),
    )
    description = _text(_("무엇이 문제인가"), TEXT_MAX, 2, required=False)
    help_wanted = _text(_("원하는 도움"), TEXT_MAX, 2, required=False)
    urgency = forms.ChoiceField(
        label=_("긴급도"),
        choices=Problem.Urgency.choices,
        initial=Problem.Urgency.NORMAL,
        widget=forms.Select(attrs=SELECT),
    )

    def __init__(self, *args: Any, firms: QuerySet[Organisation], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _model_choice(self, "organisation").queryset = firms

    def is_blank(self) -> bool:
        data = getattr(self, "cleaned_data", {})
        return not any(
            (
                data.get("organisation"),
                str(data.get("title") or "").strip(),
                str(data.get("description") or "").strip(),
                str(data.get("help_wanted") or "").strip(),
            )
        )


class BaseActivityProblemFormSet(forms.BaseFormSet[ActivityProblemForm]):
    def __init__(self, *args: Any, firms: QuerySet[Organisation], **kwargs: Any) -> None:
        self.firms = firms
        super().__init__(*args, **kwargs)

    def get_form_kwargs(self, index: int | None) -> dict[str, Any]:
        return {**super().get_form_kwargs(index), "firms": self.firms}

    def filled(self) -> list[ActivityProblemForm]:
        return [form for form in self.forms if form.is_valid() and not form.is_blank()]


ActivityProblemFormSet = cast(
    type[BaseActivityProblemFormSet],
    forms.formset_factory(
        ActivityProblemForm,
        formset=BaseActivityProblemFormSet,
        extra=5,
        max_num=30,
        absolute_max=30,
    ),
)


class ProblemUploadForm(forms.Form):
    file = forms.FileField(
        label=_("애로과제 파일 (CSV, XLSX)"),
        help_text=_(
            "열: 사업자등록번호, 제목, 내용, 원하는 지원, 긴급도, 활동. CSV는 UTF-8 또는 CP949. "
            "한 행이라도 틀리면 아무것도 저장하지 않습니다."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx"}),
    )
    dry_run = forms.BooleanField(label=_("검사만 하기"), required=False)
