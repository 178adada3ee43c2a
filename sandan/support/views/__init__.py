"""Support pipeline pages, one module per part: `problems` (the list and the problem page),
`intake` (the intake form and the bulk import), `problem_parts` (expert assignments and
referrals), `cases` (an activity's problems and the expert's cases), `projects` (the list,
creation, editing and the project page), `project_parts` (participants, budget, milestones,
documents), `project_workflow` (submit … complete) and `outcomes` (outcomes, surveys, the
outcome dashboard and the service levels); `common` holds the look-ups they share.
`sandan.support.urls` maps them under the `support` namespace."""
