"""The support pipeline: a firm's problem (애로과제), its triage into a service category,
expert assignments and mentoring notes, support projects (단위과제) with participants,
milestones, budget lines and documents, referrals to partner agencies, duplicate-funding
flags, outcomes and one-time satisfaction surveys.

Every write goes through `sandan.support.services`; the models hold only what the database
can check (lengths, ranges, allowed values, uniqueness).
"""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from sandan.core.querysets import RestrictedQuerySet

TITLE_MAX = 200
TEXT_MAX = 5000

# A problem reaches staff through the firm's zone, the office of the firm's complex and the
# hub it belongs to in its year (a hub coordinator, whose scope is the hub complex, sees
# the problems of the hub's linked complexes too); a company reaches its own problems.
_PROBLEM_SCOPE: dict[str, str | None] = {
    "zone": "zone",
    "office": "complex__office",
    "complex": "hub__complex",
    "organisation": "organisation",
}
# A project reaches staff through its hub and zone, a company through its participation
# (create_project makes every problem's firm a participant), an expert likewise.
_PROJECT_SCOPE: dict[str, str | None] = {
    "zone": "zone",
    "office": "hub__complex__office",
    "complex": "hub__complex",
    "organisation": "participants__organisation",
}


def _through(prefix: str, paths: dict[str, str | None]) -> dict[str, str | None]:
    return {kind: f"{prefix}__{path}" if path else None for kind, path in paths.items()}


def _choices_check(
    name: str, field: str, choices: type[models.TextChoices]
) -> models.CheckConstraint:
    return models.CheckConstraint(name=name, condition=Q(**{f"{field}__in": list(choices.values)}))


# Files ------------------------------------------------------------------------------

ATTACHMENT_MAX_BYTES = 20 * 1024 * 1024
ATTACHMENT_TYPES: dict[str, str] = {
    ".pdf": "application/pdf",
    ".hwp": "application/x-hwp",
    ".hwpx": "application/hwp+zip",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
}
_ALLOWED_TYPES = sorted(set(ATTACHMENT_TYPES.values()))


def problem_attachment_path(instance: ProblemAttachment, filename: str) -> str:
    return f"support/problems/{instance.problem_id}/{Path(filename).name}"


def project_document_path(instance: ProjectDocument, filename: str) -> str:
    return f"support/projects/{instance.project_id}/{Path(filename).name}"


# Problems ---------------------------------------------------------------------------


class ProblemUrgency(models.TextChoices):
    LOW = "low", _("낮음")
    NORMAL = "normal", _("보통")
    HIGH = "high", _("높음")
    URGENT = "urgent", _("긴급")


class ProblemStatus(models.TextChoices):
    SUBMITTED = "submitted", _("접수")
    TRIAGED = "triaged", _("분류 완료")
    MATCHED = "matched", _("전문가 배정")
    IN_PROJECT = "in_project", _("과제 지원 중")
    REFERRED = "referred", _("협력기관 연계")
    CLOSED = "closed", _("종결")
    REJECTED = "rejected", _("반려")


class ProblemSource(models.TextChoices):
    WEB = "web", _("웹 접수")
    ACTIVITY = "activity", _("네트워킹 활동")
    IMPORT = "import", _("일괄 등록")


