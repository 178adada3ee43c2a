"""Every write about councils and activities (views, API, importer, commands, demo data).

Each function validates first and says what is wrong and why in a ValidationError keyed
by field; nothing is written then. Writes run in a transaction and are audited through
`sandan.core.services` (one row) or `sandan.core.audit.record_many` (bulk, one batch).
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from sandan.core import audit, clock
from sandan.core.files import check_attachment
from sandan.core.services import (
    NotAllowed,
    create_object,
    delete_object,
    ensure_allowed,
    update_object,
)
from sandan.councils.models import (
    Activity,
    ActivityAttachment,
    Attendance,
    Council,
    Membership,
    SubGroup,
)
from sandan.councils.selectors import rule_check
from sandan.program.models import Designation, ProgramYear
from sandan.program.selectors import program_year_on
from sandan.registry.models import Organisation

# Councils ---------------------------------------------------------------------------


def _check_hub(hub: Designation | None) -> Designation:
    if hub is None:
        raise ValidationError(
            {"hub": _("협의체는 거점단지 지정에 속해야 합니다. 거점단지를 선택하세요.")}
        )
    if hub.role != Designation.Role.HUB:
        raise ValidationError(
            {
                "hub": _(
                    "%(complex)s은(는) 연계단지로 지정되었습니다. "
                    "협의체는 거점단지에만 둘 수 있고, "
                    "연계단지의 기업은 거점단지의 협의체에 가입합니다."
                )
                % {"complex": hub.complex}
            }
        )
    if hub.program_year.status == ProgramYear.Status.CLOSED:
        raise ValidationError(
            {"hub": _("종료된 사업연도의 거점단지에는 협의체를 만들 수 없습니다.")}
        )
    return hub


def _check_theme(fields: Mapping[str, Any]) -> None:
    kind = fields.get("theme_kind", Council.ThemeKind.INDUSTRY)
    if kind == Council.ThemeKind.INDUSTRY and fields.get("industry") is None:
        raise ValidationError({"industry": _("업종 협의체는 업종(KSIC)을 지정해야 합니다.")})
    if kind == Council.ThemeKind.TECHNOLOGY and not str(fields.get("technology", "")).strip():
        raise ValidationError({"technology": _("기술 협의체는 기술 분야를 적어야 합니다.")})


def create_council(
    actor: Any,
    *,
    hub: Designation | None,
    name: str,
    theme_kind: str = Council.ThemeKind.INDUSTRY,
    industry: Any = None,
    technology: str = "",
    coordinator: Any = None,
    description: str = "",
    source: str = "web",
) -> Council:
    """A new council (status "forming") of a hub designation."""
    hub = _check_hub(hub)
    fields: dict[str, Any] = {
        "hub": hub,
        "zone_id": hub.zone_id,
        "name": name.strip(),
        "theme_kind": theme_kind,
        "industry": industry if theme_kind == Council.ThemeKind.INDUSTRY else None,
        "technology": technology.strip() if theme_kind == Council.ThemeKind.TECHNOLOGY else "",
        "coordinator": coordinator,
        "description": description,
        "status": Council.Status.FORMING,
    }
    _check_theme(fields)
    return create_object(actor, Council, fields, source=source)


def update_council(
    actor: Any, council: Council, *, source: str = "web", reason: str = "", **fields: Any
) -> Council:
    """Change name, theme, coordinator, description or hub; status has its own function."""
    if "status" in fields or "merged_into" in fields:
        raise ValidationError({"status": _("상태는 상태 변경 기능으로만 바꿀 수 있습니다.")})
    if "hub" in fields:
        fields["hub"] = _check_hub(fields["hub"])
        fields["zone_id"] = fields["hub"].zone_id
    merged = {
        "theme_kind": council.theme_kind,
        "industry": council.industry,
        "technology": council.technology,
        **fields,
    }
    _check_theme(merged)
    if merged["theme_kind"] == Council.ThemeKind.INDUSTRY:
        fields["technology"] = ""
    else:
        fields["industry"] = None
    return update_object(actor, council, fields, source=source, reason=reason)


def change_council_status(
    actor: Any,
    council: Council,
    status: str,
    *,
    merged_into: Council | None = None,
    reason: str = "",
    on: dt.date | None = None,
    source: str = "web",
) -> Council:
    """forming → active (only if the year's rule holds) → merged (into another council of
    the same hub year) or closed."""
    allowed = Council.TRANSITIONS.get(council.status, ())
    if status not in allowed:
        raise ValidationError(
            {
                "status": _("'%(old)s'에서 '%(new)s'(으)로 바꿀 수 없습니다.")
                % {
                    "old": council.get_status_display(),
                    "new": dict(Council.Status.choices).get(status, status),
                }
            }
        )
    if status == Council.Status.ACTIVE:
        check = rule_check(council, on)
        if not check.ok:
            raise ValidationError({"status": check.problems})
    fields: dict[str, Any] = {"status": status}
    if status == Council.Status.MERGED:
        if merged_into is None or merged_into.pk == council.pk:
            raise ValidationError({"merged_into": _("통합될 다른 협의체를 선택하세요.")})
        if merged_into.status in (Council.Status.MERGED, Council.Status.CLOSED):
            raise ValidationError({"merged_into": _("통합될 협의체가 이미 통합·해산되었습니다.")})
        fields["merged_into"] = merged_into
    return update_object(actor, council, fields, source=source, reason=reason)


# Memberships ------------------------------------------------------------------------


def _eligible_complex_ids(council: Council) -> set[int]:
    """The hub complex and the complexes linked to it in the hub's program year."""
    hub = council.hub
    linked = Designation.objects.filter(hub=hub, role=Designation.Role.LINKED).values_list(
        "complex_id", flat=True
    )
    return {hub.complex_id, *linked}


