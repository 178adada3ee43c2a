"""Outcomes: a firm's outcome figures on a project, the one-time satisfaction survey (resent
by the staff, answered without a login), the outcome dashboard of a year (with its XLSX
export and PDF report) and the service levels (time from intake to triage, start and
completion, and the problems past their year's limits)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import (
    Avg,
    Count,
    Q,
    QuerySet,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from sandan.core import clock
from sandan.core.forms import FAILED, add_model_errors, run_action, run_service
from sandan.core.i18n import local_value, name_fields
from sandan.core.io import xlsx_bytes
from sandan.core.templatetags.sandan_ui import number
from sandan.program.models import ProgramYear
from sandan.program.selectors import program_year_on
from sandan.registry.models import Organisation
from sandan.support import reports, selectors, services
from sandan.support.forms.projects import (
    OutcomeForm,
    SurveyForm,
    YearFilterForm,
    verbose,
)
from sandan.support.models import (
    OUTCOME_FIGURES,
    SURVEY_ITEMS,
    Outcome,
    Participant,
    Survey,
    SurveyResponse,
)
from sandan.support.views.common import (
    is_national,
    posted,
    project_to_change,
    to_project,
)

OVERDUE_ON_PAGE = 50
# The outcome figures the dashboard sums (the before/after figures are per firm only).
OUTCOME_TOTALS = (
    "patents_filed",
    "patents_granted",
    "prototypes",
    "new_products",
    "certifications",
    "new_hires",
    "sales_increase_krw",
    "exports_increase_usd",
    "cost_saved_krw",
)
COUNT_TOTALS = OUTCOME_TOTALS[:6]


def _selected_year(form: YearFilterForm) -> ProgramYear | None:
    chosen = form.value("year")
    years = ProgramYear.objects.order_by("-year")
    if chosen:
        found = years.filter(year=int(chosen)).first()
        if found is not None:
            return found
    running = program_year_on(clock.today())
    if running is not None and running.status != ProgramYear.Status.DRAFT:
        return running
    return (
        years.exclude(status=ProgramYear.Status.DRAFT).filter(year__lte=clock.today().year).first()
        or years.exclude(status=ProgramYear.Status.DRAFT).first()
        or years.first()
    )


# Outcomes and surveys ---------------------------------------------------------------


@login_required
def outcome_record(request: HttpRequest, pk: int, organisation_pk: int) -> HttpResponse:
    user = request.user
    project = project_to_change(request, pk)
    participant = (
        Participant.objects.filter(
            project=project,
            organisation_id=organisation_pk,
            organisation__kind=Organisation.Kind.COMPANY,
        )
        .select_related("organisation")
        .first()
    )
    if participant is None or participant.organisation is None:
        raise Http404(_("이 과제의 참여기업이 아닙니다."))
    organisation = participant.organisation
    existing = (
        Outcome.objects.restrict(user, "view")
        .filter(project=project, organisation=organisation)
        .first()
    )
    initial = (
        {name: getattr(existing, name) for name in (*OUTCOME_FIGURES, "note")} if existing else {}
    )
    form = OutcomeForm(posted(request), initial=initial)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            recorded = run_service(
                form,
                lambda: services.record_outcome(
                    user,
                    project,
                    organisation,
                    note=form.cleaned_data.get("note", ""),
                    **form.figures(),
                ),
            )
            if recorded is not FAILED:
                messages.success(
                    request, _("%(org)s의 성과를 저장했습니다.") % {"org": organisation.name_ko}
                )
                return to_project(project)
        status = 400
    context = {
        "form": form,
        "project": project,
        "organisation": organisation,
        "title": _("성과 입력: %(org)s") % {"org": organisation.name_ko},
    }
    return render(request, "support/outcome_form.html", context, status=status)


@login_required
@require_POST
def survey_resend(request: HttpRequest, pk: int, survey_pk: int) -> HttpResponse:
    user = request.user
    project = project_to_change(request, pk)
    survey = (
        Survey.objects.restrict(user, "change")
        .filter(project=project, pk=survey_pk)
        .select_related("project__program_year", "organisation")
    )
    found = survey.first()
    if found is None:
        raise Http404(_("만족도 조사를 찾을 수 없습니다."))
    if run_action(request, lambda: services.resend_survey(user, found)) is not FAILED:
        messages.success(
            request,
            _("%(org)s에 새 조사 링크를 보냈습니다. 이전 링크는 더 쓸 수 없습니다.")
            % {"org": found.organisation.name_ko},
        )
    return to_project(project)


def _survey_gone(request: HttpRequest, message: str, status: int) -> HttpResponse:
    return render(request, "support/survey_closed.html", {"message": message}, status=status)


@never_cache
def survey_answer(request: HttpRequest, token: str) -> HttpResponse:
    """The one-time satisfaction survey (no login: the link is the key). A used or expired
    link is 410, an unknown one 404; neither changes anything."""
    survey = services.survey_by_token(token)
    if survey is None:
        return _survey_gone(
            request, _("유효하지 않은 조사 링크입니다. 메일의 링크를 다시 확인해 주세요."), 404
        )
    if survey.answered_at is not None:
        return _survey_gone(
            request, _("이미 응답한 조사입니다. 링크는 한 번만 쓸 수 있습니다."), 410
        )
    if survey.expires_at <= clock.now():
        return _survey_gone(request, _("조사 기간이 끝난 링크입니다."), 410)
    form = SurveyForm(posted(request))
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.answer_survey(token, form.answers(), form.cleaned_data["comment"])
            except ValidationError as error:
                refused = getattr(error, "error_dict", {}).get("token")
                if refused:
                    # Used or expired in the meantime (410), or gone (404).
                    gone = {e.code for e in refused} & {"used", "expired"}
                    return _survey_gone(
                        request, " ".join(refused[0].messages), 410 if gone else 404
                    )
                add_model_errors(form, error)
            else:
                return render(request, "support/survey_thanks.html", {"survey": survey})
        status = 400
    context = {"form": form, "survey": survey}
    return render(request, "support/survey_answer.html", context, status=status)


# Outcome dashboard ------------------------------------------------------------------


def _scoped_to(queryset: QuerySet[Any], prefix: str, form: YearFilterForm) -> QuerySet[Any]:
    if "zone" in form.fields and (zone := form.value("zone")):
        queryset = queryset.filter(**{f"{prefix}zone__code": zone})
    if "hub" in form.fields and (hub := form.value("hub")):
        queryset = queryset.filter(**{f"{prefix}hub__complex__kicox_id": hub})
    return queryset


def _totals(
    queryset: QuerySet[Outcome], order: Iterable[str], prefix: str, localised: bool = True
) -> list[dict[str, Any]]:
    """Totals per group of `prefix` (e.g. "project__zone__"), ordered by `order`; each row's
    "name" is the group's name (in the active language for reference data with `name_en`)."""
    sums = {name: Coalesce(Sum(name), Value(0)) for name in OUTCOME_TOTALS}
    names = name_fields(prefix) if localised else (f"{prefix}name_ko",)
    rows = list(
        queryset.values(*order, *names)
        .annotate(firms=Count("organisation", distinct=True), **sums)
        .order_by(*order, *names)
    )
    for row in rows:
        row["name"] = local_value(row, prefix) if localised else row[names[0]]
    return rows