class Problem(models.Model):
    """애로과제: a firm's need in its own words, triaged into a service category."""

    Urgency = ProblemUrgency
    Status = ProblemStatus
    Source = ProblemSource

    # Allowed moves of `status`; closed and rejected are final.
    TRANSITIONS: ClassVar[dict[str, tuple[str, ...]]] = {
        "submitted": ("triaged", "referred", "rejected"),
        "triaged": ("matched", "in_project", "referred", "rejected", "closed"),
        "matched": ("in_project", "referred", "closed"),
        "in_project": ("closed",),
        # A declined referral sends the problem back to where it was.
        "referred": ("closed", "triaged", "matched", "submitted"),
        "closed": (),
        "rejected": (),
    }

    organisation = models.ForeignKey(
        "registry.Organisation",
        on_delete=models.PROTECT,
        related_name="problems",
        verbose_name=_("기업"),
    )
    program_year = models.ForeignKey(
        "program.ProgramYear",
        on_delete=models.PROTECT,
        related_name="problems",
        verbose_name=_("사업연도"),
    )
    # The hub the firm's complex belongs to in that year (a hub's designation for a hub,
    # the linked complex's hub otherwise); empty when the complex is not designated.
    hub = models.ForeignKey(
        "program.Designation",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="problems",
        verbose_name=_("거점단지"),
    )
    # The firm's complex and zone at submission, kept on the row for scope and filters.
    complex = models.ForeignKey(
        "registry.Complex",
        on_delete=models.PROTECT,
        related_name="problems",
        verbose_name=_("산업단지"),
    )
    zone = models.ForeignKey(
        "registry.Zone", on_delete=models.PROTECT, related_name="problems", verbose_name=_("권역")
    )
    title = models.CharField(_("제목"), max_length=TITLE_MAX)
    description = models.TextField(_("무엇이 문제인가"), max_length=TEXT_MAX)
    help_wanted = models.TextField(_("원하는 도움"), max_length=TEXT_MAX, blank=True)
    urgency = models.CharField(
        _("긴급도"), max_length=8, choices=Urgency.choices, default=Urgency.NORMAL
    )
    status = models.CharField(
        _("상태"), max_length=12, choices=Status.choices, default=Status.SUBMITTED
    )
    source = models.CharField(
        _("접수 경로"), max_length=10, choices=Source.choices, default=Source.WEB
    )
    activity = models.ForeignKey(
        "councils.Activity",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="problems",
        verbose_name=_("발굴 활동"),
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("접수자"),
    )
    # The triage engine's proposal, stored at intake.
    suggested_category = models.ForeignKey(
        "program.ServiceCategory",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("추천 분야"),
    )
    suggestion_confidence = models.FloatField(
        _("추천 신뢰도"),
        null=True,
        blank=True,
        validators=[MinValueValidator(0.0), MaxValueValidator(1.0)],
    )
    suggestion_evidence = models.JSONField(_("추천 근거 낱말"), default=list, blank=True)
    # The Korean analysis of `text` (support.text.stored_analysis), kept so that triage does
    # not analyse the year's history again in every new process. Derived data: not editable,
    # so not in the audit log's before/after values.
    analysis = models.JSONField(_("형태소 분석"), default=dict, blank=True, editable=False)
    # The coordinator's confirmed category.
    category = models.ForeignKey(
        "program.ServiceCategory",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="problems",
        verbose_name=_("지원서비스 분야"),
    )
    triaged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("분류자"),
    )
    # Service-level timestamps: intake → triage → match → project start → resolution.
    submitted_at = models.DateTimeField(_("접수 일시"))
    triaged_at = models.DateTimeField(_("분류 일시"), null=True, blank=True)
    matched_at = models.DateTimeField(_("전문가 배정 일시"), null=True, blank=True)
    project_started_at = models.DateTimeField(_("과제 착수 일시"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("지원 완료 일시"), null=True, blank=True)
    closed_at = models.DateTimeField(_("종결 일시"), null=True, blank=True)
    close_reason = models.CharField(_("종결·반려 사유"), max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects: ClassVar[RestrictedQuerySet[Problem]] = RestrictedQuerySet.as_manager()  # type: ignore[assignment]
    scope_paths: ClassVar[dict[str, str | None]] = _PROBLEM_SCOPE
    # An expert reaches the problems assigned to them (one assignment per expert and problem).
    owner_path: ClassVar[str] = "assignments__expert__user"

    class Meta:
        ordering = ["-submitted_at", "-id"]
        verbose_name = _("애로과제")
        verbose_name_plural = _("애로과제")
        constraints = [
            models.CheckConstraint(name="problem_title_given", condition=~Q(title="")),
            models.CheckConstraint(name="problem_description_given", condition=~Q(description="")),
            models.CheckConstraint(
                name="problem_confidence_0_1",
                condition=Q(suggestion_confidence__isnull=True)
                | Q(suggestion_confidence__gte=0.0, suggestion_confidence__lte=1.0),
            ),
            _choices_check("problem_status_valid", "status", ProblemStatus),
            _choices_check("problem_urgency_valid", "urgency", ProblemUrgency),
            _choices_check("problem_source_valid", "source", ProblemSource),
            models.CheckConstraint(
                name="problem_activity_source",
                condition=~Q(source="activity") | Q(activity__isnull=False),
            ),
            models.CheckConstraint(
                name="problem_triaged_has_category",
                condition=Q(status__in=["submitted", "referred", "rejected", "closed"])
                | Q(category__isnull=False),
            ),
        ]
        indexes = [
            models.Index(
                fields=["program_year", "status", "submitted_at"], name="problem_year_status"
            ),
            models.Index(fields=["hub", "status", "submitted_at"], name="problem_hub_status"),
            models.Index(fields=["zone", "submitted_at"], name="problem_zone"),
            models.Index(fields=["category", "submitted_at"], name="problem_category"),
            models.Index(fields=["organisation", "submitted_at"], name="problem_organisation"),
            models.Index(fields=["submitted_at", "id"], name="problem_submitted"),
            models.Index(fields=["created_at"], name="problem_created"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def text(self) -> str:
        """What triage and matching read: title, description and the help wanted."""
        return "\n".join(part for part in (self.title, self.description, self.help_wanted) if part)


class ProblemAttachment(models.Model):
    """A file a firm attaches to its problem (drawings, photos, test reports), checked."""

    problem = models.ForeignKey(
        Problem, on_delete=models.PROTECT, related_name="attachments", verbose_name=_("애로과제")
    )
    file = models.FileField(_("파일"), upload_to=problem_attachment_path, max_length=255)
    title = models.CharField(_("제목"), max_length=200)
    content_type = models.CharField(_("파일 형식"), max_length=100)
    size_bytes = models.PositiveIntegerField(_("크기(바이트)"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    objects: ClassVar[RestrictedQuerySet[ProblemAttachment]] = RestrictedQuerySet.as_manager()  # type: ignore[assignment]
    scope_paths: ClassVar[dict[str, str | None]] = _through("problem", _PROBLEM_SCOPE)
    owner_path: ClassVar[str] = "problem__assignments__expert__user"

    class Meta:
        ordering = ["problem", "uploaded_at", "id"]
        verbose_name = _("애로과제 첨부파일")
        verbose_name_plural = _("애로과제 첨부파일")
        constraints = [
            models.CheckConstraint(
                name="problem_attachment_size",
                condition=Q(size_bytes__gt=0, size_bytes__lte=ATTACHMENT_MAX_BYTES),
            ),
            models.CheckConstraint(
                name="problem_attachment_type", condition=Q(content_type__in=_ALLOWED_TYPES)
            ),
        ]

    def __str__(self) -> str:
        return self.title


class TriageDecision(models.Model):
    """A coordinator's confirmed category for a problem, with what the engine proposed.
    Confirmed decisions are the training history of triage."""

    problem = models.ForeignKey(
        Problem,
        on_delete=models.CASCADE,
        related_name="triage_decisions",
        verbose_name=_("애로과제"),
    )
    suggested = models.ForeignKey(
        "program.ServiceCategory",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("추천 분야"),
    )
    confidence = models.FloatField(_("추천 신뢰도"), null=True, blank=True)
    chosen = models.ForeignKey(
        "program.ServiceCategory",
        on_delete=models.PROTECT,
        related_name="triage_decisions",
        verbose_name=_("확정 분야"),
    )
    overridden = models.BooleanField(_("추천 변경"), default=False)
    note = models.CharField(_("메모"), max_length=300, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("결정자"),
    )
    decided_at = models.DateTimeField(_("결정 일시"))

    objects: ClassVar[RestrictedQuerySet[TriageDecision]] = RestrictedQuerySet.as_manager()  # type: ignore[assignment]
    scope_paths: ClassVar[dict[str, str | None]] = {
        **_through("problem", _PROBLEM_SCOPE),
        "organisation": None,
    }

    class Meta:
        ordering = ["-decided_at", "-id"]
        verbose_name = _("분류 결정")
        verbose_name_plural = _("분류 결정")
        constraints = [
            models.CheckConstraint(
                name="triage_confidence_0_1",
                condition=Q(confidence__isnull=True) | Q(confidence__gte=0.0, confidence__lte=1.0),
            ),
        ]
        indexes = [models.Index(fields=["problem", "decided_at"], name="triage_problem")]

    def __str__(self) -> str:
        return f"{self.problem_id} → {self.chosen_id}"


class ExpertAssignmentStatus(models.TextChoices):
    ACTIVE = "active", _("지원 중")
    COMPLETED = "completed", _("완료")
    WITHDRAWN = "withdrawn", _("철회")


class ExpertAssignment(models.Model):
    """An expert assigned to a problem by a coordinator."""

    Status = ExpertAssignmentStatus

    problem = models.ForeignKey(
        Problem, on_delete=models.PROTECT, related_name="assignments", verbose_name=_("애로과제")
    )
    expert = models.ForeignKey(
        "registry.Expert",
        on_delete=models.PROTECT,
        related_name="assignments",
        verbose_name=_("전문가"),
    )
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("배정자"),
    )
    assigned_at = models.DateTimeField(_("배정 일시"))
    status = models.CharField(
        _("상태"), max_length=10, choices=Status.choices, default=Status.ACTIVE
    )
    match_score = models.FloatField(_("매칭 점수"), null=True, blank=True)
    match_explanation = models.JSONField(_("매칭 근거"), default=list, blank=True)
    ended_at = models.DateTimeField(_("종료 일시"), null=True, blank=True)

    objects: ClassVar[RestrictedQuerySet[ExpertAssignment]] = RestrictedQuerySet.as_manager()  # type: ignore[assignment]
    scope_paths: ClassVar[dict[str, str | None]] = _through("problem", _PROBLEM_SCOPE)
    owner_path: ClassVar[str] = "expert__user"

    class Meta:
        ordering = ["problem", "assigned_at", "id"]
        verbose_name = _("전문가 배정")
        verbose_name_plural = _("전문가 배정")
        constraints = [
            models.UniqueConstraint(fields=["problem", "expert"], name="assignment_once"),
            _choices_check("assignment_status_valid", "status", ExpertAssignmentStatus),
        ]
        indexes = [models.Index(fields=["expert", "status"], name="assignment_expert_status")]

    def __str__(self) -> str:
        return f"{self.problem_id} ← {self.expert_id}"


class MentoringNote(models.Model):
    """멘토링 일지: what the assigned expert did and advised, on one date."""

    assignment = models.ForeignKey(
        ExpertAssignment, on_delete=models.PROTECT, related_name="notes", verbose_name=_("배정")
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("작성자"),
    )
    body = models.TextField(_("내용"), max_length=TEXT_MAX)
    date = models.DateField(_("일자"))
    created_at = models.DateTimeField(auto_now_add=True)

    objects: ClassVar[RestrictedQuerySet[MentoringNote]] = RestrictedQuerySet.as_manager()  # type: ignore[assignment]
    scope_paths: ClassVar[dict[str, str | None]] = _through("assignment__problem", _PROBLEM_SCOPE)
    owner_path: ClassVar[str] = "assignment__expert__user"

    class Meta:
        ordering = ["assignment", "date", "id"]
        verbose_name = _("멘토링 일지")
        verbose_name_plural = _("멘토링 일지")
        constraints = [models.CheckConstraint(name="note_body_given", condition=~Q(body=""))]

    def __str__(self) -> str:
        return f"{self.assignment_id} {self.date}"


# Projects ---------------------------------------------------------------------------


class ProjectType(models.TextChoices):
    MENTORING = "mentoring", _("전문가 멘토링")
    IP_FILING = "ip_filing", _("지식재산 출원")
    JOINT_RND = "joint_rnd", _("공동기술개발")
    PROTOTYPE = "prototype", _("시제품 제작")
    MARKETING = "marketing", _("마케팅")
    TRAINING = "training", _("교육")
    CONSULTING = "consulting", _("컨설팅")


class ProjectScope(models.TextChoices):
    SINGLE_COMPLEX = "single_complex", _("단지 내")
    INTER_COMPLEX = "inter_complex", _("산단간 연계")
    INTER_ZONE = "inter_zone", _("광역권간 연계")


class ProjectStatus(models.TextChoices):
    DRAFT = "draft", _("작성 중")
    SUBMITTED = "submitted", _("승인 요청")
    APPROVED = "approved", _("승인")
    IN_PROGRESS = "in_progress", _("수행 중")
    COMPLETED = "completed", _("완료")
    CANCELLED = "cancelled", pgettext_lazy("status", "취소")


class Project(models.Model):
    """단위과제 / 지원과제: funds help for one or more problems."""

    Type = ProjectType
    Scope = ProjectScope
    Status = ProjectStatus

    TRANSITIONS: ClassVar[dict[str, tuple[str, ...]]] = {
        "draft": ("submitted", "cancelled"),
        "submitted": ("draft", "approved", "cancelled"),
        "approved": ("in_progress", "cancelled"),
        "in_progress": ("completed", "cancelled"),
        "completed": (),
        "cancelled": (),
    }

    program_year = models.ForeignKey(
        "program.ProgramYear",
        on_delete=models.PROTECT,
        related_name="projects",
        verbose_name=_("사업연도"),
    )
    hub = models.ForeignKey(
        "program.Designation",
        on_delete=models.PROTECT,
        related_name="projects",
        verbose_name=_("거점단지"),
    )
    zone = models.ForeignKey(
        "registry.Zone", on_delete=models.PROTECT, related_name="projects", verbose_name=_("권역")
    )
    title = models.CharField(_("과제명"), max_length=TITLE_MAX)
    summary = models.TextField(_("과제 개요"), max_length=TEXT_MAX, blank=True)
    type = models.CharField(_("과제 유형"), max_length=12, choices=Type.choices)
    category = models.ForeignKey(
        "program.ServiceCategory",
        on_delete=models.PROTECT,
        related_name="projects",
        verbose_name=_("지원서비스 분야"),
    )
    scope = models.CharField(
        _("과제 범위"), max_length=16, choices=Scope.choices, default=Scope.SINGLE_COMPLEX
    )
    problems = models.ManyToManyField(
        Problem, blank=True, related_name="projects", verbose_name=_("애로과제")
    )
    status = models.CharField(
        _("상태"), max_length=12, choices=Status.choices, default=Status.DRAFT
    )
    start_date = models.DateField(_("시작일"), null=True, blank=True)
    end_date = models.DateField(_("종료일"), null=True, blank=True)
    submitted_at = models.DateTimeField(_("승인 요청 일시"), null=True, blank=True)
    approved_at = models.DateTimeField(_("승인 일시"), null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("승인자"),
    )
    started_at = models.DateTimeField(_("착수 일시"), null=True, blank=True)
    completed_at = models.DateTimeField(_("완료 일시"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("취소 일시"), null=True, blank=True)
    cancel_reason = models.CharField(_("취소 사유"), max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("작성자"),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects: ClassVar[RestrictedQuerySet[Project]] = RestrictedQuerySet.as_manager()  # type: ignore[assignment]
    scope_paths: ClassVar[dict[str, str | None]] = _PROJECT_SCOPE
    owner_path: ClassVar[str] = "participants__expert__user"

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("지원과제")
        verbose_name_plural = _("지원과제")
        constraints = [
            models.CheckConstraint(name="project_title_given", condition=~Q(title="")),
            models.CheckConstraint(
                name="project_end_after_start",
                condition=Q(start_date__isnull=True)
                | Q(end_date__isnull=True)
                | Q(end_date__gte=F("start_date")),
            ),
            _choices_check("project_status_valid", "status", ProjectStatus),
            _choices_check("project_type_valid", "type", ProjectType),
            _choices_check("project_scope_valid", "scope", ProjectScope),
            models.CheckConstraint(
                name="project_approved_has_approver",
                condition=Q(status__in=["draft", "submitted"])
                | Q(approved_at__isnull=False)
                | Q(status="cancelled"),
            ),
            models.CheckConstraint(
                name="project_cancel_has_reason",
                condition=~Q(status="cancelled") | ~Q(cancel_reason=""),
            ),
        ]
        indexes = [
            models.Index(
                fields=["program_year", "status", "created_at"], name="project_year_status"
            ),
            models.Index(fields=["hub", "status"], name="project_hub_status"),
            models.Index(fields=["zone", "status"], name="project_zone_status"),
            models.Index(fields=["category", "program_year"], name="project_category"),
            models.Index(fields=["created_at", "id"], name="project_created"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def text(self) -> str:
        return "\n".join(part for part in (self.title, self.summary) if part)


class ParticipantRole(models.TextChoices):
    LEAD_FIRM = "lead_firm", _("주관기업")
    FIRM = "firm", _("참여기업")
    UNIVERSITY = "university", _("대학")
    INSTITUTE = "institute", _("연구기관")
    EXPERT = "expert", _("전문가")
    AGENCY = "agency", _("지원기관")


class Participant(models.Model):
    """An organisation or an expert taking part in a project, with a role."""

    Role = ParticipantRole

    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="participants", verbose_name=_("지원과제")
    )
    organisation = models.ForeignKey(
        "registry.Organisation",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="project_participations",
        verbose_name=_("기관"),
    )
    expert = models.ForeignKey(
        "registry.Expert",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="project_participations",
        verbose_name=_("전문가"),
    )
    role = models.CharField(_("역할"), max_length=12, choices=Role.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    objects: ClassVar[RestrictedQuerySet[Participant]] = RestrictedQuerySet.as_manager()  # type: ignore[assignment]
    scope_paths: ClassVar[dict[str, str | None]] = _through("project", _PROJECT_SCOPE)
    owner_path: ClassVar[str] = "project__participants__expert__user"

    class Meta:
        ordering = ["project", "role", "id"]
        verbose_name = _("참여기관")
        verbose_name_plural = _("참여기관")
        constraints = [
            models.CheckConstraint(
                name="participant_org_xor_expert",
                condition=Q(organisation__isnull=False, expert__isnull=True)
                | Q(organisation__isnull=True, expert__isnull=False),
            ),
            models.CheckConstraint(
                name="participant_expert_role",
                condition=Q(expert__isnull=True) | Q(role="expert"),
            ),
            models.UniqueConstraint(
                fields=["project", "organisation"],
                condition=Q(organisation__isnull=False),
                name="participant_org_once",
            ),
            models.UniqueConstraint(
                fields=["project", "expert"],
                condition=Q(expert__isnull=False),
                name="participant_expert_once",
            ),
            models.UniqueConstraint(
                fields=["project"], condition=Q(role="lead_firm"), name="participant_one_lead"
            ),
            _choices_check("participant_role_valid", "role", ParticipantRole),
        ]
        indexes = [
            models.Index(fields=["organisation", "project"], name="participant_organisation"),
            models.Index(fields=["expert", "project"], name="participant_expert"),
        ]

    def __str__(self) -> str:
        who = self.organisation_id or self.expert_id
        return f"{self.project_id}:{who} {self.get_role_display()}"


class Milestone(models.Model):
    """A step of a project's plan, with its deliverable."""

    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="milestones", verbose_name=_("지원과제")
    )
    title = models.CharField(_("단계"), max_length=200)
    due_date = models.DateField(_("기한"))
    deliverable = models.CharField(_("산출물"), max_length=300, blank=True)
    done_at = models.DateTimeField(_("완료 일시"), null=True, blank=True)

    objects: ClassVar[RestrictedQuerySet[Milestone]] = RestrictedQuerySet.as_manager()  # type: ignore[assignment]
    scope_paths: ClassVar[dict[str, str | None]] = _through("project", _PROJECT_SCOPE)
    owner_path: ClassVar[str] = "project__participants__expert__user"

    class Meta:
        ordering = ["project", "due_date", "id"]
        verbose_name = _("추진 일정")
        verbose_name_plural = _("추진 일정")
        constraints = [models.CheckConstraint(name="milestone_title_given", condition=~Q(title=""))]

    def __str__(self) -> str:
        return self.title


class BudgetLineKind(models.TextChoices):
    PUBLIC_GRANT = "public_grant", _("정부지원금")
    FIRM_CASH = "firm_cash", _("기업부담 현금")
    FIRM_IN_KIND = "firm_in_kind", _("기업부담 현물")


class BudgetLine(models.Model):
    """One line of a project's budget: public grant, or a firm's cash or in-kind share."""

    Kind = BudgetLineKind

    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="budget_lines", verbose_name=_("지원과제")
    )
    kind = models.CharField(_("재원 구분"), max_length=14, choices=Kind.choices)
    # Which firm pays (cash / in kind) or receives (public grant); empty for the project.
    organisation = models.ForeignKey(
        "registry.Organisation",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="budget_lines",
        verbose_name=_("기관"),
    )
    amount_krw = models.PositiveBigIntegerField(_("금액(원)"))
    note = models.CharField(_("비고"), max_length=200, blank=True)

    objects: ClassVar[RestrictedQuerySet[BudgetLine]] = RestrictedQuerySet.as_manager()  # type: ignore[assignment]
    scope_paths: ClassVar[dict[str, str | None]] = _through("project", _PROJECT_SCOPE)

    class Meta:
        ordering = ["project", "kind", "id"]
        verbose_name = _("사업비")
        verbose_name_plural = _("사업비")
        constraints = [
            models.CheckConstraint(name="budget_amount_positive", condition=Q(amount_krw__gt=0)),
            _choices_check("budget_kind_valid", "kind", BudgetLineKind),
        ]
        indexes = [models.Index(fields=["organisation", "kind"], name="budget_organisation")]

    def __str__(self) -> str:
        return f"{self.project_id} {self.get_kind_display()} {self.amount_krw:,}"


class ProjectDocument(models.Model):
    """A file of a project (plan, contract, report), type and size checked."""

    project = models.ForeignKey(
        Project, on_delete=models.PROTECT, related_name="documents", verbose_name=_("지원과제")
    )
    file = models.FileField(_("파일"), upload_to=project_document_path, max_length=255)
    title = models.CharField(_("제목"), max_length=200)
    content_type = models.CharField(_("파일 형식"), max_length=100)
    size_bytes = models.PositiveIntegerField(_("크기(바이트)"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    objects: ClassVar[RestrictedQuerySet[ProjectDocument]] = RestrictedQuerySet.as_manager()  # type: ignore[assignment]
    scope_paths: ClassVar[dict[str, str | None]] = _through("project", _PROJECT_SCOPE)
    owner_path: ClassVar[str] = "project__participants__expert__user"

    class Meta:
        ordering = ["project", "uploaded_at", "id"]
        verbose_name = _("과제 문서")
        verbose_name_plural = _("과제 문서")
        constraints = [
            models.CheckConstraint(
                name="project_document_size",
                condition=Q(size_bytes__gt=0, size_bytes__lte=ATTACHMENT_MAX_BYTES),
            ),
            models.CheckConstraint(
                name="project_document_type", condition=Q(content_type__in=_ALLOWED_TYPES)
            ),
        ]

    def __str__(self) -> str:
        return self.title


# Referrals and duplicate flags ------------------------------------------------------


class ReferralPartnerKind(models.TextChoices):
    REGIONAL_COMMITTEE = "regional_committee", _("광역위원회")
    LEADING_INDUSTRY = "leading_industry", _("선도산업지원단")
    LOCAL_GOVERNMENT = "local_government", _("지자체")
    TECHNOPARK = "technopark", _("테크노파크")
    OTHER = "other", _("기타 기관")


class ReferralStatus(models.TextChoices):
    SENT = "sent", _("연계 요청")
    ACCEPTED = "accepted", _("접수")
    DECLINED = "declined", _("거절")
    COMPLETED = "completed", _("지원 완료")


class Referral(models.Model):
    """협력기관 연계: a problem handed to another agency's program that fits better."""

    PartnerKind = ReferralPartnerKind
    Status = ReferralStatus

    TRANSITIONS: ClassVar[dict[str, tuple[str, ...]]] = {
        "sent": ("accepted", "declined"),
        "accepted": ("completed", "declined"),
        "declined": (),
        "completed": (),
    }

    problem = models.ForeignKey(
        Problem, on_delete=models.PROTECT, related_name="referrals", verbose_name=_("애로과제")
    )
    agency = models.ForeignKey(
        "registry.Organisation",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="referrals_received",
        verbose_name=_("연계 기관"),
    )
    partner_kind = models.CharField(_("기관 구분"), max_length=20, choices=PartnerKind.choices)
    note = models.TextField(_("연계 메모"), max_length=TEXT_MAX, blank=True)
    status = models.CharField(_("상태"), max_length=10, choices=Status.choices, default=Status.SENT)
    outcome = models.TextField(_("연계 결과"), max_length=TEXT_MAX, blank=True)
    referred_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("연계자"),
    )
    referred_at = models.DateTimeField(_("연계 일시"))
    closed_at = models.DateTimeField(_("종결 일시"), null=True, blank=True)

    objects: ClassVar[RestrictedQuerySet[Referral]] = RestrictedQuerySet.as_manager()  # type: ignore[assignment]
    scope_paths: ClassVar[dict[str, str | None]] = _through("problem", _PROBLEM_SCOPE)

    class Meta:
        ordering = ["-referred_at", "-id"]
        verbose_name = _("협력기관 연계")
        verbose_name_plural = _("협력기관 연계")
        constraints = [
            _choices_check("referral_status_valid", "status", ReferralStatus),
            _choices_check("referral_partner_valid", "partner_kind", ReferralPartnerKind),
            models.CheckConstraint(
                name="referral_closed_has_date",
                condition=Q(status__in=["sent", "accepted"]) | Q(closed_at__isnull=False),
            ),
        ]
        indexes = [models.Index(fields=["partner_kind", "status"], name="referral_partner")]

    def __str__(self) -> str:
        return f"{self.problem_id} → {self.get_partner_kind_display()}"


class DuplicateFlagKind(models.TextChoices):
    SAME_CATEGORY = "same_category", _("같은 분야 중복")
    SIMILAR_TEXT = "similar_text", _("유사 과제")
    OVER_CAP = "over_cap", _("지원 한도 초과")


class DuplicateFlag(models.Model):
    """A duplicate-funding warning raised at approval; each needs an override with a reason."""

    Kind = DuplicateFlagKind

    project = models.ForeignKey(
        Project,
        on_delete=models.CASCADE,
        related_name="duplicate_flags",
        verbose_name=_("지원과제"),
    )
    kind = models.CharField(_("구분"), max_length=14, choices=Kind.choices)
    organisation = models.ForeignKey(
        "registry.Organisation",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("기업"),
    )
    other_project = models.ForeignKey(
        Project,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("중복 의심 과제"),
    )
    similarity = models.FloatField(_("유사도"), null=True, blank=True)
    detail = models.CharField(_("내용"), max_length=500)
    overridden_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("확인자"),
    )
    override_reason = models.CharField(_("확인 사유"), max_length=500, blank=True)
    overridden_at = models.DateTimeField(_("확인 일시"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects: ClassVar[RestrictedQuerySet[DuplicateFlag]] = RestrictedQuerySet.as_manager()  # type: ignore[assignment]
    scope_paths: ClassVar[dict[str, str | None]] = {
        **_through("project", _PROJECT_SCOPE),
        "organisation": None,
    }

    class Meta:
        ordering = ["project", "kind", "id"]
        verbose_name = _("중복 지원 점검")
        verbose_name_plural = _("중복 지원 점검")
        constraints = [
            _choices_check("duplicate_kind_valid", "kind", DuplicateFlagKind),
            models.CheckConstraint(
                name="duplicate_override_has_reason",
                condition=Q(overridden_at__isnull=True) | ~Q(override_reason=""),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.project_id} {self.get_kind_display()}"

    @property
    def is_open(self) -> bool:
        return self.overridden_at is None


# Outcomes and surveys ---------------------------------------------------------------

_OUTCOME_COUNTS = (
    "patents_filed",
    "patents_granted",
    "prototypes",
    "new_products",
    "new_hires",
    "certifications",
)
_OUTCOME_AMOUNTS = (
    "sales_increase_krw",
    "exports_increase_usd",
    "cost_saved_krw",
    "sales_before_krw",
    "sales_after_krw",
    "employees_before",
    "employees_after",
    "exports_before_usd",
    "exports_after_usd",
)
OUTCOME_FIGURES = _OUTCOME_COUNTS + _OUTCOME_AMOUNTS


class Outcome(models.Model):
    """성과: what a project changed for one firm, with before/after figures."""

    project = models.ForeignKey(
        Project, on_delete=models.PROTECT, related_name="outcomes", verbose_name=_("지원과제")
    )
    organisation = models.ForeignKey(
        "registry.Organisation",
        on_delete=models.PROTECT,
        related_name="outcomes",
        verbose_name=_("기업"),
    )
    patents_filed = models.PositiveIntegerField(_("특허 출원"), default=0)
    patents_granted = models.PositiveIntegerField(_("특허 등록"), default=0)
    prototypes = models.PositiveIntegerField(_("시제품"), default=0)
    new_products = models.PositiveIntegerField(_("신제품"), default=0)
    sales_increase_krw = models.PositiveBigIntegerField(_("매출 증가(원)"), default=0)
    exports_increase_usd = models.PositiveBigIntegerField(_("수출 증가(달러)"), default=0)
    new_hires = models.PositiveIntegerField(_("신규 고용(명)"), default=0)
    cost_saved_krw = models.PositiveBigIntegerField(_("비용 절감(원)"), default=0)
    certifications = models.PositiveIntegerField(_("인증 취득"), default=0)
    sales_before_krw = models.PositiveBigIntegerField(_("지원 전 매출(원)"), null=True, blank=True)
    sales_after_krw = models.PositiveBigIntegerField(_("지원 후 매출(원)"), null=True, blank=True)
    employees_before = models.PositiveIntegerField(_("지원 전 종업원"), null=True, blank=True)
    employees_after = models.PositiveIntegerField(_("지원 후 종업원"), null=True, blank=True)
    exports_before_usd = models.PositiveBigIntegerField(
        _("지원 전 수출(달러)"), null=True, blank=True
    )
    exports_after_usd = models.PositiveBigIntegerField(
        _("지원 후 수출(달러)"), null=True, blank=True
    )
    note = models.TextField(_("비고"), max_length=TEXT_MAX, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("입력자"),
    )
    recorded_at = models.DateTimeField(_("입력 일시"))

    objects: ClassVar[RestrictedQuerySet[Outcome]] = RestrictedQuerySet.as_manager()  # type: ignore[assignment]
    # A firm sees its own outcome, not the other participants'.
    scope_paths: ClassVar[dict[str, str | None]] = {
        **_through("project", _PROJECT_SCOPE),
        "organisation": "organisation",
    }
    owner_path: ClassVar[str] = "project__participants__expert__user"

    class Meta:
        ordering = ["project", "organisation"]
        verbose_name = _("성과")
        verbose_name_plural = _("성과")
        constraints = [
            models.UniqueConstraint(fields=["project", "organisation"], name="outcome_once"),
            *[
                models.CheckConstraint(
                    name=f"outcome_{name}_not_negative"[:60],
                    condition=Q(**{f"{name}__isnull": True}) | Q(**{f"{name}__gte": 0}),
                )
                for name in OUTCOME_FIGURES
            ],
        ]
        indexes = [models.Index(fields=["organisation", "project"], name="outcome_organisation")]

    def __str__(self) -> str:
        return f"{self.project_id}:{self.organisation_id}"


class Survey(models.Model):
    """A satisfaction survey sent to a firm when its project completes; the e-mailed link
    carries a one-time token, of which only a SHA-256 hash is stored."""

    project = models.ForeignKey(
        Project, on_delete=models.PROTECT, related_name="surveys", verbose_name=_("지원과제")
    )
    organisation = models.ForeignKey(
        "registry.Organisation",
        on_delete=models.PROTECT,
        related_name="surveys",
        verbose_name=_("기업"),
    )
    email = models.EmailField(_("수신 이메일"), blank=True)
    token_hash = models.CharField(_("토큰 해시"), max_length=64, unique=True)
    sent_at = models.DateTimeField(_("발송 일시"))
    expires_at = models.DateTimeField(_("만료 일시"))
    answered_at = models.DateTimeField(_("응답 일시"), null=True, blank=True)

    objects: ClassVar[RestrictedQuerySet[Survey]] = RestrictedQuerySet.as_manager()  # type: ignore[assignment]
    scope_paths: ClassVar[dict[str, str | None]] = {
        **_through("project", _PROJECT_SCOPE),
        "organisation": "organisation",
    }
    PERSONAL_FIELDS: ClassVar[tuple[str, ...]] = ("email",)

    class Meta:
        ordering = ["project", "organisation"]
        verbose_name = _("만족도 조사")
        verbose_name_plural = _("만족도 조사")
        constraints = [
            models.UniqueConstraint(fields=["project", "organisation"], name="survey_once"),
            models.CheckConstraint(
                name="survey_expires_after_sent", condition=Q(expires_at__gt=F("sent_at"))
            ),
        ]
        indexes = [models.Index(fields=["answered_at", "expires_at"], name="survey_open")]

    def __str__(self) -> str:
        return f"{self.project_id}:{self.organisation_id}"


SURVEY_ITEMS = ("overall", "timeliness", "expertise", "usefulness", "recommend")


class SurveyResponse(models.Model):
    """A firm's answers: five 5-point items and a comment."""

    survey = models.OneToOneField(
        Survey, on_delete=models.PROTECT, related_name="response", verbose_name=_("만족도 조사")
    )
    overall = models.PositiveSmallIntegerField(
        _("전반적 만족도"), validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    timeliness = models.PositiveSmallIntegerField(
        _("신속성"), validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    expertise = models.PositiveSmallIntegerField(
        _("전문성"), validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    usefulness = models.PositiveSmallIntegerField(
        _("유용성"), validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    recommend = models.PositiveSmallIntegerField(
        _("추천 의향"), validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    comment = models.TextField(_("의견"), max_length=TEXT_MAX, blank=True)
    answered_at = models.DateTimeField(_("응답 일시"))

    objects: ClassVar[RestrictedQuerySet[SurveyResponse]] = RestrictedQuerySet.as_manager()  # type: ignore[assignment]
    scope_paths: ClassVar[dict[str, str | None]] = {
        **_through("survey__project", _PROJECT_SCOPE),
        "organisation": "survey__organisation",
    }

    class Meta:
        verbose_name = _("만족도 응답")
        verbose_name_plural = _("만족도 응답")
        constraints = [
            models.CheckConstraint(
                name=f"survey_{item}_1_5", condition=Q(**{f"{item}__gte": 1, f"{item}__lte": 5})
            )
            for item in SURVEY_ITEMS
        ]

    def __str__(self) -> str:
        return f"{self.survey_id}"