def _check_member(
    council: Council,
    organisation: Organisation | None,
    joined_on: dt.date,
    left_on: dt.date | None,
    exclude_pk: int | None = None,
) -> Organisation:
    if organisation is None:
        raise ValidationError(
            {"organisation": _("등록되지 않은 기관입니다. 기관을 먼저 등록하세요.")}
        )
    if council.status in (Council.Status.MERGED, Council.Status.CLOSED):
        raise ValidationError(
            {"council": _("통합되었거나 해산한 협의체에는 회원을 더할 수 없습니다.")}
        )
    if (
        organisation.kind == Organisation.Kind.COMPANY
        and organisation.complex_id not in _eligible_complex_ids(council)
    ):
        raise ValidationError(
            {
                "organisation": _(
                    "%(org)s은(는) 이 협의체의 거점단지나 그 연계단지에 입주한 기업이 아닙니다. "
                    "거점단지 협의체에는 거점단지와 연계단지의 기업이 가입합니다."
                )
                % {"org": organisation}
            }
        )
    if left_on is not None and left_on < joined_on:
        raise ValidationError({"left_on": _("탈퇴일은 가입일보다 앞설 수 없습니다.")})
    overlapping = Membership.objects.filter(council=council, organisation=organisation).filter(
        Q(left_on__isnull=True) | Q(left_on__gte=joined_on)
    )
    if left_on is not None:
        overlapping = overlapping.filter(joined_on__lte=left_on)
    if exclude_pk is not None:
        overlapping = overlapping.exclude(pk=exclude_pk)
    if overlapping.exists():
        raise ValidationError(
            {
                "organisation": _("%(org)s은(는) 이 기간에 이미 이 협의체의 회원입니다.")
                % {"org": organisation}
            }
        )
    return organisation


def _check_chair(council: Council, role: str, exclude_pk: int | None = None) -> None:
    if role != Membership.Role.CHAIR:
        return
    chairs = Membership.objects.filter(council=council, role=role, left_on__isnull=True)
    if exclude_pk is not None:
        chairs = chairs.exclude(pk=exclude_pk)
    if chairs.exists():
        raise ValidationError({"role": _("이 협의체에는 이미 회장사가 있습니다.")})


