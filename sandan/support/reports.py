"""The outcome report as a PDF (ADR 0013).

`outcome_pdf` lays out the figures the outcome dashboard computed (`outcome_figures` in
`sandan.support.views.outcomes`, already restricted to the user's scope and filters): key
figures, a chart of the outcome counts by service category, the tables by category, hub and
zone with their totals, and the satisfaction averages. It computes nothing itself, so the PDF
always says what the dashboard says. Labels are gettext strings, Korean by default.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from sandan.accounts.models import Membership
from sandan.core import clock
from sandan.core.i18n import local_name
from sandan.core.pdf import Report
from sandan.program.models import ProgramYear
from sandan.support.forms.projects import YearFilterForm


def scope_line(user: Any, form: YearFilterForm, national: bool) -> str:
    """What the figures cover: the whole country or the chosen zone/hub for national users,
    the scopes of their memberships for everyone else."""
    if national:
        parts = [_("전국")]
        if "zone" in form.fields and (zone := form.value("zone")):
            choices = dict(getattr(form.fields["zone"], "choices", ()))
            parts = [str(choices.get(zone, zone))]
        if "hub" in form.fields and (hub := form.value("hub")):
            parts.append(_("거점단지 코드 %(code)s") % {"code": hub})
        return " · ".join(parts)
    memberships = Membership.objects.active_for(user).select_related(
        "zone", "office", "complex", "organisation"
    )
    names = set()
    for membership in memberships:
        # Zones and offices have English names; complexes and firms keep their Korean ones.
        named = membership.zone or membership.office
        names.add(local_name(named) if named is not None else membership.scope_label)
    return ", ".join(sorted(names)) or "–"


def _table_rows(
    items: Sequence[Mapping[str, Any]], names: Sequence[str]
) -> list[list[str | int | None]]:
    return [[item["name"] or "–", item["firms"], *(item[name] for name in names)] for item in items]


def outcome_pdf(
    figures: Mapping[str, Any],
    *,
    year: ProgramYear,
    scope: str,
    names: Sequence[str],
    labels: Mapping[str, str],
    counts: Sequence[str],
    item_labels: Mapping[str, str],
) -> bytes:
    """The report of `figures` (see `outcome_figures`): `names` are the summed outcome
    fields in table order with their `labels`, `counts` the fields charted, `item_labels`
    the satisfaction items."""
    overall = figures["overall"]
    surveys = figures["surveys"]
    averages = figures["averages"]
    rate = figures["response_rate"]
    report = Report(
        _("지원과제 성과 보고서"),
        [
            _("%(year)s년 사업") % {"year": year.year},
            _("범위: %(scope)s") % {"scope": scope},
            _("작성: %(time)s")
            % {"time": timezone.localtime(clock.now()).strftime("%Y-%m-%d %H:%M %Z")},
        ],
        landscape=True,
    )
    report.note(_("볼 수 있는 범위의 과제만 집계합니다."))

    report.heading(_("주요 수치"))
    report.figures(
        [
            (_("성과를 입력한 과제"), f"{overall['projects']:,}"),
            (_("기업 수"), f"{overall['firms']:,}"),
            (
                _("특허 출원 / 등록"),
                f"{overall['patents_filed']:,} / {overall['patents_granted']:,}",
            ),
            (_("시제품 / 신제품"), f"{overall['prototypes']:,} / {overall['new_products']:,}"),
            (_("매출 증가(백만원)"), f"{round(overall['sales_increase_krw'] / 1_000_000):,}"),
            (labels["exports_increase_usd"], f"{overall['exports_increase_usd']:,}"),
            (labels["new_hires"], f"{overall['new_hires']:,}"),
            (_("비용 절감(백만원)"), f"{round(overall['cost_saved_krw'] / 1_000_000):,}"),
            (labels["certifications"], f"{overall['certifications']:,}"),
            (
                _("만족도 조사 응답률"),
                f"{rate:.1f}%" if rate is not None else "–",
            ),
        ],
        columns=5,
    )
    report.note(
        _("응답 %(answered)s / 발송 %(sent)s")
        % {"answered": f"{surveys['answered']:,}", "sent": f"{surveys['sent']:,}"}
    )

    numeric = [False, True, *(True for _name in names)]
    total = [_("합계"), overall["firms"], *(overall[name] for name in names)]
    tail = [labels[name] for name in names]
    tables = (
        (_("지원서비스 분야별"), _("지원서비스 분야별 성과 합계"), _("분야"), "by_category"),
        (_("거점단지별"), _("거점단지별 성과 합계"), _("거점단지"), "by_hub"),
        (_("권역별"), _("광역경제권별 성과 합계"), _("권역"), "by_zone"),
    )
    for title, caption, heading, key in tables:
        report.heading(title)
        report.data_table(
            [heading, _("기업 수"), *tail],
            _table_rows(figures[key], names),
            numeric=numeric,
            total=total,
            caption=caption,
            empty=_("입력된 성과가 없습니다."),
        )
        if key == "by_category":
            # The chart of the same figures, right after their table.
            by_category = figures["by_category"]
            report.bar_chart(
                _("분야별 성과 건수"),
                [str(row["name"] or "–") for row in by_category],
                [(labels[name], [row[name] for row in by_category]) for name in counts],
                unit=_("단위: %(unit)s") % {"unit": _("건·명")},
                empty=_("입력된 성과가 없습니다."),
            )

    report.heading(_("만족도"))
    report.data_table(
        [_("문항"), _("평균(5점 만점)")],
        [[item_labels[item], averages[item]] for item in item_labels],
        numeric=[False, True],
        decimals=2,
        width=120,
        caption=_("문항별 평균 점수(5점 만점, 응답 %(n)s건)") % {"n": f"{averages['n']:,}"},
    )
    return report.output_bytes()
