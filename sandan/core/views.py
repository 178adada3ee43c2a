"""History pages: the audit trail of one object, and (for auditors) of everything."""

from __future__ import annotations

import csv
import datetime as dt
from typing import Any

from django import forms
from django.apps import apps
from django.contrib.auth.decorators import login_required
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from sandan.core.audit_display import HISTORY_MODELS, describe
from sandan.core.forms import INPUT, FilterForm, filter_select
from sandan.core.io import safe_cell
from sandan.core.models import AuditAction, AuditEntry, AuditEvent
from sandan.core.privacy import may_see_contacts
from sandan.core.querysets import allows
from sandan.core.shortcuts import get_visible_or_404, may_read_history

SOURCES = (
    ("web", gettext_lazy("웹")),
    ("api", gettext_lazy("API")),
    ("import", gettext_lazy("가져오기")),
    ("admin", gettext_lazy("관리자 화면")),
    ("command", gettext_lazy("명령어")),
    ("planner", gettext_lazy("지정안 계산")),
    ("survey", gettext_lazy("만족도 조사")),
)
SOURCE_NAMES = dict(SOURCES)
# The longest period one CSV export covers (a year of the demo is ~10,000 entries).
CSV_MAX_ROWS = 50_000


@login_required
def object_history(request: HttpRequest, model: str, pk: int) -> HttpResponse:
    label = HISTORY_MODELS.get(model)
    if label is None:
        raise Http404
    model_class = apps.get_model(label)
    manager: Any = model_class._default_manager
    # No message of its own: the 404 page then says what it says of any missing page.
    obj = get_visible_or_404(manager.all(), request.user, "", pk=pk)
    if not may_read_history(request.user, model_class, obj.pk):
        raise PermissionDenied(_("이력을 볼 권한이 없습니다."))
    from sandan.core.audit import history_of

    page = Paginator(history_of(obj), 50).get_page(request.GET.get("page"))
    show_personal = may_see_contacts(request.user, obj)
    entries = describe(
        list(page.object_list), request.user, personal_visible=lambda entry: show_personal
    )
    return render(
        request,
        "core/history.html",
        {
            "object": obj,
            "page": page,
            "entries": entries,
            "model": model,
            "source_names": SOURCE_NAMES,
        },
    )


def _what_choices() -> list[tuple[str, Any]]:
    return [
        ("", _("전체")),
        *((f"action:{value}", label) for value, label in AuditAction.choices),
        *((f"event:{value}", label) for value, label in AuditEvent.choices),
    ]


def _model_choices() -> list[tuple[str, Any]]:
    """Every model that has entries in the log, by the name the pages give it."""
    used = AuditEntry.objects.values_list("content_type", flat=True).distinct().order_by()
    types = ContentType.objects.filter(pk__in=used)
    named = []
    for content_type in types:
        model = content_type.model_class()
        name = str(model._meta.verbose_name) if model is not None else content_type.model
        named.append((f"{content_type.app_label}.{content_type.model}", name))
    return [("", _("전체")), *sorted(named, key=lambda pair: pair[1])]