def add_member(
    actor: Any,
    *,
    council: Council,
    organisation: Organisation | None,
    joined_on: dt.date,
    role: str = Membership.Role.MEMBER,
    annual_fee_krw: int = 0,
    left_on: dt.date | None = None,
    note: str = "",
    source: str = "web",
) -> Membership:
    organisation = _check_member(council, organisation, joined_on, left_on)
    _check_chair(council, role)
    if annual_fee_krw < 0:
        raise ValidationError({"annual_fee_krw": _("연회비는 0원 이상이어야 합니다.")})
    return create_object(
        actor,
        Membership,
        {
            "council": council,
            "organisation": organisation,
            "role": role,
            "joined_on": joined_on,
            "left_on": left_on,
            "annual_fee_krw": annual_fee_krw,
            "note": note,
        },
        source=source,
    )


def update_membership(
    actor: Any, membership: Membership, *, source: str = "web", reason: str = "", **fields: Any
) -> Membership:
    """Change role, fee, dates or note (not the council or the organisation)."""
    if "council" in fields or "organisation" in fields:
        raise ValidationError({"organisation": _("회원 기관과 협의체는 바꿀 수 없습니다.")})
    joined_on = fields.get("joined_on", membership.joined_on)
    left_on = fields.get("left_on", membership.left_on)
    if left_on is not None and left_on < joined_on:
        raise ValidationError({"left_on": _("탈퇴일은 가입일보다 앞설 수 없습니다.")})
    if "role" in fields and left_on is None:
        _check_chair(membership.council, fields["role"], exclude_pk=membership.pk)
    if fields.get("annual_fee_krw", 0) < 0:
        raise ValidationError({"annual_fee_krw": _("연회비는 0원 이상이어야 합니다.")})
    return update_object(actor, membership, fields, source=source, reason=reason)


def end_membership(
    actor: Any, membership: Membership, left_on: dt.date, *, reason: str = "", source: str = "web"
) -> Membership:
    return update_membership(actor, membership, left_on=left_on, reason=reason, source=source)


def create_subgroup(
    actor: Any,
    *,
    council: Council,
    name: str,
    description: str = "",
    leader: Organisation | None = None,
    members: Iterable[Membership] = (),
    source: str = "web",
) -> SubGroup:
    chosen = list(members)
    if any(member.council_id != council.pk for member in chosen):
        raise ValidationError({"members": _("분과 회원은 같은 협의체의 회원이어야 합니다.")})
    return create_object(
        actor,
        SubGroup,
        {"council": council, "name": name.strip(), "description": description, "leader": leader},
        source=source,
        m2m={"members": chosen},
    )


# Activities -------------------------------------------------------------------------


def _check_activity_council(council: Council | None) -> Council:
    if council is None:
        raise ValidationError({"council": _("활동은 협의체에 속해야 합니다. 협의체를 선택하세요.")})
    if council.status in (Council.Status.MERGED, Council.Status.CLOSED):
        raise ValidationError(
            {"council": _("통합되었거나 해산한 협의체에는 새 활동을 만들 수 없습니다.")}
        )
    return council


def create_activity(
    actor: Any, *, council: Council | None, source: str = "web", **fields: Any
) -> Activity:
    """fields: kind, title, starts_at, ends_at, place, organiser, agenda, minutes,
    problems_raised, problems_note, status."""
    council = _check_activity_council(council)
    _check_activity_year(fields.get("starts_at"))
    return create_object(actor, Activity, {"council": council, **fields}, source=source)


def _check_activity_year(starts_at: Any) -> None:
    """An activity is work of the program year whose period holds its date: a date that no
    year holds is refused with what HQ has to do."""
    if not isinstance(starts_at, dt.datetime):
        return  # the model's own validation says the date is missing
    day = timezone.localdate(starts_at) if timezone.is_aware(starts_at) else starts_at.date()
    if program_year_on(day) is None:
        raise ValidationError(
            {
                "starts_at": _(
                    "%(date)s이(가) 속한 사업연도가 없습니다. 본부에서 %(year)d년 "
                    "사업연도를 만들어야 활동을 등록할 수 있습니다."
                )
                % {"date": day.isoformat(), "year": day.year}
            }
        )


