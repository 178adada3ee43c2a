"""Support projects (단위과제): participants, milestones, budget lines and documents."""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from sandan.core.models import Attachment, attachment_constraints, attachment_file
from sandan.core.querysets import ReadAlso, RestrictedQuerySet
from sandan.support.models._common import (
    _PROJECT_READERS,
    _PROJECT_SCOPE,
    TEXT_MAX,
    TITLE_MAX,
    _choices_check,
    _read_through,
    _through,
)
from sandan.support.models.problems import Problem


def project_document_path(instance: ProjectDocument, filename: str) -> str:
    return f"support/projects/{instance.project_id}/{Path(filename).name}"


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
    read_also: ClassVar[ReadAlso] = _PROJECT_READERS
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

    def get_absolute_url(self) -> str:
        return reverse("support:project_detail", args=[self.pk])

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
    read_also: ClassVar[ReadAlso] = _read_through("project", _PROJECT_READERS)
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
    read_also: ClassVar[ReadAlso] = _read_through("project", _PROJECT_READERS)
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
    read_also: ClassVar[ReadAlso] = _read_through("project", _PROJECT_READERS)

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


class ProjectDocument(Attachment):
    """A file of a project (plan, contract, report), type and size checked."""

    project = models.ForeignKey(
        Project, on_delete=models.PROTECT, related_name="documents", verbose_name=_("지원과제")
    )
    file = attachment_file(project_document_path)

    objects: ClassVar[RestrictedQuerySet[ProjectDocument]] = RestrictedQuerySet.as_manager()  # type: ignore[assignment]
    scope_paths: ClassVar[dict[str, str | None]] = _through("project", _PROJECT_SCOPE)
    read_also: ClassVar[ReadAlso] = _read_through("project", _PROJECT_READERS)
    owner_path: ClassVar[str] = "project__participants__expert__user"

    class Meta:
        ordering = ["project", "uploaded_at", "id"]
        verbose_name = _("과제 문서")
        verbose_name_plural = _("과제 문서")
        constraints = attachment_constraints(
            size="project_document_size", type="project_document_type"
        )
