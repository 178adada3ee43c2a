"""Council pages: councils (list, detail, forms), activities (list, detail, forms,
attendance, upload, attachments), the month calendar and iCalendar feeds.

Every row comes from a selector or `.restrict(request.user, action)`: a row outside the
user's scope is a 404, a write outside it a 403. Writes go through `councils.services`.
"""

from __future__ import annotations

import calendar
import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from sandan.accounts.roles import Role, grants_for
from sandan.core import clock
from sandan.core.forms import FAILED, run_action, run_service
from sandan.core.pagination import paginate
from sandan.core.querysets import RestrictedQuerySet, allows
from sandan.core.services import NotAllowed
from sandan.core.shortcuts import get_changeable_or_403, get_visible_or_404, may
from sandan.councils import io, selectors, services
from sandan.councils.forms import (
    ActivityFilterForm,
    ActivityForm,
    AttachmentForm,
    AttendanceForm,
    AttendanceUploadForm,
    CouncilFilterForm,
    CouncilForm,
    MembershipForm,
    RegistrationForm,
)
from sandan.councils.models import (
    Activity,
    ActivityAttachment,
    Attendance,
    Council,
    Membership,
)
from sandan.registry.models import Organisation

ACTIVITIES_PER_PAGE = 50
ACTIVITIES_ON_COUNCIL_PAGE = 10
ATTENDANCE_ON_ACTIVITY_PAGE = 200


# The councils and activities as their pages read them; each look-up scopes them to the user
# (sandan.core.shortcuts).
def _councils() -> RestrictedQuerySet[Council]:
    return Council.objects.select_related("zone", "hub__complex", "hub__program_year", "industry")


def _activities() -> RestrictedQuerySet[Activity]:
    return Activity.objects.select_related("council__hub__complex", "council__zone", "organiser")


def _user_organisations(user: Any) -> list[Organisation]:
    ids = {
        pk
        for grant in grants_for(user)
        if grant.role == Role.COMPANY_USER and grant.scope_kind == "organisation"
        for pk in grant.scope_ids
    }
    return list(Organisation.objects.filter(pk__in=ids).order_by("name_ko"))


# Councils ---------------------------------------------------------------------------


@login_required
def council_list(request: HttpRequest) -> HttpResponse:
    form = CouncilFilterForm(request.GET or None, user=request.user)
    filters = selectors.CouncilFilter(
        year=form.value("year"),
        zone=form.value("zone"),
        hub=form.value("hub"),
        status=form.value("status"),
        q=form.value("q"),
    )
    queryset = selectors.councils(request.user, filters)
    context = {
        "form": form,
        "may_add": allows(request.user, Council, "add"),
        **paginate(request, queryset),
    }
    return render(request, "councils/council_list.html", context)


@login_required
def council_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    council = get_visible_or_404(_councils(), user, _("협의체를 찾을 수 없습니다."), pk=pk)
    today = clock.today()
    members = list(selectors.memberships(user, council=council.pk))
    current = [
        m for m in members if m.joined_on <= today and (m.left_on is None or m.left_on >= today)
    ]
    now = clock.now()
    council_activities = selectors.activities(user, selectors.ActivityFilter(council=council.pk))
    upcoming = list(
        council_activities.filter(starts_at__gte=now).order_by("starts_at", "id")[
            :ACTIVITIES_ON_COUNCIL_PAGE
        ]
    )
    past = list(council_activities.filter(starts_at__lt=now)[:ACTIVITIES_ON_COUNCIL_PAGE])
    may_change = may(user, Council, "change", council.pk)
    context = {
        "council": council,
        "officers": [m for m in current if m.is_officer],
        "members": current,
        "former_members": [m for m in members if m not in current],
        "fee_total": sum(m.annual_fee_krw for m in current),
        "subgroups": list(selectors.subgroups(user, council.pk)),
        "rule": selectors.rule_check(council),
        "upcoming": upcoming,
        "past": past,
        "may_change": may_change,
        "may_add_member": may_change and allows(user, Membership, "add"),
        "may_add_activity": may_change and allows(user, Activity, "add"),
    }
    return render(request, "councils/council_detail.html", context)


