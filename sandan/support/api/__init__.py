"""Support pipeline endpoints: problems (list, detail, intake), triage suggestions and
decisions, expert matching results, projects with their budget and participants, referrals,
outcomes and surveys.

Every read starts from `restrict(user, "view")`; an id the user may not see is 404, a write
outside the user's scope is 403. Every write goes through `sandan.support.services`, whose
ValidationError answers 400 with messages keyed by field (see sandan/api/urls.py); schema
errors (unknown status, bad date, out-of-range number) answer 422. Lists are paginated as
{"items", "count"} and load only the columns their schema prints, so a page costs the same
number of queries however many rows there are.

Personal data: expert contacts never appear here; a survey's e-mail is masked for roles
without the "contact" action, and its token hash is never loaded.

The endpoints live in `problems` (problems, triage, matching, referrals) and `projects`
(projects, participants, outcomes, surveys); their schemas in `schemas`. `router` joins them
and is what `sandan.api.urls` mounts.
"""

from ninja import Router

from sandan.support.api import problems, projects

router = Router(tags=["support"])
router.add_router("", problems.router)
router.add_router("", projects.router)