def update_activity(
    actor: Any, activity: Activity, *, source: str = "web", reason: str = "", **fields: Any
) -> Activity:
    if "council" in fields and fields["council"] != activity.council:
        _check_activity_council(fields["council"])
    if "starts_at" in fields and fields["starts_at"] != activity.starts_at:
        _check_activity_year(fields["starts_at"])
    return update_object(actor, activity, fields, source=source, reason=reason)


def delete_activity(actor: Any, activity: Activity, *, reason: str = "") -> None:
    if activity.attendance.exists() or activity.attachments.exists():
        raise ValidationError(
            {
                "activity": _(
                    "참석 기록이나 첨부파일이 있는 활동은 지울 수 없습니다. 취소로 바꾸세요."
                )
            }
        )
    delete_object(actor, activity, reason=reason)


# Attendance -------------------------------------------------------------------------


def _attendance_fields(
    activity: Activity, organisation: Organisation | None, person_name: str
) -> tuple[Organisation, str]:
    if organisation is None:
        raise ValidationError(
            {
                "organisation": _(
                    "등록되지 않은 기관입니다. 참석 기관은 기관 목록에 있어야 하니 먼저 등록하세요."
                )
            }
        )
    name = " ".join(person_name.split())
    if not name:
        raise ValidationError({"person_name": _("참석자 이름을 적으세요.")})
    if activity.status == Activity.Status.CANCELLED:
        raise ValidationError({"activity": _("취소된 활동에는 참석을 기록할 수 없습니다.")})
    return organisation, name


def record_attendance(
    actor: Any,
    *,
    activity: Activity,
    organisation: Organisation | None,
    person_name: str,
    person_title: str = "",
    email: str = "",
    status: str = Attendance.Status.ATTENDED,
    source: str = "web",
) -> Attendance:
    """Create or update one person's attendance (natural key: activity, organisation, name)."""
    organisation, name = _attendance_fields(activity, organisation, person_name)
    fields = {"person_title": person_title, "email": email, "status": status}
    with transaction.atomic():
        existing = (
            Attendance.objects.select_for_update()
            .filter(activity=activity, organisation=organisation, person_name=name)
            .first()
        )
        if existing is not None:
            return update_object(actor, existing, fields, source=source)
        return create_object(
            actor,
            Attendance,
            {"activity": activity, "organisation": organisation, "person_name": name, **fields},
            source=source,
        )


def register_for_activity(
    actor: Any,
    *,
    activity: Activity,
    organisation: Organisation | None,
    person_name: str,
    person_title: str = "",
    email: str = "",
    now: dt.datetime | None = None,
    source: str = "web",
) -> Attendance:
    """Self-registration: an attendance row with status "registered" for a coming activity
    that the actor can see (a company sees the activities of its councils)."""
    if not Activity.objects.restrict(actor, "view").filter(pk=activity.pk).exists():
        raise NotAllowed(_("이 활동에 참가 신청할 권한이 없습니다."))
    if activity.status != Activity.Status.PLANNED or activity.starts_at <= (now or clock.now()):
        raise ValidationError(
            {"activity": _("예정된, 아직 시작하지 않은 활동에만 신청할 수 있습니다.")}
        )
    return record_attendance(
        actor,
        activity=activity,
        organisation=organisation,
        person_name=person_name,
        person_title=person_title,
        email=email,
        status=Attendance.Status.REGISTERED,
        source=source,
    )


def cancel_registration(actor: Any, attendance: Attendance, *, source: str = "web") -> Attendance:
    if attendance.status != Attendance.Status.REGISTERED:
        raise ValidationError({"status": _("참가 신청 상태인 기록만 취소할 수 있습니다.")})
    return update_object(actor, attendance, {"status": Attendance.Status.CANCELLED}, source=source)