@login_required
def council_create(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not allows(user, Council, "add"):
        raise PermissionDenied(_("협의체를 만들 권한이 없습니다."))
    form = CouncilForm(request.POST or None, user=user)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                council = run_service(
                    form, lambda: services.create_council(user, **form.cleaned_data)
                )
            except NotAllowed:
                form.add_error("hub", _("이 거점단지에 협의체를 만들 권한이 없습니다."))
            else:
                if council is not FAILED:
                    messages.success(request, _("협의체를 만들었습니다."))
                    return redirect("councils:council_detail", pk=council.pk)
        status = 400
    return render(
        request,
        "councils/form.html",
        {"form": form, "title": _("협의체 만들기"), "cancel_url": reverse("councils:council_list")},
        status=status,
    )


@login_required
def council_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    council = get_changeable_or_403(
        _councils(),
        user,
        _("협의체를 찾을 수 없습니다."),
        _("이 협의체를 수정할 권한이 없습니다."),
        pk=pk,
    )
    initial = {
        "hub": council.hub,
        "name": council.name,
        "theme_kind": council.theme_kind,
        "industry": council.industry,
        "technology": council.technology,
        "description": council.description,
    }
    form = CouncilForm(request.POST or None, user=user, initial=initial)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            saved = run_service(
                form, lambda: services.update_council(user, council, **form.cleaned_data)
            )
            if saved is not FAILED:
                messages.success(request, _("협의체 정보를 저장했습니다."))
                return redirect("councils:council_detail", pk=council.pk)
        status = 400
    cancel = reverse("councils:council_detail", args=[council.pk])
    return render(
        request,
        "councils/form.html",
        {"form": form, "title": _("협의체 수정"), "cancel_url": cancel, "council": council},
        status=status,
    )


@login_required
@require_POST
def council_status(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    council = get_changeable_or_403(
        _councils(),
        user,
        _("협의체를 찾을 수 없습니다."),
        _("이 협의체를 수정할 권한이 없습니다."),
        pk=pk,
    )
    new_status = request.POST.get("status", "")
    changed = run_action(request, lambda: services.change_council_status(user, council, new_status))
    if changed is not FAILED:
        messages.success(request, _("협의체 상태를 바꿨습니다."))
    return redirect("councils:council_detail", pk=council.pk)


@login_required
def membership_add(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    denied = _("이 협의체에 회원을 더할 권한이 없습니다.")
    council = get_changeable_or_403(
        _councils(), user, _("협의체를 찾을 수 없습니다."), denied, pk=pk
    )
    if not allows(user, Membership, "add"):
        raise PermissionDenied(denied)
    form = MembershipForm(
        request.POST or None,
        user=user,
        council=council,
        initial={"joined_on": clock.today()},
    )
    status = 200
    if request.method == "POST":
        if form.is_valid():
            added = run_service(
                form, lambda: services.add_member(user, council=council, **form.cleaned_data)
            )
            if added is not FAILED:
                messages.success(request, _("회원을 더했습니다."))
                return redirect("councils:council_detail", pk=council.pk)
        status = 400
    cancel = reverse("councils:council_detail", args=[council.pk])
    return render(
        request,
        "councils/form.html",
        {"form": form, "title": _("회원 추가"), "cancel_url": cancel, "council": council},
        status=status,
    )


@login_required
def council_ics(request: HttpRequest, pk: int) -> HttpResponse:
    council = get_visible_or_404(_councils(), request.user, _("협의체를 찾을 수 없습니다."), pk=pk)
    year_ago = clock.today() - dt.timedelta(days=365)
    items = selectors.activities(
        request.user, selectors.ActivityFilter(council=council.pk, date_from=year_ago)
    ).order_by("starts_at", "id")
    return _ics_response(request, items, council.name, f"council-{council.pk}.ics")


# Activities -------------------------------------------------------------------------


@login_required
def activity_list(request: HttpRequest) -> HttpResponse:
    form = ActivityFilterForm(request.GET or None, user=request.user)
    filters = selectors.ActivityFilter(
        year=form.value("year"),
        zone=form.value("zone"),
        hub=form.value("hub"),
        council=form.value("council"),
        kind=form.value("kind"),
        date_from=form.value("date_from"),
        date_to=form.value("date_to"),
    )
    queryset = selectors.activities(request.user, filters)
    context = {"form": form, **paginate(request, queryset, ACTIVITIES_PER_PAGE)}
    return render(request, "councils/activity_list.html", context)


@login_required
def activity_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    activity = get_visible_or_404(_activities(), user, _("활동을 찾을 수 없습니다."), pk=pk)
    rows = list(
        selectors.attendance(user, activity=activity.pk)
        .select_related(None)
        .select_related("organisation")
        .order_by("organisation__name_ko", "person_name")[: ATTENDANCE_ON_ACTIVITY_PAGE + 1]
    )
    may_change = may(user, Activity, "change", activity.pk)
    my_organisations = _user_organisations(user)
    # The problems raised at the activity are support's: the template includes support's
    # fragment ({% activity_problems %}), so councils never reads support's models.
    context = {
        "activity": activity,
        "attendance": rows[:ATTENDANCE_ON_ACTIVITY_PAGE],
        "more_attendance": len(rows) > ATTENDANCE_ON_ACTIVITY_PAGE,
        "counts": _status_counts(activity),
        "attachments": list(
            ActivityAttachment.objects.restrict(user, "view").filter(activity=activity)
        ),
        "may_change": may_change,
        "may_register": bool(my_organisations)
        and activity.status == Activity.Status.PLANNED
        and activity.starts_at > clock.now(),
        "registration_form": RegistrationForm() if my_organisations else None,
        "my_organisation_ids": {organisation.pk for organisation in my_organisations},
    }
    return render(request, "councils/activity_detail.html", context)


def _status_counts(activity: Activity) -> dict[str, int]:
    from django.db.models import Count

    counts = dict(
        Attendance.objects.filter(activity=activity)
        .values_list("status")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return {str(label): counts.get(value, 0) for value, label in Attendance.Status.choices}


@login_required
def activity_create(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    denied = _("이 협의체의 활동을 만들 권한이 없습니다.")
    council = get_changeable_or_403(
        _councils(), user, _("협의체를 찾을 수 없습니다."), denied, pk=pk
    )
    if not allows(user, Activity, "add"):
        raise PermissionDenied(denied)
    form = ActivityForm(request.POST or None, initial={"status": Activity.Status.PLANNED})
    status = 200
    if request.method == "POST":
        if form.is_valid():
            activity = run_service(
                form, lambda: services.create_activity(user, council=council, **form.cleaned_data)
            )
            if activity is not FAILED:
                messages.success(request, _("활동을 만들었습니다."))
                return redirect("councils:activity_detail", pk=activity.pk)
        status = 400
    cancel = reverse("councils:council_detail", args=[council.pk])
    return render(
        request,
        "councils/form.html",
        {"form": form, "title": _("활동 만들기"), "cancel_url": cancel, "council": council},
        status=status,
    )


@login_required
def activity_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    activity = get_changeable_or_403(
        _activities(),
        user,
        _("활동을 찾을 수 없습니다."),
        _("이 활동을 수정할 권한이 없습니다."),
        pk=pk,
    )
    names = list(ActivityForm.base_fields)
    form = ActivityForm(
        request.POST or None,
        initial={name: getattr(activity, name) for name in names},
    )
    status = 200
    if request.method == "POST":
        if form.is_valid():
            saved = run_service(
                form, lambda: services.update_activity(user, activity, **form.cleaned_data)
            )
            if saved is not FAILED:
                messages.success(request, _("활동을 저장했습니다."))
                return redirect("councils:activity_detail", pk=activity.pk)
        status = 400
    cancel = reverse("councils:activity_detail", args=[activity.pk])
    return render(
        request,
        "councils/form.html",
        {"form": form, "title": _("활동 수정"), "cancel_url": cancel, "activity": activity},
        status=status,
    )


@login_required
def attendance_add(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    activity = get_changeable_or_403(
        _activities(),
        user,
        _("활동을 찾을 수 없습니다."),
        _("이 활동의 참석을 기록할 권한이 없습니다."),
        pk=pk,
    )
    form = AttendanceForm(
        request.POST or None,
        user=user,
        activity=activity,
        initial={"status": Attendance.Status.ATTENDED},
    )
    status = 200
    if request.method == "POST":
        if form.is_valid():
            recorded = run_service(
                form,
                lambda: services.record_attendance(user, activity=activity, **form.cleaned_data),
            )
            if recorded is not FAILED:
                messages.success(request, _("참석을 기록했습니다."))
                return redirect("councils:activity_detail", pk=activity.pk)
        status = 400
    cancel = reverse("councils:activity_detail", args=[activity.pk])
    return render(
        request,
        "councils/form.html",
        {"form": form, "title": _("참석 기록"), "cancel_url": cancel, "activity": activity},
        status=status,
    )


@login_required
def attendance_import(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    activity = get_changeable_or_403(
        _activities(),
        user,
        _("활동을 찾을 수 없습니다."),
        _("이 활동의 참석을 기록할 권한이 없습니다."),
        pk=pk,
    )
    if request.GET.get("template"):
        response = HttpResponse(io.attendance_template_csv(), content_type="text/csv")
        response["Content-Disposition"] = 'attachment; filename="attendance-template.csv"'
        return response
    form = AttendanceUploadForm(request.POST or None, request.FILES or None)
    report = None
    status = 200
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        report = io.import_attendance(
            user, activity, upload, filename=upload.name, dry_run=form.cleaned_data["dry_run"]
        )
        if report.ok and not report.dry_run:
            messages.success(
                request,
                _("참석 %(created)d건을 새로 기록하고 %(updated)d건을 고쳤습니다.")
                % {"created": report.created, "updated": report.updated},
            )
            return redirect("councils:activity_detail", pk=activity.pk)
        status = 200 if report.ok else 400
    elif request.method == "POST":
        status = 400
    return render(
        request,
        "councils/attendance_import.html",
        {"form": form, "activity": activity, "report": report},
        status=status,
    )


@login_required
@require_POST
def activity_register(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    activity = get_visible_or_404(_activities(), user, _("활동을 찾을 수 없습니다."), pk=pk)
    organisations = _user_organisations(user)
    form = RegistrationForm(request.POST)
    if not organisations:
        raise PermissionDenied(_("기업 사용자만 참가 신청할 수 있습니다."))
    if not form.is_valid():
        messages.error(request, _("참석자 이름을 확인하세요."))
        return redirect("councils:activity_detail", pk=activity.pk)
    registered = run_action(
        request,
        lambda: services.register_for_activity(
            user, activity=activity, organisation=organisations[0], **form.cleaned_data
        ),
    )
    if registered is not FAILED:
        messages.success(request, _("참가 신청을 받았습니다."))
    return redirect("councils:activity_detail", pk=activity.pk)


@login_required
@require_POST
def registration_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    """A company user withdraws one of its own registrations for a coming activity."""
    row = Attendance.objects.restrict(request.user, "change").filter(pk=pk).first()
    if row is None:
        raise Http404(_("참가 신청을 찾을 수 없습니다."))
    if run_action(request, lambda: services.cancel_registration(request.user, row)) is not FAILED:
        messages.success(request, _("참가 신청을 취소했습니다."))
    return redirect("councils:activity_detail", pk=row.activity_id)


@login_required
def attachment_add(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    activity = get_changeable_or_403(
        _activities(),
        user,
        _("활동을 찾을 수 없습니다."),
        _("이 활동에 파일을 올릴 권한이 없습니다."),
        pk=pk,
    )
    form = AttachmentForm(request.POST or None, request.FILES or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            added = run_service(
                form,
                lambda: services.add_attachment(
                    user,
                    activity=activity,
                    upload=form.cleaned_data["file"],
                    title=form.cleaned_data["title"],
                ),
            )
            if added is not FAILED:
                messages.success(request, _("첨부파일을 올렸습니다."))
                return redirect("councils:activity_detail", pk=activity.pk)
        status = 400
    cancel = reverse("councils:activity_detail", args=[activity.pk])
    return render(
        request,
        "councils/form.html",
        {
            "form": form,
            "title": _("첨부파일 올리기"),
            "cancel_url": cancel,
            "activity": activity,
            "multipart": True,
        },
        status=status,
    )


@login_required
def attachment_download(request: HttpRequest, pk: int) -> FileResponse:
    found = ActivityAttachment.objects.restrict(request.user, "view").filter(pk=pk).first()
    if found is None:
        raise Http404(_("첨부파일을 찾을 수 없습니다."))
    return FileResponse(
        found.file.open("rb"),
        as_attachment=True,
        filename=found.file.name.rsplit("/", 1)[-1],
        content_type=found.content_type,
    )


# Calendar and iCalendar -------------------------------------------------------------


@login_required
def activity_calendar(request: HttpRequest) -> HttpResponse:
    today = clock.today()
    try:
        year = int(request.GET.get("year", today.year))
        month = int(request.GET.get("month", today.month))
        first = dt.date(year, month, 1)
    except (TypeError, ValueError):
        first = today.replace(day=1)
    council_id = request.GET.get("council")
    council = None
    if council_id and council_id.isdigit():
        council = get_visible_or_404(
            _councils(), request.user, _("협의체를 찾을 수 없습니다."), pk=int(council_id)
        )
    # Weeks start on Sunday, as Korean calendars do.
    weeks = calendar.Calendar(firstweekday=6).monthdatescalendar(first.year, first.month)
    filters: dict[str, Any] = {"council": council.pk} if council else {}
    items = selectors.activities_between(request.user, weeks[0][0], weeks[-1][-1], **filters)
    by_day: dict[dt.date, list[Activity]] = {}
    for item in items:
        by_day.setdefault(timezone.localtime(item.starts_at).date(), []).append(item)
    previous = (first - dt.timedelta(days=1)).replace(day=1)
    following = (first + dt.timedelta(days=32)).replace(day=1)
    context = {
        "month": first,
        "weeks": [
            [
                {
                    "date": day,
                    "in_month": day.month == first.month,
                    "today": day == today,
                    "items": by_day.get(day, []),
                }
                for day in week
            ]
            for week in weeks
        ],
        "weekdays": [_("일"), _("월"), _("화"), _("수"), _("목"), _("금"), _("토")],
        "previous": previous,
        "following": following,
        "council": council,
        "count": len(items),
    }
    return render(request, "councils/calendar.html", context)


@login_required
def my_ics(request: HttpRequest) -> HttpResponse:
    """The activities the user can see, from a year ago on (a company: its councils')."""
    year_ago = clock.today() - dt.timedelta(days=365)
    items = selectors.activities(
        request.user, selectors.ActivityFilter(date_from=year_ago)
    ).order_by("starts_at", "id")[:2000]
    return _ics_response(request, items, _("산단 활동 일정"), "sandan-activities.ics")


def _ics_response(request: HttpRequest, items: Any, name: str, filename: str) -> HttpResponse:
    def url_for(activity: Activity) -> str:
        return request.build_absolute_uri(reverse("councils:activity_detail", args=[activity.pk]))

    body = io.activities_ics(items, name=name, url_for=url_for)
    response = HttpResponse(body.encode("utf-8"), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
