"""Forms of the project pages: list and dashboard filters (GET), the project, participants,
budget lines, milestones, documents, workflow reasons and outcomes (POST → services), and
the public satisfaction survey."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from sandan.core.forms import ALL, INPUT, SELECT, FilterForm, choice_field, filter_select
from sandan.core.i18n import local_name
from sandan.program.models import Designation, ProgramYear, ServiceCategory
from sandan.registry.forms import zone_choices
from sandan.registry.models import Expert, Organisation
from sandan.support.forms import category_choices, year_choices
from sandan.support.models import (
    OUTCOME_FIGURES,
    SURVEY_ITEMS,
    TEXT_MAX,
    TITLE_MAX,
    BudgetLine,
    Outcome,
    Participant,
    Problem,
    Project,
    SurveyResponse,
)
from sandan.support.selectors import ProjectFilter

DATE = {**INPUT, "type": "date"}
REASON_HELP = _("승인된 과제를 바꿀 때는 사유가 필요합니다(감사 기록에 남습니다).")


def verbose(model: Any, name: str) -> str:
    """A model field's verbose name (the label the admin and the tables use)."""
    return str(getattr(model._meta.get_field(name), "verbose_name", name))


def _reason(required: bool = False, label: Any = None, help_text: Any = REASON_HELP) -> Any:
    return forms.CharField(
        label=label or _("변경 사유"),
        required=required,
        max_length=300,
        help_text=help_text,
        widget=forms.TextInput(attrs=INPUT),
    )


# Filters ----------------------------------------------------------------------------


class ProjectFilterForm(FilterForm):
    q = forms.CharField(
        label=_("검색어"),
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={**INPUT, "type": "search", "placeholder": _("과제명")}),
    )
    year = filter_select(label=_("사업연도"))
    zone = filter_select(label=_("권역"))
    hub = forms.RegexField(
        regex=r"^\d{6}$",
        label=_("거점단지 코드"),
        required=False,
        widget=forms.TextInput(attrs={**INPUT, "inputmode": "numeric"}),
    )
    status = filter_select(ALL + list(Project.Status.choices), label=_("상태"))
    type = filter_select(ALL + list(Project.Type.choices), label=_("과제 유형"))
    category = filter_select(label=_("지원서비스 분야"))
    scope = filter_select(ALL + list(Project.Scope.choices), label=_("과제 범위"))

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choice_field(self, "year").choices = ALL + year_choices()
        choice_field(self, "zone").choices = ALL + zone_choices(user)
        choice_field(self, "category").choices = ALL + category_choices()

    def filters(self) -> ProjectFilter:
        """The chosen filters (a bad value is left out, and shown on its field)."""
        year = self.value("year")
        return ProjectFilter(
            year=int(year) if year else None,
            zone=self.value("zone"),
            hub=self.value("hub"),
            status=self.value("status"),
            type=self.value("type"),
            category=self.value("category"),
            scope=self.value("scope"),
            text=self.value("q"),
        )


