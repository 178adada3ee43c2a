"""Admin pages of the support pipeline; writes are audited (source "admin"). Large foreign
keys are raw ids, so that a page never lists every firm or expert."""

from django.contrib import admin

from sandan.core.admin import AuditedAdmin
from sandan.support.models import (
    BudgetLine,
    DuplicateFlag,
    ExpertAssignment,
    MentoringNote,
    Milestone,
    Outcome,
    Participant,
    Problem,
    ProblemAttachment,
    Project,
    ProjectDocument,
    Referral,
    Survey,
    SurveyResponse,
    TriageDecision,
)


@admin.register(Problem)
class ProblemAdmin(AuditedAdmin):
    list_display = (
        "title",
        "organisation",
        "program_year",
        "hub",
        "status",
        "category",
        "submitted_at",
    )
    list_filter = ("program_year", "status", "urgency", "source", "zone", "category")
    search_fields = ("title", "description", "organisation__name_ko")
    raw_id_fields = ("organisation", "hub", "complex", "activity", "submitted_by", "triaged_by")
    date_hierarchy = "submitted_at"


@admin.register(ProblemAttachment)
class ProblemAttachmentAdmin(AuditedAdmin):
    list_display = ("title", "problem", "content_type", "size_bytes", "uploaded_at")
    # The owner first, as before the shared fields moved to core's abstract Attachment.
    fields = ("problem", "file", "title", "content_type", "size_bytes", "uploaded_by")
    raw_id_fields = ("problem", "uploaded_by")


@admin.register(TriageDecision)
class TriageDecisionAdmin(AuditedAdmin):
    list_display = ("problem", "suggested", "confidence", "chosen", "overridden", "decided_at")
    list_filter = ("overridden", "chosen")
    raw_id_fields = ("problem", "decided_by")


@admin.register(ExpertAssignment)
class ExpertAssignmentAdmin(AuditedAdmin):
    list_display = ("problem", "expert", "status", "match_score", "assigned_at")
    list_filter = ("status",)
    raw_id_fields = ("problem", "expert", "assigned_by")


@admin.register(MentoringNote)
class MentoringNoteAdmin(AuditedAdmin):
    list_display = ("assignment", "author", "date")
    raw_id_fields = ("assignment", "author")


class ParticipantInline(admin.TabularInline):  # type: ignore[type-arg]
    model = Participant
    raw_id_fields = ("organisation", "expert")
    extra = 0


class BudgetLineInline(admin.TabularInline):  # type: ignore[type-arg]
    model = BudgetLine
    raw_id_fields = ("organisation",)
    extra = 0


class MilestoneInline(admin.TabularInline):  # type: ignore[type-arg]
    model = Milestone
    extra = 0


@admin.register(Project)
class ProjectAdmin(AuditedAdmin):
    list_display = ("title", "program_year", "hub", "type", "category", "scope", "status")
    list_filter = ("program_year", "status", "type", "scope", "zone", "category")
    search_fields = ("title", "summary")
    raw_id_fields = ("hub", "problems", "approved_by", "created_by")
    inlines = (ParticipantInline, MilestoneInline, BudgetLineInline)


@admin.register(ProjectDocument)
class ProjectDocumentAdmin(AuditedAdmin):
    list_display = ("title", "project", "content_type", "size_bytes", "uploaded_at")
    fields = ("project", "file", "title", "content_type", "size_bytes", "uploaded_by")
    raw_id_fields = ("project", "uploaded_by")


@admin.register(Referral)
class ReferralAdmin(AuditedAdmin):
    list_display = ("problem", "partner_kind", "agency", "status", "referred_at", "closed_at")
    list_filter = ("partner_kind", "status")
    raw_id_fields = ("problem", "agency", "referred_by")


@admin.register(DuplicateFlag)
class DuplicateFlagAdmin(AuditedAdmin):
    list_display = ("project", "kind", "organisation", "similarity", "overridden_at")
    list_filter = ("kind",)
    raw_id_fields = ("project", "organisation", "other_project", "overridden_by")


@admin.register(Outcome)
class OutcomeAdmin(AuditedAdmin):
    list_display = ("project", "organisation", "patents_filed", "new_hires", "sales_increase_krw")
    raw_id_fields = ("project", "organisation", "recorded_by")


@admin.register(Survey)
class SurveyAdmin(AuditedAdmin):
    list_display = ("project", "organisation", "sent_at", "expires_at", "answered_at")
    raw_id_fields = ("project", "organisation")
    # The hash is never edited by hand: a new link comes from services.resend_survey.
    readonly_fields = ("token_hash",)


@admin.register(SurveyResponse)
class SurveyResponseAdmin(AuditedAdmin):
    list_display = ("survey", "overall", "timeliness", "expertise", "usefulness", "recommend")
    raw_id_fields = ("survey",)