class AuditFilterForm(FilterForm):
    model = filter_select(label=gettext_lazy("대상 종류"))
    actor = forms.CharField(
        label=gettext_lazy("작업자 아이디"),
        required=False,
        max_length=150,
        widget=forms.TextInput(attrs=INPUT),
    )
    what = filter_select(label=gettext_lazy("무슨 일"))
    source = filter_select([("", gettext_lazy("전체")), *SOURCES], label=gettext_lazy("경로"))
    since = forms.DateField(
        label=gettext_lazy("시작일"),
        required=False,
        widget=forms.DateInput(attrs={**INPUT, "type": "date"}),
    )
    until = forms.DateField(
        label=gettext_lazy("종료일"),
        required=False,
        widget=forms.DateInput(attrs={**INPUT, "type": "date"}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["model"].choices = _model_choices()  # type: ignore[attr-defined]
        self.fields["what"].choices = _what_choices()  # type: ignore[attr-defined]

    def filter(self, entries: QuerySet[AuditEntry]) -> QuerySet[AuditEntry]:
        model = self.value("model")
        if model:
            app_label, _dot, name = model.partition(".")
            entries = entries.filter(content_type__app_label=app_label, content_type__model=name)
        actor = (self.value("actor") or "").strip()
        if actor:
            entries = entries.filter(actor__username=actor)
        what = self.value("what")
        if what:
            kind, _colon, value = what.partition(":")
            # A plain create / update / delete is one that no service named otherwise.
            entries = (
                entries.filter(event=value)
                if kind == "event"
                else entries.filter(action=value, event="")
            )
        source = self.value("source")
        if source:
            entries = entries.filter(source=source)
        since, until = self.value("since"), self.value("until")
        if since:
            entries = entries.filter(at__gte=_start_of(since))
        if until:
            entries = entries.filter(at__lt=_start_of(until + dt.timedelta(days=1)))
        return entries


def _start_of(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def _readable_entries(request: HttpRequest) -> tuple[AuditFilterForm, QuerySet[AuditEntry]]:
    if not allows(request.user, AuditEntry, "view"):
        raise PermissionDenied(_("감사 기록을 볼 권한이 없습니다."))
    entries: QuerySet[AuditEntry] = AuditEntry.objects.restrict(  # type: ignore[attr-defined]
        request.user, "view"
    ).select_related("actor", "content_type")
    form = AuditFilterForm(request.GET or None)
    return form, form.filter(entries).order_by("-at", "-id")


@login_required
def audit_log(request: HttpRequest) -> HttpResponse:
    form, entries = _readable_entries(request)
    page = Paginator(entries, 50).get_page(request.GET.get("page"))
    rows = describe(list(page.object_list), request.user, personal_visible=lambda entry: False)
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "core/audit_log.html",
        {
            "page": page,
            "rows": rows,
            "form": form,
            "query": query.urlencode(),
            "source_names": SOURCE_NAMES,
        },
    )


@login_required
def audit_log_csv(request: HttpRequest) -> HttpResponse:
    """The filtered log as CSV (UTF-8 with BOM for Excel); no cell is ever a formula."""
    _form, entries = _readable_entries(request)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="audit-log-{stamp}.csv"'
    response.write("\ufeff")
    writer = csv.writer(response)
    header = [_("일시"), _("작업자"), _("무슨 일"), _("대상 종류"), _("대상"), _("경로")]
    writer.writerow([*header, _("사유"), _("바뀐 내용")])
    chunk = list(entries[:CSV_MAX_ROWS])
    for start in range(0, len(chunk), 500):
        for row in describe(chunk[start : start + 500], request.user):
            entry = row.entry
            changes = "; ".join(
                f"{change.name}: {change.before} → {change.after}" for change in row.changes
            )
            cells = [
                timezone.localtime(entry.at).strftime("%Y-%m-%d %H:%M:%S"),
                entry.actor.username if entry.actor else _("시스템"),
                entry.what_happened,
                row.model_name,
                row.label,
                str(SOURCE_NAMES.get(entry.source, entry.source)),
                entry.reason,
                changes,
            ]
            writer.writerow([safe_cell(cell) for cell in cells])
    return response


def privacy_policy(request: HttpRequest) -> HttpResponse:
    """개인정보처리방침: what personal data sandan keeps, who sees it, for how long and
    whom to ask (open to everyone, signed in or not; written from docs/permissions.md)."""
    from django.conf import settings

    contact = getattr(settings, "SANDAN_PRIVACY_CONTACT", "") or settings.DEFAULT_FROM_EMAIL
    session_hours = settings.SESSION_COOKIE_AGE // 3600
    return render(
        request,
        "core/privacy.html",
        {"contact": contact, "session_hours": session_hours},
    )