def outcome_figures(user: Any, year: ProgramYear, form: YearFilterForm) -> dict[str, Any]:
    """The dashboard's tables: outcome totals by category, hub and zone; satisfaction
    averages per item; the survey response rate. All within the user's scope."""
    outcomes = _scoped_to(
        Outcome.objects.restrict(user, "view").filter(project__program_year=year),
        "project__",
        form,
    )
    by_category = _totals(outcomes, ["project__category__order"], "project__category__")
    # Complexes keep their Korean names in every language.
    by_hub = _totals(outcomes, [], "project__hub__complex__", localised=False)
    by_zone = _totals(outcomes, ["project__zone__order"], "project__zone__")
    overall = outcomes.aggregate(
        firms=Count("organisation", distinct=True),
        projects=Count("project", distinct=True),
        **{name: Coalesce(Sum(name), Value(0)) for name in OUTCOME_TOTALS},
    )
    responses = _scoped_to(
        SurveyResponse.objects.restrict(user, "view").filter(survey__project__program_year=year),
        "survey__project__",
        form,
    )
    averages = responses.aggregate(n=Count("pk"), **{item: Avg(item) for item in SURVEY_ITEMS})
    surveys = _scoped_to(
        Survey.objects.restrict(user, "view").filter(project__program_year=year),
        "project__",
        form,
    ).aggregate(sent=Count("pk"), answered=Count("pk", filter=Q(answered_at__isnull=False)))
    rate = 100.0 * surveys["answered"] / surveys["sent"] if surveys["sent"] else None
    return {
        "by_category": by_category,
        "by_hub": by_hub,
        "by_zone": by_zone,
        "overall": overall,
        "averages": averages,
        "surveys": surveys,
        "response_rate": rate,
    }


