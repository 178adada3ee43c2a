"""Councils (산학연협의체 / 미니클러스터) of hub complexes, their members and sub-groups, and
the networking activities they hold, with attendance, attachments and sent reminders."""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from sandan.core.models import Attachment, attachment_constraints, attachment_file
from sandan.core.querysets import RestrictedQuerySet

# Scope paths shared by everything that hangs off a council. The organisation scope goes
# through the council's memberships (a to-many path: restrict() filters it with a subquery,
# so rows never repeat): a company sees the councils it belongs to and what they hold.
_COUNCIL_SCOPE: dict[str, str | None] = {
    "zone": "zone",
    "office": "hub__complex__office",
    "complex": "hub__complex",
    "organisation": "memberships__organisation",
}


def _through(prefix: str, paths: dict[str, str | None]) -> dict[str, str | None]:
    return {kind: f"{prefix}__{path}" if path else None for kind, path in paths.items()}


class Council(models.Model):
    """산학연협의체: firms, universities and institutes of a hub and its linked complexes
    around one industry (KSIC) or technology."""

    class Status(models.TextChoices):
        FORMING = "forming", _("구성 중")
        ACTIVE = "active", _("활동 중")
        MERGED = "merged", _("통합")
        CLOSED = "closed", _("해산")

    class ThemeKind(models.TextChoices):
        INDUSTRY = "industry", _("업종")
        TECHNOLOGY = "technology", _("기술")

    # Allowed moves of `status`; merged and closed are final.
    TRANSITIONS: ClassVar[dict[str, tuple[str, ...]]] = {
        "forming": ("active", "closed"),
        "active": ("merged", "closed"),
        "merged": (),
        "closed": (),
    }

    hub = models.ForeignKey(
        "program.Designation",
        on_delete=models.PROTECT,
        related_name="councils",
        verbose_name=_("거점단지 지정"),
    )
    # The hub's zone, kept on the row (set by the service) so that zone scope and filters
    # need no join, as Designation does for its complex.
    zone = models.ForeignKey(
        "registry.Zone", on_delete=models.PROTECT, related_name="councils", verbose_name=_("권역")
    )
    name = models.CharField(_("협의체명"), max_length=120)
    theme_kind = models.CharField(
        _("주제 구분"), max_length=12, choices=ThemeKind.choices, default=ThemeKind.INDUSTRY
    )
    industry = models.ForeignKey(
        "registry.Industry",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="councils",
        verbose_name=_("업종(KSIC)"),
    )
    technology = models.CharField(_("기술 분야"), max_length=120, blank=True)
    status = models.CharField(
        _("상태"), max_length=10, choices=Status.choices, default=Status.FORMING
    )
    coordinator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="coordinated_councils",
        verbose_name=_("공단 코디네이터"),
    )
    merged_into = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="merged_councils",
        verbose_name=_("통합된 협의체"),
    )
    description = models.TextField(_("소개"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects: ClassVar[RestrictedQuerySet[Council]] = RestrictedQuerySet.as_manager()  # type: ignore[assignment]
    scope_paths: ClassVar[dict[str, str | None]] = _COUNCIL_SCOPE

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("협의체")
        verbose_name_plural = _("협의체")
        constraints = [
            models.UniqueConstraint(fields=["hub", "name"], name="council_name_per_hub"),
            models.CheckConstraint(
                name="council_status_valid",
                condition=Q(status__in=["forming", "active", "merged", "closed"]),
            ),
            models.CheckConstraint(
                name="council_theme_given",
                condition=Q(theme_kind="industry", industry__isnull=False)
                | (Q(theme_kind="technology") & ~Q(technology="")),
            ),
            models.CheckConstraint(
                name="council_merged_names_target",
                condition=~Q(status="merged") | Q(merged_into__isnull=False),
            ),
        ]
        indexes = [models.Index(fields=["zone", "status", "name"])]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("councils:council_detail", args=[self.pk])

    @property
    def theme_label(self) -> str:
        if self.theme_kind == self.ThemeKind.INDUSTRY and self.industry_id:
            return str(self.industry)
        return self.technology


class Membership(models.Model):
    """회원사: an organisation's membership of a council, from `joined_on` until `left_on`."""

    class Role(models.TextChoices):
        CHAIR = "chair", _("회장사")
        VICE_CHAIR = "vice_chair", _("부회장사")
        MEMBER = "member", _("회원사")
        ADVISOR = "advisor", _("자문 기관")

    council = models.ForeignKey(
        Council, on_delete=models.PROTECT, related_name="memberships", verbose_name=_("협의체")
    )
    organisation = models.ForeignKey(
        "registry.Organisation",
        on_delete=models.PROTECT,
        related_name="council_memberships",
        verbose_name=_("기관"),
    )
    role = models.CharField(_("역할"), max_length=12, choices=Role.choices, default=Role.MEMBER)
    joined_on = models.DateField(_("가입일"))
    left_on = models.DateField(_("탈퇴일"), null=True, blank=True)
    annual_fee_krw = models.BigIntegerField(
        _("연회비(원)"), default=0, validators=[MinValueValidator(0)]
    )
    note = models.CharField(_("비고"), max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects: ClassVar[RestrictedQuerySet[Membership]] = RestrictedQuerySet.as_manager()  # type: ignore[assignment]
    scope_paths: ClassVar[dict[str, str | None]] = _through("council", _COUNCIL_SCOPE)

    class Meta:
        ordering = ["council", "id"]
        verbose_name = _("협의체 회원")
        verbose_name_plural = _("협의체 회원")
        constraints = [
            # One current membership per organisation and council; earlier, ended ones stay.
            models.UniqueConstraint(
                fields=["council", "organisation"],
                condition=Q(left_on__isnull=True),
                name="council_membership_one_current",
            ),
            models.UniqueConstraint(
                fields=["council"],
                condition=Q(role="chair", left_on__isnull=True),
                name="council_membership_one_chair",
            ),
            models.CheckConstraint(
                name="council_membership_fee_not_negative", condition=Q(annual_fee_krw__gte=0)
            ),
            models.CheckConstraint(
                name="council_membership_left_after_joined",
                condition=Q(left_on__isnull=True) | Q(left_on__gte=F("joined_on")),
            ),
            models.CheckConstraint(
                name="council_membership_role_valid",
                condition=Q(role__in=["chair", "vice_chair", "member", "advisor"]),
            ),
        ]
        indexes = [
            models.Index(fields=["organisation", "council"]),
            models.Index(fields=["council", "left_on"]),
        ]

    def __str__(self) -> str:
        return f"{self.council_id}:{self.organisation_id} {self.get_role_display()}"

    @property
    def is_officer(self) -> bool:
        return self.role in (self.Role.CHAIR, self.Role.VICE_CHAIR)


class SubGroup(models.Model):
    """분과: a working group inside a council (e.g. 금형 분과, 수출 분과)."""

    council = models.ForeignKey(
        Council, on_delete=models.PROTECT, related_name="subgroups", verbose_name=_("협의체")
    )
    name = models.CharField(_("분과명"), max_length=100)
    description = models.TextField(_("설명"), blank=True)
    leader = models.ForeignKey(
        "registry.Organisation",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("분과장 기관"),
    )
    members = models.ManyToManyField(
        Membership, blank=True, related_name="subgroups", verbose_name=_("분과 회원")
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects: ClassVar[RestrictedQuerySet[SubGroup]] = RestrictedQuerySet.as_manager()  # type: ignore[assignment]
    scope_paths: ClassVar[dict[str, str | None]] = _through("council", _COUNCIL_SCOPE)

    class Meta:
        ordering = ["council", "name"]
        verbose_name = _("분과")
        verbose_name_plural = _("분과")
        constraints = [
            models.UniqueConstraint(fields=["council", "name"], name="subgroup_name_per_council")
        ]

    def __str__(self) -> str:
        return self.name


class Activity(models.Model):
    """네트워킹 활동: a seminar, forum, project-discovery meeting … of a council."""

    class Kind(models.TextChoices):
        SEMINAR = "seminar", _("세미나")
        FORUM = "forum", _("포럼")
        DISCOVERY = "discovery", _("과제발굴 회의")
        WORKSHOP = "workshop", _("워크숍")
        EXCHANGE = "exchange", _("기술교류회")
        INTERNATIONAL = "international", _("국제교류")

    class Status(models.TextChoices):
        PLANNED = "planned", _("예정")
        HELD = "held", _("개최")
        CANCELLED = "cancelled", pgettext_lazy("status", "취소")

    council = models.ForeignKey(
        Council, on_delete=models.PROTECT, related_name="activities", verbose_name=_("협의체")
    )
    kind = models.CharField(_("활동 구분"), max_length=16, choices=Kind.choices)
    title = models.CharField(_("활동명"), max_length=200)
    status = models.CharField(
        _("상태"), max_length=10, choices=Status.choices, default=Status.PLANNED
    )
    starts_at = models.DateTimeField(_("시작 일시"))
    ends_at = models.DateTimeField(_("종료 일시"), null=True, blank=True)
    place = models.CharField(_("장소"), max_length=200, blank=True)
    organiser = models.ForeignKey(
        "registry.Organisation",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="organised_activities",
        verbose_name=_("주관 기관"),
    )
    agenda = models.TextField(_("안건"), blank=True)
    minutes = models.TextField(_("회의록"), blank=True)
    # Problems (애로과제) surfaced at the activity. A count and a note until the support
    # pipeline exists; then problems will point back to their activity.
    problems_raised = models.PositiveIntegerField(_("발굴 애로과제 수"), default=0)
    problems_note = models.TextField(_("발굴 애로과제 내용"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects: ClassVar[RestrictedQuerySet[Activity]] = RestrictedQuerySet.as_manager()  # type: ignore[assignment]
    scope_paths: ClassVar[dict[str, str | None]] = _through("council", _COUNCIL_SCOPE)

    class Meta:
        ordering = ["-starts_at", "-id"]
        verbose_name = _("네트워킹 활동")
        verbose_name_plural = _("네트워킹 활동")
        constraints = [
            models.CheckConstraint(
                name="activity_ends_after_start",
                condition=Q(ends_at__isnull=True) | Q(ends_at__gte=F("starts_at")),
            ),
            models.CheckConstraint(
                name="activity_kind_valid",
                condition=Q(
                    kind__in=[
                        "seminar",
                        "forum",
                        "discovery",
                        "workshop",
                        "exchange",
                        "international",
                    ]
                ),
            ),
            models.CheckConstraint(
                name="activity_status_valid",
                condition=Q(status__in=["planned", "held", "cancelled"]),
            ),
        ]
        indexes = [
            models.Index(fields=["council", "starts_at"], name="activity_council_date"),
            models.Index(fields=["starts_at", "id"], name="activity_date"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("councils:activity_detail", args=[self.pk])


class Attendance(models.Model):
    """One person of one organisation at one activity: registered (self-registration),
    attended, absent or cancelled."""

    class Status(models.TextChoices):
        REGISTERED = "registered", _("참가 신청")
        ATTENDED = "attended", _("참석")
        ABSENT = "absent", _("불참")
        CANCELLED = "cancelled", _("신청 취소")

    activity = models.ForeignKey(
        Activity, on_delete=models.PROTECT, related_name="attendance", verbose_name=_("활동")
    )
    organisation = models.ForeignKey(
        "registry.Organisation",
        on_delete=models.PROTECT,
        related_name="attendance",
        verbose_name=_("기관"),
    )
    person_name = models.CharField(_("참석자"), max_length=50)
    person_title = models.CharField(_("직위"), max_length=50, blank=True)
    email = models.EmailField(_("이메일"), blank=True)
    status = models.CharField(
        _("상태"), max_length=12, choices=Status.choices, default=Status.ATTENDED
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects: ClassVar[RestrictedQuerySet[Attendance]] = RestrictedQuerySet.as_manager()  # type: ignore[assignment]
    # A company sees only its own people's rows, never the full attendance of others.
    scope_paths: ClassVar[dict[str, str | None]] = {
        **_through("activity__council", _COUNCIL_SCOPE),
        "organisation": "organisation",
    }
    PERSONAL_FIELDS: ClassVar[tuple[str, ...]] = ("email",)

    class Meta:
        ordering = ["activity", "id"]
        verbose_name = _("참석")
        verbose_name_plural = _("참석")
        constraints = [
            models.UniqueConstraint(
                fields=["activity", "organisation", "person_name"],
                name="attendance_once_per_person",
            ),
            models.CheckConstraint(
                name="attendance_status_valid",
                condition=Q(status__in=["registered", "attended", "absent", "cancelled"]),
            ),
            models.CheckConstraint(name="attendance_has_person", condition=~Q(person_name="")),
        ]
        # The unique constraint's index serves "attendance of an activity"; these serve the
        # per-status counts of the activity list and "activities of an organisation".
        indexes = [
            models.Index(fields=["activity", "status"], name="attendance_activity_status"),
            models.Index(fields=["organisation", "activity"], name="attendance_organisation"),
        ]

    def __str__(self) -> str:
        return f"{self.person_name} ({self.activity_id}:{self.organisation_id})"


def attachment_path(instance: ActivityAttachment, filename: str) -> str:
    return f"councils/activities/{instance.activity_id}/{Path(filename).name}"


class ActivityAttachment(Attachment):
    """A file of an activity (agenda, slides, photos, minutes), type and size checked."""

    activity = models.ForeignKey(
        Activity, on_delete=models.PROTECT, related_name="attachments", verbose_name=_("활동")
    )
    file = attachment_file(attachment_path)

    objects: ClassVar[RestrictedQuerySet[ActivityAttachment]] = RestrictedQuerySet.as_manager()  # type: ignore[assignment]
    scope_paths: ClassVar[dict[str, str | None]] = _through("activity__council", _COUNCIL_SCOPE)

    class Meta:
        ordering = ["activity", "uploaded_at", "id"]
        verbose_name = _("활동 첨부파일")
        verbose_name_plural = _("활동 첨부파일")
        constraints = attachment_constraints(
            size="attachment_size_in_range", type="attachment_type_allowed"
        )


class ActivityReminder(models.Model):
    """A reminder e-mail sent for an activity to one address; recorded so it goes once."""

    activity = models.ForeignKey(
        Activity, on_delete=models.CASCADE, related_name="reminders", verbose_name=_("활동")
    )
    organisation = models.ForeignKey(
        "registry.Organisation",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("기관"),
    )
    email = models.EmailField(_("이메일"))
    sent_at = models.DateTimeField(_("발송 일시"))

    objects: ClassVar[RestrictedQuerySet[ActivityReminder]] = RestrictedQuerySet.as_manager()  # type: ignore[assignment]
    scope_paths: ClassVar[dict[str, str | None]] = {
        **_through("activity__council", _COUNCIL_SCOPE),
        "organisation": None,
    }
    PERSONAL_FIELDS: ClassVar[tuple[str, ...]] = ("email",)

    class Meta:
        ordering = ["activity", "email"]
        verbose_name = _("활동 알림")
        verbose_name_plural = _("활동 알림")
        constraints = [
            models.UniqueConstraint(fields=["activity", "email"], name="reminder_once_per_address")
        ]

    def __str__(self) -> str:
        return f"{self.activity_id} → {self.email}"
