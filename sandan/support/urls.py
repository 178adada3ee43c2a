"""The support pages, under the `support` namespace."""

from django.urls import URLPattern, path

from sandan.support.views import (
    cases,
    intake,
    outcomes,
    problem_parts,
    problems,
    project_parts,
    project_workflow,
    projects,
)

app_name = "support"

urlpatterns: list[URLPattern] = [
    path("problems/", problems.problem_list, name="problem_list"),
    path("problems/new/", intake.problem_create, name="problem_create"),
    path("problems/import/", intake.problem_import, name="problem_import"),
    path("problems/<int:pk>/", problems.problem_detail, name="problem_detail"),
    path("problems/<int:pk>/triage/", problems.problem_triage, name="problem_triage"),
    path("problems/<int:pk>/assign/", problem_parts.problem_assign, name="problem_assign"),
    path("problems/<int:pk>/refer/", problem_parts.problem_refer, name="problem_refer"),
    path("problems/<int:pk>/reject/", problems.problem_reject, name="problem_reject"),
    path("problems/<int:pk>/close/", problems.problem_close, name="problem_close"),
    path(
        "problems/<int:pk>/attachments/new/",
        problems.problem_attachment_add,
        name="problem_attachment_add",
    ),
    path("problems/attachments/<int:pk>/", problems.problem_attachment, name="problem_attachment"),
    path("problems/assignments/<int:pk>/end/", problem_parts.assignment_end, name="assignment_end"),
    path("problems/referrals/<int:pk>/", problem_parts.referral_update, name="referral_update"),
    path("activities/<int:pk>/problems/", cases.activity_problems, name="activity_problems"),
    path("cases/", cases.case_list, name="case_list"),
    path("cases/availability/", cases.case_availability, name="case_availability"),
    path("cases/<int:pk>/", cases.case_detail, name="case_detail"),
    path("cases/<int:pk>/answer/", cases.case_answer, name="case_answer"),
    path("projects/", projects.project_list, name="project_list"),
    path("projects/new/", projects.project_create, name="project_create"),
    path("projects/<int:pk>/", projects.project_detail, name="project_detail"),
    path("projects/<int:pk>/edit/", projects.project_edit, name="project_edit"),
    path(
        "projects/<int:pk>/participants/new/",
        project_parts.participant_add,
        name="project_participant_add",
    ),
    path(
        "projects/<int:pk>/participants/<int:participant_pk>/remove/",
        project_parts.participant_remove,
        name="project_participant_remove",
    ),
    path("projects/<int:pk>/budget/", project_parts.budget_edit, name="project_budget"),
    path(
        "projects/<int:pk>/milestones/new/",
        project_parts.milestone_add,
        name="project_milestone_add",
    ),
    path(
        "projects/<int:pk>/milestones/<int:milestone_pk>/complete/",
        project_parts.milestone_complete,
        name="project_milestone_complete",
    ),
    path(
        "projects/<int:pk>/documents/new/", project_parts.document_add, name="project_document_add"
    ),
    path("projects/documents/<int:pk>/", project_parts.project_document, name="project_document"),
    path("projects/<int:pk>/submit/", project_workflow.project_submit, name="project_submit"),
    path("projects/<int:pk>/return/", project_workflow.project_return, name="project_return"),
    path("projects/<int:pk>/approve/", project_workflow.project_approve, name="project_approve"),
    path("projects/<int:pk>/recheck/", project_workflow.project_recheck, name="project_recheck"),
    path("projects/<int:pk>/start/", project_workflow.project_start, name="project_start"),
    path("projects/<int:pk>/complete/", project_workflow.project_complete, name="project_complete"),
    path("projects/<int:pk>/cancel/", project_workflow.project_cancel, name="project_cancel"),
    path(
        "projects/<int:pk>/outcomes/<int:organisation_pk>/",
        outcomes.outcome_record,
        name="project_outcome",
    ),
    path(
        "projects/<int:pk>/surveys/<int:survey_pk>/resend/",
        outcomes.survey_resend,
        name="project_survey_resend",
    ),
    path("survey/<str:token>/", outcomes.survey_answer, name="survey_answer"),
    path("outcomes/", outcomes.outcome_dashboard, name="outcome_dashboard"),
    path("outcomes/report.pdf", outcomes.outcome_report_pdf, name="outcome_report_pdf"),
    path("service-levels/", outcomes.service_levels, name="service_levels"),
]