class YearFilterForm(FilterForm):
    """The program year (and, for national users, a zone and hub) of a dashboard."""

    year = filter_select(label=_("사업연도"))
    zone = filter_select(label=_("권역"))
    hub = forms.RegexField(
        regex=r"^\d{6}$",
        label=_("거점단지 코드"),
        required=False,
        widget=forms.TextInput(attrs={**INPUT, "inputmode": "numeric"}),
    )

    def __init__(self, *args: Any, user: Any, national: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choice_field(self, "year").choices = year_choices()
        if national:
            choice_field(self, "zone").choices = ALL + zone_choices(user)
        else:
            del self.fields["zone"]
            del self.fields["hub"]


# Projects ---------------------------------------------------------------------------


class ProblemChoice(forms.ModelMultipleChoiceField[Problem]):
    def label_from_instance(self, obj: Problem) -> str:  # type: ignore[override]
        category = local_name(obj.category) if obj.category is not None else "–"
        return f"{obj.title} · {obj.organisation.name_ko} · {category}"


class ProjectForm(forms.Form):
    """A project's own fields. With `problems`, the creation form (scope is then derived
    from the problems by the service); with `project`, the edit form (scope and reason)."""

    problems = ProblemChoice(
        label=_("지원할 애로과제"),
        queryset=Problem.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        help_text=_("같은 사업연도의 분류가 끝난 애로과제를 하나 이상 고르세요."),
    )
    title = forms.CharField(
        label=_("과제명"), max_length=TITLE_MAX, widget=forms.TextInput(attrs=INPUT)
    )
    summary = forms.CharField(
        label=_("과제 개요"),
        required=False,
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={**INPUT, "rows": 5}),
    )
    type = forms.ChoiceField(
        label=_("과제 유형"), choices=Project.Type.choices, widget=forms.Select(attrs=SELECT)
    )
    category = forms.ModelChoiceField(
        label=_("지원서비스 분야"),
        queryset=ServiceCategory.objects.none(),
        required=False,
        empty_label=_("첫 애로과제의 분야"),
        widget=forms.Select(attrs=SELECT),
        help_text=_("비워 두면 첫 애로과제의 분야를 씁니다."),
    )
    scope = forms.ChoiceField(
        label=_("과제 범위"), choices=Project.Scope.choices, widget=forms.Select(attrs=SELECT)
    )
    start_date = forms.DateField(label=_("시작일"), required=False, widget=forms.DateInput(DATE))
    end_date = forms.DateField(label=_("종료일"), required=False, widget=forms.DateInput(DATE))
    reason = _reason()

    def __init__(
        self,
        *args: Any,
        problems: QuerySet[Problem] | None = None,
        project: Project | None = None,
        year: ProgramYear | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        if problems is not None:
            self.fields["problems"].queryset = problems  # type: ignore[attr-defined]
            del self.fields["scope"]
            del self.fields["reason"]
        else:
            del self.fields["problems"]
            if project is not None and project.status in (
                Project.Status.DRAFT,
                Project.Status.SUBMITTED,
            ):
                del self.fields["reason"]
        year = year or (project.program_year if project else None)
        categories = ServiceCategory.objects.order_by("order", "code")
        self.fields["category"].queryset = (  # type: ignore[attr-defined]
            categories.filter(program_year=year) if year else categories.none()
        )
        self.fields["category"].label_from_instance = local_name  # type: ignore[attr-defined]
        if project is not None:
            self.fields["category"].required = True
            self.fields["category"].help_text = ""


class ParticipantForm(forms.Form):
    organisation = forms.ModelChoiceField(
        label=_("기관"),
        queryset=Organisation.objects.none(),
        required=False,
        widget=forms.Select(attrs=SELECT),
        empty_label=_("고르지 않음"),
        help_text=_("과제 단지(거점·연계)의 기업과 대학·연구기관·지원기관입니다."),
    )
    expert = forms.ModelChoiceField(
        label=_("전문가"),
        queryset=Expert.objects.none(),
        required=False,
        widget=forms.Select(attrs=SELECT),
        empty_label=_("고르지 않음"),
        help_text=_("기관과 전문가 중 하나만 고르세요."),
    )
    role = forms.ChoiceField(
        label=_("역할"),
        choices=[("", _("기관 구분에 따라 정하기")), *list(Participant.Role.choices)],
        required=False,
        widget=forms.Select(attrs=SELECT),
    )
    reason = _reason()

    def __init__(self, *args: Any, user: Any, project: Project, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        complexes = set(
            Designation.objects.filter(Q(pk=project.hub_id) | Q(hub_id=project.hub_id)).values_list(
                "complex_id", flat=True
            )
        )
        complexes |= set(project.problems.values_list("complex_id", flat=True))
        taken = project.participants.filter(organisation__isnull=False).values("organisation_id")
        # As for council members: the firms of the project's complexes (the hub, its linked
        # complexes and the problems' complexes) and any university, institute or agency;
        # the names only (contacts stay masked on the pages).
        eligible = Organisation.objects.filter(
            Q(kind=Organisation.Kind.COMPANY, complex_id__in=complexes)
            | ~Q(kind=Organisation.Kind.COMPANY)
        )
        self.fields["organisation"].queryset = eligible.exclude(pk__in=taken).order_by(  # type: ignore[attr-defined]
            "kind", "name_ko"
        )
        self.fields["organisation"].label_from_instance = (  # type: ignore[attr-defined]
            lambda o: f"{o.name_ko} ({o.get_kind_display()})"
        )
        experts = project.participants.filter(expert__isnull=False).values("expert_id")
        self.fields["expert"].queryset = (  # type: ignore[attr-defined]
            Expert.objects.restrict(user, "view")
            .exclude(pk__in=experts)
            .select_related("affiliation")
            .order_by("name_ko", "id")
        )
        self.fields["expert"].label_from_instance = (  # type: ignore[attr-defined]
            lambda e: f"{e.name_ko} · {e.affiliation.name_ko if e.affiliation else '–'}"
        )
        if project.status in (Project.Status.DRAFT, Project.Status.SUBMITTED):
            del self.fields["reason"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if bool(data.get("organisation")) == bool(data.get("expert")):
            raise forms.ValidationError(_("참여 기관이나 전문가 중 하나만 고르세요."))
        return data


class BudgetLineForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("재원 구분"),
        choices=[("", "—"), *list(BudgetLine.Kind.choices)],
        required=False,
        widget=forms.Select(attrs=SELECT),
    )
    organisation = forms.ModelChoiceField(
        label=_("기관"),
        queryset=Organisation.objects.none(),
        required=False,
        empty_label=_("과제 전체(주관기업)"),
        widget=forms.Select(attrs=SELECT),
    )
    amount_krw = forms.IntegerField(
        label=_("금액(원)"),
        required=False,
        min_value=1,
        max_value=9_000_000_000_000,
        widget=forms.NumberInput(attrs={**INPUT, "inputmode": "numeric"}),
    )
    note = forms.CharField(
        label=_("비고"), required=False, max_length=200, widget=forms.TextInput(attrs=INPUT)
    )

    def __init__(self, *args: Any, organisations: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if organisations is not None:
            self.fields["organisation"].queryset = organisations  # type: ignore[attr-defined]

    @property
    def is_blank(self) -> bool:
        data = getattr(self, "cleaned_data", {})
        return not data.get("kind") and not data.get("amount_krw") and not data.get("organisation")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("DELETE"):
            return data
        if data.get("kind") and not data.get("amount_krw"):
            self.add_error("amount_krw", _("금액을 적어 주세요."))
        if data.get("amount_krw") and not data.get("kind"):
            self.add_error("kind", _("재원 구분을 고르세요."))
        return data


class BaseBudgetFormSet(forms.BaseFormSet):  # type: ignore[type-arg]
    def __init__(self, *args: Any, organisations: Any = None, **kwargs: Any) -> None:
        self.organisations = organisations
        super().__init__(*args, **kwargs)

    def get_form_kwargs(self, index: int | None) -> dict[str, Any]:
        return {**super().get_form_kwargs(index), "organisations": self.organisations}

    def lines(self) -> list[dict[str, Any]]:
        """The filled, not deleted lines, as `services.set_budget_lines` takes them."""
        result = []
        for form in self.forms:
            data = getattr(form, "cleaned_data", {})
            if not data or data.get("DELETE") or form.is_blank:  # type: ignore[attr-defined]
                continue
            result.append(
                {
                    "kind": data["kind"],
                    "amount_krw": data["amount_krw"],
                    "organisation": data.get("organisation"),
                    "note": data.get("note", ""),
                }
            )
        return result


BudgetFormSet: Any = forms.formset_factory(
    BudgetLineForm, formset=BaseBudgetFormSet, extra=3, can_delete=True, max_num=60
)


class BudgetReasonForm(forms.Form):
    reason = _reason()


class MilestoneForm(forms.Form):
    title = forms.CharField(label=_("단계"), max_length=200, widget=forms.TextInput(attrs=INPUT))
    due_date = forms.DateField(label=_("기한"), widget=forms.DateInput(DATE))
    deliverable = forms.CharField(
        label=_("산출물"), required=False, max_length=300, widget=forms.TextInput(attrs=INPUT)
    )
    reason = _reason()

    def __init__(self, *args: Any, project: Project, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if project.status in (Project.Status.DRAFT, Project.Status.SUBMITTED):
            del self.fields["reason"]


class DocumentForm(forms.Form):
    file = forms.FileField(
        label=_("파일"),
        help_text=_("PDF, HWP, HWPX, DOCX, XLSX, PPTX, PNG, JPG · 20MB 이하"),
    )
    title = forms.CharField(
        label=_("제목"), max_length=200, required=False, widget=forms.TextInput(attrs=INPUT)
    )


class ReasonForm(forms.Form):
    """Return, cancel and participant removal: a reason is required."""

    reason = forms.CharField(
        label=_("사유"), max_length=300, widget=forms.Textarea(attrs={**INPUT, "rows": 3})
    )


class ApprovalForm(forms.Form):
    """One reason field per open duplicate-funding flag (`override_<flag id>`)."""

    def __init__(self, *args: Any, flags: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.flags = flags
        for flag in flags:
            if flag.overridden_at is not None:
                continue
            self.fields[f"override_{flag.pk}"] = forms.CharField(
                label=_("확인 사유: %(kind)s") % {"kind": flag.get_kind_display()},
                max_length=500,
                required=False,
                help_text=flag.detail,
                widget=forms.Textarea(attrs={**INPUT, "rows": 2}),
            )

    def overrides(self) -> dict[int, str]:
        data = getattr(self, "cleaned_data", {})
        return {
            int(name.removeprefix("override_")): value
            for name, value in data.items()
            if name.startswith("override_") and value
        }


def _is_level(name: str) -> bool:
    return "_before" in name or "_after" in name


class OutcomeForm(forms.Form):
    note = forms.CharField(
        label=_("비고"),
        required=False,
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={**INPUT, "rows": 3}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        note = self.fields.pop("note")
        for name in OUTCOME_FIGURES:
            counts = not name.endswith(("_krw", "_usd"))
            self.fields[name] = forms.IntegerField(
                label=verbose(Outcome, name),
                required=False,
                min_value=0,
                max_value=9_000_000_000_000_000,
                widget=forms.NumberInput(
                    attrs={**INPUT, "inputmode": "numeric", "step": 1 if counts else 1000}
                ),
            )
        self.fields["note"] = note

    def results(self) -> list[forms.BoundField]:
        """What the project changed (counts and increases)."""
        return [self[name] for name in OUTCOME_FIGURES if not _is_level(name)]

    def levels(self) -> list[forms.BoundField]:
        """The firm's figures before and after the support."""
        return [self[name] for name in OUTCOME_FIGURES if _is_level(name)]

    def figures(self) -> dict[str, Any]:
        return {name: self.cleaned_data.get(name) for name in OUTCOME_FIGURES}


SCORE_CHOICES = [(str(n), str(n)) for n in range(1, 6)]


class SurveyForm(forms.Form):
    comment = forms.CharField(
        label=_("의견 (선택)"),
        required=False,
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={**INPUT, "rows": 4}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        comment = self.fields.pop("comment")
        for item in SURVEY_ITEMS:
            self.fields[item] = forms.TypedChoiceField(
                label=verbose(SurveyResponse, item),
                choices=SCORE_CHOICES,
                coerce=int,
                widget=forms.RadioSelect,
                error_messages={"required": _("1점부터 5점 중에서 골라 주세요.")},
            )
        self.fields["comment"] = comment

    def items(self) -> list[forms.BoundField]:
        return [self[item] for item in SURVEY_ITEMS]

    def answers(self) -> dict[str, int]:
        return {item: self.cleaned_data[item] for item in SURVEY_ITEMS}
