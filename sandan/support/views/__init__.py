"""Support pipeline pages: `problems` (intake, triage, matching, referral, the expert's
cases, bulk import) and `projects` (projects and their workflow, outcomes, the one-time
survey, the outcome dashboard and service levels). Each module ends with its `urlpatterns`,
which `sandan.support.urls` joins under the `support` namespace."""
