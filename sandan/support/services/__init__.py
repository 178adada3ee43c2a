"""Every write of the support pipeline (views, API, importer, commands, demo data).

From a firm's problem to a measured outcome: intake (with the triage engine's suggestion),
confirmed triage, expert matching and assignment, mentoring notes, support projects and
their approval (cost-share rule and duplicate-funding check), referrals to partner
agencies, outcomes and one-time satisfaction surveys.

Each function validates first and says what is wrong in a ValidationError keyed by field
(Korean messages); nothing is written then. Writes run in a transaction and are audited
through `sandan.core.services` (one row) or `sandan.core.audit.record_many` (bulk).
No function takes a request.

The functions live in modules by subdomain (problems, experts, projects, budget,
workflow, duplicates, referrals, outcomes, reminders); this package re-exports them, so
`from sandan.support import services; services.create_project(...)` reads as one API.
"""

from __future__ import annotations

from sandan.core.services import NotAllowed
from sandan.program.selectors import current_program_year, hub_of
from sandan.support.services._common import FUNDED, clean_text
from sandan.support.services.budget import CostShare, check_cost_share, cost_share, set_budget_lines
from sandan.support.services.duplicates import (
    DEFAULT_SIMILARITY_THRESHOLD,
    check_duplicates,
    duplicate_flags,
    text_similarity,
)
from sandan.support.services.experts import (
    ExpertSuggestion,
    accept_assignment,
    add_mentoring_note,
    assign_experts,
    decline_assignment,
    end_assignment,
    is_available,
    set_availability,
    suggest_experts,
)
from sandan.support.services.outcomes import (
    DEFAULT_SURVEY_VALID_DAYS,
    answer_survey,
    hash_token,
    record_outcome,
    resend_survey,
    survey_by_token,
    survey_link,
)
from sandan.support.services.problems import (
    OVERRIDE_NEEDS_NOTE,
    CategorySuggestion,
    add_problem_attachment,
    bulk_create_problems,
    close_problem,
    confirm_triage,
    problem_fields,
    record_activity_problems,
    reject_problem,
    submit_problem,
    suggest_category,
    suggest_for_text,
)
from sandan.support.services.problems import _suggestion_fields as _suggestion_fields
from sandan.support.services.projects import (
    add_milestone,
    add_participant,
    add_project_document,
    complete_milestone,
    create_project,
    remove_participant,
    scope_of,
    update_project,
)
from sandan.support.services.referrals import refer_problem, update_referral
from sandan.support.services.reminders import send_service_level_reminders
from sandan.support.services.workflow import (
    approve_project,
    cancel_project,
    complete_project,
    return_project,
    start_project,
    submit_project,
)

__all__ = [
    "DEFAULT_SIMILARITY_THRESHOLD",
    "DEFAULT_SURVEY_VALID_DAYS",
    "FUNDED",
    "OVERRIDE_NEEDS_NOTE",
    "CategorySuggestion",
    "CostShare",
    "ExpertSuggestion",
    "NotAllowed",
    "accept_assignment",
    "add_mentoring_note",
    "add_milestone",
    "add_participant",
    "add_problem_attachment",
    "add_project_document",
    "answer_survey",
    "approve_project",
    "assign_experts",
    "bulk_create_problems",
    "cancel_project",
    "check_cost_share",
    "check_duplicates",
    "clean_text",
    "close_problem",
    "complete_milestone",
    "complete_project",
    "confirm_triage",
    "cost_share",
    "create_project",
    "current_program_year",
    "decline_assignment",
    "duplicate_flags",
    "end_assignment",
    "hash_token",
    "hub_of",
    "is_available",
    "problem_fields",
    "record_activity_problems",
    "record_outcome",
    "refer_problem",
    "reject_problem",
    "remove_participant",
    "resend_survey",
    "return_project",
    "scope_of",
    "send_service_level_reminders",
    "set_availability",
    "set_budget_lines",
    "start_project",
    "submit_problem",
    "submit_project",
    "suggest_category",
    "suggest_experts",
    "suggest_for_text",
    "survey_by_token",
    "survey_link",
    "text_similarity",
    "update_project",
    "update_referral",
]
