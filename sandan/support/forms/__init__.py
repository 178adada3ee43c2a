"""Support pipeline forms: `problems` (intake, triage, assignment, referral, import) and
`projects` (projects, participants, budget lines, milestones, outcomes, the survey)."""
