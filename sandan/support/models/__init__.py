"""The support pipeline: a firm's problem (애로과제), its triage into a service category,
expert assignments and mentoring notes, support projects (단위과제) with participants,
milestones, budget lines and documents, referrals to partner agencies, duplicate-funding
flags, outcomes and one-time satisfaction surveys.

Every write goes through `sandan.support.services`; the models hold only what the database
can check (lengths, ranges, allowed values, uniqueness).

The models live in modules by subdomain (problems, experts, projects, referrals,
duplicates, outcomes); this package re-exports every one of them (and the upload paths
the migrations name).
"""

from __future__ import annotations

from sandan.support.models._common import TEXT_MAX, TITLE_MAX
from sandan.support.models.duplicates import DuplicateFlag, DuplicateFlagKind
from sandan.support.models.experts import ExpertAssignment, ExpertAssignmentStatus, MentoringNote
from sandan.support.models.outcomes import (
    OUTCOME_FIGURES,
    SURVEY_ITEMS,
    Outcome,
    Survey,
    SurveyResponse,
)
from sandan.support.models.problems import (
    Problem,
    ProblemAttachment,
    ProblemSource,
    ProblemStatus,
    ProblemUrgency,
    TriageDecision,
    problem_attachment_path,
)
from sandan.support.models.projects import (
    BudgetLine,
    BudgetLineKind,
    Milestone,
    Participant,
    ParticipantRole,
    Project,
    ProjectDocument,
    ProjectScope,
    ProjectStatus,
    ProjectType,
    project_document_path,
)
from sandan.support.models.referrals import Referral, ReferralPartnerKind, ReferralStatus

__all__ = [
    "OUTCOME_FIGURES",
    "SURVEY_ITEMS",
    "TEXT_MAX",
    "TITLE_MAX",
    "BudgetLine",
    "BudgetLineKind",
    "DuplicateFlag",
    "DuplicateFlagKind",
    "ExpertAssignment",
    "ExpertAssignmentStatus",
    "MentoringNote",
    "Milestone",
    "Outcome",
    "Participant",
    "ParticipantRole",
    "Problem",
    "ProblemAttachment",
    "ProblemSource",
    "ProblemStatus",
    "ProblemUrgency",
    "Project",
    "ProjectDocument",
    "ProjectScope",
    "ProjectStatus",
    "ProjectType",
    "Referral",
    "ReferralPartnerKind",
    "ReferralStatus",
    "Survey",
    "SurveyResponse",
    "TriageDecision",
    "problem_attachment_path",
    "project_document_path",
]