# Bulk writes: importer and demo generator -----------------------------------------------


def bulk_create_activities(
    actor: Any,
    rows: Sequence[Mapping[str, Any]],
    *,
    source: str = "demo",
    batch: str | None = None,
    batch_size: int = 2000,
) -> list[Activity]:
    """Insert many activities at once, with one audit batch.

    Each row holds Activity fields by attname (`council_id`, `organiser_id`, …) or by name.
    Rows are validated with `full_clean()` (without the unique check); a council that the
    actor may not change makes the whole call fail. For the demo generator: pass
    `actor=None` and `source="demo"`.
    """
    objs = [Activity(**dict(row)) for row in rows]
    errors: dict[str, list[str]] = {}
    for number, obj in enumerate(objs, start=1):
        try:
            obj.full_clean(exclude=["council"], validate_unique=False)
        except ValidationError as error:
            errors[f"row {number}"] = error.messages
        if obj.council_id is None:
            errors.setdefault(f"row {number}", []).append(_("활동은 협의체에 속해야 합니다."))
    if errors:
        raise ValidationError(errors)
    council_ids = {obj.council_id for obj in objs}
    _ensure_councils(actor, council_ids, "change")
    batch = batch or uuid.uuid4().hex
    with transaction.atomic():
        created = Activity.objects.bulk_create(objs, batch_size=batch_size)
        audit.record_created(actor, created, source=source, batch=batch)
    return created


def bulk_record_attendance(
    actor: Any,
    rows: Sequence[Mapping[str, Any]],
    *,
    source: str = "demo",
    batch: str | None = None,
    batch_size: int = 5000,
) -> int:
    """Insert many attendance rows (activity_id, organisation_id, person_name, status, …)
    with one audit batch; rows whose (activity, organisation, person) exists are skipped by
    the caller's plan (see io.import_attendance) — here they fail the unique constraint and
    nothing is written. Returns how many rows were written."""
    objs = [Attendance(**dict(row)) for row in rows]
    activity_ids = {obj.activity_id for obj in objs}
    councils = set(
        Activity.objects.filter(pk__in=activity_ids).values_list("council_id", flat=True)
    )
    _ensure_councils(actor, councils, "change")
    batch = batch or uuid.uuid4().hex
    try:
        with transaction.atomic():
            created = Attendance.objects.bulk_create(objs, batch_size=batch_size)
            audit.record_created(actor, created, source=source, batch=batch)
    except IntegrityError as error:
        raise ValidationError(
            {
                "attendance": _(
                    "이미 있는 참석 기록이 있거나 값이 올바르지 않아 아무것도 저장하지 않았습니다."
                )
            }
        ) from error
    return len(created)


def _ensure_councils(actor: Any, council_ids: set[int], action: str) -> None:
    if actor is None:
        return
    reachable = set(
        Council.objects.restrict(actor, action)
        .filter(pk__in=council_ids)
        .values_list("pk", flat=True)
    )
    if reachable != council_ids:
        raise NotAllowed(_("이 협의체의 활동을 기록할 권한이 없습니다."))


# Attachments ------------------------------------------------------------------------


def add_attachment(
    actor: Any,
    *,
    activity: Activity,
    upload: UploadedFile,
    title: str = "",
    source: str = "web",
) -> ActivityAttachment:
    # Checked before the file is stored, so a refused actor leaves no file behind.
    ensure_allowed(actor, activity, "change")
    content_type, size = check_attachment(upload)
    return create_object(
        actor,
        ActivityAttachment,
        {
            "activity": activity,
            "file": upload,
            "title": title.strip() or Path(upload.name or "").name,
            "content_type": content_type,
            "size_bytes": size,
            "uploaded_by": actor if getattr(actor, "is_authenticated", False) else None,
        },
        source=source,
    )


# Reminders --------------------------------------------------------------------------