def _labels() -> dict[str, str]:
    return {name: verbose(Outcome, name) for name in OUTCOME_TOTALS}


def _page_labels(labels: dict[str, str]) -> dict[str, str]:
    """The dashboard's column headers: amounts in 원 are shown in 백만원 there (the unit rule
    in sandan.core.money); the XLSX export keeps exact 원 under the model's own labels."""
    return {
        **labels,
        "sales_increase_krw": _("매출 증가(백만원)"),
        "cost_saved_krw": _("비용 절감(백만원)"),
    }


def _item_labels() -> dict[str, str]:
    return {item: verbose(SurveyResponse, item) for item in SURVEY_ITEMS}


def _outcome_export(year: ProgramYear, figures: dict[str, Any]) -> HttpResponse:
    labels = _labels()
    header_tail = [labels[name] for name in OUTCOME_TOTALS]

    def rows(items: list[dict[str, Any]]) -> list[list[Any]]:
        return [
            [item["name"] or "–", item["firms"], *(item[name] for name in OUTCOME_TOTALS)]
            for item in items
        ]

    item_labels = _item_labels()
    averages = figures["averages"]
    sheets = [
        (
            _("분야별"),
            [_("지원서비스 분야"), _("기업 수"), *header_tail],
            rows(figures["by_category"]),
        ),
        (
            _("거점단지별"),
            [_("거점단지"), _("기업 수"), *header_tail],
            rows(figures["by_hub"]),
        ),
        (
            _("권역별"),
            [_("권역"), _("기업 수"), *header_tail],
            rows(figures["by_zone"]),
        ),
        (
            _("만족도"),
            [_("문항"), _("평균(5점 만점)")],
            [
                [item_labels[item], round(averages[item], 2) if averages[item] else None]
                for item in SURVEY_ITEMS
            ]
            + [
                [_("발송"), figures["surveys"]["sent"]],
                [_("응답"), figures["surveys"]["answered"]],
            ],
        ),
    ]
    response = HttpResponse(
        xlsx_bytes(sheets),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="outcomes-{year.year}.xlsx"'
    return response


def _bar_chart(
    labels: list[str], series: list[tuple[str, list[Any]]], y_title: str = ""
) -> dict[str, Any]:
    return {
        "labels": labels,
        "datasets": [{"label": label, "data": data} for label, data in series],
        "yTitle": y_title,
    }


@login_required
def outcome_dashboard(request: HttpRequest) -> HttpResponse:
    user = request.user
    national = is_national(user)
    form = YearFilterForm(request.GET or None, user=user, national=national)
    year = _selected_year(form)
    if year is None:
        return render(request, "support/outcome_dashboard.html", {"form": form, "year": None})
    figures = outcome_figures(user, year, form)
    if request.GET.get("format") == "xlsx":
        return _outcome_export(year, figures)
    labels = _labels()
    counts_chart = _bar_chart(
        [str(row["name"]) for row in figures["by_category"]],
        [(labels[name], [row[name] for row in figures["by_category"]]) for name in COUNT_TOTALS],
        _("건·명"),
    )
    amounts_chart = _bar_chart(
        [str(row["name"]) for row in figures["by_hub"]],
        [
            (
                _("매출 증가(백만원)"),
                [round(row["sales_increase_krw"] / 1_000_000, 1) for row in figures["by_hub"]],
            ),
            (
                _("비용 절감(백만원)"),
                [round(row["cost_saved_krw"] / 1_000_000, 1) for row in figures["by_hub"]],
            ),
        ],
        _("백만원"),
    )
    item_labels = _item_labels()
    averages = figures["averages"]
    satisfaction = [{"label": item_labels[item], "value": averages[item]} for item in SURVEY_ITEMS]
    satisfaction_chart = _bar_chart(
        [row["label"] for row in satisfaction],
        [(_("평균 점수"), [round(row["value"] or 0, 2) for row in satisfaction])],
        _("점(5점 만점)"),
    )
    query = request.GET.copy()
    query["format"] = "xlsx"
    context = {
        "form": form,
        "year": year,
        "national": national,
        "labels": [_page_labels(labels)[name] for name in OUTCOME_TOTALS],
        "names": OUTCOME_TOTALS,
        "satisfaction": satisfaction,
        "counts_chart": counts_chart,
        "amounts_chart": amounts_chart,
        "satisfaction_chart": satisfaction_chart,
        "export_query": query.urlencode(),
        **figures,
    }
    return render(request, "support/outcome_dashboard.html", context)


@login_required
def outcome_report_pdf(request: HttpRequest) -> HttpResponse:
    """The dashboard as a PDF report: the same filters, scope and figures (`outcome_figures`),
    laid out by `sandan.support.reports.outcome_pdf` (ADR 0013)."""
    user = request.user
    national = is_national(user)
    form = YearFilterForm(request.GET or None, user=user, national=national)
    year = _selected_year(form)
    if year is None:
        raise Http404(_("사업연도가 없어 집계할 수 없습니다."))
    data = reports.outcome_pdf(
        outcome_figures(user, year, form),
        year=year,
        scope=reports.scope_line(user, form, national),
        names=OUTCOME_TOTALS,
        labels=_labels(),
        counts=COUNT_TOTALS,
        item_labels=_item_labels(),
    )
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="sandan-outcomes-{year.year}.pdf"'
    return response


# Service levels ---------------------------------------------------------------------

STAGE_LABELS = {
    "intake_to_triage": gettext_lazy("접수 → 분류"),
    "triage_to_start": gettext_lazy("분류 → 과제 착수"),
    "start_to_completion": gettext_lazy("착수 → 완료"),
    "intake_to_completion": gettext_lazy("접수 → 완료"),
}


@login_required
def service_levels(request: HttpRequest) -> HttpResponse:
    user = request.user
    form = YearFilterForm(request.GET or None, user=user, national=False)
    year = _selected_year(form)
    levels = selectors.service_levels(user, year) if year else None
    stages = [(stage, str(STAGE_LABELS[stage])) for stage, _a, _b in selectors.STAGES]
    chart = None
    if levels is not None:
        overall = levels["overall"].stages
        chart = _bar_chart(
            [label for _stage, label in stages],
            [
                (_("중앙값(일)"), [overall[stage].median_days or 0 for stage, _l in stages]),
                (_("90% 값(일)"), [overall[stage].p90_days or 0 for stage, _l in stages]),
            ],
            pgettext("unit", "일"),
        )
    # The overdue problems of the year shown, by that year's rules; a year whose period
    # is over shows what it left unresolved at its end.
    now = clock.now()
    late = selectors.overdue_problems(user, now)
    if year is not None:
        late = late.filter(program_year=year)
    # The table's columns and what lateness reads (the year's rules and period) only.
    shown = late.select_related(None).select_related("organisation", "hub__complex", "program_year")
    overdue = list(shown[:OVERDUE_ON_PAGE])
    overdue_total = len(overdue) if len(overdue) < OVERDUE_ON_PAGE else late.count()
    for problem in overdue:
        problem.late = selectors.lateness(problem, now)  # type: ignore[attr-defined]
    # Each hub × category row's stage cells, "median / 90%", formatted once here: the table
    # has a row per hub and category (about 150 in the demo year).
    table = [
        (
            row,
            [
                f"{number(row.stages[stage].median_days, 1)} / "
                f"{number(row.stages[stage].p90_days, 1)}"
                for stage, _label in stages
            ],
        )
        for row in (levels["rows"] if levels is not None else [])
    ]
    context = {
        "form": form,
        "year": year,
        "year_ended": year is not None and selectors.year_has_ended(year, now),
        "measured_at": selectors.measured_at(year, now) if year is not None else now,
        "levels": levels,
        "table": table,
        "stages": stages,
        "chart": chart,
        "overdue": overdue,
        "overdue_total": overdue_total,
    }
    return render(request, "support/service_levels.html", context)