def _recipients(activity: Activity, on: dt.date) -> dict[str, int | None]:
    """{e-mail: organisation id}: the contacts of the council's current members and the
    people registered for the activity."""
    from sandan.councils.selectors import current_memberships

    found: dict[str, int | None] = {}
    members = Membership.objects.filter(current_memberships(on), council_id=activity.council_id)
    for org_id, email in members.values_list("organisation_id", "organisation__contact_email"):
        if email:
            found.setdefault(email.strip().lower(), org_id)
    registered = activity.attendance.filter(status=Attendance.Status.REGISTERED).exclude(email="")
    for org_id, email in registered.values_list("organisation_id", "email"):
        found.setdefault(email.strip().lower(), org_id)
    return found


def _reminder_message(activity: Activity, email: str, connection: Any) -> Any:
    from django.conf import settings
    from django.core.mail import EmailMessage
    from django.utils.formats import date_format

    starts = timezone.localtime(activity.starts_at)
    # Named formats follow the active language:
    # "2010년 5월 3일 (월요일) 14:00" / "May 3, 2010 (Mon) 14:00".
    when = (
        f"{date_format(starts, 'DATE_FORMAT')} ({date_format(starts, 'D')}) "
        f"{date_format(starts, 'H:i')}"
    )
    subject = _("[산단] %(council)s %(kind)s 안내: %(title)s") % {
        "council": activity.council.name,
        "kind": activity.get_kind_display(),
        "title": activity.title,
    }
    body = _(
        "%(council)s의 네트워킹 활동을 알려 드립니다.\n\n"
        "활동명: %(title)s\n일시: %(when)s\n장소: %(place)s\n\n%(agenda)s\n"
    ) % {
        "council": activity.council.name,
        "title": activity.title,
        "when": when,
        "place": activity.place or "-",
        "agenda": activity.agenda,
    }
    return EmailMessage(subject, body, settings.DEFAULT_FROM_EMAIL, [email], connection=connection)


def send_activity_reminders(
    *, days: int = 3, now: dt.datetime | None = None, connection: Any = None
) -> int:
    """E-mail every member contact and registrant of the planned activities that start
    within `days`; each (activity, address) once, ever. Returns how many were sent.

    One transaction per activity, with the activity row locked, so two runs at the same
    time do not both send; a failed send rolls back its records and is retried next run.
    """
    from django.core.mail import get_connection

    from sandan.councils.models import ActivityReminder

    now = now or clock.now()
    connection = connection or get_connection()
    due = Activity.objects.filter(
        status=Activity.Status.PLANNED,
        starts_at__gt=now,
        starts_at__lte=now + dt.timedelta(days=days),
    ).order_by("starts_at", "pk")
    sent = 0
    batch = uuid.uuid4().hex
    for activity_id in list(due.values_list("pk", flat=True)):
        with transaction.atomic():
            activity = (
                Activity.objects.select_for_update(of=("self",))
                .select_related("council")
                .get(pk=activity_id)
            )
            already = set(activity.reminders.values_list("email", flat=True))
            wanted = {
                email: org
                for email, org in _recipients(activity, timezone.localdate(now)).items()
                if email not in already
            }
            if not wanted:
                continue
            messages = [_reminder_message(activity, email, connection) for email in wanted]
            connection.send_messages(messages)
            records = ActivityReminder.objects.bulk_create(
                ActivityReminder(activity=activity, organisation_id=org, email=email, sent_at=now)
                for email, org in sorted(wanted.items())
            )
            audit.record_created(None, records, source="command", batch=batch)
            sent += len(records)
    return sent


__all__ = [
    "NotAllowed",
    "add_attachment",
    "add_member",
    "bulk_create_activities",
    "bulk_record_attendance",
    "cancel_registration",
    "change_council_status",
    "create_activity",
    "create_council",
    "create_subgroup",
    "delete_activity",
    "end_membership",
    "record_attendance",
    "register_for_activity",
    "send_activity_reminders",
    "update_activity",
    "update_council",
    "update_membership",
]
